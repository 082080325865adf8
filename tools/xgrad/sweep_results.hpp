// The results of runs, as `xgrad report` reads them: a sweep's folder (sweep.json), a run
// folder (run.json and/or report.json), a folder of run folders, or a report file of
// `xgrad train --json`. Tolerant: a run that failed, has not run, or whose report is damaged
// or from another xgrad version is a result with a status and a one-line problem, never an
// exception; only inputs that are not runs at all are refused.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sweep_folder.hpp"
#include "sweep_spec.hpp"

namespace xgrad::cli {

enum class RunStatus {
  finished,    // a report with the costs
  failed,      // no report; error.log (or the report's "failure") says why
  incomplete,  // no report and no error: still running, or killed (preempted, out of time)
  not_run,     // set up by xgrad sweep, not started
  damaged,     // a report that cannot be read: not JSON, or a field missing or of the wrong type
};

std::string to_string(RunStatus status);  // "finished", "failed", "incomplete", "not run", "damaged"

struct RunResult {
  std::string label;  // the run's name; "SWEEP/NAME" when several sweeps are reported together
  std::filesystem::path folder;  // or the report file given
  std::vector<Setting> settings;  // the swept values (empty for a report without a sweep)
  RunStatus status = RunStatus::not_run;
  std::string problem;  // failed, incomplete, damaged: one line; empty otherwise
  std::string xgrad_version;  // the report's settings.xgrad_version; empty when unknown
  // From the report's "final_cost", the least of "costs", "train_accuracy", "validation_accuracy"
  // (or the last number of "validation_accuracies"), "test_accuracy" (null: no test set) and
  // "seconds"; each absent when the report has none.
  std::optional<double> final_cost, best_cost, train_accuracy, validation_accuracy, test_accuracy, seconds;
  std::vector<std::pair<double, double>> costs;  // (iteration or epoch, cost); NaN where the report has null
  std::string costs_per = "iteration";           // or "epoch"
};

// Everything `xgrad report` was given.
struct SweepResults {
  std::vector<RunResult> runs;  // in the sweeps' order, inputs in the order given
  std::vector<AxisInfo> axes;   // the swept flags (the union over the sweeps)
};

// Reads every input (see the top). Throws InputError "<input>: ..." for an input that does not
// exist or holds no runs, or whose sweep.json / run.json is not xgrad sweep's.
SweepResults read_results(const std::vector<std::filesystem::path>& inputs);

// Reads one report file of `xgrad train --json` into `run` (status, problem, numbers).
void read_report(const std::filesystem::path& file, RunResult& run);

}  // namespace xgrad::cli

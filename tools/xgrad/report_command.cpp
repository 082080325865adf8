// xgrad report: one table across runs -- a sweep's folders, run folders, report files -- with
// sorting, CSV and JSON, and the plots (sweep_plots.hpp).
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "flag_checks.hpp"
#include "gnuplot.hpp"
#include "output_file.hpp"
#include "report_table.hpp"
#include "sweep_plots.hpp"
#include "sweep_results.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

const char* const description =
    "Reads runs' reports and prints one table: the swept settings, status, final and best cost, the "
    "accuracies the reports have (train, validation, test) and time. INPUT: a sweep's folder (xgrad sweep "
    "--out), a run folder, a folder of run folders, or a report file of xgrad train --json. Failed runs show "
    "as failed with their error, damaged reports and reports of other xgrad versions with what is wrong. "
    "Exit status 1 when a run failed or a report is damaged.";

// A file to write, or '-' for standard output.
CLI::Validator output_or_stdout() {
  return checked_by([](const std::string& f) {
    if (f != "-") check_output_file(f);
  });
}

struct ReportSettings {
  std::vector<std::string> inputs;
  std::string sort;
  bool descending = false;
  std::string csv, json, plots, metric;

  void declare(CLI::App& command) {
    const std::string group = "Flags";
    command.add_option("inputs", inputs, "Sweep folders, run folders or report files.")
        ->type_name("INPUT...")->check(file_name())->group(group);
    command.add_option("--sort", sort, "Sort the rows by a column: run, status, a swept flag, final_cost, best_cost, "
                                       "train_accuracy, validation_accuracy, test_accuracy or seconds (default: "
                                       "the sweep's order). Runs without a value come last.")
        ->type_name("COLUMN")->group(group);
    command.add_flag("--descending", descending, "Sort largest first.")->disable_flag_override()->group(group);
    command.add_option("--csv", csv, "Also write the table as CSV, every digit ('-': to standard output instead of "
                                     "the table).")
        ->type_name("FILE")->check(output_or_stdout())->group(group);
    command.add_option("--json", json, "Also write the table as JSON ('-': to standard output instead of the table).")
        ->type_name("FILE")->check(output_or_stdout())->group(group);
    command.add_option("--plots", plots, "Draw the cost curves overlaid and the metric against each swept flag "
                                         "(log x axis where the sweep was log): gnuplot data, script and PNGs.")
        ->type_name("DIR")->check(checked_by([](const std::string& f) { check_output_folder(f); }))->group(group);
    command.add_option("--metric", metric, "The metric the plots put against the swept flags (default "
                                           "test_accuracy, else validation_accuracy, else final_cost).")
        ->type_name("COLUMN")
        ->check(one_of({"final_cost", "best_cost", "train_accuracy", "validation_accuracy", "test_accuracy", "seconds"}))
        ->group(group);
    command.get_help_ptr()->group(group);
  }
};

void write_output(const std::string& target, const std::string& text) {
  if (target == "-") {
    std::cout << text;
    return;
  }
  write_file_atomically(target, text);
  std::cout << "wrote " << target << '\n';
}

void draw(const ReportSettings& settings, const ReportTable& table) {
  std::string metric = settings.metric;
  if (metric.empty()) {
    metric = "final_cost";
    for (const char* preferred : {"validation_accuracy", "test_accuracy"}) {
      for (const ReportColumn& c : table.columns()) {
        if (c.name == preferred) metric = preferred;
      }
    }
  }
  make_output_folder("--plots", settings.plots);
  const SweepPlotFiles files = write_sweep_plots(settings.plots, table, metric);
  draw_with_gnuplot(files.script, files.pngs);
}

int run_report(const ReportSettings& settings) {
  if (settings.inputs.empty()) {
    throw InputError("give the runs to report: sweep folders (xgrad sweep --out), run folders or report files");
  }
  if (settings.csv == "-" && settings.json == "-") throw InputError("--csv - and --json -: only one can go to standard output");
  std::vector<OutputTarget> outputs;
  for (const auto& [flag, target] : {std::pair{"--csv", settings.csv}, std::pair{"--json", settings.json}}) {
    if (!target.empty() && target != "-") outputs.push_back({flag, target});
  }
  if (!settings.plots.empty()) outputs.push_back({"--plots", settings.plots, true});
  check_distinct_outputs(outputs);
  std::vector<fs::path> inputs(settings.inputs.begin(), settings.inputs.end());
  ReportTable table(read_results(inputs));
  if (!settings.sort.empty()) table.sort_by(settings.sort, settings.descending);
  if (settings.csv != "-" && settings.json != "-") table.print(std::cout);
  if (!settings.csv.empty()) write_output(settings.csv, table.csv());
  if (!settings.json.empty()) write_output(settings.json, table.json());
  if (!settings.plots.empty()) draw(settings, table);
  for (const RunResult& run : table.runs()) {
    if (run.status == RunStatus::failed || run.status == RunStatus::damaged) return 1;
  }
  return 0;
}

}  // namespace

CommandRun add_report_command(CLI::App& program) {
  auto settings = std::make_shared<ReportSettings>();
  settings->declare(*program.add_subcommand("report", description));
  return [settings] { return run_report(*settings); };
}

}  // namespace xgrad::cli

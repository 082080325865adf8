// A sweep's folder, as `xgrad sweep --out DIR` lays it out and `xgrad report DIR` reads it:
//
//   DIR/sweep.json             what was swept: {"xgrad_version", "axes": [{"flag", "log_scale",
//                              "random"}], "runs": [{"name", "settings": {flag: value},
//                              "arguments": [train's arguments], "command": "the shell line"}]}
//   DIR/runs/NAME/run.json     the same run entry, so that a run folder reports alone
//   DIR/runs/NAME/report.json  `xgrad train --json`'s report: present once the run finished
//                              (written atomically, so present means whole)
//   DIR/runs/NAME/train.log    the run's standard output
//   DIR/runs/NAME/error.log    its standard error: "xgrad: error: ..." when it failed
//   DIR/slurm/                 the Slurm array's task outputs (--format slurm)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sweep_spec.hpp"

namespace xgrad::cli {

inline constexpr const char* sweep_file_name = "sweep.json";
inline constexpr const char* run_file_name = "run.json";
inline constexpr const char* report_file_name = "report.json";
inline constexpr const char* log_file_name = "train.log";
inline constexpr const char* error_file_name = "error.log";

// A file's whole text; nothing when it cannot be opened.
std::optional<std::string> file_text(const std::filesystem::path& file);

// DIR/runs/NAME.
std::filesystem::path run_folder(const std::filesystem::path& sweep, const std::string& name);

// A swept flag as a sweep records it (the union over its parts).
struct AxisInfo {
  std::string flag;
  bool log_scale = false;
  bool random = false;
};

// A run as a sweep records it.
struct RecordedRun {
  std::string name;
  std::vector<Setting> settings;
  std::vector<std::string> arguments;
  std::string command;
};

struct RecordedSweep {
  std::string xgrad_version;
  std::vector<AxisInfo> axes;
  std::vector<RecordedRun> runs;
};

// Reads DIR/sweep.json; nothing when it does not exist. Throws InputError "<file>: ..." when
// it is not a sweep file (not JSON, a field missing or of the wrong type).
std::optional<RecordedSweep> read_recorded_sweep(const std::filesystem::path& sweep);

// Reads a run folder's run.json; nothing when absent. Throws InputError as above.
std::optional<RecordedRun> read_recorded_run(const std::filesystem::path& folder);

// The JSON text of sweep.json / run.json (2-space indented, ending in a newline).
std::string sweep_json(const RecordedSweep& sweep);
std::string run_json(const RecordedRun& run);

// Whether the run in `folder` has finished: its report.json is there and is a JSON object
// with "final_cost" (train writes it atomically, so a report that parses is whole).
bool has_finished_report(const std::filesystem::path& folder);

// The last non-empty line of the run's error.log with any "xgrad: error: " prefix removed;
// nothing when the file is absent or empty.
std::optional<std::string> run_error(const std::filesystem::path& folder);

}  // namespace xgrad::cli

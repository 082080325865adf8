#include "sweep_results.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/version.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

using Json = nlohmann::json;

// Why a report cannot be read, with the version that wrote it when that is not this one.
std::string version_note(const std::string& written_by) {
  if (written_by.empty()) return " (no settings.xgrad_version: is it a report of xgrad train --json?)";
  if (written_by != version()) return " (written by xgrad " + written_by + "; this is xgrad " + version() + ")";
  return "";
}

// A number field: absent is nothing; null is NaN (NaN and infinities are written as null);
// another type is an error message.
std::optional<double> number_field(const Json& object, const std::string& key, std::string& problem) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!it->is_number()) {
    if (problem.empty()) problem = "\"" + key + "\" is " + std::string(it->type_name()) + ", expected a number";
    return std::nullopt;
  }
  return it->get<double>();
}

std::string last_line_of(const fs::path& file) {
  const std::optional<std::string> text = file_text(file);
  if (!text) return "";
  std::istringstream lines(*text);
  std::string line, last;
  while (std::getline(lines, line, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t cr = line.rfind('\r');  // a progress line redrawn: keep what was drawn last
    if (cr != std::string::npos) line.erase(0, cr + 1);
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return last;
}

// A run folder's result: its report, else its error, else whether it started.
void read_run_folder(const fs::path& folder, RunResult& run) {
  run.folder = folder;
  const fs::path report = folder / report_file_name;
  std::error_code ec;
  if (fs::exists(report, ec)) {
    read_report(report, run);
    return;
  }
  if (const std::optional<std::string> error = run_error(folder)) {
    run.status = RunStatus::failed;
    run.problem = *error;
  } else if (fs::exists(folder / log_file_name, ec)) {
    run.status = RunStatus::incomplete;
    const std::string last = last_line_of(folder / log_file_name);
    run.problem = "no report yet: still running, or stopped before the end" +
                  (last.empty() ? std::string() : " (train.log ends: " + last + ")");
  } else {
    run.status = RunStatus::not_run;
  }
}

void add_axes(std::vector<AxisInfo>& axes, const std::vector<AxisInfo>& more) {
  for (const AxisInfo& a : more) {
    auto found = std::find_if(axes.begin(), axes.end(), [&](const AxisInfo& b) { return b.flag == a.flag; });
    if (found == axes.end()) {
      axes.push_back(a);
    } else {
      found->log_scale = found->log_scale || a.log_scale;
    }
  }
}

void add_settings_axes(std::vector<AxisInfo>& axes, const std::vector<Setting>& settings) {
  for (const Setting& s : settings) {
    if (std::none_of(axes.begin(), axes.end(), [&](const AxisInfo& a) { return a.flag == s.first; })) {
      axes.push_back({s.first, false, false});
    }
  }
}

// A run folder with or without run.json; false when it is neither.
bool read_single_run(const fs::path& folder, const std::string& label, SweepResults& results) {
  std::error_code ec;
  const std::optional<RecordedRun> recorded = read_recorded_run(folder);
  if (!recorded && !fs::exists(folder / report_file_name, ec) && !fs::exists(folder / error_file_name, ec)) return false;
  RunResult run;
  run.label = recorded ? recorded->name : label;
  if (recorded) run.settings = recorded->settings;
  read_run_folder(folder, run);
  add_settings_axes(results.axes, run.settings);
  results.runs.push_back(std::move(run));
  return true;
}

void read_input(const fs::path& input, bool several, SweepResults& results) {
  std::error_code ec;
  const fs::file_status status = fs::status(input, ec);
  if (!fs::exists(status)) throw InputError(input.string() + ": no such file or folder");
  const std::string prefix = several ? input.lexically_normal().filename().string() : "";
  if (fs::is_regular_file(status)) {
    RunResult run;
    // A run folder's report.json is named by its folder.
    const fs::path file = input.lexically_normal();
    run.label = file.filename() == report_file_name && file.has_parent_path() && !file.parent_path().filename().empty()
                    ? file.parent_path().filename().string()
                    : file.stem().string();
    run.folder = input;
    read_report(input, run);
    results.runs.push_back(std::move(run));
    return;
  }
  if (!fs::is_directory(status)) throw InputError(input.string() + ": not a report file or a folder");
  if (const std::optional<RecordedSweep> sweep = read_recorded_sweep(input)) {
    add_axes(results.axes, sweep->axes);
    for (const RecordedRun& recorded : sweep->runs) {
      RunResult run;
      const fs::path name = input.lexically_normal().filename().empty() ? input.lexically_normal().parent_path().filename()
                                                                          : input.lexically_normal().filename();
      run.label = several ? name.string() + "/" + recorded.name : recorded.name;
      run.settings = recorded.settings;
      add_settings_axes(results.axes, run.settings);
      read_run_folder(run_folder(input, recorded.name), run);
      results.runs.push_back(std::move(run));
    }
    return;
  }
  if (read_single_run(input, input.lexically_normal().filename().string(), results)) return;
  // A folder of run folders.
  std::vector<fs::path> folders;
  for (const fs::directory_entry& entry : fs::directory_iterator(input, ec)) {
    if (entry.is_directory(ec)) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  const std::size_t before = results.runs.size();
  for (const fs::path& folder : folders) {
    read_single_run(folder, (prefix.empty() ? "" : prefix + "/") + folder.filename().string(), results);
  }
  if (results.runs.size() == before) {
    throw InputError(input.string() + ": no runs in it (no sweep.json, run.json or report.json, here or in its "
                     "subfolders): give a sweep's --out folder, run folders or report files");
  }
}

}  // namespace

std::string to_string(RunStatus status) {
  switch (status) {
    case RunStatus::finished: return "finished";
    case RunStatus::failed: return "failed";
    case RunStatus::incomplete: return "incomplete";
    case RunStatus::not_run: return "not run";
    case RunStatus::damaged: return "damaged";
  }
  return "?";
}

void read_report(const fs::path& file, RunResult& run) {
  const std::string name = file.filename().string();
  const std::optional<std::string> text = file_text(file);
  if (!text) {
    run.status = RunStatus::damaged;
    run.problem = name + ": cannot be read";
    return;
  }
  Json report = Json::parse(*text, nullptr, false);
  if (report.is_discarded()) {
    run.status = RunStatus::damaged;
    run.problem = name + ": not valid JSON" + (text->empty() ? " (empty)" : "") + " (cut short, or not a report?)";
    return;
  }
  if (!report.is_object()) {
    run.status = RunStatus::damaged;
    run.problem = name + ": a JSON " + std::string(report.type_name()) + ", not a report";
    return;
  }
  const auto settings = report.find("settings");
  if (settings != report.end() && settings->is_object()) {
    const auto v = settings->find("xgrad_version");
    if (v != settings->end() && v->is_string()) run.xgrad_version = v->get<std::string>();
  }
  if (const auto failure = report.find("failure"); failure != report.end() && failure->is_string()) {
    run.status = RunStatus::failed;
    run.problem = failure->get<std::string>();
    return;
  }
  std::string problem;
  run.final_cost = number_field(report, "final_cost", problem);
  if (!run.final_cost && problem.empty()) problem = "no \"final_cost\"";
  const auto costs = report.find("costs");
  if (costs == report.end()) {
    if (problem.empty()) problem = "no \"costs\"";
  } else if (!costs->is_array()) {
    if (problem.empty()) problem = "\"costs\" is " + std::string(costs->type_name()) + ", expected a list";
  } else {
    const auto iterations = report.find("cost_iterations");
    const bool counted = iterations != report.end() && iterations->is_array() && iterations->size() == costs->size();
    for (std::size_t i = 0; i < costs->size(); ++i) {
      const Json& c = (*costs)[i];
      if (!c.is_number() && !c.is_null()) {
        if (problem.empty()) problem = "\"costs\" holds " + std::string(c.type_name()) + ", expected numbers";
        break;
      }
      const Json* at = counted ? &(*iterations)[i] : nullptr;
      const double x = at != nullptr && at->is_number() ? at->get<double>() : static_cast<double>(i);
      run.costs.emplace_back(x, c.is_null() ? std::numeric_limits<double>::quiet_NaN() : c.get<double>());
    }
  }
  run.train_accuracy = number_field(report, "train_accuracy", problem);
  run.test_accuracy = number_field(report, "test_accuracy", problem);
  run.validation_accuracy = number_field(report, "validation_accuracy", problem);
  if (!run.validation_accuracy) {
    // Runs with validation data: the accuracy at every validation ("validation_accuracies",
    // null where it has none); the table shows the last one.
    const auto list = report.find("validation_accuracies");
    if (list != report.end() && !list->is_array()) {
      if (problem.empty()) problem = "\"validation_accuracies\" is " + std::string(list->type_name()) + ", expected a list";
    } else if (list != report.end()) {
      for (const Json& a : *list) {
        if (a.is_number()) {
          run.validation_accuracy = a.get<double>();
        } else if (!a.is_null() && problem.empty()) {
          problem = "\"validation_accuracies\" holds " + std::string(a.type_name()) + ", expected numbers";
        }
      }
    }
  }
  run.seconds = number_field(report, "seconds", problem);
  if (const auto per = report.find("costs_per"); per != report.end() && per->is_string()) {
    run.costs_per = per->get<std::string>();
  }
  // A test accuracy of null means no test set: nothing to show.
  if (run.test_accuracy && std::isnan(*run.test_accuracy)) run.test_accuracy.reset();
  if (run.validation_accuracy && std::isnan(*run.validation_accuracy)) run.validation_accuracy.reset();
  if (!problem.empty()) {
    run.status = RunStatus::damaged;
    run.problem = name + ": " + problem + version_note(run.xgrad_version);
    run.costs.clear();
    run.final_cost = run.best_cost = run.train_accuracy = run.validation_accuracy = run.test_accuracy = std::nullopt;
    run.seconds = std::nullopt;
    return;
  }
  run.status = RunStatus::finished;
  for (const auto& [x, c] : run.costs) {
    if (!std::isnan(c) && (!run.best_cost || c < *run.best_cost)) run.best_cost = c;
  }
  if (!run.best_cost) run.best_cost = run.final_cost;
  if (run.best_cost && run.final_cost && *run.final_cost < *run.best_cost) run.best_cost = run.final_cost;
}

SweepResults read_results(const std::vector<fs::path>& inputs) {
  SweepResults results;
  for (const fs::path& input : inputs) read_input(input, inputs.size() > 1, results);
  return results;
}

}  // namespace xgrad::cli

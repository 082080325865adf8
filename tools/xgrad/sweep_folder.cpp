#include "sweep_folder.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

using Json = nlohmann::ordered_json;

Json run_entry(const RecordedRun& run) {
  Json settings = Json::object();
  for (const auto& [flag, value] : run.settings) settings[flag] = value;
  return Json{{"name", run.name}, {"settings", settings}, {"arguments", run.arguments}, {"command", run.command}};
}

const Json& field(const Json& object, const std::string& key, bool (Json::*is)() const noexcept, const char* type,
                  const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw InputError(where + ": no \"" + key + "\"");
  const Json& value = object[key];
  if (!(value.*is)()) throw InputError(where + ": \"" + key + "\" is not " + type);
  return value;
}

RecordedRun run_from(const Json& entry, const std::string& where) {
  RecordedRun run;
  run.name = field(entry, "name", &Json::is_string, "a string", where).get<std::string>();
  for (const auto& [flag, value] : field(entry, "settings", &Json::is_object, "an object", where).items()) {
    if (!value.is_string()) throw InputError(where + ": setting \"" + flag + "\" is not a string");
    run.settings.emplace_back(flag, value.get<std::string>());
  }
  for (const Json& a : field(entry, "arguments", &Json::is_array, "a list", where)) {
    if (!a.is_string()) throw InputError(where + ": \"arguments\" holds a " + std::string(a.type_name()));
    run.arguments.push_back(a.get<std::string>());
  }
  run.command = field(entry, "command", &Json::is_string, "a string", where).get<std::string>();
  if (run.name.empty() || run.name.find('/') != std::string::npos || run.name == "." || run.name == "..") {
    throw InputError(where + ": \"" + run.name + "\" is not a run folder name");
  }
  return run;
}

Json parsed(const std::string& text, const fs::path& file) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw InputError(file.string() + ": not valid JSON: " + e.what());
  }
}

}  // namespace

std::optional<std::string> file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path run_folder(const fs::path& sweep, const std::string& name) { return sweep / "runs" / name; }

std::optional<RecordedSweep> read_recorded_sweep(const fs::path& sweep) {
  const fs::path file = sweep / sweep_file_name;
  const std::optional<std::string> text = file_text(file);
  if (!text) return std::nullopt;
  const Json root = parsed(*text, file);
  const std::string where = file.string();
  RecordedSweep recorded;
  recorded.xgrad_version = field(root, "xgrad_version", &Json::is_string, "a string", where).get<std::string>();
  for (const Json& axis : field(root, "axes", &Json::is_array, "a list", where)) {
    AxisInfo info;
    info.flag = field(axis, "flag", &Json::is_string, "a string", where + " axes").get<std::string>();
    info.log_scale = field(axis, "log_scale", &Json::is_boolean, "true or false", where + " axes").get<bool>();
    info.random = field(axis, "random", &Json::is_boolean, "true or false", where + " axes").get<bool>();
    recorded.axes.push_back(info);
  }
  const Json& runs = field(root, "runs", &Json::is_array, "a list", where);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    recorded.runs.push_back(run_from(runs[i], where + " runs[" + std::to_string(i) + "]"));
  }
  return recorded;
}

std::optional<RecordedRun> read_recorded_run(const fs::path& folder) {
  const fs::path file = folder / run_file_name;
  const std::optional<std::string> text = file_text(file);
  if (!text) return std::nullopt;
  return run_from(parsed(*text, file), file.string());
}

std::string sweep_json(const RecordedSweep& sweep) {
  Json axes = Json::array(), runs = Json::array();
  for (const AxisInfo& a : sweep.axes) axes.push_back({{"flag", a.flag}, {"log_scale", a.log_scale}, {"random", a.random}});
  for (const RecordedRun& r : sweep.runs) runs.push_back(run_entry(r));
  const Json root{{"xgrad_version", sweep.xgrad_version}, {"axes", axes}, {"runs", runs}};
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string run_json(const RecordedRun& run) {
  return run_entry(run).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

bool has_finished_report(const fs::path& folder) {
  const std::optional<std::string> text = file_text(folder / report_file_name);
  if (!text) return false;
  const Json report = Json::parse(*text, nullptr, false);
  return report.is_object() && report.contains("final_cost");
}

std::optional<std::string> run_error(const fs::path& folder) {
  const std::optional<std::string> text = file_text(folder / error_file_name);
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.empty()) return std::nullopt;
  const std::string prefix = "xgrad: error: ";
  if (last.rfind(prefix, 0) == 0) last.erase(0, prefix.size());
  if (!last.empty() && last.back() == '\r') last.pop_back();
  return last;
}

}  // namespace xgrad::cli

#include "report_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/version.hpp>

namespace xgrad::cli {

namespace {

const char* const metric_columns[] = {"final_cost",          "best_cost",     "train_accuracy",
                                      "validation_accuracy", "test_accuracy", "seconds"};

const std::optional<double>& metric(const RunResult& run, const std::string& column) {
  if (column == "final_cost") return run.final_cost;
  if (column == "best_cost") return run.best_cost;
  if (column == "train_accuracy") return run.train_accuracy;
  if (column == "validation_accuracy") return run.validation_accuracy;
  if (column == "test_accuracy") return run.test_accuracy;
  return run.seconds;
}

std::string printf_text(const char* format, double x) {
  if (std::isnan(x)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, x);
  return buffer;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

ReportTable::ReportTable(SweepResults results) : results_(std::move(results)) {
  columns_.push_back({"run"});
  columns_.push_back({"status"});
  for (const AxisInfo& axis : results_.axes) columns_.push_back({axis.flag, true});
  for (const char* name : metric_columns) {
    const bool always = std::string(name) == "final_cost" || std::string(name) == "best_cost";
    const bool any = std::any_of(results_.runs.begin(), results_.runs.end(),
                                 [&](const RunResult& r) { return metric(r, name).has_value(); });
    if (always || any) columns_.push_back({name});
  }
}

std::optional<double> ReportTable::number(const RunResult& run, const std::string& column) const {
  for (const char* name : metric_columns) {
    if (column == name) return metric(run, column);
  }
  const std::optional<std::string> value = text(run, column);
  double x = 0.0;
  if (value && parses_as_finite(*value, x)) return x;
  return std::nullopt;
}

std::optional<std::string> ReportTable::text(const RunResult& run, const std::string& column) const {
  if (column == "run") return run.label;
  if (column == "status") return to_string(run.status);
  for (const Setting& s : run.settings) {
    if (s.first == column) return s.second;
  }
  for (const char* name : metric_columns) {
    if (column == name) {
      const std::optional<double>& x = metric(run, column);
      if (x) return format_double(*x);
    }
  }
  return std::nullopt;
}

void ReportTable::sort_by(const std::string& column, bool descending) {
  const auto found = std::find_if(columns_.begin(), columns_.end(), [&](const ReportColumn& c) { return c.name == column; });
  if (found == columns_.end()) {
    std::string listed;
    for (const ReportColumn& c : columns_) listed += (listed.empty() ? "" : ", ") + c.name;
    throw InputError("--sort: no column '" + column + "' (the columns: " + listed + ")");
  }
  const bool textual = column == "run" || column == "status";
  std::stable_sort(results_.runs.begin(), results_.runs.end(), [&](const RunResult& a, const RunResult& b) {
    if (!textual) {
      const std::optional<double> x = number(a, column), y = number(b, column);
      const bool x_has = x && !std::isnan(*x), y_has = y && !std::isnan(*y);
      if (x_has && y_has) return descending ? *y < *x : *x < *y;
      if (x_has != y_has) return x_has;  // runs without a value last
      if (!found->setting) return false;     // neither has a number: equal
    }
    const std::optional<std::string> s = text(a, column), t = text(b, column);
    if (s && t) return descending ? *t < *s : *s < *t;
    return s.has_value() && !t.has_value();
  });
}

void ReportTable::print(std::ostream& out) const {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header;
  for (const ReportColumn& c : columns_) header.push_back(c.name);
  cells.push_back(header);
  for (const RunResult& run : results_.runs) {
    std::vector<std::string> row;
    for (const ReportColumn& c : columns_) {
      const std::string& name = c.name;
      std::string cell = "-";
      if (c.setting || name == "run" || name == "status") {
        cell = text(run, name).value_or("-");
      } else if (const std::optional<double>& x = metric(run, name)) {
        cell = name == "seconds"                  ? printf_text("%.2f", *x)
               : name.find("accuracy") != std::string::npos ? printf_text("%.4f", *x)
                                                            : printf_text("%.6g", *x);
      }
      row.push_back(cell);
    }
    cells.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(columns_.size(), 0);
  for (const auto& row : cells) {
    for (std::size_t j = 0; j < row.size(); ++j) widths[j] = std::max(widths[j], row[j].size());
  }
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t j = 0; j < row.size(); ++j) {
      const bool left = j < 2 || columns_[j].setting;  // text left, numbers right
      const std::string pad(widths[j] - row[j].size(), ' ');
      line += (j == 0 ? "" : "  ") + (left ? row[j] + pad : pad + row[j]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
  std::size_t by_status[5] = {0, 0, 0, 0, 0};
  for (const RunResult& run : results_.runs) ++by_status[static_cast<int>(run.status)];
  out << '\n' << results_.runs.size() << " runs: " << by_status[0] << " finished";
  for (RunStatus s : {RunStatus::failed, RunStatus::damaged, RunStatus::incomplete, RunStatus::not_run}) {
    if (by_status[static_cast<int>(s)] > 0) out << ", " << by_status[static_cast<int>(s)] << ' ' << to_string(s);
  }
  out << '\n';
  for (const RunResult& run : results_.runs) {
    if (!run.problem.empty()) out << to_string(run.status) << ' ' << run.label << ": " << run.problem << '\n';
  }
  std::vector<std::string> others;
  for (const RunResult& run : results_.runs) {
    if (run.status == RunStatus::finished && !run.xgrad_version.empty() && run.xgrad_version != version()) {
      others.push_back(run.label + " (" + run.xgrad_version + ")");
    }
  }
  if (!others.empty()) {
    out << "note: " << others.size() << " report" << (others.size() > 1 ? "s were" : " was") << " written by another xgrad version than this one (" << version()
        << "): " << others.front() << (others.size() > 1 ? ", ..." : "") << '\n';
  }
}

std::string ReportTable::csv() const {
  std::ostringstream out;
  for (const ReportColumn& c : columns_) out << csv_field(c.name) << ',';
  out << "problem\r\n";
  for (const RunResult& run : results_.runs) {
    for (const ReportColumn& c : columns_) out << csv_field(text(run, c.name).value_or("")) << ',';
    out << csv_field(run.problem) << "\r\n";
  }
  return out.str();
}

std::string ReportTable::json() const {
  using Json = nlohmann::ordered_json;
  Json columns = Json::array(), runs = Json::array();
  for (const ReportColumn& c : columns_) columns.push_back(c.name);
  for (const RunResult& run : results_.runs) {
    Json settings = Json::object();
    for (const Setting& s : run.settings) settings[s.first] = s.second;
    Json row{{"run", run.label}, {"status", to_string(run.status)}, {"settings", settings}};
    for (const ReportColumn& c : columns_) {
      if (c.setting || c.name == "run" || c.name == "status") continue;
      const std::optional<double>& x = metric(run, c.name);
      row[c.name] = x && std::isfinite(*x) ? Json(*x) : Json();
    }
    row["problem"] = run.problem.empty() ? Json() : Json(run.problem);
    row["xgrad_version"] = run.xgrad_version.empty() ? Json() : Json(run.xgrad_version);
    runs.push_back(std::move(row));
  }
  const Json root{{"xgrad_version", version()}, {"columns", columns}, {"runs", runs}};
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace xgrad::cli

#include "sweep_plots.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "sweep_spec.hpp"
#include <xgrad/core/format.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_keyed_runs = 12;

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number_text(double x) { return std::isfinite(x) ? format_double(x) : "NaN"; }

}  // namespace

SweepPlotFiles write_sweep_plots(const fs::path& folder, const ReportTable& table, const std::string& metric) {
  SweepPlotFiles files;
  std::vector<const RunResult*> finished;
  for (const RunResult& run : table.runs()) {
    if (run.status == RunStatus::finished) finished.push_back(&run);
  }
  std::ostringstream gp;
  gp << "# Drawn by xgrad report. Run from this folder: gnuplot report.gp\n"
     << "set terminal pngcairo size 900,600 font 'sans,10'\n";

  // Cost curves, one data block per run.
  std::ostringstream costs;
  for (std::size_t i = 0; i < finished.size(); ++i) {
    costs << (i == 0 ? "" : "\n\n") << "# " << finished[i]->label << ": " << finished[i]->costs_per << " cost\n";
    for (const auto& [x, c] : finished[i]->costs) costs << number_text(x) << ' ' << number_text(c) << '\n';
  }
  write_file_atomically(folder / "costs.dat", costs.str());
  const std::string per = finished.empty() ? "iteration" : finished.front()->costs_per;
  gp << "set output 'costs.png'\nset title 'cost curves (" << finished.size() << " runs)'\n"
     << "set xlabel '" << per << "s'\nset ylabel 'cost'\nset grid\n"
     << (finished.size() <= max_keyed_runs ? "set key outside right top noenhanced\n" : "unset key\n");
  if (finished.empty()) {
    gp << "set label 1 'no finished runs' at graph 0.5, graph 0.5 center\nplot [0:1] [0:1] NaN notitle\n";
  } else {
    gp << "plot ";
    for (std::size_t i = 0; i < finished.size(); ++i) {
      gp << (i == 0 ? "" : ", \\\n     ") << "'costs.dat' index " << i << " using 1:2 with lines lw 2 title "
         << quoted(finished[i]->label);
    }
    gp << '\n';
  }
  files.pngs.push_back(folder / "costs.png");

  // The metric against each swept flag.
  for (const AxisInfo& axis : table.axes()) {
    const std::string stem = metric + "_vs_" + folder_safe(axis.flag);  // metric: a column name
    std::vector<std::pair<std::string, double>> points;  // (the setting's text, the metric)
    bool numeric = true;
    for (const RunResult* run : finished) {
      const std::optional<std::string> value = table.text(*run, axis.flag);
      const std::optional<double> y = table.number(*run, metric);
      if (!value || !y) continue;
      points.emplace_back(*value, *y);
      numeric = numeric && table.number(*run, axis.flag).has_value();
    }
    const bool log = axis.log_scale && numeric &&
                     std::all_of(points.begin(), points.end(), [&](const auto& p) { return std::stod(p.first) > 0.0; });
    std::ostringstream data;
    data << "# " << axis.flag << ' ' << metric << (numeric ? "" : " label") << '\n';
    std::map<std::string, std::size_t> categories;
    for (const auto& [value, y] : points) {
      if (numeric) {
        data << value << ' ' << number_text(y) << '\n';
      } else {
        const std::size_t at = categories.emplace(value, categories.size()).first->second;
        data << at << ' ' << number_text(y) << ' ' << quoted(value) << '\n';
      }
    }
    write_file_atomically(folder / (stem + ".dat"), data.str());
    gp << "\nreset\nset output '" << stem << ".png'\n"
       << "set title " << quoted(metric + " against " + axis.flag + " (" + std::to_string(points.size()) + " runs)")
       << " noenhanced\n"
       << "set xlabel " << quoted(axis.flag + (log ? " (log scale)" : "")) << " noenhanced\n"
       << "set ylabel " << quoted(metric) << " noenhanced\nset grid\nunset key\n"
       << (log ? "set logscale x\n" : "") << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n";
    if (points.empty()) {
      gp << "set label 1 'no finished runs with a " << metric << "' at graph 0.5, graph 0.5 center\n"
         << "plot [0:1] [0:1] NaN notitle\n";
    } else if (numeric) {
      gp << "plot '" << stem << ".dat' using 1:2 with points pt 7 ps 1.2 lc rgb '#2c7bb6'\n";
    } else {
      gp << "plot '" << stem << ".dat' using 1:2:xtic(3) with points pt 7 ps 1.2 lc rgb '#2c7bb6'\n";
    }
    files.pngs.push_back(folder / (stem + ".png"));
  }
  gp << "unset output\n";
  files.script = folder / "report.gp";
  write_file_atomically(files.script, gp.str());
  return files;
}

}  // namespace xgrad::cli

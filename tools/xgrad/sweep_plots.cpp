#include "sweep_plots.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "gnuplot.hpp"

#include "sweep_spec.hpp"
#include <xgrad/core/format.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_keyed_runs = 12;

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
         << gnuplot_quoted(finished[i]->label);
    }
    gp << '\n';
  }
  files.pngs.push_back(folder / "costs.png");

  // The metric against each swept flag: one line per combination of the other swept flags.
  for (const AxisInfo& axis : table.axes()) {
    const std::string stem = metric + "_vs_" + folder_safe(axis.flag);  // metric: a column name
    struct Point {
      std::string value;  // the setting's text
      double x;           // its number, or its category's index
      double y;
    };
    std::vector<std::pair<std::string, std::vector<Point>>> lines;  // (the other settings, points)
    bool numeric = true;
    std::size_t count = 0;
    for (const RunResult* run : finished) {
      numeric = numeric && (!table.text(*run, axis.flag) || table.number(*run, axis.flag).has_value());
    }
    std::map<std::string, std::size_t> categories;
    for (const RunResult* run : finished) {
      const std::optional<std::string> value = table.text(*run, axis.flag);
      const std::optional<double> y = table.number(*run, metric);
      if (!value || !y) continue;
      std::string others;
      for (const AxisInfo& other : table.axes()) {
        if (other.flag == axis.flag) continue;
        if (const std::optional<std::string> v = table.text(*run, other.flag)) {
          others += (others.empty() ? "" : " ") + other.flag + "=" + *v;
        }
      }
      const double x = numeric ? *table.number(*run, axis.flag)
                               : static_cast<double>(categories.emplace(*value, categories.size()).first->second);
      auto line = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == others; });
      if (line == lines.end()) line = lines.insert(lines.end(), {others, {}});
      line->second.push_back({*value, x, *y});
      ++count;
    }
    const bool log = axis.log_scale && numeric &&
                     std::all_of(lines.begin(), lines.end(), [](const auto& l) {
                       return std::all_of(l.second.begin(), l.second.end(), [](const Point& p) { return p.x > 0.0; });
                     });
    std::ostringstream data;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      auto& points = lines[i].second;
      std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
      data << (i == 0 ? "" : "\n\n") << "# " << (lines[i].first.empty() ? "all runs" : lines[i].first) << ": "
           << axis.flag << ' ' << metric << " label\n";
      for (const Point& p : points) data << number_text(p.x) << ' ' << number_text(p.y) << ' ' << gnuplot_quoted(p.value) << '\n';
    }
    write_file_atomically(folder / (stem + ".dat"), data.str());
    const bool keyed = lines.size() > 1 && lines.size() <= max_keyed_runs;
    gp << "\nreset\nset output '" << stem << ".png'\n"
       << "set title " << gnuplot_quoted(metric + " against " + axis.flag + " (" + std::to_string(count) + " runs)")
       << " noenhanced\n"
       << "set xlabel " << gnuplot_quoted(axis.flag + (log ? " (log scale)" : "")) << " noenhanced\n"
       << "set ylabel " << gnuplot_quoted(metric) << " noenhanced\nset grid\n"
       << (keyed ? "set key outside right top noenhanced\n" : "unset key\n") << (log ? "set logscale x\n" : "")
       << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n";
    if (lines.empty()) {
      gp << "set label 1 'no finished runs with a " << metric << "' at graph 0.5, graph 0.5 center\n"
         << "plot [0:1] [0:1] NaN notitle\n";
    } else {
      gp << "plot ";
      for (std::size_t i = 0; i < lines.size(); ++i) {
        gp << (i == 0 ? "" : ", \\\n     ") << "'" << stem << ".dat' index " << i << " using 1:2"
           << (numeric ? "" : ":xtic(3)") << " with linespoints pt 7 ps 1.2 lw 2 title "
           << gnuplot_quoted(lines[i].first.empty() ? "all runs" : lines[i].first);
      }
      gp << '\n';
    }
    files.pngs.push_back(folder / (stem + ".png"));
  }
  gp << "unset output\n";
  files.script = folder / "report.gp";
  write_file_atomically(files.script, gp.str());
  return files;
}

}  // namespace xgrad::cli

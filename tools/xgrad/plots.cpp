#include "plots.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "gnuplot.hpp"

#include "output_file.hpp"
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

constexpr double notes_step = 0.01;
const char* const region_colors = "(0 '#fdae61', 1 '#abd9e9')";
const char* const label_colors[] = {"#d7191c", "#2c7bb6"};

std::vector<double> axis(double low, double high, std::size_t max_steps) {
  const double step = std::max(notes_step, (high - low) / static_cast<double>(max_steps - 1));
  std::vector<double> values;
  for (std::size_t i = 0; low + static_cast<double>(i) * step < high; ++i) {
    values.push_back(low + static_cast<double>(i) * step);
  }
  // Features so large that +-1 vanishes in rounding (low == high), or a span that overflows:
  // one point still makes a grid.
  if (values.empty()) values.push_back(low);
  return values;
}

std::string cost_data(const std::vector<CostRecord>& costs) {
  std::ostringstream out;
  out << "# iteration cost\n";
  for (const CostRecord& r : costs) out << r.iteration << ' ' << format_double(r.cost) << '\n';
  return out.str();
}

// gnuplot's "nonuniform matrix": first row n x1..xn, then y z1..zn per row.
std::string grid_data(const DecisionGrid& grid) {
  std::ostringstream out;
  out << grid.xs.size();
  for (double x : grid.xs) out << ' ' << format_double(x);
  out << '\n';
  for (std::size_t i = 0; i < grid.ys.size(); ++i) {
    out << format_double(grid.ys[i]);
    for (std::size_t j = 0; j < grid.xs.size(); ++j) out << ' ' << grid.classes(i, j);
    out << '\n';
  }
  return out.str();
}

// One block per label present, separated by two blank lines (gnuplot's "index").
std::string point_data(const Dataset& points, std::vector<int>& labels_present) {
  std::ostringstream out;
  for (int label = 0; label < 2; ++label) {
    bool any = false;
    for (std::size_t k = 0; k < points.examples(); ++k) {
      if (points.Y(0, k) != label) continue;
      if (!any) out << (labels_present.empty() ? "" : "\n\n") << "# x1 x2 of the examples labelled " << label << '\n';
      any = true;
      out << format_double(points.X(0, k)) << ' ' << format_double(points.X(1, k)) << '\n';
    }
    if (any) labels_present.push_back(label);
  }
  return out.str();
}

}  // namespace

DecisionGrid decision_grid(Model& model, const Matrix& X, std::size_t max_steps) {
  if (X.shape(0) != 2 || X.shape(1) == 0) {
    throw InputError("decision boundary: needs 2 features and some examples, got X of shape " + shape_string(X));
  }
  DecisionGrid grid;
  const auto range = [&](std::size_t row) {
    const auto [lo, hi] = std::minmax_element(&X(row, 0), &X(row, 0) + X.shape(1));
    return axis(*lo - 1.0, *hi + 1.0, std::max<std::size_t>(max_steps, 2));
  };
  grid.xs = range(0);
  grid.ys = range(1);
  Matrix points({2, grid.xs.size() * grid.ys.size()});
  for (std::size_t i = 0; i < grid.ys.size(); ++i) {
    for (std::size_t j = 0; j < grid.xs.size(); ++j) {
      points(0, i * grid.xs.size() + j) = grid.xs[j];
      points(1, i * grid.xs.size() + j) = grid.ys[i];
    }
  }
  const Matrix predicted = predict(model, points);  // (1, ys * xs), row i of the grid at i * xs
  grid.classes = Matrix({grid.ys.size(), grid.xs.size()});
  std::copy(predicted.begin(), predicted.end(), grid.classes.begin());
  return grid;
}

PlotFiles write_plot_files(const fs::path& folder, const PlotInput& input) {
  PlotFiles files;
  const std::string cost_name = input.stem + "_cost";
  std::ostringstream gp;
  gp << "# Drawn by xgrad. Run from this folder: gnuplot " << input.stem << ".gp\n"
     << "set terminal pngcairo size 800,600 font 'sans,10'\n"
     << "set output '" << cost_name << ".png'\n"
     << "set title " << gnuplot_quoted(input.title + ": cost (learning rate " + format_double(input.learning_rate) + ")")
     << " noenhanced\n"
     << "set xlabel 'iterations'\nset ylabel 'cost'\nset grid\n"
     << "plot '" << cost_name << ".dat' using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#2c7bb6' notitle\n";
  write_file_atomically(folder / (cost_name + ".dat"), cost_data(input.costs));
  files.data.push_back(folder / (cost_name + ".dat"));
  files.pngs.push_back(folder / (cost_name + ".png"));

  if (input.grid != nullptr && input.points != nullptr) {
    const std::string boundary = input.stem + "_boundary", points = input.stem + "_points";
    std::vector<int> labels;
    write_file_atomically(folder / (boundary + ".dat"), grid_data(*input.grid));
    write_file_atomically(folder / (points + ".dat"), point_data(*input.points, labels));
    files.data.push_back(folder / (boundary + ".dat"));
    files.data.push_back(folder / (points + ".dat"));
    gp << "\nreset\n"
       << "set output '" << boundary << ".png'\n"
       << "set title " << gnuplot_quoted(input.title + ": decision boundary") << " noenhanced\n"
       << "set xlabel 'x1'\nset ylabel 'x2'\n"
       << "set xrange [" << format_double(input.grid->xs.front()) << ":" << format_double(input.grid->xs.back()) << "]\n"
       << "set yrange [" << format_double(input.grid->ys.front()) << ":" << format_double(input.grid->ys.back()) << "]\n"
       << "set palette defined " << region_colors << "\nset cbrange [0:1]\nunset colorbox\n"
       << "set key opaque box\n"
       << "plot '" << boundary << ".dat' nonuniform matrix with image notitle";
    for (std::size_t b = 0; b < labels.size(); ++b) {
      gp << ", \\\n     '" << points << ".dat' index " << b << " using 1:2 with points pt 7 ps 0.7 lc rgb '"
         << label_colors[labels[b]] << "' title 'label " << labels[b] << "'";
    }
    gp << '\n';
    files.pngs.push_back(folder / (boundary + ".png"));
  }
  gp << "unset output\n";
  files.script = folder / (input.stem + ".gp");
  write_file_atomically(files.script, gp.str());
  return files;
}

}  // namespace xgrad::cli

// The notes' two plots as gnuplot input: the cost curve and the decision boundary (regions
// filled from a grid of predictions, the training points on top coloured by label). For
// each plot a data file; for both one script that draws the PNGs when run from its folder.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

struct DecisionGrid {
  std::vector<double> xs, ys;  // the grid's coordinates along each axis, increasing
  Matrix classes;              // (ys.size(), xs.size()): predict() at (xs[j], ys[i]), 0 or 1
};

// The notes' plot_decision_boundary grid: each axis spans the data's range +-1 in steps of
// 0.01, or coarser so that no axis has more than max_steps points.
// Requires X of shape (2, m >= 1) (InputError otherwise). Feeds the grid to the model.
DecisionGrid decision_grid(Model& model, const Matrix& X, std::size_t max_steps = 300);

struct PlotInput {
  std::string stem;   // files <stem>_cost.dat/.png, <stem>_boundary.dat/.png, <stem>_points.dat, <stem>.gp
  std::string title;  // e.g. "He initialization"
  double learning_rate = 0.0;
  std::vector<CostRecord> costs;
  const DecisionGrid* grid = nullptr;  // no boundary plot without one
  const Dataset* points = nullptr;     // drawn over the grid (2 features)
};

struct PlotFiles {
  std::filesystem::path script;
  std::vector<std::filesystem::path> data;
  std::vector<std::filesystem::path> pngs;  // what the script draws
};

// Writes the data files and the script into `folder` (each atomically).
// Throws FileError when a file cannot be written.
PlotFiles write_plot_files(const std::filesystem::path& folder, const PlotInput& input);

}  // namespace xgrad::cli

/// @file
/// Mean squared error between predictions a and targets y of one shape (rows, m), averaged
/// over every entry (as PyTorch's MSELoss and Keras' mean_squared_error):
///   cost = 1/(rows * m) * sum of (a - y)^2
/// Value is 1x1. Gradient: da += g * 2 (a - y) / (rows m), and dy -= the same when the
/// targets require a gradient (they are usually data, which does not).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>
#include <xgrad/nodes/mean_loss.hpp>

namespace xgrad {

/// Mean squared error over every entry, as the file describes.
class MeanSquaredError final : public MeanLoss<MeanSquaredError> {
 public:
  /// predictions and targets must have the same number of rows (InputError naming both).
  MeanSquaredError(std::string name, Node& predictions, Node& targets);
  std::string_view kind() const override { return "mean_squared_error"; }

  /// The sum of (a - y)^2 over every entry.
  double sum_of_terms(bool value_wanted);
  /// da += 2 (a - y) * scale; dy -= the same when the targets require a gradient.
  void add_gradient(double scale);
  /// The mean is over every entry: rows per example.
  std::size_t entries_per_example() const { return inputs()[0]->rows(); }
};

}  // namespace xgrad

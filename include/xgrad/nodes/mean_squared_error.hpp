/// @file
/// Mean squared error between predictions a and targets y of one shape (rows, m), averaged
/// over every entry (as PyTorch's MSELoss and Keras' mean_squared_error):
///   cost = 1/(rows * m) * sum of (a - y)^2
/// Value is 1x1. Gradient: da += g * 2 (a - y) / (rows m), and dy -= the same when the
/// targets require a gradient (they are usually data, which does not).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Mean squared error over every entry, as the file describes.
class MeanSquaredError final : public Node {
 public:
  /// predictions and targets must have the same number of rows (InputError naming both).
  MeanSquaredError(std::string name, Node& predictions, Node& targets);
  std::string_view kind() const override { return "mean_squared_error"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool mean_over_columns() const override { return true; }

  void forward(Mode mode) override;
  void backward() override;
  std::size_t columns(std::size_t) const override { return 1; }
};

}  // namespace xgrad

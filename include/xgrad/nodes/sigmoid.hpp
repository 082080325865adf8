/// @file
/// Sigmoid: 1 / (1 + exp(-x)), element-wise. Keeps its output for backward.
/// Before a cross-entropy cost prefer SigmoidCrossEntropy (nodes/losses.hpp), which is
/// stable where the sigmoid saturates.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Sigmoid, element-wise; keeps its output for backward.
class Sigmoid final : public Node {
 public:
  /// value has the input's shape.
  Sigmoid(std::string name, Node& input);
  std::string_view kind() const override { return "sigmoid"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }
  void forward(Mode mode) override;
  /// dx += g * s * (1 - s)
  void backward() override;
};

/// The sigmoid the way numpy's course code computes it: 1 / (1 + np.exp(-x)).
inline double sigmoid(double x);

}  // namespace xgrad

#include <cmath>

inline double xgrad::sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

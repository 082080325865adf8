/// @file
/// Tanh: tanh(x), element-wise (std::tanh, as numpy's np.tanh on glibc). Keeps its output
/// for backward: dx += g * (1 - y^2).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Tanh, element-wise; keeps its output for backward.
class Tanh final : public Node {
 public:
  /// value has the input's shape.
  Tanh(std::string name, Node& input);
  std::string_view kind() const override { return "tanh"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }
  void forward(Mode mode) override;
  void backward() override;
};

}  // namespace xgrad

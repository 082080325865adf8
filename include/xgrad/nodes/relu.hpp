/// @file
/// ReLU: max(0, x), element-wise. Not differentiable at 0 (declared as a kink); the
/// derivative used there is 0, as in the course notes (dZ = dA * (A > 0)).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// ReLU, element-wise, with a kink at 0.
class Relu final : public Node {
 public:
  /// value has the input's shape.
  Relu(std::string name, Node& input);
  std::string_view kind() const override { return "relu"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }
  void forward(Mode mode) override;
  void backward() override;
  std::vector<Kink> kinks() const override { return {{0, 0.0}}; }
};

}  // namespace xgrad

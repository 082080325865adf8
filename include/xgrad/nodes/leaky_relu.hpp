/// @file
/// Leaky ReLU: x where x > 0, slope * x elsewhere, element-wise. Not differentiable at 0
/// (declared as a kink); the derivative used at 0 is the slope.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Leaky ReLU, element-wise, with a fixed slope for x <= 0.
class LeakyRelu final : public Node {
 public:
  /// Requires a finite slope (InputError naming the value otherwise); 0.01 is the usual one.
  LeakyRelu(std::string name, Node& input, double slope = 0.01);
  std::string_view kind() const override { return "leaky_relu"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }
  void forward(Mode mode) override;
  /// dx += g where x > 0, g * slope elsewhere.
  void backward() override;
  std::vector<Kink> kinks() const override { return {{0, 0.0}}; }
  /// The slope for x <= 0.
  double slope() const { return slope_; }

 private:
  double slope_;
};

}  // namespace xgrad

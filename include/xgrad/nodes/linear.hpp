/// @file
/// Linear: Z = W A + b.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Z = W A + b: a fully connected layer (W and b are parameters of the graph).
class Linear final : public Node, public Schedulable {
 public:
  /// W is (out, in), b is (out, 1), input has `in` rows; value is (out, batch).
  /// Throws InputError naming the shapes ("fc2: W is 3x20 but its input has 10 rows").
  Linear(std::string name, Node& input, Parameter& W, Parameter& b);
  std::string_view kind() const override { return "linear"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }

  void forward(Mode mode) override;
  /// dW += dZ A^T, db += row sums of dZ, and dA += W^T dZ when the input requires it.
  void backward() override;
  std::vector<Parameter*> parameters() const override { return {&W_, &b_}; }

 private:
  Parameter& W_;
  Parameter& b_;
};

}  // namespace xgrad

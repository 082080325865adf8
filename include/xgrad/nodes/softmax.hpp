/// @file
/// Softmax over each column (the k rows of a column are one example's class scores):
/// y_i = exp(x_i - max) / sum_j exp(x_j - max), stable for any finite x. The output a
/// classifier trained with SoftmaxCrossEntropy predicts from; keeps y for backward.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

/// Softmax over each column; keeps its output for backward.
class Softmax final : public Node, public Schedulable {
 public:
  /// value has the input's shape (k, m).
  Softmax(std::string name, Node& input);
  std::string_view kind() const override { return "softmax"; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> parameters) const override;
  bool column_separable() const override { return true; }
  void forward(Mode mode) override;
  /// dx_i += y_i * (g_i - sum_j g_j y_j), column by column.
  void backward() override;
};

/// Writes the softmax of column `col` of z into column `col` of p (same shape as z) and
/// returns that column's log-sum-exp, max + log(sum exp(z - max)). Allocates nothing.
double softmax_column(const Matrix& z, Matrix& p, std::size_t col);

}  // namespace xgrad

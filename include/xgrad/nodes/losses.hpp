/// @file
/// Costs: binary cross-entropy on logits and on probabilities (means over examples through
/// MeanLoss, nodes/mean_loss.hpp), the L2 weight penalty, and a sum of terms.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <vector>

#include <xgrad/core/node.hpp>
#include <xgrad/nodes/mean_loss.hpp>

namespace xgrad {

/// Mean binary cross-entropy of sigmoid(z) against labels y, computed from the logits z:
///   cost = (1/m) * sum over all entries of [max(z, 0) - z*y + log1p(exp(-|z|))]
/// which stays finite where the sigmoid saturates (the course's naive formula gives inf).
/// Value is 1x1 (NaN when !value_wanted(): the logarithms are skipped). Gradient:
/// dz += g * (sigmoid(z) - y) / m; the labels are not differentiated. m is examples().
class SigmoidCrossEntropy final : public MeanLoss<SigmoidCrossEntropy> {
 public:
  /// logits and labels must have the same number of rows.
  SigmoidCrossEntropy(std::string name, Node& logits, Node& labels);
  std::string_view kind() const override { return "sigmoid_cross_entropy"; }

  void resize(std::size_t batch) override;
  InputDomain input_domain(std::size_t input) const override {
    return input == 1 ? InputDomain::labels : InputDomain::real;
  }
  /// Keeps sigmoid(z); with value_wanted, the sum of max(z, 0) - z y + log1p(exp(-|z|)).
  double sum_of_terms(bool value_wanted);
  /// dz += (sigmoid(z) - y) * scale.
  void add_gradient(double scale);

  /// sigmoid(logits) from the last forward, shape (rows, batch): the model's predictions.
  const Matrix& probabilities() const { return probabilities_; }

 private:
  Matrix probabilities_;
  Matrix spare_probabilities_;
};

/// Mean binary cross-entropy of probabilities a (e.g. a Sigmoid's output) against labels y,
/// the notes' compute_cost: cost = -(1/m) * sum of [y log(a) + (1 - y) log(1 - a)].
/// Value is 1x1 (NaN when !value_wanted()). Gradient: da += g * (-(y / a) + (1 - y) / (1 - a)) / m
/// with m = examples(). Infinite where a
/// reaches 0 or 1: after a sigmoid prefer SigmoidCrossEntropy.
class BinaryCrossEntropy final : public MeanLoss<BinaryCrossEntropy> {
 public:
  /// probabilities and labels must have the same number of rows.
  BinaryCrossEntropy(std::string name, Node& probabilities, Node& labels);
  std::string_view kind() const override { return "binary_cross_entropy"; }

  InputDomain input_domain(std::size_t input) const override {
    return input == 1 ? InputDomain::labels : InputDomain::probability;
  }
  /// With value_wanted, the sum of -log(a) y - log(1 - a) (1 - y); nothing otherwise.
  double sum_of_terms(bool value_wanted);
  /// da += (-(y / a) + (1 - y) / (1 - a)) * scale.
  void add_gradient(double scale);
};

/// L2 penalty lambda / (2m) * sum of the squares of every entry of the given weights, with
/// m = examples(), the whole batch's size. Value is 1x1. Gradient: W.grad += g * (lambda * W) / m.
class L2Penalty final : public Node {
 public:
  /// Requires lambda >= 0 and finite.
  L2Penalty(std::string name, std::vector<Parameter*> weights, double lambda);
  std::string_view kind() const override { return "l2_penalty"; }

  void forward(Mode mode) override;
  void backward() override;
  std::vector<Parameter*> parameters() const override { return weights_; }
  std::size_t columns(std::size_t) const override { return 1; }
  /// The penalty's lambda.
  double lambda() const { return lambda_; }

 private:
  std::vector<Parameter*> weights_;
  double lambda_;
};

/// Sum of inputs of one shape (e.g. cross-entropy + L2 penalty). Gradient: each dx += g.
class Add final : public Node, public Schedulable {
 public:
  /// Requires at least one input, all with the same rows and columns.
  Add(std::string name, std::vector<Node*> terms);
  std::string_view kind() const override { return "add"; }
  /// The value is the sum of the inputs; backward reads no value.
  bool sums_inputs() const override { return true; }

  void forward(Mode mode) override;
  void backward() override;
  std::size_t columns(std::size_t batch) const override { return inputs()[0]->columns(batch); }
};

}  // namespace xgrad

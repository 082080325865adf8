/// @file
/// Softmax cross-entropy over k >= 2 classes, computed from the logits z (k, m) with a
/// log-sum-exp (finite for any finite logits):
///   cost = (1/m) * sum over columns j of sum_i y_ij * (logsumexp(z_j) - z_ij)
/// Labels come in one of two layouts, told apart by their row count:
///  - one-hot, (k, m): exactly one 1 per column (the cost above);
///  - class indices, (1, m): entries 0 .. k-1, the same cost with y the index's one-hot column.
/// Value is 1x1. Gradient: dz_ij += g * (p_ij * sum_i y_ij - y_ij) / m with p = softmax(z)
/// (= g * (p - y) / m for one-hot labels); the labels are not differentiated.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>
#include <xgrad/nodes/mean_loss.hpp>

namespace xgrad {

/// Softmax cross-entropy on logits over k >= 2 classes, with one-hot or class-index labels.
class SoftmaxCrossEntropy final : public MeanLoss<SoftmaxCrossEntropy> {
 public:
  /// Requires logits with at least 2 rows and labels with as many rows (one-hot) or 1 row
  /// (class indices); InputError naming both otherwise.
  SoftmaxCrossEntropy(std::string name, Node& logits, Node& labels);
  std::string_view kind() const override { return "softmax_cross_entropy"; }

  void resize(std::size_t batch) override;
  InputDomain input_domain(std::size_t input) const override;
  /// Keeps softmax(z) (and the class indices); the sum over columns j of sum_i y_ij *
  /// (logsumexp(z_j) - z_ij). Throws InputError naming the column and value when a class
  /// index is not a whole number in 0 .. k-1 (one-hot labels are taken as given).
  double sum_of_terms(bool value_wanted);
  /// dz_ij += (p_ij * sum_i y_ij - y_ij) * scale.
  void add_gradient(double scale);

  /// True when the labels are class indices (1, m), false when one-hot (k, m).
  bool class_index_labels() const { return class_index_labels_; }
  /// softmax(logits) from the last forward, shape (k, batch): the model's predictions.
  const Matrix& probabilities() const { return probabilities_; }

 private:
  bool class_index_labels_;
  Matrix probabilities_;
  Matrix spare_probabilities_;
  std::vector<std::size_t> classes_;  ///< class index labels of the last forward, one per column
};

}  // namespace xgrad

#include <xgrad/nodes/softmax_cross_entropy.hpp>

#include <cmath>

#include <xgrad/core/format.hpp>
#include <xgrad/nodes/softmax.hpp>

namespace xgrad {

SoftmaxCrossEntropy::SoftmaxCrossEntropy(std::string name, Node& logits, Node& labels)
    : MeanLoss(std::move(name), {&logits, &labels}), class_index_labels_(labels.rows() == 1) {
  if (logits.rows() < 2) {
    fail("logits '" + logits.name() + "' have " + std::to_string(logits.rows()) +
         " row(s): a softmax needs at least 2 classes (for 2 classes a sigmoid cross-entropy on 1 row does the same)");
  }
  if (labels.rows() != 1 && labels.rows() != logits.rows()) {
    fail("labels '" + labels.name() + "' have " + std::to_string(labels.rows()) + " rows but logits '" +
         logits.name() + "' have " + std::to_string(logits.rows()) +
         " (labels must be one-hot with as many rows, or 1 row of class indices)");
  }
}

InputDomain SoftmaxCrossEntropy::input_domain(std::size_t input) const {
  if (input == 0) return InputDomain::real;
  // 0/1 labels are valid class indices for any k >= 2.
  return class_index_labels_ ? InputDomain::labels : InputDomain::one_hot;
}

void SoftmaxCrossEntropy::resize(std::size_t batch) {
  Node::resize(batch);
  const std::size_t k = inputs()[0]->rows();
  resize_keeping_spare(probabilities_, spare_probabilities_, k, batch);
  classes_.resize(class_index_labels_ ? batch : 0);
}

double SoftmaxCrossEntropy::sum_of_terms(bool) {
  const Matrix& z = inputs()[0]->value();
  const Matrix& y = inputs()[1]->value();
  const std::size_t k = z.shape(0);
  const std::size_t m = z.shape(1);
  double total = 0.0;
  for (std::size_t j = 0; j < m; ++j) {
    const double log_sum_exp = softmax_column(z, probabilities_, j);
    if (class_index_labels_) {
      const double label = y(0, j);
      if (!(label >= 0.0 && label < static_cast<double>(k)) || label != std::floor(label)) {
        fail("label " + format_double(label) + " in column " + std::to_string(j) +
             " is not a class index 0.." + std::to_string(k - 1));
      }
      classes_[j] = static_cast<std::size_t>(label);
      total += log_sum_exp - z(classes_[j], j);
    } else {
      for (std::size_t i = 0; i < k; ++i) total += y(i, j) * (log_sum_exp - z(i, j));
    }
  }
  return total;
}

void SoftmaxCrossEntropy::add_gradient(double scale) {
  Node& logits = *inputs()[0];
  if (!logits.requires_grad()) return;
  const Matrix& y = inputs()[1]->value();
  Matrix& dz = logits.grad();
  const std::size_t k = dz.shape(0);
  const std::size_t m = dz.shape(1);
  for (std::size_t j = 0; j < m; ++j) {
    if (class_index_labels_) {
      for (std::size_t i = 0; i < k; ++i) {
        dz(i, j) += (probabilities_(i, j) - (i == classes_[j] ? 1.0 : 0.0)) * scale;
      }
    } else {
      double mass = 0.0;
      for (std::size_t i = 0; i < k; ++i) mass += y(i, j);
      for (std::size_t i = 0; i < k; ++i) dz(i, j) += (probabilities_(i, j) * mass - y(i, j)) * scale;
    }
  }
}

}  // namespace xgrad

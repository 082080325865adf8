#include <xgrad/nodes/mean_squared_error.hpp>

namespace xgrad {

MeanSquaredError::MeanSquaredError(std::string name, Node& predictions, Node& targets)
    : MeanLoss(std::move(name), {&predictions, &targets}) {
  if (targets.rows() != predictions.rows()) {
    fail("targets '" + targets.name() + "' have " + std::to_string(targets.rows()) + " rows but predictions '" +
         predictions.name() + "' have " + std::to_string(predictions.rows()));
  }
}

double MeanSquaredError::sum_of_terms(bool) {
  const Matrix& a = inputs()[0]->value();
  const Matrix& y = inputs()[1]->value();
  double total = 0.0;
  for (std::size_t k = 0, n = a.size(); k < n; ++k) {
    const double d = a.data()[k] - y.data()[k];
    total += d * d;
  }
  return total;
}

void MeanSquaredError::add_gradient(double mean_scale) {
  Node& predictions = *inputs()[0];
  Node& targets = *inputs()[1];
  const double scale = 2.0 * mean_scale;  // exact: 2 g / (rows m) as before
  const double* a = predictions.value().data();
  const double* y = targets.value().data();
  const std::size_t n = predictions.value().size();
  if (predictions.requires_grad()) {
    double* da = predictions.grad().data();
    for (std::size_t k = 0; k < n; ++k) da[k] += (a[k] - y[k]) * scale;
  }
  if (targets.requires_grad()) {
    double* dy = targets.grad().data();
    for (std::size_t k = 0; k < n; ++k) dy[k] -= (a[k] - y[k]) * scale;
  }
}

}  // namespace xgrad

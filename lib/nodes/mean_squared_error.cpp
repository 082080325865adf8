#include <xgrad/nodes/mean_squared_error.hpp>

namespace xgrad {

MeanSquaredError::MeanSquaredError(std::string name, Node& predictions, Node& targets)
    : Node(std::move(name), {&predictions, &targets}, 1) {
  if (targets.rows() != predictions.rows()) {
    fail("targets '" + targets.name() + "' have " + std::to_string(targets.rows()) + " rows but predictions '" +
         predictions.name() + "' have " + std::to_string(predictions.rows()));
  }
}

void MeanSquaredError::forward(Mode) {
  const Matrix& a = inputs()[0]->value();
  const Matrix& y = inputs()[1]->value();
  double total = 0.0;
  for (std::size_t k = 0, n = a.size(); k < n; ++k) {
    const double d = a.data()[k] - y.data()[k];
    total += d * d;
  }
  value_(0, 0) = total / static_cast<double>(a.shape(0) * examples());
}

void MeanSquaredError::backward() {
  Node& predictions = *inputs()[0];
  Node& targets = *inputs()[1];
  const double scale = 2.0 * grad_(0, 0) / static_cast<double>(predictions.rows() * examples());
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

std::unique_ptr<Node> MeanSquaredError::clone_for_worker(std::vector<Node*> inputs,
                                                         std::span<Parameter* const> /*parameters*/) const {
  return std::make_unique<MeanSquaredError>(name(), *inputs.at(0), *inputs.at(1));
}

}  // namespace xgrad

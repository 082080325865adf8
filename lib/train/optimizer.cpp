#include <xgrad/train/optimizer.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

void validate_learning_rate(double learning_rate) {
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    throw InputError("learning rate must be a finite number > 0, got " + format_double(learning_rate));
  }
}

void sgd_step(std::span<Parameter* const> params, double learning_rate) {
  validate_learning_rate(learning_rate);
  check_parameter_shapes(params, "gradient descent");
  for (Parameter* p : params) {
    double* w = p->value.data();
    const double* g = p->grad.data();
    for (std::size_t k = 0, n = p->value.size(); k < n; ++k) w[k] = w[k] - learning_rate * g[k];
  }
}

void GradientDescent::step(std::span<Parameter* const> params, double learning_rate) {
  sgd_step(params, learning_rate);
}

void require_started(std::span<const Matrix> state, std::span<Parameter* const> params, const std::string& who) {
  check_parameter_shapes(params, who);
  bool same = state.size() == params.size();
  for (std::size_t i = 0; same && i < params.size(); ++i) same = state[i].shape() == params[i]->value.shape();
  if (!same) {
    throw InputError(who + ": step() with " + std::to_string(params.size()) +
                     " parameters that start() was not given (call start(parameters) first)");
  }
}

}  // namespace xgrad

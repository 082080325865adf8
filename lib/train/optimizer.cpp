#include <xgrad/train/optimizer.hpp>

#include <algorithm>
#include <cmath>

#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>

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

void require_same_optimizer(const OptimizerState& saved, const OptimizerState& mine, const std::string& who) {
  auto text = [](const OptimizerState& s) {
    std::string t = s.kind;
    for (std::size_t i = 0; i < s.settings.size(); ++i) {
      t += (i == 0 ? " (" : ", ") + s.settings[i].first + " " + format_double(s.settings[i].second);
    }
    return s.settings.empty() ? t : t + ")";
  };
  if (saved.kind != mine.kind || saved.settings != mine.settings) {
    throw InputError(who + ": the checkpoint's optimizer is " + text(saved) + " but this one is " + text(mine));
  }
}

void require_state_shapes(const std::vector<Matrix>& arrays, std::span<Parameter* const> params, std::size_t count,
                          const std::string& who) {
  if (arrays.size() != count) {
    throw InputError(who + ": the checkpoint holds " + std::to_string(arrays.size()) + " state arrays, expected " +
                     std::to_string(count) + " for " + std::to_string(params.size()) + " parameters");
  }
  for (std::size_t k = 0; k < arrays.size(); ++k) {
    const Parameter& p = *params[k % params.size()];
    if (arrays[k].shape() != p.value.shape()) {
      throw InputError(who + ": state array " + std::to_string(k) + " is " + shape_string(arrays[k]) + " but " +
                       p.name + " is " + shape_string(p.value));
    }
    if (!std::all_of(arrays[k].begin(), arrays[k].end(), [](double v) { return std::isfinite(v); })) {
      throw InputError(who + ": state array " + std::to_string(k) + " (for " + p.name + ") holds NaN or inf");
    }
  }
}

void Optimizer::restore(const OptimizerState& state, std::span<Parameter* const>) {
  const OptimizerState mine = this->state();
  require_same_optimizer(state, mine, describe());
  if (!state.arrays.empty() || !state.counters.empty()) {
    throw InputError(describe() + ": the checkpoint holds optimizer state, but this optimizer does not restore any "
                                  "(override Optimizer::state and restore)");
  }
}

namespace {

double setting(const OptimizerState& state, const std::string& name) {
  for (const auto& [key, value] : state.settings) {
    if (key == name) return value;
  }
  throw InputError("optimizer " + state.kind + ": the checkpoint has no setting '" + name + "'");
}

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const OptimizerState& state) {
  if (state.kind == "gradient_descent") return std::make_unique<GradientDescent>();
  if (state.kind == "momentum") return std::make_unique<Momentum>(setting(state, "beta"));
  if (state.kind == "adam") {
    return std::make_unique<Adam>(setting(state, "beta1"), setting(state, "beta2"), setting(state, "epsilon"));
  }
  throw InputError("optimizer '" + state.kind +
                   "' is not a built-in one (gradient_descent, momentum, adam): pass an optimizer of that kind");
}

}  // namespace xgrad

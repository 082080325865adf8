#include <xgrad/train/adam.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

Adam::Adam(double beta1, double beta2, double epsilon) : beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
  if (!(beta1 >= 0.0 && beta1 < 1.0)) throw InputError("adam: beta1 must be in [0, 1), got " + format_double(beta1));
  if (!(beta2 >= 0.0 && beta2 < 1.0)) throw InputError("adam: beta2 must be in [0, 1), got " + format_double(beta2));
  if (!(epsilon > 0.0) || !std::isfinite(epsilon)) {
    throw InputError("adam: epsilon must be a finite number > 0, got " + format_double(epsilon));
  }
}

void Adam::start(std::span<Parameter* const> params) {
  t_ = 0;
  v_.clear();
  s_.clear();
  for (const Parameter* p : params) {
    v_.push_back(xt::zeros<double>(p->value.shape()));
    s_.push_back(xt::zeros<double>(p->value.shape()));
  }
}

void Adam::step(std::span<Parameter* const> params, double learning_rate) {
  require_started(v_, params, "adam");
  ++t_;
  const double t = static_cast<double>(t_);
  const double correction1 = 1.0 - std::pow(beta1_, t);
  const double correction2 = 1.0 - std::pow(beta2_, t);
  for (std::size_t i = 0; i < params.size(); ++i) {
    double* w = params[i]->value.data();
    const double* g = params[i]->grad.data();
    double* v = v_[i].data();
    double* s = s_[i].data();
    for (std::size_t k = 0, n = v_[i].size(); k < n; ++k) {
      v[k] = beta1_ * v[k] + (1.0 - beta1_) * g[k];
      s[k] = beta2_ * s[k] + (1.0 - beta2_) * (g[k] * g[k]);
      const double v_hat = v[k] / correction1;
      const double s_hat = s[k] / correction2;
      w[k] = w[k] - learning_rate * v_hat / (std::sqrt(s_hat) + epsilon_);
    }
  }
}

std::string Adam::describe() const {
  return "adam (beta1 " + format_double(beta1_) + ", beta2 " + format_double(beta2_) + ", epsilon " +
         format_double(epsilon_) + ")";
}

OptimizerState Adam::state() const {
  OptimizerState state{"adam", {{"beta1", beta1_}, {"beta2", beta2_}, {"epsilon", epsilon_}}, {{"t", static_cast<double>(t_)}}, v_};
  state.arrays.insert(state.arrays.end(), s_.begin(), s_.end());
  return state;
}

void Adam::restore(const OptimizerState& state, std::span<Parameter* const> params) {
  require_same_optimizer(state, this->state(), "adam");
  if (state.counters.size() != 1 || state.counters[0].first != "t" || !(state.counters[0].second >= 0.0) ||
      state.counters[0].second != std::floor(state.counters[0].second) || state.counters[0].second > 9.0e15) {
    throw InputError("adam: the checkpoint's counter must be one whole t >= 0");
  }
  require_state_shapes(state.arrays, params, 2 * params.size(), "adam");
  const auto half = state.arrays.begin() + static_cast<std::ptrdiff_t>(params.size());
  std::vector<Matrix> v(state.arrays.begin(), half);
  std::vector<Matrix> s(half, state.arrays.end());
  t_ = static_cast<std::size_t>(state.counters[0].second);
  v_ = std::move(v);
  s_ = std::move(s);
}

}  // namespace xgrad

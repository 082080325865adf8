#include <xgrad/train/momentum.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

Momentum::Momentum(double beta) : beta_(beta) {
  if (!(beta >= 0.0 && beta < 1.0)) throw InputError("momentum: beta must be in [0, 1), got " + format_double(beta));
}

void Momentum::start(std::span<Parameter* const> params) {
  v_.clear();
  for (const Parameter* p : params) v_.push_back(xt::zeros<double>(p->value.shape()));
}

void Momentum::step(std::span<Parameter* const> params, double learning_rate) {
  require_started(v_, params, "momentum");
  for (std::size_t i = 0; i < params.size(); ++i) {
    double* w = params[i]->value.data();
    const double* g = params[i]->grad.data();
    double* v = v_[i].data();
    for (std::size_t k = 0, n = v_[i].size(); k < n; ++k) {
      v[k] = beta_ * v[k] + (1.0 - beta_) * g[k];
      w[k] = w[k] - learning_rate * v[k];
    }
  }
}

std::string Momentum::describe() const { return "momentum (beta " + format_double(beta_) + ")"; }

OptimizerState Momentum::state() const { return {"momentum", {{"beta", beta_}}, {}, v_}; }

void Momentum::restore(const OptimizerState& state, std::span<Parameter* const> params) {
  require_same_optimizer(state, this->state(), "momentum");
  if (!state.counters.empty()) throw InputError("momentum: the checkpoint has counters, momentum has none");
  require_state_shapes(state.arrays, params, params.size(), "momentum");
  v_ = state.arrays;
}

}  // namespace xgrad

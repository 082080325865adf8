#include "xgrad/optimizer.hpp"

#include <cmath>
#include <sstream>

#include "xgrad/error.hpp"

namespace xgrad {

void sgd_step(std::span<Parameter* const> params, double learning_rate) {
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    std::ostringstream msg;
    msg << "learning rate must be a finite number > 0, got " << learning_rate;
    throw InputError(msg.str());
  }
  for (Parameter* p : params) {
    double* w = p->value.data();
    const double* g = p->grad.data();
    for (std::size_t k = 0, n = p->value.size(); k < n; ++k) w[k] = w[k] - learning_rate * g[k];
  }
}

}  // namespace xgrad

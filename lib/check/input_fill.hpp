// Random values of a node input's declared domain, for the checkers' made-up inputs. Private
// to lib/check.
#pragma once

#include <cstddef>

#include <xgrad/core/node.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad {

// Fills every entry of m: real in (-1, 1), probability in (0.05, 0.95), positive in
// (0.5, 2), independent 0/1 labels, or one-hot columns (one 1 per column).
inline void fill_by_domain(Matrix& m, InputDomain domain, RandomState& rng) {
  if (domain == InputDomain::one_hot) {
    m.fill(0.0);
    for (std::size_t c = 0; c < m.shape(1); ++c) {
      m(static_cast<std::size_t>(rng.random_interval(m.shape(0) - 1)), c) = 1.0;
    }
    return;
  }
  for (double& x : m) {
    switch (domain) {
      case InputDomain::labels: x = rng.random_sample() < 0.5 ? 0.0 : 1.0; break;
      case InputDomain::probability: x = rng.uniform(0.05, 0.95); break;
      case InputDomain::real: x = rng.uniform(-1.0, 1.0); break;
      case InputDomain::positive: x = rng.uniform(0.5, 2.0); break;
      case InputDomain::one_hot: break;
    }
  }
}

}  // namespace xgrad

#include <xgrad/train/init.hpp>

#include <cmath>
#include <limits>

#include <xgrad/core/error.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad {

std::string to_string(InitKind kind) {
  switch (kind) {
    case InitKind::zeros: return "zeros";
    case InitKind::random: return "random";
    case InitKind::he: return "he";
    case InitKind::xavier: return "xavier";
  }
  return "?";
}

InitKind parse_init_kind(const std::string& name) {
  for (InitKind k : {InitKind::zeros, InitKind::random, InitKind::he, InitKind::xavier}) {
    if (to_string(k) == name) return k;
  }
  throw InputError("unknown initializer '" + name + "' (choose zeros, random, he or xavier)");
}

std::vector<std::pair<Matrix, Matrix>> initialize(const std::vector<std::size_t>& dims,
                                                  const Initializer& init) {
  if (dims.size() < 2) throw InputError("initialize: need at least an input and an output size");
  for (std::size_t l = 0; l < dims.size(); ++l) {
    if (dims[l] == 0) throw InputError("initialize: layer " + std::to_string(l) + " has zero width");
    if (l > 0 && dims[l] > std::numeric_limits<std::size_t>::max() / sizeof(double) / dims[l - 1]) {
      throw InputError("initialize: layer " + std::to_string(l) + " is too large (" + std::to_string(dims[l]) +
                       "x" + std::to_string(dims[l - 1]) + " weights)");
    }
  }
  if (!std::isfinite(init.scale)) throw InputError("initialize: the scale must be finite");
  RandomState rng(init.seed);
  std::vector<std::pair<Matrix, Matrix>> params;
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const double n_prev = static_cast<double>(dims[l - 1]);
    Matrix W;
    // Each expression is the notes' numpy expression, so the weights match bit for bit.
    switch (init.kind) {
      case InitKind::zeros: W = xt::zeros<double>({dims[l], dims[l - 1]}); break;
      case InitKind::random: W = rng.randn(dims[l], dims[l - 1]) * init.scale; break;
      case InitKind::he: W = rng.randn(dims[l], dims[l - 1]) * std::sqrt(2.0 / n_prev); break;
      case InitKind::xavier: W = rng.randn(dims[l], dims[l - 1]) / std::sqrt(n_prev); break;
    }
    params.emplace_back(std::move(W), xt::zeros<double>({dims[l], std::size_t{1}}));
  }
  return params;
}

}  // namespace xgrad

#include "workload.hpp"

#include <xgrad/numpy/circles.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

namespace bench {

std::string dims_name(const std::vector<std::size_t>& dims) {
  std::string s;
  for (std::size_t d : dims) {
    if (!s.empty()) s += '-';
    s += std::to_string(d);
  }
  return s;
}

xgrad::Dataset circles(std::size_t m) {
  xgrad::RandomState rng(1);
  return xgrad::make_circles(m, 0.05, rng);
}

xgrad::ModelSpec he_spec(const std::vector<std::size_t>& dims) {
  return xgrad::make_spec(dims, xgrad::Initializer{xgrad::InitKind::he, 3, 10.0});
}

std::vector<std::pair<xgrad::Matrix, xgrad::Matrix>> parameters_of(xgrad::Model& model) {
  std::vector<std::pair<xgrad::Matrix, xgrad::Matrix>> out;
  const auto params = model.graph().parameters();
  for (std::size_t i = 0; i + 1 < params.size(); i += 2) out.emplace_back(params[i]->value, params[i + 1]->value);
  return out;
}

Workload::Workload(const std::vector<std::size_t>& dims_, std::size_t m, bool with_blas_twin)
    : dims(dims_),
      data(circles(m)),
      model(he_spec(dims)),
      hand(dims, parameters_of(model), data.X, data.Y, Products::loops) {
  model.feed(data.X, data.Y);
  if (with_blas_twin) hand_blas.emplace(dims, parameters_of(model), data.X, data.Y, Products::blas);
}

BufferBytes buffer_bytes(xgrad::Model& model) {
  BufferBytes b;
  constexpr std::size_t d = sizeof(double);
  for (const xgrad::Node* n : model.graph().nodes()) {
    if (n->kind() == "input") {
      b.data += n->rows() * model.graph().batch() * d;  // held by the graph while tiles run
      continue;
    }
    b.activations += n->value().size() * d;
    if (n->requires_grad()) b.gradients += n->grad().size() * d;
    if (const auto* drop = dynamic_cast<const xgrad::Dropout*>(n)) b.activations += drop->mask().size() * d;
  }
  b.activations += model.output().probabilities().size() * d;
  for (const xgrad::Parameter* p : model.graph().parameters()) {
    b.parameters += p->value.size() * d;
    b.gradients += p->grad.size() * d;
  }
  return b;
}

std::size_t untiled_bytes(xgrad::Model& model) {
  const std::size_t m = model.graph().batch();
  constexpr std::size_t d = sizeof(double);
  std::size_t bytes = 0;
  for (const xgrad::Node* n : model.graph().nodes()) {
    if (n->kind() == "input") continue;
    const std::size_t entries = n->rows() * n->columns(m);
    bytes += entries * d * (n->requires_grad() ? 2 : 1);
  }
  return bytes + model.output().probabilities().shape(0) * m * d;
}

}  // namespace bench

#include <xgrad/nodes/tanh.hpp>

#include <cmath>

namespace xgrad {

Tanh::Tanh(std::string name, Node& input) : Node(std::move(name), {&input}, input.rows()) {}

void Tanh::forward(Mode) {
  const double* in = inputs()[0]->value().data();
  double* out = value_.data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) out[k] = std::tanh(in[k]);
}

void Tanh::backward() {
  Node& input = *inputs()[0];
  if (!input.requires_grad()) return;
  const double* y = value_.data();
  const double* g = grad_.data();
  double* dx = input.grad().data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) dx[k] += g[k] * (1.0 - y[k] * y[k]);
}

std::unique_ptr<Node> Tanh::clone_for_worker(std::vector<Node*> inputs,
                                             std::span<Parameter* const> /*parameters*/) const {
  return std::make_unique<Tanh>(name(), *inputs.at(0));
}

}  // namespace xgrad

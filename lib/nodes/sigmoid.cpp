#include <xgrad/nodes/sigmoid.hpp>

namespace xgrad {

Sigmoid::Sigmoid(std::string name, Node& input)
    : Node(std::move(name), {&input}, input.rows()) {}

void Sigmoid::forward(Mode) {
  const double* in = inputs()[0]->value().data();
  double* out = value_.data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) out[k] = sigmoid(in[k]);
}

void Sigmoid::backward() {
  Node& input = *inputs()[0];
  if (!input.requires_grad()) return;
  const double* s = value_.data();
  const double* g = grad_.data();
  double* dx = input.grad().data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) dx[k] += g[k] * (s[k] * (1.0 - s[k]));
}

std::unique_ptr<Node> Sigmoid::clone_for_worker(std::vector<Node*> inputs,
                                                std::span<Parameter* const> /*parameters*/) const {
  return std::make_unique<Sigmoid>(name(), *inputs.at(0));
}

}  // namespace xgrad

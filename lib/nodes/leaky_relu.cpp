#include <xgrad/nodes/leaky_relu.hpp>

#include <cmath>

#include <xgrad/core/format.hpp>

namespace xgrad {

LeakyRelu::LeakyRelu(std::string name, Node& input, double slope)
    : Node(std::move(name), {&input}, input.rows()), slope_(slope) {
  if (!std::isfinite(slope)) fail("the slope must be a finite number, got " + format_double(slope));
}

void LeakyRelu::forward(Mode) {
  const double* in = inputs()[0]->value().data();
  double* out = value_.data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) out[k] = in[k] > 0.0 ? in[k] : slope_ * in[k];
}

void LeakyRelu::backward() {
  Node& input = *inputs()[0];
  if (!input.requires_grad()) return;
  const double* x = input.value().data();
  const double* g = grad_.data();
  double* dx = input.grad().data();
  for (std::size_t k = 0, n = value_.size(); k < n; ++k) {
    const double gk = g[k];
    dx[k] += x[k] > 0.0 ? gk : slope_ * gk;
  }
}

std::unique_ptr<Node> LeakyRelu::clone_for_worker(std::vector<Node*> inputs,
                                                  std::span<Parameter* const> /*parameters*/) const {
  return std::make_unique<LeakyRelu>(name(), *inputs.at(0), slope_);
}

}  // namespace xgrad

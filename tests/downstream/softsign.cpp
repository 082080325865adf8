#include "softsign.hpp"

#include <cmath>

namespace {

void softsign_forward(const xgrad::Matrix& x, xgrad::Matrix& value) {
  for (std::size_t k = 0; k < x.size(); ++k) value.data()[k] = x.data()[k] / (1.0 + std::abs(x.data()[k]));
}

// x.grad += grad * derivative(x): add, never assign (the node contract).
template <class Derivative>
void softsign_backward(xgrad::Node& x, const xgrad::Matrix& grad, Derivative derivative) {
  if (!x.requires_grad()) return;  // nobody needs dx
  for (std::size_t k = 0; k < grad.size(); ++k) x.grad().data()[k] += grad.data()[k] * derivative(x.value().data()[k]);
}

}  // namespace

Softsign::Softsign(std::string name, xgrad::Node& x) : Node(std::move(name), {&x}, x.rows()) {}

void Softsign::forward(xgrad::Mode) { softsign_forward(inputs()[0]->value(), value_); }

void Softsign::backward() {
  softsign_backward(*inputs()[0], grad_, [](double x) {
    const double d = 1.0 + std::abs(x);
    return 1.0 / (d * d);
  });
}

BrokenSoftsign::BrokenSoftsign(std::string name, xgrad::Node& x) : Node(std::move(name), {&x}, x.rows()) {}

void BrokenSoftsign::forward(xgrad::Mode) { softsign_forward(inputs()[0]->value(), value_); }

void BrokenSoftsign::backward() {
  softsign_backward(*inputs()[0], grad_, [](double x) { return 1.0 / (1.0 + std::abs(x)); });
}

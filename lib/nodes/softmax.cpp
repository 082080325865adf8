#include <xgrad/nodes/softmax.hpp>

#include <cmath>

namespace xgrad {

double softmax_column(const Matrix& z, Matrix& p, std::size_t col) {
  const std::size_t rows = z.shape(0);
  double top = z(0, col);
  for (std::size_t i = 1; i < rows; ++i) top = std::max(top, z(i, col));
  double sum = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    p(i, col) = std::exp(z(i, col) - top);
    sum += p(i, col);
  }
  for (std::size_t i = 0; i < rows; ++i) p(i, col) /= sum;
  return top + std::log(sum);
}

Softmax::Softmax(std::string name, Node& input) : Node(std::move(name), {&input}, input.rows()) {}

void Softmax::forward(Mode) {
  const Matrix& x = inputs()[0]->value();
  for (std::size_t j = 0, cols = value_.shape(1); j < cols; ++j) softmax_column(x, value_, j);
}

void Softmax::backward() {
  Node& input = *inputs()[0];
  if (!input.requires_grad()) return;
  Matrix& dx = input.grad();
  const std::size_t rows = value_.shape(0);
  for (std::size_t j = 0, cols = value_.shape(1); j < cols; ++j) {
    double dot = 0.0;
    for (std::size_t i = 0; i < rows; ++i) dot += grad_(i, j) * value_(i, j);
    for (std::size_t i = 0; i < rows; ++i) dx(i, j) += value_(i, j) * (grad_(i, j) - dot);
  }
}

std::unique_ptr<Node> Softmax::clone_for_worker(std::vector<Node*> inputs,
                                                std::span<Parameter* const> /*parameters*/) const {
  return std::make_unique<Softmax>(name(), *inputs.at(0));
}

}  // namespace xgrad

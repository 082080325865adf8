#include "xgrad/nodes/linear.hpp"

namespace xgrad {

Linear::Linear(std::string name, Node& input, Parameter& W, Parameter& b)
    : Node(std::move(name), {&input}, W.value.shape(0)), W_(W), b_(b) {
  if (W.value.shape(1) != input.rows()) {
    fail("W is " + shape_string(W.value) + " but its input '" + input.name() + "' has " +
         std::to_string(input.rows()) + " rows");
  }
  if (b.value.shape(0) != W.value.shape(0) || b.value.shape(1) != 1) {
    fail("b is " + shape_string(b.value) + " but W is " + shape_string(W.value) +
         " (b must be " + shape_string(W.value.shape(0), 1) + ")");
  }
}

void Linear::forward(Mode) {
  const Matrix& a = inputs()[0]->value();
  const std::size_t out = value_.shape(0);
  const std::size_t batch = value_.shape(1);
  // Z starts as b broadcast over the columns; gemm then adds W A (beta = 1), which rounds
  // exactly like numpy's np.dot(W, A) + b.
  for (std::size_t i = 0; i < out; ++i) {
    const double bias = b_.value(i, 0);
    double* row = &value_(i, 0);
    for (std::size_t j = 0; j < batch; ++j) row[j] = bias;
  }
  gemm(W_.value, Transpose::no, a, Transpose::no, value_, 1.0, 1.0);  // (out,in)(in,m)->(out,m)
}

void Linear::backward() {
  Node& input = *inputs()[0];
  const std::size_t out = grad_.shape(0);
  const std::size_t batch = grad_.shape(1);
  gemm(grad_, Transpose::no, input.value(), Transpose::yes, W_.grad, 1.0, 1.0);  // (out,m)(m,in)
  for (std::size_t i = 0; i < out; ++i) {
    const double* row = &grad_(i, 0);
    double sum = 0.0;
    for (std::size_t j = 0; j < batch; ++j) sum += row[j];
    b_.grad(i, 0) += sum;
  }
  if (input.requires_grad()) {
    gemm(W_.value, Transpose::yes, grad_, Transpose::no, input.grad(), 1.0, 1.0);  // (in,out)(out,m)
  }
}

}  // namespace xgrad

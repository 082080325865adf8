#include <xgrad/nodes/linear.hpp>

#include "core/small_product.hpp"

namespace xgrad {

namespace {

// sums(i, 0) += the sum of row i of m, added left to right. Four rows at a time: their
// chains of adds are independent, so they overlap instead of waiting on each other.
void add_row_sums(const Matrix& m, Matrix& sums) {
  const std::size_t rows = m.shape(0);
  const std::size_t cols = m.shape(1);
  std::size_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const double* r0 = m.data() + i * cols;
    const double* r1 = r0 + cols;
    const double* r2 = r1 + cols;
    const double* r3 = r2 + cols;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (std::size_t j = 0; j < cols; ++j) {
      s0 += r0[j];
      s1 += r1[j];
      s2 += r2[j];
      s3 += r3[j];
    }
    sums(i, 0) += s0;
    sums(i + 1, 0) += s1;
    sums(i + 2, 0) += s2;
    sums(i + 3, 0) += s3;
  }
  for (; i < rows; ++i) {
    const double* r = m.data() + i * cols;
    double s = 0.0;
    for (std::size_t j = 0; j < cols; ++j) s += r[j];
    sums(i, 0) += s;
  }
}

}  // namespace

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
  const std::size_t in = a.shape(0);
  if (detail::small_product_pays(batch, in)) {
    // Z = b + W A in one pass, with the bits of the fill and gemm below (small_product.hpp).
    detail::small_product(W_.value.data(), in, 1, a.data(), value_.data(), out, batch, in,
                          detail::ProductStart::row_value, b_.value.data());
    return;
  }
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
  gemm(grad_, Transpose::no, input.value(), Transpose::yes, W_.grad, 1.0, 1.0);  // (out,m)(m,in)
  add_row_sums(grad_, b_.grad);
  if (input.requires_grad()) {
    gemm(W_.value, Transpose::yes, grad_, Transpose::no, input.grad(), 1.0, 1.0);  // (in,out)(out,m)
  }
}

std::unique_ptr<Node> Linear::clone_for_worker(std::vector<Node*> inputs,
                                               std::span<Parameter* const> parameters) const {
  return std::make_unique<Linear>(name(), *inputs.at(0), *parameters[0], *parameters[1]);
}

}  // namespace xgrad

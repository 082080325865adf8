#include <xgrad/nodes/linear.hpp>

#include "core/small_product.hpp"

namespace xgrad {

namespace {

// sums(i, 0) += the sum of rows i .. i+R-1 of m, each added left to right: R independent
// chains of adds side by side, so that each waits less for its previous sum.
template <std::size_t R>
void add_sums_of_rows(const double* rows, std::size_t cols, double* sums) {
  double s[R] = {};
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t r = 0; r < R; ++r) s[r] += rows[r * cols + j];
  }
  for (std::size_t r = 0; r < R; ++r) sums[r] += s[r];
}

// sums(i, 0) += the sum of row i of m, added left to right (numpy's order for a bias gradient
// np.sum(dZ, axis=1)), up to 12 rows at once.
void add_row_sums(const Matrix& m, Matrix& sums) {
  const std::size_t rows = m.shape(0);
  const std::size_t cols = m.shape(1);
  const double* data = m.data();
  double* out = sums.data();
  std::size_t i = 0;
  for (; i + 12 <= rows; i += 12) add_sums_of_rows<12>(data + i * cols, cols, out + i);
  const double* rest = data + i * cols;
  double* rest_sums = out + i;
  switch (rows - i) {
    case 11: return add_sums_of_rows<11>(rest, cols, rest_sums);
    case 10: return add_sums_of_rows<10>(rest, cols, rest_sums);
    case 9: return add_sums_of_rows<9>(rest, cols, rest_sums);
    case 8: return add_sums_of_rows<8>(rest, cols, rest_sums);
    case 7: return add_sums_of_rows<7>(rest, cols, rest_sums);
    case 6: return add_sums_of_rows<6>(rest, cols, rest_sums);
    case 5: return add_sums_of_rows<5>(rest, cols, rest_sums);
    case 4: return add_sums_of_rows<4>(rest, cols, rest_sums);
    case 3: return add_sums_of_rows<3>(rest, cols, rest_sums);
    case 2: return add_sums_of_rows<2>(rest, cols, rest_sums);
    case 1: return add_sums_of_rows<1>(rest, cols, rest_sums);
    default: return;
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

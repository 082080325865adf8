#include <xgrad/core/input.hpp>

#include <algorithm>

namespace xgrad {

Input::Input(std::string name, std::size_t rows) : Node(std::move(name), {}, rows) {}

void Input::feed(const Matrix& data) {
  if (data.shape(0) != rows() || data.shape(1) != batch()) {
    fail("fed " + shape_string(data) + " but expects " + shape_string(rows(), batch()) +
         " (" + std::to_string(rows()) + " rows, one column per example)");
  }
  xt::noalias(value_) = data;
}

void Input::load_columns(const Matrix& whole, std::size_t first) {
  const std::size_t cols = batch();
  if (whole.shape(0) != rows() || whole.shape(1) < first + cols) {
    fail("cannot load columns " + std::to_string(first) + ".." + std::to_string(first + cols) + " of " +
         shape_string(whole) + " into " + shape_string(rows(), cols));
  }
  for (std::size_t i = 0; i < rows(); ++i) {
    const double* from = whole.data() + i * whole.shape(1) + first;
    std::copy(from, from + cols, value_.data() + i * cols);
  }
}

}  // namespace xgrad

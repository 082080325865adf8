#include <xgrad/nodes/input.hpp>

namespace xgrad {

Input::Input(std::string name, std::size_t rows) : Node(std::move(name), {}, rows) {}

void Input::feed(const Matrix& data) {
  if (data.shape(0) != rows() || data.shape(1) != batch()) {
    fail("fed " + shape_string(data) + " but expects " + shape_string(rows(), batch()) +
         " (" + std::to_string(rows()) + " rows, one column per example)");
  }
  xt::noalias(value_) = data;
}

}  // namespace xgrad

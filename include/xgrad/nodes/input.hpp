// Input: a placeholder whose value the user feeds (data X, labels Y).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <xgrad/core/node.hpp>

namespace xgrad {

class Input final : public Node {
 public:
  Input(std::string name, std::size_t rows);
  std::string_view kind() const override { return "input"; }

  // Copies data into value(). Requires data.shape(0) == rows() and data.shape(1) == batch()
  // (resize first; Graph::feed does both). Throws InputError naming the shapes.
  void feed(const Matrix& data);

  void forward(Mode) override {}
  void backward() override {}
};

}  // namespace xgrad

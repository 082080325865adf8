// The user's own node: softsign(x) = x / (1 + |x|), element-wise. Its derivative,
// 1 / (1 + |x|)^2, is continuous, so it declares no kink.
#pragma once

#include <xgrad/xgrad.hpp>

class Softsign final : public xgrad::Node {
 public:
  Softsign(std::string name, xgrad::Node& x);
  std::string_view kind() const override { return "softsign"; }
  void forward(xgrad::Mode mode) override;
  void backward() override;
};

// The same node with a planted bug: its backward forgets the square, 1 / (1 + |x|).
class BrokenSoftsign final : public xgrad::Node {
 public:
  BrokenSoftsign(std::string name, xgrad::Node& x);
  std::string_view kind() const override { return "broken_softsign"; }
  void forward(xgrad::Mode mode) override;
  void backward() override;
};

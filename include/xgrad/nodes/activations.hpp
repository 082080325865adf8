/// @file
/// The built-in element-wise activations, each written as its math alone for Elementwise<F>
/// (nodes/elementwise.hpp): f, f' and, where there is one, the kink. A new built-in
/// activation is a function here, a row in the activation table (train/activation.hpp) and
/// its check case (tests/test_nodes.cpp).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include <xgrad/nodes/elementwise.hpp>

namespace xgrad {

/// The sigmoid the way numpy's course code computes it: 1 / (1 + np.exp(-x)).
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// ReLU: max(0, x). Not differentiable at 0 (a kink); the derivative used there is 0, as in
/// the course notes (dZ = dA * (A > 0)).
struct ReluFunction {
  static constexpr std::string_view kind = "relu";  ///< the node's kind()
  static constexpr std::array<double, 1> kinks{0.0};  ///< where f' jumps
  /// max(0, x).
  double value(double x) const { return x > 0.0 ? x : 0.0; }
  /// 1 where the output is positive, 0 elsewhere.
  bool derivative_from_output(double y) const { return y > 0.0; }
  /// The forward loop at once: y[k] = value(x[k]) for k < n, with AVX2 where the CPU has it
  /// (chosen at run time; the same bits on every path). x and y may be the same array.
  void values(const double* x, double* y, std::size_t n) const;
  /// The backward loop at once: dx[k] += y[k] > 0 ? g[k] : 0 for k < n (g passes or is
  /// stopped, infinities and NaN included), with AVX2 where the CPU has it; the same bits.
  void add_gradient_from_output(const double* y, const double* g, double* dx, std::size_t n) const;
};
/// ReLU, element-wise, with a kink at 0.
using Relu = Elementwise<ReluFunction>;

/// Sigmoid: 1 / (1 + exp(-x)); f' from the kept output s: s (1 - s). Before a cross-entropy
/// cost prefer SigmoidCrossEntropy (nodes/losses.hpp), which is stable where it saturates.
struct SigmoidFunction {
  static constexpr std::string_view kind = "sigmoid";  ///< the node's kind()
  /// sigmoid(x).
  double value(double x) const { return sigmoid(x); }
  /// s (1 - s).
  double derivative_from_output(double s) const { return s * (1.0 - s); }
};
/// Sigmoid, element-wise; keeps its output for backward.
using Sigmoid = Elementwise<SigmoidFunction>;

/// Tanh: std::tanh(x) (as numpy's np.tanh on glibc); f' from the output y: 1 - y^2.
struct TanhFunction {
  static constexpr std::string_view kind = "tanh";  ///< the node's kind()
  /// tanh(x).
  double value(double x) const { return std::tanh(x); }
  /// 1 - y^2.
  double derivative_from_output(double y) const { return 1.0 - y * y; }
};
/// Tanh, element-wise; keeps its output for backward.
using Tanh = Elementwise<TanhFunction>;

/// Leaky ReLU: x where x > 0, slope * x elsewhere. Not differentiable at 0 (a kink); the
/// derivative used at 0 is the slope.
class LeakyReluFunction {
 public:
  static constexpr std::string_view kind = "leaky_relu";  ///< the node's kind()
  static constexpr std::array<double, 1> kinks{0.0};  ///< where f' jumps
  /// The slope for x <= 0 (0.01 is the usual one); the node requires it finite.
  explicit LeakyReluFunction(double slope = 0.01) : slope_(slope) {}
  /// x or slope * x.
  double value(double x) const { return x > 0.0 ? x : slope_ * x; }
  /// 1 where x > 0, the slope elsewhere.
  double derivative(double x) const { return x > 0.0 ? 1.0 : slope_; }
  /// "the slope must be a finite number, got nan", or empty.
  std::string problem() const { return finite_setting_problem("slope", slope_); }
  /// The slope for x <= 0.
  double slope() const { return slope_; }

 private:
  double slope_;
};
/// Leaky ReLU, element-wise, with a fixed slope for x <= 0: LeakyRelu(name, input, slope).
using LeakyRelu = Elementwise<LeakyReluFunction>;

/// ELU: x where x > 0, alpha (exp(x) - 1) elsewhere. With alpha other than 1, f' jumps at 0
/// (1 against alpha): a kink, declared for every alpha.
class EluFunction {
 public:
  static constexpr std::string_view kind = "elu";  ///< the node's kind()
  static constexpr std::array<double, 1> kinks{0.0};  ///< where f' may jump
  /// alpha scales the negative side (1 is the usual one); the node requires it finite.
  explicit EluFunction(double alpha = 1.0) : alpha_(alpha) {}
  /// x or alpha (exp(x) - 1).
  double value(double x) const { return x > 0.0 ? x : alpha_ * std::expm1(x); }
  /// 1 where x > 0, alpha exp(x) elsewhere.
  double derivative(double x) const { return x > 0.0 ? 1.0 : alpha_ * std::exp(x); }
  /// "the alpha must be a finite number, got inf", or empty.
  std::string problem() const { return finite_setting_problem("alpha", alpha_); }
  /// The scale of the negative side.
  double alpha() const { return alpha_; }

 private:
  double alpha_;
};
/// ELU, element-wise: Elu(name, input, alpha).
using Elu = Elementwise<EluFunction>;

}  // namespace xgrad

/// @file
/// Elementwise<F>: a node applying a function of one real number to every entry of its input,
/// written as the math alone. The author gives f and its derivative; the node's forward,
/// backward, column separability and copy for worker threads come from here.
///
///   struct Softplus {                                        // a user's activation
///     static constexpr std::string_view kind = "softplus";
///     double value(double x) const { return std::log1p(std::exp(x)); }
///     double derivative(double x) const { return 1.0 / (1.0 + std::exp(-x)); }
///   };
///   auto& a = graph.add<xgrad::Elementwise<Softplus>>("softplus1", z);
///
/// What F provides (F is copied into the node and into each worker copy, so it holds only
/// settings such as a slope, never buffers):
///  - `static constexpr std::string_view kind`: the node's kind() ("softplus").
///  - `double value(double x) const`: f(x).
///  - one of `derivative(double x) const` (f' at the input) or `derivative_from_output(double
///    y) const` (f' from the output y = f(x): sigmoid's y (1 - y), tanh's 1 - y^2; the input
///    need not be read again). Returning `bool` says f' is 1 where true and 0 elsewhere (ReLU):
///    the upstream gradient then passes or is stopped, infinities and NaN included.
///  - optionally the loops at once, for speed (runtime-dispatched SIMD, as ReluFunction has):
///    `void values(const double* x, double* y, std::size_t n) const` (y[k] = value(x[k])) and
///    `void add_gradient_from_output(const double* y, const double* g, double* dx, std::size_t
///    n) const` (dx[k] += g[k] * f'(y[k]), as the entry-by-entry loop computes it). Each must
///    give the bits of the entry-by-entry loop it replaces.
///  - optionally `kinks`: the input values where f is not differentiable, as a range of
///    doubles (`static constexpr std::array<double, 1> kinks{0.0};`); none by default.
///  - optionally `static constexpr InputDomain domain` (InputDomain::positive for a log);
///    InputDomain::real by default.
///  - optionally `std::string problem() const`: what is wrong with F's settings (empty when
///    nothing is); the constructor throws it as InputError prefixed with the node's name.
///  - a constructor from the settings the node is built with (none for a plain function).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cmath>
#include <concepts>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xgrad/core/format.hpp>
#include <xgrad/core/node.hpp>

namespace xgrad {

/// For an F::problem() whose setting must be finite: "the slope must be a finite number, got
/// nan", or empty when `value` is finite.
inline std::string finite_setting_problem(std::string_view setting, double value) {
  if (std::isfinite(value)) return {};
  return "the " + std::string(setting) + " must be a finite number, got " + format_double(value);
}

/// What Elementwise<F> requires of F (the list at the top of this file).
template <class F>
concept ElementwiseFunction = std::copy_constructible<F> && requires(const F& f, double x) {
  { F::kind } -> std::convertible_to<std::string_view>;
  { f.value(x) } -> std::convertible_to<double>;
} && (requires(const F& f, double x) { f.derivative(x); } || requires(const F& f, double y) {
  f.derivative_from_output(y);
});

/// The node of an element-wise function F: value = F::value applied to every entry of the
/// input (same shape), input grad += grad * f'. Column separable, with a worker copy.
template <ElementwiseFunction F>
class Elementwise final : public Node, public Schedulable {
 public:
  /// value has the input's shape; `settings` construct F (F{} when none). Throws InputError
  /// "name: <problem>" when F says its settings are wrong (F::problem()).
  template <class... Settings>
  Elementwise(std::string name, Node& input, Settings&&... settings)
      : Node(std::move(name), {&input}, input.rows()), function_(std::forward<Settings>(settings)...) {
    if constexpr (requires { function_.problem(); }) {
      if (const std::string problem = function_.problem(); !problem.empty()) fail(problem);
    }
  }

  /// F::kind.
  std::string_view kind() const override { return F::kind; }
  /// The function and its settings (LeakyRelu: function().slope()).
  const F& function() const { return function_; }

  /// value(k) = f(input value(k)) for every entry.
  void forward(Mode) override {
    const double* in = inputs()[0]->value().data();
    double* out = value_.data();
    if constexpr (requires { function_.values(in, out, std::size_t{0}); }) {
      function_.values(in, out, value_.size());
    } else {
      for (std::size_t k = 0, n = value_.size(); k < n; ++k) out[k] = function_.value(in[k]);
    }
  }

  /// input grad(k) += grad(k) * f'(k), f' from the input or from the kept output.
  void backward() override {
    Node& input = *inputs()[0];
    if (!input.requires_grad()) return;
    if constexpr (requires(const double* p, double* q) { function_.add_gradient_from_output(p, p, q, std::size_t{0}); }) {
      function_.add_gradient_from_output(value_.data(), grad_.data(), input.grad().data(), value_.size());
    } else if constexpr (requires { function_.derivative_from_output(0.0); }) {
      accumulate(value_.data(), input.grad().data(), [this](double y) { return function_.derivative_from_output(y); });
    } else {
      accumulate(input.value().data(), input.grad().data(), [this](double x) { return function_.derivative(x); });
    }
  }

  /// F::kinks on input 0; none when F declares none.
  std::vector<Kink> kinks() const override {
    std::vector<Kink> found;
    if constexpr (requires { function_.kinks; }) {
      for (const double at : function_.kinks) found.push_back({0, at});
    }
    return found;
  }
  /// F::domain; real when F declares none.
  InputDomain input_domain(std::size_t) const override {
    if constexpr (requires { F::domain; }) {
      return F::domain;
    } else {
      return InputDomain::real;
    }
  }

  /// Column j of value reads column j of the input alone.
  bool column_separable() const override { return true; }
  /// The same function and settings, reading inputs[0]; no buffer is shared.
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> /*parameters*/) const override {
    return std::make_unique<Elementwise>(name(), *inputs.at(0), function_);
  }

 private:
  // dx(k) += g(k) * f'(at(k)); a bool f' selects g(k) or 0 (loaded unconditionally, so that
  // the loop vectorizes instead of branching on a random sign pattern).
  template <class Derivative>
  void accumulate(const double* at, double* dx, Derivative derivative) const {
    const double* g = grad_.data();
    for (std::size_t k = 0, n = value_.size(); k < n; ++k) {
      const double gk = g[k];
      if constexpr (std::same_as<decltype(derivative(0.0)), bool>) {
        dx[k] += derivative(at[k]) ? gk : 0.0;
      } else {
        dx[k] += gk * derivative(at[k]);
      }
    }
  }

  F function_;
};

}  // namespace xgrad

/// @file
/// The optimizer interface and plain gradient descent (momentum.hpp and adam.hpp hold the
/// others). A trainer calls start() once with the parameters, then step() once per update,
/// after backward has filled every parameter's grad.
///
/// Writing your own: derive from Optimizer, size any state of yours (one Matrix per
/// parameter, say) in start(), and in step() update p->value from p->grad, allocating
/// nothing. Count update steps yourself if you need t (Adam does). For example:
///
///   class SignDescent final : public xgrad::Optimizer {
///    public:
///     void start(std::span<xgrad::Parameter* const>) override {}
///     void step(std::span<xgrad::Parameter* const> params, double lr) override {
///       for (auto* p : params)
///         for (std::size_t k = 0; k < p->value.size(); ++k)
///           p->value.data()[k] -= lr * ((p->grad.data()[k] > 0) - (p->grad.data()[k] < 0));
///     }
///     std::string describe() const override { return "sign descent"; }
///   };
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <span>
#include <string>

#include <xgrad/core/parameter.hpp>

namespace xgrad {

/// An update rule for parameters from their gradients. Derive from it for your own: start()
/// sizes the state, step() updates without allocating, describe() names the settings.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// Forgets any state and sizes it for `params` (the only call that may allocate). A
  /// trainer calls it once before the first step; calling it again starts over (t = 0).
  virtual void start(std::span<Parameter* const> params) = 0;
  /// One update of every parameter in `params` (the same list, in the same order, as
  /// start() was given) from its grad, with this step's learning rate (> 0, finite; the
  /// trainer has validated it). Allocates nothing.
  virtual void step(std::span<Parameter* const> params, double learning_rate) = 0;
  /// "gradient descent", "momentum (beta 0.9)", ...
  virtual std::string describe() const = 0;
};

/// value = value - learning_rate * grad (the notes' update_parameters). Stateless.
class GradientDescent final : public Optimizer {
 public:
  void start(std::span<Parameter* const>) override {}
  void step(std::span<Parameter* const> params, double learning_rate) override;
  std::string describe() const override { return "gradient descent"; }
};

/// Throws InputError unless learning_rate is finite and > 0.
void validate_learning_rate(double learning_rate);

/// value = value - learning_rate * grad for every parameter (the notes' update_parameters).
/// Allocates nothing. Requires learning_rate > 0 and finite (InputError otherwise).
void sgd_step(std::span<Parameter* const> params, double learning_rate);

/// Throws InputError unless `state` holds one matrix per parameter of its shape: what an
/// optimizer's step() checks, cheaply, that start() was called with these parameters.
void require_started(std::span<const Matrix> state, std::span<Parameter* const> params, const std::string& who);

}  // namespace xgrad

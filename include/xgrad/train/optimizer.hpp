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

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/core/parameter.hpp>

namespace xgrad {

/// What a checkpoint saves of an optimizer: its kind and settings (enough for
/// make_optimizer to rebuild a built-in one) and its state.
struct OptimizerState {
  std::string kind;  ///< "gradient_descent", "momentum", "adam", or a user's kind
  std::vector<std::pair<std::string, double>> settings;  ///< ("beta", 0.9), ...
  std::vector<std::pair<std::string, double>> counters;  ///< ("t", 120): Adam's update steps
  std::vector<Matrix> arrays;  ///< momentum: v of every parameter; adam: v of every parameter, then s
};

/// An update rule for parameters (gradient descent, momentum, Adam, or a user's): start()
/// sizes its state, then each step updates every parameter from its gradient.
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

  /// Its kind, settings and state, for a checkpoint. The default suits a stateless
  /// optimizer: kind describe(), nothing else. An optimizer with settings or state overrides
  /// this and restore().
  virtual OptimizerState state() const { return {describe(), {}, {}, {}}; }
  /// Takes the state `state()` gave (perhaps in another process), for the parameters `params`
  /// (start()'s list): afterwards step() continues as the saved optimizer would have.
  /// Requires the same kind and settings and arrays of the parameters' shapes (InputError
  /// naming the difference otherwise, and then nothing is changed).
  virtual void restore(const OptimizerState& state, std::span<Parameter* const> params);
};

/// Throws InputError "<who>: the checkpoint's optimizer is X but this one is Y" unless `saved`
/// and `mine` have the same kind and settings (bit for bit).
void require_same_optimizer(const OptimizerState& saved, const OptimizerState& mine, const std::string& who);
/// Throws InputError unless `arrays` has count matrices shaped as params (repeated
/// count / params.size() times), naming the first one that differs.
void require_state_shapes(const std::vector<Matrix>& arrays, std::span<Parameter* const> params, std::size_t count,
                          const std::string& who);

/// A built-in optimizer (gradient_descent, momentum, adam) rebuilt from its state's kind and
/// settings, unstarted (restore() it). Throws InputError naming the kind when it is not a
/// built-in one (pass an optimizer of that kind instead) or a setting is missing or bad.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerState& state);

/// value = value - learning_rate * grad (the notes' update_parameters). Stateless.
class GradientDescent final : public Optimizer {
 public:
  void start(std::span<Parameter* const>) override {}
  void step(std::span<Parameter* const> params, double learning_rate) override;
  std::string describe() const override { return "gradient descent"; }
  OptimizerState state() const override { return {"gradient_descent", {}, {}, {}}; }
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

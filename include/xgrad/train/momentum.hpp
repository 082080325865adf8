/// @file
/// Gradient descent with momentum, as the course's optimization notes write it:
///   v = beta v + (1 - beta) dW;  W = W - learning_rate v;  v starts at 0.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <vector>

#include <xgrad/train/optimizer.hpp>

namespace xgrad {

/// Gradient descent with momentum, the course's update_parameters_with_momentum:
/// v = beta v + (1 - beta) dW; W = W - lr v.
class Momentum final : public Optimizer {
 public:
  /// Requires 0 <= beta < 1 (InputError naming the value otherwise). beta = 0 is gradient descent.
  explicit Momentum(double beta = 0.9);

  void start(std::span<Parameter* const> params) override;
  void step(std::span<Parameter* const> params, double learning_rate) override;
  std::string describe() const override;
  /// kind "momentum", its settings, v of every parameter.
  OptimizerState state() const override;
  void restore(const OptimizerState& state, std::span<Parameter* const> params) override;

  /// The momentum coefficient.
  double beta() const { return beta_; }
  /// v of parameter i (start()'s order), zero before the first step.
  const Matrix& velocity(std::size_t i) const { return v_.at(i); }

 private:
  double beta_;
  std::vector<Matrix> v_;
};

}  // namespace xgrad

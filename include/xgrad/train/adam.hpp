/// @file
/// Adam, as the course's optimization notes write it, with t counted in update steps from 1:
///   v = beta1 v + (1 - beta1) dW          s = beta2 s + (1 - beta2) dW^2
///   v_hat = v / (1 - beta1^t)             s_hat = s / (1 - beta2^t)
///   W = W - learning_rate v_hat / (sqrt(s_hat) + epsilon);   v and s start at 0.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <vector>

#include <xgrad/train/optimizer.hpp>

namespace xgrad {

/// Adam, the course's update_parameters_with_adam, with bias correction and t counted in update
/// steps from 1.
class Adam final : public Optimizer {
 public:
  /// Requires 0 <= beta1 < 1, 0 <= beta2 < 1 and epsilon > 0, all finite (InputError
  /// naming the value otherwise).
  explicit Adam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8);

  void start(std::span<Parameter* const> params) override;  ///< t = 0, v = s = 0
  void step(std::span<Parameter* const> params, double learning_rate) override;  ///< t += 1 first
  std::string describe() const override;
  /// kind "adam", its settings, counter t, v then s of every parameter.
  OptimizerState state() const override;
  void restore(const OptimizerState& state, std::span<Parameter* const> params) override;

  /// Decay of the first moment (v).
  double beta1() const { return beta1_; }
  /// Decay of the second moment (s).
  double beta2() const { return beta2_; }
  /// Added to the square root of s.
  double epsilon() const { return epsilon_; }
  /// Update steps taken since start().
  std::size_t t() const { return t_; }
  /// v and s of parameter i (start()'s order).
  const Matrix& first_moment(std::size_t i) const { return v_.at(i); }
  /// s of parameter i.
  const Matrix& second_moment(std::size_t i) const { return s_.at(i); }

 private:
  double beta1_;
  double beta2_;
  double epsilon_;
  std::size_t t_ = 0;
  std::vector<Matrix> v_;
  std::vector<Matrix> s_;
};

}  // namespace xgrad

/// @file
/// Learning-rate schedules: the learning rate of epoch e (counted from 0; in full-batch
/// training every iteration is an epoch) from the initial rate lr0:
///   constant       lr0
///   inverse_time   lr0 / (1 + rate * floor(e / interval))        the course's update_lr
///                  (interval 1) and schedule_lr_decay (interval 1000); LearningRateDecay
///   step           lr0 * factor^floor(e / interval)
///   exponential    lr0 * factor^(e / interval)                    (e / interval not rounded)
///   cosine         lr0 * (f + (1 - f) * (1 + cos(pi * min(e, period) / period)) / 2)
///                  from lr0 at e = 0 down to f * lr0 at e >= period (f = final fraction)
/// A schedule is a value: a kind and its numbers, which checkpoints save and parse() reads
/// back from its text form ("step:0.5:10").
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

namespace xgrad {

struct LearningRateDecay;  ///< train.hpp

/// A learning-rate schedule (see the file description for the formulas): a kind and its
/// numbers, a value that checkpoints save and parse() reads back.
class LearningRateSchedule {
 public:
  /// Which formula the schedule follows (see the file description).
  enum class Kind { constant, inverse_time, step, exponential, cosine };

  /// The constant learning rate.
  LearningRateSchedule() = default;
  static LearningRateSchedule constant() { return {}; }  ///< lr0 at every epoch
  /// Requires rate >= 0 and finite, interval >= 1 (InputError naming the value otherwise).
  static LearningRateSchedule inverse_time(double rate, std::size_t interval = 1);
  /// The schedule of a LearningRateDecay: constant when decay.rate is 0, else
  /// inverse_time(decay.rate, decay.interval) (same requirements).
  static LearningRateSchedule inverse_time(const LearningRateDecay& decay);
  /// Requires 0 < factor <= 1, interval >= 1.
  static LearningRateSchedule step(double factor, std::size_t interval);
  /// Requires 0 < factor <= 1, interval >= 1.
  static LearningRateSchedule exponential(double factor, std::size_t interval = 1);
  /// Requires period >= 1 and 0 <= final_fraction <= 1.
  static LearningRateSchedule cosine(std::size_t period, double final_fraction = 0.0);

  /// The learning rate of epoch `epoch` from `initial` (the formulas above). inverse_time
  /// computes exactly LearningRateDecay::at's expression (the same bits).
  double at(double initial, std::size_t epoch) const;

  Kind kind() const { return kind_; }  ///< which formula
  /// The kind's numbers: rate or factor (cosine: the final fraction), and the interval
  /// (cosine: the period); 0 and 1 for constant.
  double number() const { return number_; }
  std::size_t interval() const { return interval_; }  ///< epochs per step (cosine: the period; constant: 1)

  /// "constant", "inverse_time:0.01:1", "step:0.5:10", "exponential:0.96:1", "cosine:100:0":
  /// what parse() reads.
  std::string text() const;
  /// "constant", "inverse-time decay 0.01 every 1 epochs", "step decay x0.5 every 10 epochs",
  /// "exponential decay x0.96 per 1 epochs", "cosine decay over 100 epochs to 0 x lr".
  std::string describe(const std::string& steps = "epochs") const;
  /// Reads text(); InputError naming the text and the problem (unknown kind, listing the
  /// choices; missing or bad numbers; a value out of range).
  static LearningRateSchedule parse(const std::string& text);

  /// Same kind and numbers.
  friend bool operator==(const LearningRateSchedule&, const LearningRateSchedule&) = default;

 private:
  LearningRateSchedule(Kind kind, double number, std::size_t interval)
      : kind_(kind), number_(number), interval_(interval) {}
  Kind kind_ = Kind::constant;
  double number_ = 0.0;
  std::size_t interval_ = 1;
};

}  // namespace xgrad

// The Training flags of xgrad train: --lr, --iterations (full batch) or --mini-batch-size,
// --epochs and --shuffle-seed (mini-batches), --optimizer with --beta (momentum) or --beta1,
// --beta2, --epsilon (adam), --decay-rate, --decay-interval, --print-every, --record-every,
// --no-first-step-check.
#pragma once

#include <cstddef>
#include <memory>

#include <CLI/CLI.hpp>

#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

enum class OptimizerKind { gd, momentum, adam };

struct TrainingFlags {
  // The defaults: the notes' He run (full-batch gradient descent, learning rate 0.01, 15000
  // iterations, the cost printed and recorded every 1000).
  TrainOptions options = notes_training();
  OptimizerKind optimizer = OptimizerKind::gd;
  double beta = 0.9;     // momentum
  double beta1 = 0.9;    // adam
  double beta2 = 0.999;  // adam
  double epsilon = 1e-8; // adam

  static TrainOptions notes_training();

  // Set by declare(): the flags other groups relate to (--decay-rate, --lr, --optimizer,
  // --mini-batch-size, --shuffle-seed).
  CLI::Option* decay_rate_flag = nullptr;

  // Declares the flags in group "Training" of `command`, bound to the fields above, with
  // the exclusions CLI11 can check (--epochs and --mini-batch-size need each other and
  // exclude --iterations; --shuffle-seed needs --mini-batch-size; --decay-interval needs
  // --decay-rate). `this` must outlive the parse.
  void declare(CLI::App& command);

  // The optimizer the flags name. Throws InputError naming the flag given for another
  // optimizer: --beta without --optimizer momentum, --beta1/--beta2/--epsilon without
  // --optimizer adam.
  std::unique_ptr<Optimizer> make_optimizer() const;

  // Throws InputError naming --decay-rate when the decay takes the learning rate to 0 before
  // the last iteration or epoch (TrainOptions::final_learning_rate), before any work.
  void check_decay() const;

 private:
  CLI::Option* beta_flag_ = nullptr;
  std::vector<CLI::Option*> adam_flags_;
};

}  // namespace xgrad::cli

#include "training_flags.hpp"

#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>

namespace xgrad::cli {

TrainOptions TrainingFlags::notes_training() {
  TrainOptions options;
  options.learning_rate = 0.01;
  options.iterations = 15000;
  options.print_every = 1000;
  options.record_every = 1000;
  return options;
}

void TrainingFlags::declare(CLI::App& command) {
  const std::string group = "Training";
  command.add_option("--lr", options.learning_rate, "Learning rate (default 0.01).")
      ->type_name("RATE")->check(positive_number())->group(group);
  CLI::Option* iterations =
      command.add_option("--iterations", options.iterations, "Full-batch steps (default 15000; at most 2^53).")
          ->type_name("N")->check(whole_number(1, TrainOptions::max_steps))->group(group);
  CLI::Option* batch =
      command.add_option("--mini-batch-size", options.mini_batch_size,
                         "Train on mini-batches of N examples instead of the full batch: each epoch shuffles the "
                         "examples (numpy's RandomState(--shuffle-seed + epoch).permutation) and takes them N at a "
                         "time, the last batch smaller. Needs --epochs.")
          ->type_name("N")->check(whole_number(1))->group(group);
  CLI::Option* epochs = command.add_option("--epochs", options.epochs, "Passes over the data in mini-batches.")
                            ->type_name("N")->check(whole_number(1))->group(group);
  CLI::Option* shuffle =
      command.add_option("--shuffle-seed", options.shuffle_seed,
                         "Seed of epoch 0's shuffle; epoch e uses seed + e (default 0; the course's is 11).")
          ->type_name("K")->check(seed_number())->group(group);
  batch->needs(epochs)->excludes(iterations);
  epochs->needs(batch)->excludes(iterations);
  shuffle->needs(batch);
  command
      .add_option("--optimizer", optimizer,
                  "gd (gradient descent, the default), momentum (v = beta v + (1 - beta) dW; W -= lr v) or adam "
                  "(the course's Adam, t counted in update steps from 1).")
      ->type_name("NAME")
      ->transform(enum_named<OptimizerKind>(
          {{"gd", OptimizerKind::gd}, {"momentum", OptimizerKind::momentum}, {"adam", OptimizerKind::adam}}))
      ->group(group);
  beta_flag_ = command.add_option("--beta", beta, "Momentum's beta, in [0, 1) (default 0.9; --optimizer momentum).")
                   ->type_name("B")->check(decay_factor())->group(group);
  adam_flags_ = {
      command.add_option("--beta1", beta1, "Adam's first-moment beta1, in [0, 1) (default 0.9; --optimizer adam).")
          ->type_name("B")->check(decay_factor())->group(group),
      command.add_option("--beta2", beta2, "Adam's second-moment beta2, in [0, 1) (default 0.999; --optimizer adam).")
          ->type_name("B")->check(decay_factor())->group(group),
      command.add_option("--epsilon", epsilon, "Adam's epsilon, > 0 (default 1e-8; --optimizer adam).")
          ->type_name("E")->check(positive_number())->group(group),
  };
  CLI::Option* decay_rate =
      command.add_option("--decay-rate", options.decay.rate,
                         "Learning-rate decay: epoch e (each iteration in full batch) uses lr / (1 + rate * "
                         "floor(e / --decay-interval)) (default 0: constant).")
          ->type_name("R")->check(non_negative_number())->group(group);
  decay_rate_flag = decay_rate;
  command.add_option("--decay-interval", options.decay.interval,
                     "Epochs (full batch: iterations) between decay steps (default 1, the course's update_lr; "
                     "1000 is its schedule_lr_decay).")
      ->type_name("N")->check(whole_number(1))->needs(decay_rate)->group(group);
  command.add_option("--print-every", options.print_every,
                     "Print the cost every N iterations, or epochs with mini-batches (default 1000; 0: never).")
      ->type_name("N")->check(whole_number(0))->group(group);
  command.add_option("--record-every", options.record_every,
                     "Record the cost for --json and --plots every N iterations, or epochs with mini-batches "
                     "(default 1000).")
      ->type_name("N")->check(whole_number(1))->group(group);
  command.add_flag_callback(
      "--no-first-step-check", [this] { options.check_first_step = false; },
      "Train without first checking the first step's tiled, threaded path against the plain pass, node by "
      "node (TrainOptions::check_first_step; it changes no bits and costs about 0.25 ms per node).")
      ->group(group);
}

void TrainingFlags::check_decay() const {
  if (options.uses_mini_batches() &&
      (options.shuffle_seed > TrainOptions::max_shuffle_seed ||
       options.epochs - 1 > TrainOptions::max_shuffle_seed - options.shuffle_seed)) {
    throw InputError("--epochs: " + std::to_string(options.epochs) + " epochs from --shuffle-seed " +
                     std::to_string(options.shuffle_seed) + " pass numpy's largest seed 2^32 - 1 (epoch e shuffles "
                     "with seed + e): at most " +
                     std::to_string(TrainOptions::max_shuffle_seed - options.shuffle_seed + 1) + " epochs with this seed");
  }
  if (options.final_learning_rate() > 0.0) return;
  const std::size_t steps = options.uses_mini_batches() ? options.epochs : options.iterations;
  throw InputError("--decay-rate: " + format_double(options.decay.rate) + " every " +
                   std::to_string(options.decay.interval) + " " + options.steps_name() + " takes --lr " +
                   format_double(options.learning_rate) + " to 0 before the last of " + std::to_string(steps) + " " +
                   options.steps_name() + "; give a smaller rate or a larger --decay-interval");
}

std::unique_ptr<Optimizer> TrainingFlags::make_optimizer() const {
  if (optimizer != OptimizerKind::momentum && beta_flag_ != nullptr && beta_flag_->count() > 0) {
    throw InputError("--beta: momentum's beta applies to --optimizer momentum only");
  }
  if (optimizer != OptimizerKind::adam) {
    for (const CLI::Option* flag : adam_flags_) {
      if (flag->count() > 0) throw InputError(flag->get_name() + ": applies to --optimizer adam only");
    }
  }
  switch (optimizer) {
    case OptimizerKind::gd: return std::make_unique<GradientDescent>();
    case OptimizerKind::momentum: return std::make_unique<Momentum>(beta);
    case OptimizerKind::adam: return std::make_unique<Adam>(beta1, beta2, epsilon);
  }
  return std::make_unique<GradientDescent>();
}

}  // namespace xgrad::cli

/// @file
/// A training run as an object: it holds what a run is — the model, the optimizer and its
/// state, the shuffle stream (the mini-batch order of epoch e is RandomState(shuffle_seed + e),
/// so the epoch counter is its state), the epoch and step counters, the learning-rate
/// schedule, the validation and early-stopping state and the history — and run(epochs)
/// continues it: run(20) then run(20) gives the bits of run(40). A checkpoint
/// (run_checkpoint.hpp) saves all of it, so a resumed run, in this process or another, gives
/// the bits of an uninterrupted one.
///
/// Epochs: with mini-batches, a pass over every example; in full-batch training, one
/// iteration (one step). Every count below (record_every, print_every, validation.every,
/// Callback::every, the schedule) counts these.
///
/// Per epoch, in this order: the schedule's learning rate for the epoch, the steps (with the
/// guard of TrainOptions::stop_on_non_finite), the validation when due, the history record,
/// the cost line and validation line printed as TrainOptions says, early stopping, then
/// TrainOptions::progress (after every max(1, n / 100)-th epoch of a run(n): (done, n)) and
/// the callbacks, each of which may stop the run.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/minibatch.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/train.hpp>
#include <xgrad/train/training_passes.hpp>

namespace xgrad {

/// A validation set, or a split of the training set, evaluated (evaluate.hpp: cost and
/// accuracy, without touching training) after epoch e when e % every == 0 (as the cost is
/// recorded and printed) and after each run()'s last epoch. A validation is printed, as
/// "Validation after epoch 20: cost 0.31, accuracy 0.9" after the epoch's cost line, on the
/// epochs whose cost is printed and after the last one.
struct Validation {
  std::optional<Dataset> data;  ///< a validation set (copied; Model::validate_data checks it)
  /// Or 0 < split < 1: the last floor(split * m) columns of the training set are held out
  /// for validation (before any shuffle) and training uses the others. Requires at least one
  /// column on each side. Not together with `data`.
  double split = 0.0;
  std::size_t every = 1;  ///< >= 1

  bool enabled() const { return data.has_value() || split > 0.0; }  ///< data set or split > 0
};

/// Stops a run when the validation cost has not improved for `patience` validations in a
/// row. An improvement is a cost below best - min_delta (the first validation always is one).
struct EarlyStopping {
  std::size_t patience = 0;  ///< 0: off; otherwise requires validation
  double min_delta = 0.0;    ///< >= 0, finite
  /// When it stops: put back the parameters of the best validation (the run's result then
  /// says so). Costs one copy of the parameters.
  bool restore_best = false;

  bool enabled() const { return patience > 0; }  ///< patience > 0
};

/// What callbacks receive after each epoch.
struct EpochReport {
  std::size_t epoch = 0;  ///< the epoch just finished, counted from 0 over every run() call
  std::size_t step = 0;   ///< optimizer updates made so far, over every run() call
  /// The epoch's training cost (train(): the full-batch cost before the update, or the
  /// mini-batches' weighted mean), NaN when nobody asked for it this epoch (a callback with
  /// wants_cost, recording, printing, the guard or a validation epoch ask for it).
  double cost = 0.0;
  double learning_rate = 0.0;            ///< this epoch's
  std::optional<Evaluation> validation;  ///< on validation epochs
};

/// A callback's answer: go on, or stop the run after this epoch.
enum class Decision { proceed, stop };

/// A function run after epochs, which can stop the run.
struct Callback {
  /// Called after epoch e when (e + 1) % every == 0 and after the last epoch of a run();
  /// Decision::stop ends the run after this epoch (the result says which callback).
  std::function<Decision(const EpochReport&)> call;
  std::size_t every = 1;  ///< >= 1: called every `every` epochs
  bool wants_cost = true;  ///< false: the cost may be NaN (the losses skip their logarithms)
  std::string name = "callback";  ///< for the stop message
};

/// One history entry: recorded epochs (epoch % record_every == 0) and validation epochs.
struct HistoryRecord {
  std::size_t epoch = 0;  ///< the epoch, counted from 0 over every run() call
  double cost = 0.0;  ///< the training cost (NaN when not computed)
  double learning_rate = 0.0;  ///< the epoch's learning rate
  std::optional<double> validation_cost;  ///< on validation epochs
  std::optional<double> validation_accuracy;  ///< on validation epochs, for cross-entropy losses
};

/// Why a run() call ended: its epochs were done, early stopping, or a callback's Decision::stop.
enum class StopReason { completed, early_stopping, callback };
/// "completed", "early_stopping" or "callback".
std::string to_string(StopReason reason);

/// What one run() call did.
struct RunSummary {
  std::size_t epochs = 0;  ///< epochs run by this call
  StopReason reason = StopReason::completed;  ///< why it ended
  /// "completed 40 epochs", "stopped early after epoch 37: the validation cost did not improve
  /// by more than 0.001 in 5 validations (best 0.2134 at epoch 32; its parameters restored)",
  /// "stopped by callback 'nan watch' after epoch 12".
  std::string message;
  double final_cost = 0.0;  ///< the last epoch's training cost
  /// The last validation of this call; after restore_best, that of the restored parameters.
  std::optional<Evaluation> last_validation;
};

/// Everything a run is configured with.
struct TrainerOptions {
  /// Learning rate, full batch or mini-batches (mini_batch_size, shuffle_seed), the course's
  /// decay, recording, printing, the non-finite guard and progress. `iterations` / `epochs`
  /// are what train() runs; run(n) takes its own count.
  TrainOptions training;
  /// Replaces training.decay when set (LearningRateSchedule::inverse_time(training.decay)
  /// otherwise).
  std::optional<LearningRateSchedule> schedule;
  Validation validation;  ///< what is validated and when (off by default)
  EarlyStopping early_stopping;  ///< off by default; requires validation
  std::vector<Callback> callbacks;  ///< run after epochs, in this order
  /// Who computes the passes: empty, this process over the whole training set; a
  /// data-parallel run's (parallel::shared_passes) with this process's share. With passes,
  /// the training set and Validation::data given to the Trainer are this process's columns
  /// (checked by TrainingPasses::start and evaluate, which may be empty on some processes),
  /// and Validation::split is refused (the caller splits the shares).
  std::shared_ptr<TrainingPasses> passes;

  /// The schedule in force.
  LearningRateSchedule effective_schedule() const;
  /// Throws InputError naming the setting: TrainOptions::validate's rules on the learning
  /// rate, mini-batch size, record_every and decay (not on iterations / epochs); validation
  /// every == 0, split outside [0, 1), both data and split; patience without validation;
  /// min_delta < 0 or not finite; a callback without a function or with every == 0.
  void validate() const;
};

/// The trainer's counters and early-stopping state: what a checkpoint saves besides the
/// model, the optimizer and the settings.
struct TrainerState {
  std::size_t epoch = 0;  ///< epochs done
  std::size_t step = 0;   ///< optimizer updates done
  std::vector<HistoryRecord> history;  ///< recorded and validation epochs, in order
  /// Early stopping: the best validation cost so far (none yet), its epoch, validations since.
  std::optional<double> best_validation_cost;
  std::size_t best_epoch = 0;  ///< the epoch of best_validation_cost
  std::size_t validations_since_best = 0;  ///< validations without improvement since then
  /// restore_best: the parameters at the best validation, in Graph::parameters() order.
  std::vector<Matrix> best_parameters;
};

/// Trains a model (or any Trainable graph) with an optimizer on a data set, epoch by epoch:
/// run() can be called again to go on; validation, early stopping, callbacks, checkpoints.
class Trainer {
 public:
  /// Trains `model` (which must outlive the trainer, as must `optimizer` and `train`) with
  /// `optimizer` on `train`. Validates the options and the data (Model::validate_data with
  /// source "training set" / "validation set": InputError naming the problem), starts the
  /// optimizer on the model's parameters and feeds nothing yet.
  Trainer(Model& model, Optimizer& optimizer, const Dataset& train, TrainerOptions options);
  /// Any graph with a loss (train.hpp's Trainable): no validation or early stopping (InputError
  /// when asked for), no checkpoints.
  Trainer(Trainable graph, Optimizer& optimizer, const Dataset& train, TrainerOptions options);
  /// A run owning its model and optimizer (a resumed checkpoint): `state` is put back (the
  /// optimizer must have been restored already). `train` must outlive the trainer.
  Trainer(std::unique_ptr<Model> model, std::unique_ptr<Optimizer> optimizer, const Dataset& train,
          TrainerOptions options, TrainerState state);
  ~Trainer();
  Trainer(Trainer&&) noexcept;  ///< takes over the other's run
  Trainer& operator=(Trainer&&) = delete;
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// Runs up to `epochs` more epochs (>= 1, InputError otherwise) from where the last call
  /// stopped. Before the first step of all (step() == 0), TrainOptions::check_first_step
  /// checks that step (check_training_step): RunError naming the node and the hook, nothing
  /// changed. Throws RunError from the guard (TrainOptions::stop_on_non_finite), naming the
  /// epoch; the trainer is then at an unspecified point of that epoch.
  RunSummary run(std::size_t epochs);

  std::size_t epoch() const { return state_.epoch; }  ///< epochs done over every run() call
  std::size_t step() const { return state_.step; }  ///< optimizer updates done
  const std::vector<HistoryRecord>& history() const { return state_.history; }  ///< recorded and validation epochs
  const TrainerState& state() const { return state_; }  ///< what a checkpoint saves of the run
  const TrainerOptions& options() const { return options_; }  ///< the options, as validated
  /// The learning rate the next epoch will use.
  double learning_rate() const;
  /// Requires a Model (the first or third constructor; InputError otherwise).
  Model& model();
  /// Requires a Model (InputError otherwise).
  const Model& model() const;
  Optimizer& optimizer() { return *optimizer_; }  ///< the optimizer it steps with
  const Optimizer& optimizer() const { return *optimizer_; }  ///< the optimizer it steps with
  /// The examples training uses (the training set minus a validation split).
  const Dataset& training_data() const { return *train_; }
  /// The validation set (a copy, or the split), or nullptr.
  const Dataset* validation_data() const { return validation_.get(); }

 private:
  /// passes_: options_.passes, or local passes that check `train` (and the validation set)
  /// first (InputError naming the problem).
  void choose_passes(const Dataset& train);
  void setup(const Dataset& train);
  double run_epoch(bool cost_wanted);
  Evaluation validation_now();
  bool validation_due(std::size_t epoch, bool last) const;
  void early_stopping(const Evaluation& validation, RunSummary& summary);

  std::unique_ptr<Model> owned_model_;
  std::unique_ptr<Optimizer> owned_optimizer_;
  Model* model_ = nullptr;
  Graph* graph_ = nullptr;
  Input* features_ = nullptr;
  Input* labels_ = nullptr;
  Optimizer* optimizer_ = nullptr;
  TrainerOptions options_;
  LearningRateSchedule schedule_;
  const Dataset* train_ = nullptr;
  std::unique_ptr<Dataset> split_train_;  ///< the training part of a split
  std::unique_ptr<Dataset> validation_;
  /// Who computes the passes: options_.passes, or local_passes_ (this process, the whole
  /// training set) when that is empty.
  std::unique_ptr<TrainingPasses> local_passes_;
  TrainingPasses* passes_ = nullptr;
  TrainerState state_;
};

}  // namespace xgrad

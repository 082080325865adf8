/// @file
/// Who computes a Trainer's passes. By default (TrainerOptions::passes empty) the trainer
/// uses the library's local passes: every step and evaluation on this process, over the
/// whole training set, full batch or mini-batches (the same interface, so that the Trainer
/// has one code path). A
/// data-parallel run (xgrad/parallel/data_parallel.hpp: parallel::shared_passes) plugs in
/// passes where each process holds a share of the columns and the processes combine what
/// they compute, so that the Trainer (its schedule, validation, early stopping, callbacks,
/// history and checkpoints) is the same object on one process and on many.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

#include <xgrad/core/dataset.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad {

/// The passes of a training run, as a Trainer calls them. Implementations must give, on
/// every process that takes part, the costs, gradients and evaluations of the single-process
/// trainer over the whole data set, so that every process takes the same steps.
class TrainingPasses {
 public:
  virtual ~TrainingPasses() = default;

  /// Called once by the Trainer's constructor, before anything else: the graph it trains,
  /// the training columns this process holds (they outlive the passes' use) and the options
  /// (TrainOptions: full batch or mini-batches, the guard). Checks the data (every problem
  /// an exception naming it) and may change the parameters (to make them equal everywhere).
  virtual void start(Trainable trainable, const Dataset& train, const TrainOptions& options) = 0;
  /// Before the first step of all, when TrainOptions::check_first_step: check_training_step
  /// on what this process runs (RunError naming the node and the hook).
  virtual void check_first_step() = 0;
  /// At the start of every Trainer::run: feed the full batch when the run uses it (the graph
  /// may have been fed something else since).
  virtual void begin_run() = 0;
  /// Epoch `epoch` at learning rate `rate`: full batch, one step; mini-batches, the epoch's
  /// batches in the order of RandomState(shuffle_seed + epoch). Steps `optimizer` after each
  /// pass, adds the steps made to `steps`, applies TrainOptions::stop_on_non_finite (throwing
  /// a RunError, or an error every process throws alike) and returns the epoch's cost (the
  /// full-batch cost, or the batches' mean weighted by their columns). `cost_wanted` false
  /// allows a NaN cost.
  virtual double epoch(std::size_t epoch, double rate, bool cost_wanted, Optimizer& optimizer, std::size_t& steps) = 0;
  /// evaluate(model, data) of the whole validation set, of which `data` holds this
  /// process's columns (Trainer's Validation::data).
  virtual Evaluation evaluate(const Model& model, const Dataset& data, const std::string& source) = 0;
};

}  // namespace xgrad

/// @file
/// A training run on disk: one uncompressed .npz archive (numpy.load reads it) holding
///   checkpoint                 a JSON description, stored as its UTF-8 bytes in a float64
///                              row (bytes(a.astype('uint8')) in numpy): format 1, the model
///                              spec (inputs, layers with units, activation kind and settings
///                              and keep_prob, input dropout, L2 lambda and parameters, loss,
///                              label layout, initializer, dropout mask policy and seed), the
///                              optimizer's kind, settings and counters, the learning rate,
///                              mini-batch size, shuffle seed and schedule, the epoch and step
///                              counters and the early-stopping state
///   parameter.NAME             every parameter (fc1.W, ..., a user's node's)
///   optimizer.K                the optimizer's state arrays (Momentum's v, Adam's v then s)
///   stream.K                   each dropout stream's generator (RandomState::state_numbers)
///   best.NAME                  early stopping's best parameters (restore_best), if any
///   history                    (records, 5): epoch, cost, learning rate, validation cost and
///                              accuracy (NaN where absent)
/// The shuffle stream needs nothing more: epoch e's order is RandomState(shuffle_seed + e).
/// So a run resumed from a checkpoint written after epoch 20 and run 20 more epochs gives
/// the bits of 40 uninterrupted epochs, in this process or another.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>
#include <memory>

#include <xgrad/train/activation_registry.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/trainer.hpp>

namespace xgrad {

/// Writes the trainer's run to `file`, atomically (save_npz: the file is either left as it
/// was or holds the whole checkpoint). Requires a trainer on a Model (InputError otherwise)
/// and finite parameters (FileError naming the first bad entry; the file is then untouched).
/// Throws as write_file_atomically.
void save_checkpoint(const std::filesystem::path& file, const Trainer& trainer);

/// A checkpoint read back: a model rebuilt from its spec, with the saved parameters and
/// dropout streams, and the rest of the run.
struct Checkpoint {
  std::unique_ptr<Model> model;  ///< rebuilt from the saved spec, with the saved parameters and dropout streams
  OptimizerState optimizer;  ///< the optimizer's kind, settings and state (make_optimizer rebuilds it)
  /// learning_rate, mini_batch_size and shuffle_seed as saved; the counts, decay, printing and
  /// guard are defaults (the schedule is below).
  TrainOptions training;
  LearningRateSchedule schedule;  ///< the learning-rate schedule as saved
  TrainerState state;  ///< where the run was: epochs and steps done, history, early-stopping state
};

/// Reads `file` and rebuilds the model: built-in activations and the kinds `registry` knows
/// (a user's nodes, made again from their saved settings). All or nothing: on any problem a
/// FileError whose message starts with the path names it — not a checkpoint (a parameters
/// .npz from save_parameters, a damaged archive, a bad JSON description, a missing entry), an
/// activation the registry does not know, an entry with another shape than the rebuilt model's
/// parameter, a non-finite parameter, a bad generator state — and nothing is returned.
Checkpoint load_checkpoint(const std::filesystem::path& file, const ActivationRegistry& registry = {});

/// load_checkpoint(file, registry).model: a model that predicts as the saved one did.
std::unique_ptr<Model> load_model(const std::filesystem::path& file, const ActivationRegistry& registry = {});

/// A trainer that continues the checkpoint's run on `train` (which must outlive it).
/// options.training's learning_rate, mini_batch_size and shuffle_seed and options.schedule
/// are taken from the checkpoint; validation, early stopping (its state comes from the
/// checkpoint), callbacks, recording, printing and the guard from `options`. The optimizer
/// is `optimizer` when given (a user's kind; it must have the saved kind and settings), else
/// the built-in one the checkpoint names (make_optimizer); either is restored from the saved
/// state. Throws InputError as Trainer's constructor and Optimizer::restore do.
Trainer resume(Checkpoint checkpoint, const Dataset& train, TrainerOptions options,
               std::unique_ptr<Optimizer> optimizer = nullptr);

}  // namespace xgrad

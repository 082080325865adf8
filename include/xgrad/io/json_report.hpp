/// @file
/// A run's JSON report, from C++ or the xgrad program (its --json): what was run (the
/// settings), the cost history, accuracies, optionally predictions, and gradient-check
/// reports; written atomically. Every section is optional except the settings, which always
/// end with the build: xgrad_version, blas_kernel, blas_config, blas_threads, threads (xgrad's; the kernel
/// decides the last bits of every product, so a figure is compared with one from the same
/// kernel).
///
///   xgrad::JsonReport report;
///   report.set_model(model.spec());
///   report.set_training(options, adam);
///   report.set_costs(result, options);
///   report.set_accuracies(train_accuracy, test_accuracy);
///   report.add_check("check_graph", xgrad::check_graph(model.graph()));
///   report.write("run.json");
///
/// Layout (keys in this order, each present only when its setter was called):
///   {"settings": {set_setting's keys, set_model's, set_training's, then the build's},
///    "cost_iterations": [0, 1000, ...], "costs": [...], "costs_per": "iteration" | "epoch",
///    "final_cost": c,
///    "train_accuracy": a, "test_accuracy": a | null,
///    "train_predictions": [[...]], "test_predictions": [[...]] | null,
///    "seconds": s,
///    "checks": [{"name", "passed", "verdict", "mode", "difference", "threshold",
///                "detection_floor", "entries", "wrong", "kinks", "wrong_blocks": [...],
///                "blocks": [{"node", "block", "entries", "difference", "max_abs_error",
///                            "max_rel_error", "wrong", "kinks", "detection_floor", "ok"}],
///                "findings": [{"node", "problem"}]}]}
/// Numbers are written so that they read back to the same double (NaN/inf as null); text
/// that is not valid UTF-8 (a Latin-1 file name given as a setting) is written with U+FFFD
/// in place of each invalid byte.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>
#include <xgrad/train/trainer.hpp>

namespace xgrad {

/// A run's JSON report being put together (see the file description for its layout);
/// write() writes it atomically.
class JsonReport {
 public:
  JsonReport();
  ~JsonReport();
  JsonReport(const JsonReport& other);  ///< a deep copy of `other`'s content
  JsonReport& operator=(const JsonReport& other);  ///< a deep copy of `other`'s content
  JsonReport(JsonReport&&) noexcept;  ///< takes over the other's content
  JsonReport& operator=(JsonReport&&) noexcept;  ///< takes over the other's content

  /// A setting of the caller's ("data": where the data came from, ...); a key set again
  /// keeps its place and takes the new value.
  void set_setting(const std::string& key, const std::string& value);
  /// A numeric setting, as set_setting(key, text) (NaN and infinities are written as null).
  void set_setting(const std::string& key, double value);

  /// The model's settings: "model" (spec.describe()), "layers" (spec.dims()),
  /// "activations" (every layer's node kind, the output layer's included),
  /// "hidden_activation" (the first hidden layer's, or "none"), "loss", "labels"
  /// ("one_row_per_output" or "class_index"), "init", "init_seed", "init_scale" (random
  /// only), "lambd", "l2_parameters" (empty: every fcN.W), "input_keep_prob", "keep_prob"
  /// (the first hidden layer's, 1 without one), "keep_probs" (every layer's),
  /// "dropout_masks" ("replay" or "fresh"), "dropout_seed".
  void set_model(const ModelSpec& spec);

  /// The training's settings: "training" (options.describe()), "optimizer"
  /// (optimizer.describe()), "optimizer_kind" ("gd", "momentum", "adam" or "other") with
  /// Momentum's "beta" or Adam's "beta1", "beta2", "epsilon", "learning_rate", then full
  /// batch: "iterations"; mini-batches: "mini_batch_size", "epochs", "shuffle_seed"; then
  /// "decay_rate", "decay_interval", "costs_every" (options.record_every), "costs_per".
  void set_training(const TrainOptions& options, const Optimizer& optimizer);

  /// The recorded costs: "cost_iterations" (CostRecord::iteration), "costs", "costs_per"
  /// ("epoch" with mini-batches, else "iteration"; what cost_iterations count) and
  /// "final_cost".
  void set_costs(const TrainResult& result, const TrainOptions& options);

  /// A Trainer's run: "epochs_run" (every run() call together: trainer.epoch()), "steps",
  /// "stop_reason" ("completed", "early_stopping", "callback"), "stop_message" (the summary's
  /// message), "schedule" (LearningRateSchedule::text()), and, when the run validated,
  /// "validation_epochs", "validation_costs", "validation_accuracies" (null entries for mean
  /// squared error) from the history, "best_validation_cost" and "best_epoch".
  void set_run(const Trainer& trainer, const RunSummary& summary);

  /// "train_accuracy", "test_accuracy" (null without a test set).
  void set_accuracies(double train, std::optional<double> test = std::nullopt);

  /// "train_predictions", "test_predictions" (null without a test set): each matrix as a
  /// list of rows; whole numbers (0/1, class indices) as integers, other values as doubles.
  void set_predictions(const Matrix& train, const std::optional<Matrix>& test = std::nullopt);

  /// "seconds": the wall-clock time of training.
  void set_seconds(double seconds);

  /// Appends a gradient check to "checks", named `name` ("check_graph", ...): its verdict
  /// (the first line of report.to_string()), mode, difference, threshold, detection floor,
  /// counts, wrong blocks, every block's results and the structural findings.
  void add_check(const std::string& name, const CheckReport& report);

  /// The report as JSON text, 2-space indented, ending in a newline.
  std::string to_string() const;

  /// Writes to_string() to `file` atomically (write_file_atomically: the previous file stays
  /// whole if the write fails; only a regular file or a new name is replaced). Throws as
  /// write_file_atomically (FileError, WriteError, Interrupted), naming the file.
  void write(const std::filesystem::path& file) const;

 private:
  struct Content;
  std::unique_ptr<Content> content_;
};

}  // namespace xgrad

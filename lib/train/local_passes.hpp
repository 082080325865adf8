// LocalPasses: the passes a Trainer runs when TrainerOptions::passes is empty (private to the
// library): every step and evaluation on this process, over the whole training set, full
// batch or shuffled mini-batches. A data-parallel run plugs in its own TrainingPasses
// (parallel::shared_passes); the Trainer calls either through the same interface.
#pragma once

#include <memory>
#include <string>

#include <xgrad/train/minibatch.hpp>
#include <xgrad/train/training_passes.hpp>

namespace xgrad::detail {

class LocalPasses final : public TrainingPasses {
 public:
  /// Checks the data before the Trainer splits or copies it (InputError naming the problem):
  /// the whole training set `train` and, when given, the validation set, against `model`
  /// (Model::validate_data, sources "training set" / "validation set"), or, for a bare graph
  /// (`model` null), the training set's shapes against `features` and `labels` and its
  /// values finite. The passes run on what start() then gives.
  LocalPasses(const Model* model, const Input& features, const Input& labels, const Dataset& train,
              const Dataset* validation);

  void start(Trainable trainable, const Dataset& train, const TrainOptions& options) override;
  void check_first_step() override;
  void begin_run() override;
  double epoch(std::size_t epoch, double rate, bool cost_wanted, Optimizer& optimizer, std::size_t& steps) override;
  Evaluation evaluate(const Model& model, const Dataset& data, const std::string& source) override;

 private:
  Graph* graph_ = nullptr;  // from start()
  Input* features_ = nullptr;
  Input* labels_ = nullptr;
  const Dataset* train_ = nullptr;  // the training columns (the training part of a split)
  TrainOptions options_;
  std::unique_ptr<MiniBatches> batches_;  // with mini-batches
};

}  // namespace xgrad::detail

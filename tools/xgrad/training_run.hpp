// One training run as the commands report it: train, then predict and score both sets.
#pragma once

#include <optional>

#include <xgrad/core/dataset.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

struct RunOutcome {
  TrainResult result;
  Matrix train_predictions;                // (1, m_train), 0/1
  std::optional<Matrix> test_predictions;  // (1, m_test) when there is a test set
  double train_accuracy = 0.0;
  std::optional<double> test_accuracy;
  double seconds = 0.0;  // wall-clock time of the training loop
};

// xgrad::train(model, train, options), then predictions and accuracies.
// Throws what train throws (InputError, RunError on a non-finite cost when asked to stop).
RunOutcome run_training(Model& model, const Dataset& train, const std::optional<Dataset>& test,
                        const TrainOptions& options);

}  // namespace xgrad::cli

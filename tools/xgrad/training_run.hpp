// One training run as the commands report it: train, then predict and score both sets.
#pragma once

#include <optional>

#include <xgrad/core/dataset.hpp>
#include <xgrad/io/json_report.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

struct RunOutcome {
  TrainResult result;
  Matrix train_predictions;                // (1, m_train): 0/1, class indices, or (MSE) the outputs
  std::optional<Matrix> test_predictions;  // (1, m_test) when there is a test set
  // The fraction of predictions equal to the labels: cross-entropy losses only (absent for
  // mean squared error, whose outputs are not classes).
  std::optional<double> train_accuracy;
  std::optional<double> test_accuracy;
  double seconds = 0.0;  // wall-clock time of the training loop
};

// xgrad::train(model, train, options, optimizer), then predictions and accuracies.
// Throws what train throws (InputError, RunError on a non-finite cost when asked to stop).
RunOutcome run_training(Model& model, const Dataset& train, const std::optional<Dataset>& test,
                        const TrainOptions& options, Optimizer& optimizer);

// The run's JSON report: `data` (where the data came from) as the setting "data", the model,
// the training, the costs, accuracies (when defined), predictions and time.
JsonReport run_report(const ModelSpec& spec, const TrainOptions& options, const Optimizer& optimizer,
                      const std::string& data, const RunOutcome& outcome);

}  // namespace xgrad::cli

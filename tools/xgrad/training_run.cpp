#include "training_run.hpp"

#include <chrono>

namespace xgrad::cli {

RunOutcome run_training(Model& model, const Dataset& train_set, const std::optional<Dataset>& test_set,
                        const TrainOptions& options, Optimizer& optimizer) {
  RunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  outcome.result = train(model, train_set, options, optimizer);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool classes = model.spec().loss != Loss::mean_squared_error;
  outcome.train_predictions = predict(model, train_set.X);
  if (classes) outcome.train_accuracy = accuracy(outcome.train_predictions, train_set.Y);
  if (test_set) {
    outcome.test_predictions = predict(model, test_set->X);
    if (classes) outcome.test_accuracy = accuracy(*outcome.test_predictions, test_set->Y);
  }
  return outcome;
}

JsonReport run_report(const ModelSpec& spec, const TrainOptions& options, const Optimizer& optimizer,
                      const std::string& data, const RunOutcome& outcome) {
  JsonReport report;
  report.set_setting("data", data);
  report.set_model(spec);
  report.set_training(options, optimizer);
  report.set_costs(outcome.result, options);
  if (outcome.train_accuracy) report.set_accuracies(*outcome.train_accuracy, outcome.test_accuracy);
  report.set_predictions(outcome.train_predictions, outcome.test_predictions);
  report.set_seconds(outcome.seconds);
  return report;
}

}  // namespace xgrad::cli

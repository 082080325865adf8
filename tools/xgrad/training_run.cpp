#include "training_run.hpp"

#include <chrono>

namespace xgrad::cli {

RunOutcome run_training(Model& model, const Dataset& train_set, const std::optional<Dataset>& test_set,
                        const TrainOptions& options) {
  RunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  outcome.result = train(model, train_set, options);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.train_predictions = predict(model, train_set.X);
  outcome.train_accuracy = accuracy(outcome.train_predictions, train_set.Y);
  if (test_set) {
    outcome.test_predictions = predict(model, test_set->X);
    outcome.test_accuracy = accuracy(*outcome.test_predictions, test_set->Y);
  }
  return outcome;
}

}  // namespace xgrad::cli

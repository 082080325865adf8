// Full-batch gradient descent on a Model, the cost history, predictions and accuracy.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/model.hpp>

namespace xgrad {

struct TrainOptions {
  double learning_rate = 0.01;
  std::size_t iterations = 15000;
  std::size_t record_every = 1000;  // the cost is recorded when iteration % record_every == 0
  std::size_t print_every = 0;      // "Cost after iteration i: c" lines to `log`; 0 = none
  std::ostream* log = nullptr;
  // Stop at the first non-finite cost, naming the iteration and the first node whose value
  // went non-finite (RunError), like PyTorch's anomaly detection.
  bool stop_on_non_finite = false;
  // Called now and then with (iterations done, total), e.g. for a progress bar.
  std::function<void(std::size_t, std::size_t)> progress;

  // Throws InputError: learning rate <= 0 or not finite, iterations == 0, record_every == 0.
  void validate() const;
};

struct CostRecord {
  std::size_t iteration;
  double cost;  // before that iteration's update, as the notes record it
};

struct TrainResult {
  std::vector<CostRecord> costs;
  double final_cost = 0.0;  // the cost at the last iteration
};

// One step: forward (train mode), backward, parameter update. Returns the cost before the
// update. Allocates nothing once the model has been fed.
double train_step(Model& model, double learning_rate);

// Feeds data (validated) and runs options.iterations steps.
TrainResult train(Model& model, const Dataset& data, const TrainOptions& options);

// sigmoid outputs in eval mode (no dropout), shape (outputs, m). Throws InputError when X
// has the wrong number of rows or holds NaN/inf (the first such entry is named).
Matrix predict_probabilities(Model& model, const Matrix& X);
// 1 where the probability is > 0.5, else 0 (the notes' predict).
Matrix predict(Model& model, const Matrix& X);
// Fraction of entries where predictions == labels. Requires equal shapes (InputError).
double accuracy(const Matrix& predictions, const Matrix& labels);

// The notes' line: "Cost after iteration 1000: 0.6879825919728063" (shortest round-trip digits).
std::string cost_line(std::size_t iteration, double cost);

}  // namespace xgrad

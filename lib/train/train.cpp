#include <xgrad/train/train.hpp>

#include <algorithm>
#include <cmath>
#include <ostream>

#include <xgrad/check/training_step.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/trainer.hpp>

namespace xgrad {

double LearningRateDecay::at(double initial, std::size_t epoch) const {
  return initial / (1.0 + rate * static_cast<double>(epoch / interval));
}

void TrainOptions::validate() const {
  validate_learning_rate(learning_rate);
  if (mini_batch_size == 0 && iterations == 0) throw InputError("iterations must be at least 1");
  if (mini_batch_size > 0 && epochs == 0) throw InputError("epochs must be at least 1 when training on mini-batches");
  if (!uses_mini_batches() && iterations > max_steps) {
    throw InputError("iterations must be at most 2^53 = " + std::to_string(max_steps) + " (steps are counted exactly "
                     "in a double by the decay and by Adam's bias correction), got " + std::to_string(iterations));
  }
  if (uses_mini_batches() && (shuffle_seed > max_shuffle_seed || epochs - 1 > max_shuffle_seed - shuffle_seed)) {
    throw InputError("epochs: " + std::to_string(epochs) + " epochs from shuffle seed " + std::to_string(shuffle_seed) +
                     " reach seed " + std::to_string(shuffle_seed) + " + " + std::to_string(epochs - 1) +
                     ", past numpy's largest seed 2^32 - 1 (epoch e shuffles with seed + e): at most " +
                     std::to_string(shuffle_seed > max_shuffle_seed ? 0 : max_shuffle_seed - shuffle_seed + 1) +
                     " epochs with this seed");
  }
  if (record_every == 0) throw InputError("the cost recording interval must be at least 1");
  if (!(decay.rate >= 0.0) || !std::isfinite(decay.rate)) {
    throw InputError("the learning-rate decay rate must be a finite number >= 0, got " + format_double(decay.rate));
  }
  if (decay.interval == 0) throw InputError("the learning-rate decay interval must be at least 1");
  if (!(final_learning_rate() > 0.0)) {
    throw InputError("the learning-rate decay (rate " + format_double(decay.rate) + " every " +
                     std::to_string(decay.interval) + " " + steps_name() + ") takes the learning rate " +
                     format_double(learning_rate) + " to 0 before the last of " +
                     std::to_string(uses_mini_batches() ? epochs : iterations) + " " + steps_name());
  }
}

double TrainOptions::final_learning_rate() const {
  const std::size_t steps = uses_mini_batches() ? epochs : iterations;
  return decay.at(learning_rate, steps == 0 ? 0 : steps - 1);
}

std::string TrainOptions::describe() const {
  std::string text = uses_mini_batches()
                         ? std::to_string(epochs) + " epochs of mini-batches of " + std::to_string(mini_batch_size) +
                               " (shuffle seed " + std::to_string(shuffle_seed) + ")"
                         : std::to_string(iterations) + " iterations";
  text += " at learning rate " + format_double(learning_rate);
  if (decay.rate > 0.0) {
    text += ", decay " + format_double(decay.rate) + " every " + std::to_string(decay.interval) + " " + steps_name();
  }
  return text;
}

std::string cost_line(std::size_t iteration, double cost, std::string_view step) {
  return "Cost after " + std::string(step) + " " + std::to_string(iteration) + ": " + python_float_repr(cost);
}

double train_step(Graph& graph, Optimizer& optimizer, double learning_rate, bool cost_wanted) {
  const double cost = graph.forward_backward(cost_wanted);
  optimizer.step(graph.parameters(), learning_rate);
  return cost;
}

double train_step(Model& model, double learning_rate) {
  GradientDescent gradient_descent;
  return train_step(model.graph(), gradient_descent, learning_rate);
}

namespace {

// A one-call run on a fresh Trainer, as TrainResult.
TrainResult result_of(Trainer& trainer, const TrainOptions& options) {
  const RunSummary summary = trainer.run(options.uses_mini_batches() ? options.epochs : options.iterations);
  TrainResult result;
  result.costs.reserve(trainer.history().size());
  for (const HistoryRecord& h : trainer.history()) result.costs.push_back({h.epoch, h.cost});
  result.final_cost = summary.final_cost;
  return result;
}

}  // namespace

TrainResult train(Trainable trainable, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  options.validate();
  Trainer trainer(trainable, optimizer, data, TrainerOptions{options, {}, {}, {}, {}, {}});
  return result_of(trainer, options);
}

TrainResult train(Model& model, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  options.validate();
  Trainer trainer(model, optimizer, data, TrainerOptions{options, {}, {}, {}, {}, {}});
  return result_of(trainer, options);
}

TrainResult train(Model& model, const Dataset& data, const TrainOptions& options) {
  GradientDescent gradient_descent;
  return train(model, data, options, gradient_descent);
}

Matrix predict_output(Graph& graph, Input& features, const Matrix& X, const std::string& output) {
  const Node* target = graph.find(output);
  if (target == nullptr) throw InputError("predict: the graph has no node named '" + output + "'");
  if (X.shape(0) != features.rows()) {
    throw InputError("predict: X has " + std::to_string(X.shape(0)) + " rows (features) but input '" +
                     features.name() + "' takes " + std::to_string(features.rows()));
  }
  require_examples(X, "predict");
  require_finite(X, "predict: X");
  graph.feed(features, X);
  graph.forward(Mode::eval, target);
  return target->value();
}

Matrix predict_probabilities(Model& model, const Matrix& X) { return evaluate_probabilities(model, X); }

Matrix class_indices(const Matrix& scores) {
  Matrix indices({std::size_t{1}, scores.shape(1)});
  for (std::size_t j = 0; j < scores.shape(1); ++j) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < scores.shape(0); ++i) {
      if (scores(i, j) > scores(best, j)) best = i;
    }
    indices(0, j) = static_cast<double>(best);
  }
  return indices;
}

Matrix predict(Model& model, const Matrix& X) {
  Matrix p = predict_probabilities(model, X);
  switch (model.spec().loss) {
    case Loss::sigmoid_cross_entropy:
      for (double& v : p) v = v > 0.5 ? 1.0 : 0.0;
      return p;
    case Loss::softmax_cross_entropy: return class_indices(p);
    case Loss::mean_squared_error: return p;
  }
  return p;
}

double accuracy(const Matrix& predictions, const Matrix& labels) {
  if (predictions.shape() != labels.shape()) {
    throw InputError("accuracy: predictions are " + shape_string(predictions) + " but labels are " +
                     shape_string(labels));
  }
  require_examples(labels, "accuracy", "the labels");
  std::size_t same = 0;
  for (std::size_t k = 0; k < labels.size(); ++k) same += predictions.data()[k] == labels.data()[k] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(labels.size());
}

}  // namespace xgrad

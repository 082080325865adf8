#include <xgrad/train/train.hpp>

#include <algorithm>
#include <cmath>
#include <ostream>

#include <xgrad/check/training_step.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/train/minibatch.hpp>
#include <xgrad/train/non_finite.hpp>

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

[[noreturn]] void report_non_finite(const Graph& graph, const std::string& when, double cost) {
  if (const auto found = find_non_finite(graph)) {
    throw RunError(when + ": " + found->describe() + "; try a smaller learning rate");
  }
  throw RunError(when + ": the cost is " + format_double(cost));
}

void require_finite(const Matrix& m, const std::string& what) {
  if (const auto bad = first_non_finite(m)) throw InputError(describe_entry(what, *bad));
}

void validate_for(const Trainable& t, const Dataset& data) {
  const std::string source = "training set";
  if (data.X.shape(1) == 0) throw InputError(source + ": no examples (X is " + shape_string(data.X) + ")");
  if (data.X.shape(0) != t.features.rows() || data.Y.shape(0) != t.labels.rows() || data.Y.shape(1) != data.X.shape(1)) {
    throw InputError(source + ": X is " + shape_string(data.X) + " and Y is " + shape_string(data.Y) + " but input '" +
                     t.features.name() + "' has " + std::to_string(t.features.rows()) + " rows and '" +
                     t.labels.name() + "' " + std::to_string(t.labels.rows()) + " (one column per example in both)");
  }
  require_finite(data.X, source + ": X");
  require_finite(data.Y, source + ": Y");
}

// Whether iteration/epoch i's cost is read: recorded, printed, guarded or the last one.
bool cost_read(std::size_t i, std::size_t total, const TrainOptions& options) {
  return options.stop_on_non_finite || i % options.record_every == 0 || i + 1 == total ||
         (options.log != nullptr && options.print_every > 0 && i % options.print_every == 0);
}

// Records, prints and reports progress for iteration/epoch i of `total`.
void after(std::size_t i, std::size_t total, double cost, const TrainOptions& options, TrainResult& result) {
  if (i % options.record_every == 0) result.costs.push_back({i, cost});
  if (options.log != nullptr && options.print_every > 0 && i % options.print_every == 0) {
    *options.log << cost_line(i, cost, options.uses_mini_batches() ? "epoch" : "iteration") << '\n';
  }
  const std::size_t tick = std::max<std::size_t>(1, total / 100);
  if (options.progress && (i + 1) % tick == 0) options.progress(i + 1, total);
  result.final_cost = cost;
}

TrainResult train_full_batch(Trainable t, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  t.graph.feed(t.features, data.X);
  t.graph.feed(t.labels, data.Y);
  TrainResult result;
  for (std::size_t i = 0; i < options.iterations; ++i) {
    const double cost = train_step(t.graph, optimizer, options.decay.at(options.learning_rate, i),
                                   cost_read(i, options.iterations, options));
    if (options.stop_on_non_finite && !std::isfinite(cost)) {
      report_non_finite(t.graph, "iteration " + std::to_string(i), cost);
    }
    after(i, options.iterations, cost, options, result);
  }
  return result;
}

TrainResult train_mini_batches(Trainable t, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  MiniBatches batches(data, options.mini_batch_size, options.shuffle_seed);
  const double m = static_cast<double>(data.X.shape(1));
  TrainResult result;
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    const double learning_rate = options.decay.at(options.learning_rate, epoch);
    batches.shuffle(epoch);
    const bool cost_wanted = cost_read(epoch, options.epochs, options);
    double weighted = 0.0;
    for (std::size_t b = 0; b < batches.count(); ++b) {
      const Dataset& batch = batches.batch(b);
      t.graph.feed(t.features, batch.X);
      t.graph.feed(t.labels, batch.Y);
      const double cost = train_step(t.graph, optimizer, learning_rate, cost_wanted);
      if (options.stop_on_non_finite && !std::isfinite(cost)) {
        report_non_finite(t.graph, "epoch " + std::to_string(epoch) + ", mini-batch " + std::to_string(b), cost);
      }
      weighted += cost * static_cast<double>(batches.size(b));
    }
    after(epoch, options.epochs, weighted / m, options, result);
  }
  return result;
}

}  // namespace

TrainResult train(Trainable trainable, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  options.validate();
  validate_for(trainable, data);
  if (options.check_first_step) {
    check_training_step(trainable.graph, trainable.features, trainable.labels, data.X, data.Y,
                        options.uses_mini_batches() ? options.mini_batch_size : data.X.shape(1));
  }
  optimizer.start(trainable.graph.parameters());
  return options.mini_batch_size == 0 ? train_full_batch(trainable, data, options, optimizer)
                                      : train_mini_batches(trainable, data, options, optimizer);
}

TrainResult train(Model& model, const Dataset& data, const TrainOptions& options, Optimizer& optimizer) {
  options.validate();
  model.validate_data(data, "training set");
  return train(Trainable{model.graph(), model.features(), model.labels()}, data, options, optimizer);
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
  if (X.shape(1) == 0) throw InputError("predict: no examples (X has zero columns)");
  require_finite(X, "predict: X");
  graph.feed(features, X);
  graph.forward(Mode::eval, target);
  return target->value();
}

Matrix predict_probabilities(Model& model, const Matrix& X) {
  require_finite(X, "predict: X");
  model.feed(X, xt::zeros<double>({model.labels().rows(), X.shape(1)}));
  model.graph().forward(Mode::eval);
  return model.predictions();
}

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
  if (labels.size() == 0) throw InputError("accuracy: no examples");
  std::size_t same = 0;
  for (std::size_t k = 0; k < labels.size(); ++k) same += predictions.data()[k] == labels.data()[k] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(labels.size());
}

}  // namespace xgrad

#include <xgrad/train/train.hpp>

#include <cmath>
#include <ostream>

#include <xgrad/core/error.hpp>
#include <xgrad/train/optimizer.hpp>

namespace xgrad {

void TrainOptions::validate() const {
  validate_learning_rate(learning_rate);
  if (iterations == 0) throw InputError("iterations must be at least 1");
  if (record_every == 0) throw InputError("the cost recording interval must be at least 1");
}

std::string cost_line(std::size_t iteration, double cost) {
  return "Cost after iteration " + std::to_string(iteration) + ": " + python_float_repr(cost);
}

double train_step(Model& model, double learning_rate) {
  Graph& g = model.graph();
  g.forward(Mode::train);
  const double cost = g.loss_value();
  g.backward();
  sgd_step(g.parameters(), learning_rate);
  return cost;
}

namespace {

[[noreturn]] void report_non_finite(const Graph& g, std::size_t iteration, double cost) {
  for (const Node* n : g.nodes()) {
    const Matrix& v = n->value();
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (!std::isfinite(v.data()[k])) {
        const std::size_t cols = v.shape(1);
        throw RunError("iteration " + std::to_string(iteration) + ": node '" + n->name() + "' (" +
                       std::string(n->kind()) + ") produced " + format_double(v.data()[k]) + " at (" +
                       std::to_string(k / cols) + ", " + std::to_string(k % cols) +
                       "); try a smaller learning rate");
      }
    }
  }
  for (const Parameter* p : g.parameters()) {
    for (double w : p->value) {
      if (!std::isfinite(w)) {
        throw RunError("iteration " + std::to_string(iteration) + ": parameter " + p->name +
                       " holds " + format_double(w) + "; try a smaller learning rate");
      }
    }
  }
  throw RunError("iteration " + std::to_string(iteration) + ": the cost is " + format_double(cost));
}

}  // namespace

TrainResult train(Model& model, const Dataset& data, const TrainOptions& options) {
  options.validate();
  validate_dataset(data, "training set");
  model.feed(data.X, data.Y);
  TrainResult result;
  const std::size_t tick = std::max<std::size_t>(1, options.iterations / 100);
  for (std::size_t i = 0; i < options.iterations; ++i) {
    const double cost = train_step(model, options.learning_rate);
    if (options.stop_on_non_finite && !std::isfinite(cost)) report_non_finite(model.graph(), i, cost);
    if (i % options.record_every == 0) result.costs.push_back({i, cost});
    if (options.log != nullptr && options.print_every > 0 && i % options.print_every == 0) {
      *options.log << cost_line(i, cost) << '\n';
    }
    if (options.progress && (i + 1) % tick == 0) options.progress(i + 1, options.iterations);
    result.final_cost = cost;
  }
  return result;
}

Matrix predict_probabilities(Model& model, const Matrix& X) {
  for (std::size_t k = 0; k < X.size(); ++k) {
    if (!std::isfinite(X.data()[k])) {
      throw InputError("predict: X(" + std::to_string(k / X.shape(1)) + ", " + std::to_string(k % X.shape(1)) +
                       ") is " + format_double(X.data()[k]));
    }
  }
  model.feed(X, xt::zeros<double>({model.labels().rows(), X.shape(1)}));
  model.graph().forward(Mode::eval);
  return model.output().probabilities();
}

Matrix predict(Model& model, const Matrix& X) {
  Matrix p = predict_probabilities(model, X);
  for (double& v : p) v = v > 0.5 ? 1.0 : 0.0;
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

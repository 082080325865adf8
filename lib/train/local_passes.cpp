#include "train/local_passes.hpp"

#include <cmath>

#include <xgrad/check/training_step.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/train/non_finite.hpp>

namespace xgrad::detail {

namespace {

void validate_for(const Input& features, const Input& labels, const Dataset& data) {
  const std::string source = "training set";
  require_examples(data.X, source);
  if (data.X.shape(0) != features.rows() || data.Y.shape(0) != labels.rows() || data.Y.shape(1) != data.X.shape(1)) {
    throw InputError(source + ": X is " + shape_string(data.X) + " and Y is " + shape_string(data.Y) + " but input '" +
                     features.name() + "' has " + std::to_string(features.rows()) + " rows and '" + labels.name() +
                     "' " + std::to_string(labels.rows()) + " (one column per example in both)");
  }
  require_finite(data.X, source + ": X");
  require_finite(data.Y, source + ": Y");
}

[[noreturn]] void report_non_finite(const Graph& graph, const std::string& when, double cost) {
  if (const auto found = find_non_finite(graph)) {
    throw RunError(when + ": " + found->describe() + "; try a smaller learning rate");
  }
  throw RunError(when + ": the cost is " + format_double(cost));
}

}  // namespace

LocalPasses::LocalPasses(const Model* model, const Input& features, const Input& labels, const Dataset& train,
                         const Dataset* validation) {
  if (model != nullptr) {
    model->validate_data(train, "training set");
    if (validation != nullptr) model->validate_data(*validation, "validation set");
  } else {
    validate_for(features, labels, train);
  }
}

void LocalPasses::start(Trainable trainable, const Dataset& train, const TrainOptions& options) {
  graph_ = &trainable.graph;
  features_ = &trainable.features;
  labels_ = &trainable.labels;
  train_ = &train;
  options_ = options;
  if (options_.uses_mini_batches()) {
    batches_ = std::make_unique<MiniBatches>(train, options_.mini_batch_size, options_.shuffle_seed);
  }
}

void LocalPasses::check_first_step() {
  check_training_step(*graph_, *features_, *labels_, train_->X, train_->Y,
                      options_.uses_mini_batches() ? options_.mini_batch_size : train_->X.shape(1));
}

void LocalPasses::begin_run() {
  if (options_.uses_mini_batches()) return;  // each batch is fed when it runs
  graph_->feed(*features_, train_->X);  // the graph may have been fed something else since the last run
  graph_->feed(*labels_, train_->Y);
}

double LocalPasses::epoch(std::size_t epoch, double rate, bool cost_wanted, Optimizer& optimizer, std::size_t& steps) {
  if (!options_.uses_mini_batches()) {
    const double cost = train_step(*graph_, optimizer, rate, cost_wanted);
    ++steps;
    if (options_.stop_on_non_finite && !std::isfinite(cost)) {
      report_non_finite(*graph_, "iteration " + std::to_string(epoch), cost);
    }
    return cost;
  }
  MiniBatches& batches = *batches_;
  const double m = static_cast<double>(train_->X.shape(1));
  batches.shuffle(epoch);
  double weighted = 0.0;
  for (std::size_t b = 0; b < batches.count(); ++b) {
    const Dataset& batch = batches.batch(b);
    graph_->feed(*features_, batch.X);
    graph_->feed(*labels_, batch.Y);
    const double cost = train_step(*graph_, optimizer, rate, cost_wanted);
    ++steps;
    if (options_.stop_on_non_finite && !std::isfinite(cost)) {
      report_non_finite(*graph_, "epoch " + std::to_string(epoch) + ", mini-batch " + std::to_string(b), cost);
    }
    weighted += cost * static_cast<double>(batches.size(b));
  }
  return weighted / m;
}

Evaluation LocalPasses::evaluate(const Model& model, const Dataset& data, const std::string& source) {
  return xgrad::evaluate(model, data, source);
}

}  // namespace xgrad::detail

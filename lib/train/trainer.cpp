#include <xgrad/train/trainer.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xtensor/xview.hpp>
#include "train/local_passes.hpp"

namespace xgrad {

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::completed: return "completed";
    case StopReason::early_stopping: return "early_stopping";
    case StopReason::callback: return "callback";
  }
  return "?";
}

LearningRateSchedule TrainerOptions::effective_schedule() const {
  return schedule ? *schedule : LearningRateSchedule::inverse_time(training.decay);
}

void TrainerOptions::validate() const {
  TrainOptions counts = training;  // the counts are run()'s business here
  counts.iterations = std::max<std::size_t>(counts.iterations, 1);
  counts.epochs = std::max<std::size_t>(counts.epochs, 1);
  if (schedule) counts.decay = {};  // the decay is not used
  counts.validate();
  if (validation.every == 0) throw InputError("validation: every must be at least 1");
  if (!(validation.split >= 0.0 && validation.split < 1.0)) {
    throw InputError("validation: the split must be in [0, 1), got " + format_double(validation.split));
  }
  if (validation.data && validation.split > 0.0) {
    throw InputError("validation: give a validation set or a split of the training set, not both");
  }
  if (passes && validation.split > 0.0) {
    throw InputError("validation: with passes of their own (a data-parallel run), give each process its validation "
                     "columns as the validation set, not a split");
  }
  if (early_stopping.enabled() && !validation.enabled()) {
    throw InputError("early stopping needs validation (a validation set or a split)");
  }
  if (!(early_stopping.min_delta >= 0.0) || !std::isfinite(early_stopping.min_delta)) {
    throw InputError("early stopping: min_delta must be a finite number >= 0, got " +
                     format_double(early_stopping.min_delta));
  }
  for (const Callback& c : callbacks) {
    if (!c.call) throw InputError("callback '" + c.name + "' has no function");
    if (c.every == 0) throw InputError("callback '" + c.name + "': every must be at least 1");
  }
}

namespace {

Dataset columns(const Dataset& data, std::size_t first, std::size_t count) {
  Dataset part;
  part.X = xt::view(data.X, xt::all(), xt::range(first, first + count));
  part.Y = xt::view(data.Y, xt::all(), xt::range(first, first + count));
  return part;
}

}  // namespace

Trainer::Trainer(Model& model, Optimizer& optimizer, const Dataset& train, TrainerOptions options)
    : model_(&model),
      graph_(&model.graph()),
      features_(&model.features()),
      labels_(&model.labels()),
      optimizer_(&optimizer),
      options_(std::move(options)) {
  options_.validate();
  setup(train);
  optimizer_->start(graph_->parameters());
}

Trainer::Trainer(Trainable graph, Optimizer& optimizer, const Dataset& train, TrainerOptions options)
    : graph_(&graph.graph),
      features_(&graph.features),
      labels_(&graph.labels),
      optimizer_(&optimizer),
      options_(std::move(options)) {
  options_.validate();
  if (options_.validation.enabled()) throw InputError("validation needs a Model (this trainer runs a bare graph)");
  setup(train);
  optimizer_->start(graph_->parameters());
}

Trainer::Trainer(std::unique_ptr<Model> model, std::unique_ptr<Optimizer> optimizer, const Dataset& train,
                 TrainerOptions options, TrainerState state)
    : owned_model_(std::move(model)),
      owned_optimizer_(std::move(optimizer)),
      model_(owned_model_.get()),
      graph_(&owned_model_->graph()),
      features_(&owned_model_->features()),
      labels_(&owned_model_->labels()),
      optimizer_(owned_optimizer_.get()),
      options_(std::move(options)) {
  options_.validate();
  setup(train);
  if (!state.best_parameters.empty()) {
    const auto params = graph_->parameters();
    if (state.best_parameters.size() != params.size()) {
      throw InputError("trainer: " + std::to_string(state.best_parameters.size()) + " best parameters for " +
                       std::to_string(params.size()) + " parameters");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (state.best_parameters[i].shape() != params[i]->value.shape()) {
        throw InputError("trainer: the best " + params[i]->name + " is " + shape_string(state.best_parameters[i]) +
                         " but the parameter is " + shape_string(params[i]->value));
      }
    }
  }
  state_ = std::move(state);
}

Trainer::~Trainer() = default;

void Trainer::choose_passes(const Dataset& train) {
  if (options_.passes) {
    passes_ = options_.passes.get();
    return;
  }
  const std::optional<Dataset>& validation = options_.validation.data;
  local_passes_ =
      std::make_unique<detail::LocalPasses>(model_, *features_, *labels_, train, validation ? &*validation : nullptr);
  passes_ = local_passes_.get();
}
Trainer::Trainer(Trainer&&) noexcept = default;

void Trainer::setup(const Dataset& train) {
  choose_passes(train);
  schedule_ = options_.effective_schedule();
  train_ = &train;
  const Validation& v = options_.validation;
  if (v.split > 0.0) {
    const std::size_t m = train.X.shape(1);
    const auto held = static_cast<std::size_t>(std::floor(v.split * static_cast<double>(m)));
    if (held == 0 || held >= m) {
      throw InputError("validation: a split of " + format_double(v.split) + " of " + std::to_string(m) +
                       " examples holds out " + std::to_string(held) + " (at least 1 on each side is needed)");
    }
    split_train_ = std::make_unique<Dataset>(columns(train, 0, m - held));
    validation_ = std::make_unique<Dataset>(columns(train, m - held, held));
    train_ = split_train_.get();
  } else if (v.data) {
    validation_ = std::make_unique<Dataset>(*v.data);
  }
  passes_->start(Trainable{*graph_, *features_, *labels_}, *train_, options_.training);
}

double Trainer::learning_rate() const { return schedule_.at(options_.training.learning_rate, state_.epoch); }

Model& Trainer::model() {
  if (model_ == nullptr) throw InputError("trainer: this trainer runs a bare graph, not a Model");
  return *model_;
}

const Model& Trainer::model() const {
  if (model_ == nullptr) throw InputError("trainer: this trainer runs a bare graph, not a Model");
  return *model_;
}

bool Trainer::validation_due(std::size_t epoch, bool last) const {
  return validation_ != nullptr && (last || epoch % options_.validation.every == 0);
}

Evaluation Trainer::validation_now() {
  return passes_->evaluate(*model_, *validation_, "validation set");
}

double Trainer::run_epoch(bool cost_wanted) {
  const TrainOptions& o = options_.training;
  const std::size_t epoch = state_.epoch;
  const double rate = schedule_.at(o.learning_rate, epoch);
  return passes_->epoch(epoch, rate, cost_wanted, *optimizer_, state_.step);
}

void Trainer::early_stopping(const Evaluation& validation, RunSummary& summary) {
  const EarlyStopping& e = options_.early_stopping;
  const bool improved =
      !state_.best_validation_cost || validation.cost < *state_.best_validation_cost - e.min_delta;
  if (improved) {
    state_.best_validation_cost = validation.cost;
    state_.best_epoch = state_.epoch;
    state_.validations_since_best = 0;
    if (e.restore_best) {
      const auto params = graph_->parameters();
      if (state_.best_parameters.size() != params.size()) state_.best_parameters.resize(params.size());
      for (std::size_t i = 0; i < params.size(); ++i) {
        if (state_.best_parameters[i].shape() != params[i]->value.shape()) {
          state_.best_parameters[i] = params[i]->value;
        } else {
          xt::noalias(state_.best_parameters[i]) = params[i]->value;
        }
      }
    }
    return;
  }
  if (!e.enabled() || ++state_.validations_since_best < e.patience) return;
  summary.reason = StopReason::early_stopping;
  summary.message = "stopped early after epoch " + std::to_string(state_.epoch) +
                    ": the validation cost did not improve by more than " + format_double(e.min_delta) + " in " +
                    std::to_string(e.patience) + " validation" + (e.patience == 1 ? "" : "s") + " (best " +
                    format_double(*state_.best_validation_cost) + " at epoch " + std::to_string(state_.best_epoch);
  if (e.restore_best && !state_.best_parameters.empty()) {
    const auto params = graph_->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) xt::noalias(params[i]->value) = state_.best_parameters[i];
    summary.message += "; its parameters restored";
    summary.last_validation = validation_now();
  }
  summary.message += ")";
}

RunSummary Trainer::run(std::size_t epochs) {
  if (epochs == 0) throw InputError("trainer: run() needs at least 1 epoch");
  const TrainOptions& o = options_.training;
  const std::size_t first = state_.epoch;
  const std::size_t end = first + epochs;
  const bool mini = o.uses_mini_batches();
  const char* step_name = mini ? "epoch" : "iteration";
  if (o.check_first_step && state_.step == 0) passes_->check_first_step();
  passes_->begin_run();
  const std::size_t tick = std::max<std::size_t>(1, epochs / 100);
  RunSummary summary;
  summary.message = "completed " + std::to_string(epochs) + " " + (mini ? "epochs" : "iterations");
  while (state_.epoch < end) {
    const std::size_t i = state_.epoch;
    const bool last = i + 1 == end;
    const bool record = i % o.record_every == 0;
    const bool print = o.log != nullptr && o.print_every > 0 && i % o.print_every == 0;
    const bool validate = validation_due(i, last);
    bool callback_cost = false;
    for (const Callback& c : options_.callbacks) {
      callback_cost = callback_cost || (c.wants_cost && (last || (i + 1) % c.every == 0));
    }
    const bool cost_wanted = o.stop_on_non_finite || record || last || print || validate || callback_cost;
    EpochReport report;
    report.learning_rate = schedule_.at(o.learning_rate, i);
    report.cost = run_epoch(cost_wanted);
    report.epoch = i;
    report.step = state_.step;
    if (validate) {
      report.validation = validation_now();
      summary.last_validation = report.validation;
    }
    if (record || validate) {
      HistoryRecord r{i, report.cost, report.learning_rate, std::nullopt, std::nullopt};
      if (report.validation) {
        r.validation_cost = report.validation->cost;
        r.validation_accuracy = report.validation->accuracy;
      }
      state_.history.push_back(r);
    }
    if (print) *o.log << cost_line(i, report.cost, step_name) << '\n';
    if (report.validation && (print || (last && o.log != nullptr && o.print_every > 0))) {
      *o.log << "Validation after " << step_name << " " << i << ": cost " << python_float_repr(report.validation->cost);
      if (report.validation->accuracy) *o.log << ", accuracy " << python_float_repr(*report.validation->accuracy);
      *o.log << '\n';
    }
    summary.final_cost = report.cost;
    if (report.validation) early_stopping(*report.validation, summary);
    ++state_.epoch;
    ++summary.epochs;
    if (o.progress && (summary.epochs % tick == 0)) o.progress(summary.epochs, epochs);
    for (const Callback& c : options_.callbacks) {
      if ((last || (i + 1) % c.every == 0) && c.call(report) == Decision::stop &&
          summary.reason == StopReason::completed) {
        summary.reason = StopReason::callback;
        summary.message = "stopped by callback '" + c.name + "' after " + step_name + " " + std::to_string(i);
      }
    }
    if (summary.reason != StopReason::completed) break;
  }
  return summary;
}

}  // namespace xgrad

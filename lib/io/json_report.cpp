#include <xgrad/io/json_report.hpp>

#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

#include <xgrad/core/threads.hpp>
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>

namespace xgrad {

using Json = nlohmann::ordered_json;

struct JsonReport::Content {
  Json settings = Json::object();
  Json body = Json::object();  // everything after the settings, in the order set
  Json checks = Json::array();
};

namespace {

// Whole numbers within double's exact range as integers (0/1 labels, class indices).
Json number(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::abs(x) <= 9007199254740992.0) {
    return Json(static_cast<long long>(x));
  }
  return Json(x);
}

Json rows_of(const Matrix& m) {
  Json rows = Json::array();
  for (std::size_t i = 0; i < m.shape(0); ++i) {
    Json row = Json::array();
    for (std::size_t j = 0; j < m.shape(1); ++j) row.push_back(number(m(i, j)));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string layout_name(LabelLayout layout) {
  return layout == LabelLayout::class_index ? "class_index" : "one_row_per_output";
}

Json block_json(const BlockCheck& b) {
  return Json{{"node", b.node},
              {"block", b.block},
              {"entries", b.entries},
              {"difference", b.difference},
              {"max_abs_error", b.max_abs_error},
              {"max_rel_error", b.max_rel_error},
              {"wrong", b.failures},
              {"kinks", b.kinks},
              {"detection_floor", b.detection_floor},
              {"ok", b.ok()}};
}

}  // namespace

JsonReport::JsonReport() : content_(std::make_unique<Content>()) {}
JsonReport::~JsonReport() = default;
JsonReport::JsonReport(const JsonReport& other) : content_(std::make_unique<Content>(*other.content_)) {}
JsonReport& JsonReport::operator=(const JsonReport& other) {
  if (this != &other) content_ = std::make_unique<Content>(*other.content_);
  return *this;
}
JsonReport::JsonReport(JsonReport&&) noexcept = default;
JsonReport& JsonReport::operator=(JsonReport&&) noexcept = default;

void JsonReport::set_setting(const std::string& key, const std::string& value) { content_->settings[key] = value; }
void JsonReport::set_setting(const std::string& key, double value) { content_->settings[key] = value; }

void JsonReport::set_model(const ModelSpec& spec) {
  Json& s = content_->settings;
  s["model"] = spec.describe();
  s["layers"] = spec.dims();
  Json activations = Json::array(), keep_probs = Json::array();
  for (const LayerSpec& layer : spec.layers) {
    activations.push_back(layer.activation.kind());
    keep_probs.push_back(layer.keep_prob);
  }
  const bool hidden = spec.layers.size() > 1;
  s["activations"] = std::move(activations);
  s["hidden_activation"] = hidden ? spec.layers.front().activation.kind() : "none";
  s["loss"] = xgrad::to_string(spec.loss);
  s["labels"] = layout_name(spec.labels);
  s["init"] = xgrad::to_string(spec.init.kind);
  s["init_seed"] = spec.init.seed;
  if (spec.init.kind == InitKind::random) s["init_scale"] = spec.init.scale;
  s["lambd"] = spec.lambda;
  s["l2_parameters"] = spec.l2_parameters;
  s["input_keep_prob"] = spec.input_keep_prob;
  s["keep_prob"] = hidden ? spec.layers.front().keep_prob : 1.0;
  s["keep_probs"] = std::move(keep_probs);
  s["dropout_masks"] = spec.dropout_masks == MaskPolicy::replay ? "replay" : "fresh";
  s["dropout_seed"] = spec.dropout_seed;
}

void JsonReport::set_training(const TrainOptions& options, const Optimizer& optimizer) {
  Json& s = content_->settings;
  s["training"] = options.describe();
  s["optimizer"] = optimizer.describe();
  if (dynamic_cast<const GradientDescent*>(&optimizer) != nullptr) {
    s["optimizer_kind"] = "gd";
  } else if (const auto* momentum = dynamic_cast<const Momentum*>(&optimizer)) {
    s["optimizer_kind"] = "momentum";
    s["beta"] = momentum->beta();
  } else if (const auto* adam = dynamic_cast<const Adam*>(&optimizer)) {
    s["optimizer_kind"] = "adam";
    s["beta1"] = adam->beta1();
    s["beta2"] = adam->beta2();
    s["epsilon"] = adam->epsilon();
  } else {
    s["optimizer_kind"] = "other";
  }
  s["learning_rate"] = options.learning_rate;
  if (options.uses_mini_batches()) {
    s["mini_batch_size"] = options.mini_batch_size;
    s["epochs"] = options.epochs;
    s["shuffle_seed"] = options.shuffle_seed;
  } else {
    s["iterations"] = options.iterations;
  }
  s["decay_rate"] = options.decay.rate;
  s["decay_interval"] = options.decay.interval;
  s["costs_every"] = options.record_every;
  s["costs_per"] = options.uses_mini_batches() ? "epoch" : "iteration";
}

void JsonReport::set_costs(const TrainResult& result, const TrainOptions& options) {
  Json iterations = Json::array(), costs = Json::array();
  for (const CostRecord& r : result.costs) {
    iterations.push_back(r.iteration);
    costs.push_back(r.cost);
  }
  Json& b = content_->body;
  b["cost_iterations"] = std::move(iterations);
  b["costs"] = std::move(costs);
  b["costs_per"] = options.uses_mini_batches() ? "epoch" : "iteration";
  b["final_cost"] = result.final_cost;
}

void JsonReport::set_run(const Trainer& trainer, const RunSummary& summary) {
  Json& b = content_->body;
  b["epochs_run"] = trainer.epoch();
  b["steps"] = trainer.step();
  b["stop_reason"] = xgrad::to_string(summary.reason);
  b["stop_message"] = summary.message;
  b["schedule"] = trainer.options().effective_schedule().text();
  if (trainer.validation_data() == nullptr) return;
  Json epochs = Json::array(), costs = Json::array(), accuracies = Json::array();
  for (const HistoryRecord& h : trainer.history()) {
    if (!h.validation_cost) continue;
    epochs.push_back(h.epoch);
    costs.push_back(*h.validation_cost);
    accuracies.push_back(h.validation_accuracy ? Json(*h.validation_accuracy) : Json());
  }
  b["validation_epochs"] = std::move(epochs);
  b["validation_costs"] = std::move(costs);
  b["validation_accuracies"] = std::move(accuracies);
  const auto& best = trainer.state().best_validation_cost;
  b["best_validation_cost"] = best ? Json(*best) : Json();
  b["best_epoch"] = best ? Json(trainer.state().best_epoch) : Json();
}

void JsonReport::set_accuracies(double train, std::optional<double> test) {
  content_->body["train_accuracy"] = train;
  content_->body["test_accuracy"] = test ? Json(*test) : Json();
}

void JsonReport::set_predictions(const Matrix& train, const std::optional<Matrix>& test) {
  content_->body["train_predictions"] = rows_of(train);
  content_->body["test_predictions"] = test ? rows_of(*test) : Json();
}

void JsonReport::set_seconds(double seconds) { content_->body["seconds"] = seconds; }

void JsonReport::add_check(const std::string& name, const CheckReport& report) {
  const std::string text = report.to_string();
  std::size_t wrong = 0, kinks = 0;
  for (const EntryCheck& e : report.entries) {
    wrong += e.failed ? 1 : 0;
    kinks += e.kink ? 1 : 0;
  }
  Json blocks = Json::array(), findings = Json::array();
  for (const BlockCheck& b : report.blocks) blocks.push_back(block_json(b));
  for (const Finding& f : report.findings) findings.push_back(Json{{"node", f.node}, {"problem", f.problem}});
  content_->checks.push_back(Json{{"name", name},
                                  {"passed", report.passed()},
                                  {"verdict", text.substr(0, text.find('\n'))},
                                  {"mode", report.mode()},
                                  {"difference", report.difference()},
                                  {"threshold", report.options.threshold},
                                  {"detection_floor", report.detection_floor()},
                                  {"entries", report.entries.size()},
                                  {"wrong", wrong},
                                  {"kinks", kinks},
                                  {"wrong_blocks", report.wrong_blocks()},
                                  {"blocks", std::move(blocks)},
                                  {"findings", std::move(findings)}});
}

std::string JsonReport::to_string() const {
  Json report = Json::object();
  Json settings = content_->settings;
  settings["xgrad_version"] = xgrad::version();
  settings["blas_kernel"] = blas_kernel();
  settings["blas_config"] = blas_config();
  settings["blas_threads"] = blas_threads();
  settings["threads"] = threads();
  report["settings"] = std::move(settings);
  for (const auto& [key, value] : content_->body.items()) report[key] = value;
  if (!content_->checks.empty()) report["checks"] = content_->checks;
  // Text that is not UTF-8 (a Latin-1 file name in "data") is written with U+FFFD in its place.
  return report.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

void JsonReport::write(const std::filesystem::path& file) const { write_file_atomically(file, to_string()); }

}  // namespace xgrad

#include <xgrad/train/run_checkpoint.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/io/npz.hpp>

namespace xgrad {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int format_version = 1;
constexpr const char* description_entry = "checkpoint";

std::string mask_policy_name(MaskPolicy policy) { return policy == MaskPolicy::replay ? "replay" : "fresh"; }

std::string label_layout_name(LabelLayout layout) {
  return layout == LabelLayout::class_index ? "class_index" : "one_row_per_output";
}

json settings_json(const std::vector<std::pair<std::string, double>>& settings) {
  json out = json::array();
  for (const auto& [name, value] : settings) out.push_back(json::array({name, value}));
  return out;
}

std::vector<std::pair<std::string, double>> settings_from(const json& j) {
  std::vector<std::pair<std::string, double>> out;
  for (const json& pair : j) out.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<double>());
  return out;
}

json spec_json(const ModelSpec& spec) {
  json layers = json::array();
  for (const LayerSpec& l : spec.layers) {
    layers.push_back({{"units", l.units},
                      {"activation", l.activation.kind()},
                      {"activation_settings", settings_json(l.activation.settings())},
                      {"keep_prob", l.keep_prob}});
  }
  return {{"inputs", spec.inputs},
          {"layers", layers},
          {"input_keep_prob", spec.input_keep_prob},
          {"lambda", spec.lambda},
          {"l2_parameters", spec.l2_parameters},
          {"loss", to_string(spec.loss)},
          {"labels", label_layout_name(spec.labels)},
          {"init", {{"kind", to_string(spec.init.kind)}, {"seed", spec.init.seed}, {"scale", spec.init.scale}}},
          {"dropout_masks", mask_policy_name(spec.dropout_masks)},
          {"dropout_seed", spec.dropout_seed}};
}

ModelSpec spec_from(const json& j, const ActivationRegistry& registry) {
  ModelSpec spec;
  spec.inputs = j.at("inputs").get<std::size_t>();
  spec.layers.clear();
  for (const json& l : j.at("layers")) {
    spec.layers.push_back({l.at("units").get<std::size_t>(),
                           registry.make(l.at("activation").get<std::string>(), settings_from(l.at("activation_settings"))),
                           l.at("keep_prob").get<double>()});
  }
  spec.input_keep_prob = j.at("input_keep_prob").get<double>();
  spec.lambda = j.at("lambda").get<double>();
  spec.l2_parameters = j.at("l2_parameters").get<std::vector<std::string>>();
  spec.loss = parse_loss(j.at("loss").get<std::string>());
  const std::string labels = j.at("labels").get<std::string>();
  if (labels != "class_index" && labels != "one_row_per_output") throw InputError("unknown label layout '" + labels + "'");
  spec.labels = labels == "class_index" ? LabelLayout::class_index : LabelLayout::one_row_per_output;
  const json& init = j.at("init");
  spec.init.kind = parse_init_kind(init.at("kind").get<std::string>());
  spec.init.seed = init.at("seed").get<std::uint64_t>();
  spec.init.scale = init.at("scale").get<double>();
  const std::string masks = j.at("dropout_masks").get<std::string>();
  if (masks != "fresh" && masks != "replay") throw InputError("unknown dropout mask policy '" + masks + "'");
  spec.dropout_masks = masks == "replay" ? MaskPolicy::replay : MaskPolicy::fresh;
  spec.dropout_seed = j.at("dropout_seed").get<std::uint64_t>();
  return spec;
}

Matrix text_row(const std::string& text) {
  Matrix row({std::size_t{1}, text.size()});
  for (std::size_t k = 0; k < text.size(); ++k) row(0, k) = static_cast<double>(static_cast<unsigned char>(text[k]));
  return row;
}

std::string text_of(const Matrix& row) {
  if (row.dimension() != 2 || row.shape(0) != 1) throw InputError("the description is not one row of bytes");
  std::string text(row.shape(1), '\0');
  for (std::size_t k = 0; k < text.size(); ++k) {
    const double v = row(0, k);
    if (!(v >= 0.0 && v <= 255.0) || v != std::floor(v)) throw InputError("the description holds a non-byte value");
    text[k] = static_cast<char>(static_cast<unsigned char>(v));
  }
  return text;
}

Matrix row_of(const std::vector<double>& numbers) {
  Matrix row({std::size_t{1}, numbers.size()});
  std::copy(numbers.begin(), numbers.end(), row.data());
  return row;
}

double or_nan(const std::optional<double>& value) {
  return value ? *value : std::numeric_limits<double>::quiet_NaN();
}

std::optional<double> unless_nan(double value) {
  return std::isnan(value) ? std::nullopt : std::optional<double>(value);
}

}  // namespace

void save_checkpoint(const fs::path& file, const Trainer& trainer) {
  const Model& model = trainer.model();
  const Graph& graph = model.graph();
  const TrainOptions& training = trainer.options().training;
  const TrainerState& state = trainer.state();
  const OptimizerState optimizer = trainer.optimizer().state();

  std::vector<std::pair<std::string, Matrix>> arrays;
  for (const Parameter* p : graph.parameters()) {
    if (const auto bad = first_non_finite(p->value)) throw FileError(file, "cannot save: " + describe_entry(p->name, *bad));
  }
  json parameter_names = json::array();
  for (const Parameter* p : graph.parameters()) parameter_names.push_back(p->name);
  json description = {
      {"format", format_version},
      {"xgrad", "checkpoint of a training run"},
      {"model", spec_json(model.spec())},
      {"parameters", parameter_names},
      {"optimizer",
       {{"kind", optimizer.kind},
        {"settings", settings_json(optimizer.settings)},
        {"counters", settings_json(optimizer.counters)},
        {"arrays", optimizer.arrays.size()}}},
      {"training",
       {{"learning_rate", training.learning_rate},
        {"mini_batch_size", training.mini_batch_size},
        {"shuffle_seed", training.shuffle_seed},
        {"schedule", trainer.options().effective_schedule().text()}}},
      {"counters", {{"epoch", state.epoch}, {"step", state.step}}},
      {"early_stopping",
       {{"best_validation_cost", state.best_validation_cost ? json(*state.best_validation_cost) : json(nullptr)},
        {"best_epoch", state.best_epoch},
        {"validations_since_best", state.validations_since_best},
        {"best_parameters", !state.best_parameters.empty()}}},
      {"random_streams", graph.random_streams().size()},
  };
  arrays.emplace_back(description_entry, text_row(description.dump()));
  for (const Parameter* p : graph.parameters()) arrays.emplace_back("parameter." + p->name, p->value);
  for (std::size_t k = 0; k < optimizer.arrays.size(); ++k) {
    arrays.emplace_back("optimizer." + std::to_string(k), optimizer.arrays[k]);
  }
  const auto streams = graph.random_streams();
  for (std::size_t k = 0; k < streams.size(); ++k) {
    arrays.emplace_back("stream." + std::to_string(k), row_of(streams[k]->state().state_numbers()));
  }
  for (std::size_t i = 0; i < state.best_parameters.size(); ++i) {
    arrays.emplace_back("best." + graph.parameters()[i]->name, state.best_parameters[i]);
  }
  Matrix history = xt::zeros<double>({state.history.size(), std::size_t{5}});
  for (std::size_t r = 0; r < state.history.size(); ++r) {
    const HistoryRecord& h = state.history[r];
    history(r, 0) = static_cast<double>(h.epoch);
    history(r, 1) = h.cost;
    history(r, 2) = h.learning_rate;
    history(r, 3) = or_nan(h.validation_cost);
    history(r, 4) = or_nan(h.validation_accuracy);
  }
  arrays.emplace_back("history", history);
  save_npz(file, arrays);
}

Checkpoint load_checkpoint(const fs::path& file, const ActivationRegistry& registry) {
  const std::vector<std::pair<std::string, Matrix>> arrays = load_npz(file);
  std::map<std::string, const Matrix*> by_name;
  for (const auto& [name, array] : arrays) by_name[name] = &array;
  auto entry = [&](const std::string& name) -> const Matrix& {
    const auto found = by_name.find(name);
    if (found == by_name.end()) throw FileError(file, "not a complete checkpoint: no entry '" + name + "'");
    return *found->second;
  };
  if (by_name.count(description_entry) == 0) {
    throw FileError(file, "not a checkpoint (no 'checkpoint' entry; a parameters file from save_parameters / --save "
                          "is read by load_parameters)");
  }
  Checkpoint c;
  try {
    const json d = json::parse(text_of(entry(description_entry)));
    if (d.at("format").get<int>() != format_version) {
      throw InputError("checkpoint format " + d.at("format").dump() + ", this xgrad reads format " +
                       std::to_string(format_version));
    }
    c.model = std::make_unique<Model>(spec_from(d.at("model"), registry));
    Graph& graph = c.model->graph();
    // Parameters: every one of the rebuilt model, of its shape, finite; no others.
    const auto params = graph.parameters();
    const auto names = d.at("parameters").get<std::vector<std::string>>();
    std::vector<std::string> mine;
    for (const Parameter* p : params) mine.push_back(p->name);
    if (names != mine) {
      std::string a, b;
      for (const auto& n : names) a += (a.empty() ? "" : ", ") + n;
      for (const auto& n : mine) b += (b.empty() ? "" : ", ") + n;
      throw InputError("the checkpoint's parameters are " + a + " but the rebuilt model's are " + b);
    }
    for (Parameter* p : params) {
      const Matrix& value = entry("parameter." + p->name);
      if (value.shape() != p->value.shape()) {
        throw InputError(p->name + " is " + shape_string(value) + " in the file but the model has " +
                         shape_string(p->value));
      }
      if (const auto bad = first_non_finite(value)) throw InputError(describe_entry(p->name, *bad));
      xt::noalias(p->value) = value;
    }
    // Dropout streams.
    const auto streams = graph.random_streams();
    if (d.at("random_streams").get<std::size_t>() != streams.size()) {
      throw InputError("the checkpoint has " + d.at("random_streams").dump() + " random streams but the model " +
                       std::to_string(streams.size()));
    }
    for (std::size_t k = 0; k < streams.size(); ++k) {
      const Matrix& numbers = entry("stream." + std::to_string(k));
      streams[k]->state() = RandomState::from_state_numbers(std::span<const double>(numbers.data(), numbers.size()));
    }
    // Optimizer.
    const json& o = d.at("optimizer");
    c.optimizer.kind = o.at("kind").get<std::string>();
    c.optimizer.settings = settings_from(o.at("settings"));
    c.optimizer.counters = settings_from(o.at("counters"));
    const std::size_t count = o.at("arrays").get<std::size_t>();
    for (std::size_t k = 0; k < count; ++k) c.optimizer.arrays.push_back(entry("optimizer." + std::to_string(k)));
    // Settings and counters.
    const json& t = d.at("training");
    c.training.learning_rate = t.at("learning_rate").get<double>();
    c.training.mini_batch_size = t.at("mini_batch_size").get<std::size_t>();
    c.training.shuffle_seed = t.at("shuffle_seed").get<std::uint64_t>();
    c.training.epochs = c.training.mini_batch_size > 0 ? 1 : 0;
    validate_learning_rate(c.training.learning_rate);
    c.schedule = LearningRateSchedule::parse(t.at("schedule").get<std::string>());
    c.state.epoch = d.at("counters").at("epoch").get<std::size_t>();
    c.state.step = d.at("counters").at("step").get<std::size_t>();
    const json& e = d.at("early_stopping");
    if (!e.at("best_validation_cost").is_null()) c.state.best_validation_cost = e.at("best_validation_cost").get<double>();
    c.state.best_epoch = e.at("best_epoch").get<std::size_t>();
    c.state.validations_since_best = e.at("validations_since_best").get<std::size_t>();
    if (e.at("best_parameters").get<bool>()) {
      for (const Parameter* p : params) {
        const Matrix& best = entry("best." + p->name);
        if (best.shape() != p->value.shape()) {
          throw InputError("best." + p->name + " is " + shape_string(best) + " but the model has " +
                           shape_string(p->value));
        }
        c.state.best_parameters.push_back(best);
      }
    }
    const Matrix& history = entry("history");
    if (history.dimension() != 2 || (history.size() > 0 && history.shape(1) != 5)) {
      throw InputError("the history is " + shape_string(history) + ", expected (records, 5)");
    }
    for (std::size_t r = 0; r < history.shape(0); ++r) {
      const double epoch = history(r, 0);
      if (!(epoch >= 0.0) || epoch != std::floor(epoch)) throw InputError("history row " + std::to_string(r) + ": bad epoch");
      c.state.history.push_back({static_cast<std::size_t>(epoch), history(r, 1), history(r, 2),
                                 unless_nan(history(r, 3)), unless_nan(history(r, 4))});
    }
  } catch (const FileError&) {
    throw;
  } catch (const json::exception& e) {
    throw FileError(file, std::string("damaged checkpoint description: ") + e.what());
  } catch (const std::exception& e) {
    throw FileError(file, e.what());
  }
  return c;
}

std::unique_ptr<Model> load_model(const fs::path& file, const ActivationRegistry& registry) {
  return load_checkpoint(file, registry).model;
}

Trainer resume(Checkpoint checkpoint, const Dataset& train, TrainerOptions options,
               std::unique_ptr<Optimizer> optimizer) {
  if (checkpoint.model == nullptr) throw InputError("resume: the checkpoint holds no model");
  options.training.learning_rate = checkpoint.training.learning_rate;
  options.training.mini_batch_size = checkpoint.training.mini_batch_size;
  options.training.shuffle_seed = checkpoint.training.shuffle_seed;
  options.schedule = checkpoint.schedule;
  if (optimizer == nullptr) optimizer = make_optimizer(checkpoint.optimizer);
  optimizer->start(checkpoint.model->graph().parameters());
  optimizer->restore(checkpoint.optimizer, checkpoint.model->graph().parameters());
  return Trainer(std::move(checkpoint.model), std::move(optimizer), train, std::move(options),
                 std::move(checkpoint.state));
}

}  // namespace xgrad

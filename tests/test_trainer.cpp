// Training runs: evaluation that leaves training alone, Trainer::run continuing a run,
// validation and early stopping, callbacks, schedules, and checkpoints of a whole run.
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "temp_folder.hpp"
#include <xgrad/xgrad.hpp>

namespace fs = std::filesystem;
using namespace xgrad;
using xgrad::testing::expect_error;
using xgrad::testing::expect_file_error;

namespace {

struct Scratch : xgrad::testing::TempFolder {
  Scratch() : TempFolder("xgrad-trainer-") {}
};

// A user's node with a learnable scale per unit: value = scale * tanh(x).
class ScaledTanh final : public Node {
 public:
  ScaledTanh(std::string name, Node& x, Parameter& scale) : Node(std::move(name), {&x}, x.rows()), scale_(scale) {}
  std::string_view kind() const override { return "scaled_tanh"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t i = 0; i < x.shape(0); ++i) {
      for (std::size_t j = 0; j < x.shape(1); ++j) value_(i, j) = scale_.value(i, 0) * std::tanh(x(i, j));
    }
  }
  void backward() override {
    Node& x = *inputs()[0];
    for (std::size_t i = 0; i < x.rows(); ++i) {
      for (std::size_t j = 0; j < x.value().shape(1); ++j) {
        const double t = std::tanh(x.value()(i, j));
        scale_.grad(i, 0) += grad_(i, j) * t;
        if (x.requires_grad()) x.grad()(i, j) += grad_(i, j) * scale_.value(i, 0) * (1.0 - t * t);
      }
    }
  }
  std::vector<Parameter*> parameters() const override { return {&scale_}; }

 private:
  Parameter& scale_;
};

Activation scaled_tanh(double initial) {
  return Activation(
      "scaled_tanh",
      [initial](Graph& graph, std::string name, Node& input) -> Node& {
        Parameter& scale = graph.parameter(name + ".scale", xt::ones<double>({input.rows(), std::size_t{1}}) * initial);
        return graph.add<ScaledTanh>(std::move(name), input, scale);
      },
      {{"initial", initial}});
}

ActivationRegistry users_registry() {
  ActivationRegistry registry;
  registry.add("scaled_tanh", [](const Activation::Settings& s) { return scaled_tanh(s.at(0).second); });
  return registry;
}

// sklearn-style circles of m points (numpy's stream, seed 7).
Dataset circles(std::size_t m, std::uint64_t seed = 7) {
  RandomState rng(seed);
  return make_circles(m, 0.1, rng);
}

ModelSpec small_spec(bool dropout = false) {
  ModelSpec spec = make_spec({2, 8, 4, 1}, Initializer{InitKind::he, 3, 1.0}, 0.01, dropout ? 0.9 : 1.0);
  spec.dropout_masks = MaskPolicy::fresh;
  return spec;
}

std::vector<Matrix> parameters_of(const Model& model) {
  std::vector<Matrix> values;
  for (const Parameter* p : model.graph().parameters()) values.push_back(p->value);
  return values;
}

bool same_bits(const std::vector<Matrix>& a, const std::vector<Matrix>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape()) return false;
    for (std::size_t k = 0; k < a[i].size(); ++k) {
      if (std::memcmp(&a[i].data()[k], &b[i].data()[k], sizeof(double)) != 0) return false;
    }
  }
  return true;
}

enum class Kind { gd, momentum, adam };

std::unique_ptr<Optimizer> make(Kind kind) {
  switch (kind) {
    case Kind::gd: return std::make_unique<GradientDescent>();
    case Kind::momentum: return std::make_unique<Momentum>(0.9);
    case Kind::adam: return std::make_unique<Adam>();
  }
  return nullptr;
}

TrainerOptions run_options(bool mini_batches, bool schedule) {
  TrainerOptions o;
  o.training.learning_rate = 0.05;
  if (mini_batches) {
    o.training.mini_batch_size = 64;
    o.training.shuffle_seed = 11;
  }
  o.training.record_every = 1;
  if (schedule) o.schedule = LearningRateSchedule::step(0.5, 7);
  return o;
}

}  // namespace

// --- Evaluation leaves training alone ---------------------------------------------------

// predict and evaluate called every epoch from the progress hook: the same bits as without,
// in full batch (on 1100 columns, so the training graph runs in tiles) and on mini-batches.
BOOST_AUTO_TEST_CASE(predict_and_evaluate_during_training_change_nothing) {
  const Dataset data = circles(1100);
  const Dataset other = circles(700, 8);
  for (bool mini : {false, true}) {
    TrainOptions options;
    options.learning_rate = 0.1;
    options.iterations = 30;
    if (mini) {
      options.mini_batch_size = 128;
      options.epochs = 6;
    }
    options.record_every = 1;
    Model quiet(small_spec(true));
    Adam adam_quiet;
    const TrainResult expected = train(quiet, data, options, adam_quiet);

    Model watched(small_spec(true));
    Adam adam_watched;
    std::size_t calls = 0;
    options.progress = [&](std::size_t, std::size_t) {
      ++calls;
      const Matrix p = predict(watched, other.X);
      const Evaluation e = evaluate(watched, other);
      BOOST_TEST(p.shape(1) == other.X.shape(1));
      BOOST_TEST(std::isfinite(e.cost));
      predict_probabilities(watched, data.X);
    };
    const TrainResult got = train(watched, data, options, adam_watched);
    BOOST_TEST(calls == (mini ? 6u : 30u));
    BOOST_TEST(same_bits(parameters_of(quiet), parameters_of(watched)));
    BOOST_TEST_REQUIRE(expected.costs.size() == got.costs.size());
    for (std::size_t i = 0; i < got.costs.size(); ++i) BOOST_TEST(expected.costs[i].cost == got.costs[i].cost);
  }
}

BOOST_AUTO_TEST_CASE(labels_show_the_fed_data_right_after_feed_on_a_tiled_batch) {
  const Dataset data = circles(2000);
  Model model(small_spec());
  BOOST_TEST_REQUIRE(model.graph().tileable());
  BOOST_TEST_REQUIRE(model.graph().tile_columns() < 2000u);
  model.feed(data.X, data.Y);
  BOOST_TEST((model.labels().value() == data.Y));
  BOOST_TEST((model.features().value() == data.X));
  model.graph().forward_backward();
  BOOST_TEST((model.labels().value() == data.Y));
  model.feed(data.X, xt::zeros<double>({std::size_t{1}, std::size_t{2000}}));
  BOOST_TEST(xt::sum(model.labels().value())() == 0.0);
}

// evaluate's cost is the graph's cost on the whole set (to rounding: the tiles add in
// another order), its accuracy is accuracy(predict(...)).
BOOST_AUTO_TEST_CASE(evaluate_agrees_with_a_whole_batch_forward_pass) {
  const Dataset data = circles(3000);
  Model model(small_spec());
  TrainOptions options;
  options.learning_rate = 0.1;
  options.iterations = 20;
  train(model, data, options);
  const Evaluation e = evaluate(model, data);
  Model whole(small_spec());
  for (std::size_t i = 0; i < model.graph().parameters().size(); ++i) {
    whole.graph().parameters()[i]->value = model.graph().parameters()[i]->value;
  }
  whole.feed(data.X, data.Y);
  whole.graph().forward(Mode::eval);
  BOOST_TEST(e.cost == whole.graph().loss_value(), boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(e.accuracy.has_value());
  BOOST_TEST(*e.accuracy == accuracy(predict(model, data.X), data.Y));
  BOOST_TEST(e.examples == 3000u);
  BOOST_TEST(cost(model, data) == e.cost);
}

BOOST_AUTO_TEST_CASE(evaluate_names_bad_data) {
  Model model(small_spec());
  Dataset bad = circles(10);
  bad.X(1, 3) = std::nan("");
  expect_error([&] { evaluate(model, bad); }, {"evaluate", "X(1, 3)"});
  expect_error([&] { predict(model, Matrix({3, 5})); }, {"predict", "3 rows"});
}

// --- A run continues ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(twenty_and_twenty_epochs_are_forty) {
  const Dataset data = circles(400);
  for (Kind kind : {Kind::gd, Kind::momentum, Kind::adam}) {
    for (bool mini : {false, true}) {
      for (bool schedule : {false, true}) {
        Model once(small_spec(true));
        auto opt_once = make(kind);
        Trainer a(once, *opt_once, data, run_options(mini, schedule));
        a.run(40);
        Model twice(small_spec(true));
        auto opt_twice = make(kind);
        Trainer b(twice, *opt_twice, data, run_options(mini, schedule));
        b.run(20);
        predict(twice, data.X);
        b.run(20);
        BOOST_TEST(same_bits(parameters_of(once), parameters_of(twice)),
                   "kind " << static_cast<int>(kind) << " mini " << mini << " schedule " << schedule);
        BOOST_TEST(a.epoch() == 40u);
        BOOST_TEST(b.epoch() == 40u);
        BOOST_TEST(a.step() == b.step());
        BOOST_TEST(a.history().size() == b.history().size());
        BOOST_TEST(a.learning_rate() == b.learning_rate());
      }
    }
  }
}

// train() is a fresh Trainer's run: the same bits as Trainer::run.
BOOST_AUTO_TEST_CASE(train_is_a_trainer_run) {
  const Dataset data = circles(300);
  TrainerOptions o = run_options(true, false);
  o.training.epochs = 15;
  o.training.decay = {0.3, 2};
  Model a(small_spec());
  Adam adam_a;
  const TrainResult r = train(a, data, o.training, adam_a);
  Model b(small_spec());
  Adam adam_b;
  Trainer t(b, adam_b, data, o);
  const RunSummary s = t.run(15);
  BOOST_TEST(same_bits(parameters_of(a), parameters_of(b)));
  BOOST_TEST(r.final_cost == s.final_cost);
  BOOST_TEST((s.reason == StopReason::completed));
  BOOST_TEST(adam_a.t() == adam_b.t());
}

// --- Validation, early stopping, callbacks ------------------------------------------------

BOOST_AUTO_TEST_CASE(early_stopping_stops_where_the_validation_history_says) {
  const Dataset data = circles(600);
  TrainerOptions o = run_options(true, false);
  o.training.learning_rate = 0.5;  // a run that overfits and wobbles
  o.validation.split = 0.25;
  o.early_stopping.patience = 3;
  o.early_stopping.min_delta = 1e-4;
  Model model(small_spec());
  Adam adam;
  Trainer trainer(model, adam, data, o);
  BOOST_TEST(trainer.training_data().X.shape(1) == 450u);
  BOOST_TEST_REQUIRE(trainer.validation_data() != nullptr);
  BOOST_TEST(trainer.validation_data()->X.shape(1) == 150u);
  const RunSummary summary = trainer.run(400);
  // Replay the rule on the recorded validation costs.
  std::optional<double> best;
  std::size_t since = 0, expected_stop = 0;
  bool stops = false;
  for (const HistoryRecord& h : trainer.history()) {
    BOOST_TEST_REQUIRE(h.validation_cost.has_value());
    if (!best || *h.validation_cost < *best - 1e-4) {
      best = h.validation_cost;
      since = 0;
    } else if (++since == 3) {
      expected_stop = h.epoch;
      stops = true;
      break;
    }
  }
  BOOST_TEST_REQUIRE(stops);
  BOOST_TEST((summary.reason == StopReason::early_stopping));
  BOOST_TEST(summary.epochs == expected_stop + 1);
  BOOST_TEST(trainer.history().back().epoch == expected_stop);
  BOOST_TEST(summary.message.find("stopped early after epoch " + std::to_string(expected_stop)) != std::string::npos);
  BOOST_TEST(*trainer.state().best_validation_cost == *best);
}

BOOST_AUTO_TEST_CASE(restore_best_puts_back_the_best_validations_parameters) {
  const Dataset data = circles(600);
  const Dataset validation = circles(200, 9);
  TrainerOptions o = run_options(true, false);
  o.training.learning_rate = 0.5;
  o.validation.data = validation;
  o.validation.every = 2;
  o.early_stopping.patience = 2;
  o.early_stopping.restore_best = true;
  Model model(small_spec());
  Adam adam;
  Trainer trainer(model, adam, data, o);
  const RunSummary summary = trainer.run(400);
  BOOST_TEST_REQUIRE((summary.reason == StopReason::early_stopping));
  BOOST_TEST(summary.message.find("its parameters restored") != std::string::npos);
  BOOST_TEST(evaluate(model, validation).cost == *trainer.state().best_validation_cost);
  for (const HistoryRecord& h : trainer.history()) {
    if (h.validation_cost && h.epoch + 1 != trainer.epoch()) BOOST_TEST(h.epoch % 2 == 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_callback_gets_the_epoch_and_can_stop_the_run) {
  const Dataset data = circles(300);
  TrainerOptions o = run_options(true, true);
  o.validation.split = 0.2;
  std::vector<EpochReport> seen;
  o.callbacks.push_back({[&](const EpochReport& r) {
                           seen.push_back(r);
                           return r.epoch == 5 ? Decision::stop : Decision::proceed;
                         },
                         1, true, "stop at 5"});
  Model model(small_spec());
  Momentum momentum;
  Trainer trainer(model, momentum, data, o);
  const RunSummary summary = trainer.run(50);
  BOOST_TEST((summary.reason == StopReason::callback));
  BOOST_TEST(summary.epochs == 6u);
  BOOST_TEST(summary.message == "stopped by callback 'stop at 5' after epoch 5");
  BOOST_TEST_REQUIRE(seen.size() == 6u);
  BOOST_TEST(seen[3].epoch == 3u);
  BOOST_TEST(seen[3].step == 4u * 4u);  // 240 examples in batches of 64: 4 steps an epoch
  BOOST_TEST(seen[3].learning_rate == 0.05);
  BOOST_TEST(std::isfinite(seen[3].cost));
  BOOST_TEST(seen[3].validation.has_value());
  BOOST_TEST(seen[5].learning_rate == LearningRateSchedule::step(0.5, 7).at(0.05, 5));
  // The run continues where it stopped.
  trainer.run(1);
  BOOST_TEST(trainer.epoch() == 7u);
}

BOOST_AUTO_TEST_CASE(bad_run_options_are_named) {
  const Dataset data = circles(100);
  Model model(small_spec());
  GradientDescent gd;
  TrainerOptions o = run_options(false, false);
  o.early_stopping.patience = 2;
  expect_error([&] { Trainer(model, gd, data, o); }, {"early stopping needs validation"});
  o = run_options(false, false);
  o.validation.split = 1.5;
  expect_error([&] { Trainer(model, gd, data, o); }, {"split", "1.5"});
  o.validation.split = 0.001;
  expect_error([&] { Trainer(model, gd, data, o); }, {"holds out 0"});
  o = run_options(false, false);
  o.validation.every = 0;
  expect_error([&] { Trainer(model, gd, data, o); }, {"every"});
  o = run_options(false, false);
  Trainer t(model, gd, data, o);
  expect_error([&] { t.run(0); }, {"at least 1 epoch"});
}

// --- Schedules ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(schedules_follow_their_formulas) {
  const double lr = 0.1;
  BOOST_TEST(LearningRateSchedule::constant().at(lr, 99) == lr);
  const LearningRateDecay course{1.0, 1000};
  for (std::size_t e : {0u, 999u, 1000u, 5500u}) {
    BOOST_TEST(LearningRateSchedule::inverse_time(course).at(lr, e) == course.at(lr, e));
  }
  BOOST_TEST(LearningRateSchedule::step(0.5, 10).at(lr, 25) == lr * 0.25);
  BOOST_TEST(LearningRateSchedule::exponential(0.9, 2).at(lr, 3) == lr * std::pow(0.9, 1.5));
  const auto cosine = LearningRateSchedule::cosine(100, 0.1);
  BOOST_TEST(cosine.at(lr, 0) == lr);
  BOOST_TEST(cosine.at(lr, 50) == lr * (0.1 + 0.9 * 0.5), boost::test_tools::tolerance(1e-15));
  BOOST_TEST(cosine.at(lr, 100) == lr * 0.1, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(cosine.at(lr, 500) == cosine.at(lr, 100));
  for (const auto& s : {LearningRateSchedule::constant(), LearningRateSchedule::inverse_time(0.01, 3),
                        LearningRateSchedule::step(0.5, 10), LearningRateSchedule::exponential(0.96),
                        LearningRateSchedule::cosine(100, 0.05)}) {
    BOOST_TEST((LearningRateSchedule::parse(s.text()) == s), s.text());
  }
  expect_error([] { LearningRateSchedule::parse("linear:3"); }, {"schedule 'linear:3'", "unknown kind", "cosine"});
  expect_error([] { LearningRateSchedule::parse("step:2:10"); }, {"schedule 'step:2:10'", "(0, 1]", "2"});
  expect_error([] { LearningRateSchedule::parse("step:0.5"); }, {"step:FACTOR:INTERVAL"});
  expect_error([] { LearningRateSchedule::parse("cosine:x"); }, {"'x' is not a whole number"});
  BOOST_TEST(LearningRateSchedule::step(0.5, 10).describe() == "step decay x0.5 every 10 epochs");
}

BOOST_AUTO_TEST_CASE(optimizers_describe_themselves_and_restore_their_state) {
  Model model(small_spec());
  const auto params = model.graph().parameters();
  Adam adam(0.8, 0.99, 1e-7);
  adam.start(params);
  const OptimizerState s = adam.state();
  BOOST_TEST(s.kind == "adam");
  BOOST_TEST(s.arrays.size() == 2 * params.size());
  Adam other(0.9, 0.99, 1e-7);
  other.start(params);
  expect_error([&] { other.restore(s, params); }, {"adam", "beta1 0.8", "beta1 0.9"});
  Momentum momentum;
  momentum.start(params);
  expect_error([&] { momentum.restore(s, params); }, {"optimizer is adam", "this one is momentum"});
  BOOST_TEST(make_optimizer(s)->describe() == adam.describe());
  expect_error([] { make_optimizer(OptimizerState{"sign_descent", {}, {}, {}}); }, {"sign_descent", "not a built-in"});
}

// --- Output softmax --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_output_softmax_is_folded_into_softmax_cross_entropy_and_said) {
  ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{4, Activation::tanh()}, {3, Activation::softmax()}};
  spec.loss = Loss::softmax_cross_entropy;
  spec.labels = LabelLayout::class_index;
  Model model(spec);
  BOOST_TEST(model.graph().find("softmax2") == nullptr);
  BOOST_TEST(spec.describe().find("output softmax folded into the loss") != std::string::npos);
  spec.layers.back().activation = Activation::relu();
  expect_error([&] { spec.validate(); }, {"layer 2 (the output layer)", "'relu'", "applies its own softmax"});
}

// An output layer left at its default ({1}, as 0.2 code writes it) takes the loss's own
// activation; the same layer given relu by choice is refused.
BOOST_AUTO_TEST_CASE(an_output_layer_left_at_its_default_takes_the_losss_own_activation) {
  ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{4, Activation::tanh()}, {1}};
  BOOST_TEST(!spec.layers.back().activation.chosen());
  Model model(spec);
  BOOST_TEST(model.spec().layers.back().activation.kind() == "identity");
  BOOST_TEST(model.graph().find("relu2") == nullptr);
  spec.loss = Loss::mean_squared_error;  // read there: the default is relu
  BOOST_TEST(Model(spec).graph().find("relu2") != nullptr);
  spec.loss = Loss::sigmoid_cross_entropy;
  spec.layers.back().activation = Activation::relu();
  expect_error([&] { spec.validate(); }, {"layer 2 (the output layer)", "'relu'", "applies its own sigmoid"});
}

// --- Checkpoints -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(resuming_a_checkpoint_gives_the_bits_of_an_uninterrupted_run) {
  Scratch scratch;
  const Dataset data = circles(400);
  for (Kind kind : {Kind::gd, Kind::momentum, Kind::adam}) {
    for (bool mini : {false, true}) {
      TrainerOptions o = run_options(mini, true);
      o.validation.split = 0.25;
      o.early_stopping.patience = 1000;
      o.early_stopping.restore_best = true;
      Model once(small_spec(true));
      auto opt_once = make(kind);
      Trainer a(once, *opt_once, data, o);
      a.run(40);

      const fs::path file = scratch.dir / "run.npz";
      {
        Model first(small_spec(true));
        auto opt_first = make(kind);
        Trainer b(first, *opt_first, data, o);
        b.run(20);
        save_checkpoint(file, b);
      }
      Trainer resumed = resume(load_checkpoint(file), data, o);
      BOOST_TEST(resumed.epoch() == 20u);
      resumed.run(20);
      BOOST_TEST(same_bits(parameters_of(once), parameters_of(resumed.model())),
                 "kind " << static_cast<int>(kind) << " mini " << mini);
      BOOST_TEST(resumed.step() == a.step());
      BOOST_TEST(resumed.history().size() == a.history().size());
      BOOST_TEST(*resumed.state().best_validation_cost == *a.state().best_validation_cost);
      BOOST_TEST(resumed.optimizer().describe() == opt_once->describe());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_model_with_a_users_parameterised_node_round_trips) {
  Scratch scratch;
  const Dataset data = circles(300);
  ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{6, scaled_tanh(0.7)}, {5, Activation::leaky_relu(0.05)}, {1, Activation::identity()}};
  spec.init = {InitKind::xavier, 4, 1.0};
  Model model(spec);
  Adam adam;
  Trainer trainer(model, adam, data, run_options(true, false));
  trainer.run(5);
  BOOST_TEST_REQUIRE(model.graph().find_parameter("scaled_tanh1.scale") != nullptr);
  BOOST_TEST(model.graph().find_parameter("scaled_tanh1.scale")->value(0, 0) != 0.7);
  const fs::path file = scratch.dir / "user.npz";
  save_checkpoint(file, trainer);

  expect_file_error([&] { load_model(file); }, file, {"'scaled_tanh' is not in the registry", "leaky_relu"});
  const std::unique_ptr<Model> loaded = load_model(file, users_registry());
  BOOST_TEST(loaded->spec().describe() == model.spec().describe());
  BOOST_TEST(loaded->spec().layers[1].activation.settings().at(0).second == 0.05);
  BOOST_TEST(same_bits(parameters_of(model), parameters_of(*loaded)));
  const Matrix expected = predict_probabilities(model, data.X);
  const Matrix got = predict_probabilities(*loaded, data.X);
  BOOST_TEST(same_bits({expected}, {got}));
}

BOOST_AUTO_TEST_CASE(a_damaged_or_foreign_checkpoint_is_refused_whole) {
  Scratch scratch;
  const Dataset data = circles(200);
  Model model(small_spec());
  Adam adam;
  Trainer trainer(model, adam, data, run_options(true, false));
  trainer.run(2);
  const fs::path file = scratch.dir / "run.npz";
  save_checkpoint(file, trainer);

  // Truncated.
  const std::uintmax_t size = fs::file_size(file);
  const fs::path cut = scratch.dir / "cut.npz";
  fs::copy_file(file, cut);
  fs::resize_file(cut, size / 2);
  expect_file_error([&] { load_checkpoint(cut); }, cut, {"truncated"});
  // A parameters file is not a checkpoint.
  const fs::path params = scratch.dir / "params.npz";
  save_parameters(params, model);
  expect_file_error([&] { load_checkpoint(params); }, params, {"not a checkpoint"});
  // Another architecture's parameters under this description.
  auto arrays = load_npz(file);
  for (auto& [name, array] : arrays) {
    if (name == "parameter.fc2.W") array = Matrix({5, 8});
  }
  const fs::path foreign = scratch.dir / "foreign.npz";
  save_npz(foreign, arrays);
  expect_file_error([&] { load_checkpoint(foreign); }, foreign, {"fc2.W is 5x8", "the model has 4x8"});
  // A broken description.
  arrays = load_npz(file);
  arrays[0].second(0, 3) = 7.0;
  const fs::path broken = scratch.dir / "broken.npz";
  save_npz(broken, arrays);
  expect_file_error([&] { load_checkpoint(broken); }, broken, {"damaged checkpoint description"});
  // The optimizer state of another optimizer is refused before anything changes.
  Momentum momentum;
  expect_error([&] { resume(load_checkpoint(file), data, run_options(true, false), std::make_unique<Momentum>()); },
               {"optimizer is adam", "momentum"});
}

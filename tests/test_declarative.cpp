// Declarative models of any nodes: a user's node class, defined here and not in lib/, in a
// declared model, trained with Adam on mini-batches under the non-finite guard and checked
// with check_graph; the built-in activations and losses in whole-model checks; a multi-class
// model reaching a stated accuracy; the spec's errors.
#define BOOST_TEST_MODULE declarative
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numbers>
#include <string>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>
#include <xgrad/train/non_finite.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;

namespace {

// --- README example begins ---
// softplus(x) = log(1 + exp(x)), element-wise; its derivative is sigmoid(x).
class Softplus final : public Node {
 public:
  Softplus(std::string name, Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "softplus"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double v = x.data()[k];
      value_.data()[k] = std::max(v, 0.0) + std::log1p(std::exp(-std::abs(v)));
    }
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < x.value().size(); ++k) {
      x.grad().data()[k] += grad_.data()[k] * sigmoid(x.value().data()[k]);
    }
  }
};
// --- README example ends ---

// A user's node with a parameter of its own: a learnable slope per unit for x < 0 (PReLU).
class Prelu final : public Node {
 public:
  Prelu(std::string name, Node& x, Parameter& slope) : Node(std::move(name), {&x}, x.rows()), slope_(slope) {}
  std::string_view kind() const override { return "prelu"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t i = 0; i < x.shape(0); ++i) {
      for (std::size_t j = 0; j < x.shape(1); ++j) value_(i, j) = x(i, j) > 0 ? x(i, j) : slope_.value(i, 0) * x(i, j);
    }
  }
  void backward() override {
    Node& x = *inputs()[0];
    for (std::size_t i = 0; i < x.rows(); ++i) {
      for (std::size_t j = 0; j < x.value().shape(1); ++j) {
        const double xv = x.value()(i, j);
        if (xv <= 0) slope_.grad(i, 0) += grad_(i, j) * xv;
        if (x.requires_grad()) x.grad()(i, j) += xv > 0 ? grad_(i, j) : slope_.value(i, 0) * grad_(i, j);
      }
    }
  }
  std::vector<Parameter*> parameters() const override { return {&slope_}; }
  std::vector<Kink> kinks() const override { return {{0, 0.0}}; }

 private:
  Parameter& slope_;
};

// The Activation of a PReLU layer: its factory makes the slope parameter ("prelu1.slope").
Activation prelu() {
  return Activation("prelu", [](Graph& g, std::string name, Node& input) -> Node& {
    Parameter& slope = g.parameter(name + ".slope", xt::ones<double>({input.rows(), std::size_t{1}}) * 0.25);
    return g.add<Prelu>(std::move(name), input, slope);
  });
}

// CS231n's spiral: k arms of n points, class c along r in [0, 1], angle 4c .. 4(c + 1) plus
// 0.2 randn noise; X (2, k n), Y (1, k n) of class indices. No straight line separates it.
Dataset spiral(std::size_t n, std::size_t k, std::uint64_t seed) {
  RandomState rng(seed);
  Dataset d{Matrix({2, n * k}), Matrix({1, n * k})};
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      const double r = static_cast<double>(i) / static_cast<double>(n - 1);
      const double t = 4.0 * static_cast<double>(c) + 4.0 * r + 0.2 * rng.standard_normal();
      d.X(0, c * n + i) = r * std::sin(t);
      d.X(1, c * n + i) = r * std::cos(t);
      d.Y(0, c * n + i) = static_cast<double>(c);
    }
  }
  return d;
}

ModelSpec spiral_spec() {
  ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{32, Activation::of<Softplus>("softplus")},  // the user's node: one line
                 {16, prelu()},                                 // a user's node with a parameter
                 {3, Activation::identity()}};
  spec.loss = Loss::softmax_cross_entropy;
  spec.labels = LabelLayout::class_index;
  spec.init = Initializer{InitKind::he, 1, 1.0};
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(users_nodes_in_a_declared_model_train_with_adam_on_mini_batches_and_check) {
  const Dataset train_set = spiral(100, 3, 0);
  Model model(spiral_spec());
  BOOST_TEST(model.graph().find("softplus1")->kind() == "softplus");
  BOOST_TEST(model.graph().find("prelu2")->kind() == "prelu");
  BOOST_TEST(model.graph().find_parameter("prelu2.slope") != nullptr);
  BOOST_TEST(model.graph().find_parameter("fc3.W") != nullptr);
  BOOST_TEST(model.spec().describe() == "2-32-16-3, softplus,prelu, softmax_cross_entropy (class indices), he seed 1");

  TrainOptions options;
  options.learning_rate = 0.01;
  options.mini_batch_size = 32;
  options.epochs = 300;
  options.shuffle_seed = 11;
  options.record_every = 100;
  options.stop_on_non_finite = true;
  Adam adam;
  const TrainResult result = train(model, train_set, options, adam);
  BOOST_TEST(adam.t() == 300u * 10u);  // 10 batches per epoch (the last of 12 examples)
  BOOST_TEST_REQUIRE(result.costs.size() == 3u);
  BOOST_TEST(result.costs.front().cost > 0.9);  // about log 3 = 1.0986 before training
  // A linear classifier gets about a third to a half of a spiral right; the stated target:
  const double train_accuracy = accuracy(predict(model, train_set.X), train_set.Y);
  BOOST_TEST(train_accuracy >= 0.95, "training accuracy " << train_accuracy);
  const Dataset test_set = spiral(50, 3, 1);
  const double test_accuracy = accuracy(predict(model, test_set.X), test_set.Y);
  BOOST_TEST(test_accuracy >= 0.9, "test accuracy " << test_accuracy);
  BOOST_TEST_MESSAGE("spiral: cost " << result.costs.front().cost << " -> " << result.final_cost << ", train accuracy "
                                     << train_accuracy << ", test accuracy " << test_accuracy);

  model.feed(train_set.X, train_set.Y);
  const CheckReport report = check_graph(model.graph());
  BOOST_TEST(report.passed(), report.to_string());
  const CheckReport nodes = check_nodes(model.graph());
  BOOST_TEST(nodes.passed(), nodes.to_string());
}

BOOST_AUTO_TEST_CASE(the_guard_names_the_node_that_went_non_finite_in_a_declared_model) {
  const Dataset train_set = spiral(20, 3, 0);
  Model model(spiral_spec());
  model.graph().find_parameter("fc2.W")->value(3, 5) = std::nan("");
  TrainOptions options;
  options.mini_batch_size = 16;
  options.epochs = 2;
  options.stop_on_non_finite = true;
  Adam adam;
  try {
    train(model, train_set, options, adam);
    BOOST_FAIL("expected RunError");
  } catch (const RunError& e) {
    BOOST_TEST(std::string(e.what()) ==
               "epoch 0, mini-batch 0: node 'fc2' (linear) produced nan at (3, 0); try a smaller learning rate");
  }
  const auto found = find_non_finite(model.graph());
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(found->name == "fc2");
}

BOOST_AUTO_TEST_CASE(every_builtin_activation_and_loss_checks_inside_a_whole_model) {
  RandomState rng(7);
  const Matrix X = rng.randn(3, 9);
  Matrix one_hot = xt::zeros<double>({4, 9});
  Matrix indices({1, 9});
  Matrix binary({4, 9});
  for (std::size_t j = 0; j < 9; ++j) {
    indices(0, j) = static_cast<double>(j % 4);
    one_hot(j % 4, j) = 1.0;
    for (std::size_t i = 0; i < 4; ++i) binary(i, j) = (i + j) % 2 == 0 ? 1.0 : 0.0;
  }
  struct Case {
    Loss loss;
    LabelLayout labels;
    const Matrix* Y;
    Activation output;
  };
  const std::vector<Case> cases{
      {Loss::sigmoid_cross_entropy, LabelLayout::one_row_per_output, &binary, Activation::sigmoid()},
      {Loss::softmax_cross_entropy, LabelLayout::one_row_per_output, &one_hot, Activation::softmax()},
      {Loss::softmax_cross_entropy, LabelLayout::class_index, &indices, Activation::identity()},
      {Loss::mean_squared_error, LabelLayout::one_row_per_output, &binary, Activation::sigmoid()},
      {Loss::mean_squared_error, LabelLayout::one_row_per_output, &one_hot, Activation::softmax()},
      {Loss::mean_squared_error, LabelLayout::one_row_per_output, &binary, Activation::identity()},
  };
  for (const Case& c : cases) {
    ModelSpec spec;
    spec.inputs = 3;
    spec.layers = {{5, Activation::tanh(), 0.8}, {6, Activation::leaky_relu(0.1)}, {5, Activation::sigmoid()},
                   {4, c.output}};
    spec.input_keep_prob = 0.9;
    spec.lambda = 0.3;
    spec.l2_parameters = {"fc1.W", "fc3.W"};
    spec.loss = c.loss;
    spec.labels = c.labels;
    spec.init = Initializer{InitKind::xavier, 2, 1.0};
    Model model(spec);
    BOOST_TEST_CONTEXT(spec.describe()) {
      BOOST_TEST(model.weights().size() == 2u);
      BOOST_TEST(model.graph().find("dropout0") != nullptr);
      model.feed(X, *c.Y);
      const CheckReport whole = check_graph(model.graph());
      BOOST_TEST(whole.passed(), whole.to_string());
      const CheckReport nodes = check_nodes(model.graph());
      BOOST_TEST(nodes.passed(), nodes.to_string());
    }
  }
}

BOOST_AUTO_TEST_CASE(momentum_with_decay_trains_a_regression_with_mean_squared_error) {
  // y = sin(pi x) on [-1, 1]: a tanh network fits it; the cost must fall 20-fold.
  RandomState rng(4);
  Dataset data{rng.uniform(-1.0, 1.0, 1, 200), Matrix({1, 200})};
  for (std::size_t j = 0; j < 200; ++j) data.Y(0, j) = std::sin(std::numbers::pi * data.X(0, j));
  ModelSpec spec;
  spec.inputs = 1;
  spec.layers = {{20, Activation::tanh()}, {1, Activation::identity()}};
  spec.loss = Loss::mean_squared_error;
  spec.init = Initializer{InitKind::xavier, 3, 1.0};
  Model model(spec);
  TrainOptions options;
  options.learning_rate = 0.1;
  options.mini_batch_size = 20;
  options.epochs = 400;
  options.record_every = 399;
  options.decay = {0.001, 1};
  Momentum momentum(0.9);
  const TrainResult result = train(model, data, options, momentum);
  BOOST_TEST_REQUIRE(result.costs.size() == 2u);
  BOOST_TEST(result.costs.back().cost < result.costs.front().cost / 20.0,
             result.costs.front().cost << " -> " << result.costs.back().cost);
  BOOST_TEST_MESSAGE("sin fit: cost " << result.costs.front().cost << " -> " << result.costs.back().cost);
  const Matrix fitted = predict(model, Matrix{{0.5}});
  BOOST_TEST(std::abs(fitted(0, 0) - 1.0) < 0.1, fitted(0, 0));
  BOOST_TEST(predict_output(model.graph(), model.features(), Matrix{{0.5}}, "fc2")(0, 0) == fitted(0, 0));
}

BOOST_AUTO_TEST_CASE(spec_errors_are_named) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ModelSpec spec = spiral_spec();
  spec.layers.back().units = 1;
  BOOST_TEST(message([&] { spec.validate(); }).find("softmax_cross_entropy needs at least 2 outputs") != std::string::npos);
  spec = spiral_spec();
  spec.loss = Loss::mean_squared_error;
  BOOST_TEST(message([&] { spec.validate(); }) ==
             "model: class-index labels need the softmax_cross_entropy loss, not mean_squared_error");
  spec = spiral_spec();
  spec.lambda = 0.1;
  spec.l2_parameters = {"fc9.W"};
  BOOST_TEST(message([&] { Model m(spec); }) ==
             "model: L2 on 'fc9.W': no such parameter (the model has fc1.W, fc1.b, fc2.W, fc2.b, prelu2.slope, fc3.W, fc3.b)");
  spec = spiral_spec();
  spec.input_keep_prob = 0.0;
  BOOST_TEST(message([&] { spec.validate(); }) == "model: input_keep_prob must be in (0, 1], got 0");
  spec = spiral_spec();
  spec.layers[0].activation = Activation("widen", [](Graph& g, std::string name, Node& in) -> Node& {
    Parameter& W = g.parameter(name + ".W", xt::ones<double>({std::size_t{2}, in.rows()}));
    Parameter& b = g.parameter(name + ".b", xt::zeros<double>({std::size_t{2}, std::size_t{1}}));
    return g.add<Linear>(std::move(name), in, W, b);
  });
  BOOST_TEST(message([&] { Model m(spec); }) == "model: layer 1: activation 'widen1' has 2 rows but the layer has 32 units");
  BOOST_TEST(message([] { parse_activation("swish"); }).find("unknown activation 'swish'") != std::string::npos);
  BOOST_TEST(message([] { parse_loss("hinge"); }).find("unknown loss 'hinge'") != std::string::npos);
  BOOST_TEST(message([] { Activation("bad kind", nullptr); }).find("non-empty word") != std::string::npos);
  // data that does not suit the model
  Model model(spiral_spec());
  const Dataset bad{Matrix{{0.0, 1.0}, {0.0, 1.0}}, Matrix{{0.0, 3.0}}};
  BOOST_TEST(message([&] { model.validate_data(bad, "spiral.csv"); }) == "spiral.csv: label Y(0, 1) = 3 is not a class index 0..2 (example 1)");
  BOOST_TEST(message([&] { model.output(); }).find("use predictions()") != std::string::npos);
}

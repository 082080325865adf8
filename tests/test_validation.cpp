// Every public API boundary rejects bad input with an InputError whose message names the
// thing at fault and the numbers involved; training stops at the first NaN/inf when asked.
#define BOOST_TEST_MODULE validation
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "expect_error.hpp"
#include <xgrad/numpy/circles.hpp>
#include <xgrad/core/dataset.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/train/init.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/core/parameter.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/train/train.hpp>

#include "child_process.hpp"

using namespace xgrad;
using xgrad::testing::expect_error;

namespace {

constexpr double a_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double an_inf = std::numeric_limits<double>::infinity();

Dataset dataset(std::size_t features, std::size_t examples) {
  Dataset d{xt::zeros<double>({features, examples}), xt::zeros<double>({std::size_t{1}, examples})};
  for (std::size_t j = 0; j < examples; ++j) d.Y(0, j) = static_cast<double>(j % 2);
  return d;
}

ModelSpec spec(const std::vector<std::size_t>& dims, double lambda = 0.0, double keep_prob = 1.0) {
  return make_spec(dims, Initializer{InitKind::he, 3, 10.0}, lambda, keep_prob);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validation)

// ---- shapes ----

BOOST_AUTO_TEST_CASE(linear_weight_that_does_not_fit_its_input) {
  Graph g;
  Input& x = g.input("X", 10);
  Parameter& W = g.parameter("fc2.W", Matrix({3, 20}));
  Parameter& b = g.parameter("fc2.b", Matrix({3, 1}));
  expect_error([&] { g.add<Linear>("fc2", x, W, b); }, {"fc2: W is 3x20", "input 'X' has 10 rows"});
}

BOOST_AUTO_TEST_CASE(linear_bias_of_the_wrong_shape) {
  Graph g;
  Input& x = g.input("X", 20);
  Parameter& W = g.parameter("fc1.W", Matrix({3, 20}));
  Parameter& b = g.parameter("fc1.b", Matrix({4, 1}));
  expect_error([&] { g.add<Linear>("fc1", x, W, b); }, {"fc1: b is 4x1", "W is 3x20", "must be 3x1"});
}

BOOST_AUTO_TEST_CASE(gemm_of_shapes_that_do_not_multiply) {
  Matrix c({2, 2});
  expect_error([&] { gemm(Matrix({2, 3}), Transpose::no, Matrix({4, 2}), Transpose::no, c); },
               {"gemm", "2x3", "4x2", "2x2"});
}

BOOST_AUTO_TEST_CASE(input_fed_the_wrong_shape) {
  Graph g;
  Input& x = g.input("X", 2);
  g.resize(5);
  expect_error([&] { x.feed(Matrix({3, 5})); }, {"X: fed 3x5", "expects 2x5"});
}

BOOST_AUTO_TEST_CASE(losses_with_labels_of_another_height) {
  Graph g;
  Input& z = g.input("z", 2);
  Input& y = g.input("y", 1);
  expect_error([&] { g.add<SigmoidCrossEntropy>("cost", z, y); }, {"cost", "labels 'y'", "1"});
}

BOOST_AUTO_TEST_CASE(add_of_terms_of_different_shapes) {
  Graph g;
  Input& a = g.input("a", 1);
  Input& b = g.input("b", 3);
  expect_error([&] { g.add<Add>("sum", std::vector<Node*>{&a, &b}); }, {"sum", "'b' has 3 rows", "'a' has 1"});
  Input& y = g.input("y", 1);
  Node& cost = g.add<SigmoidCrossEntropy>("cost", a, y);
  expect_error([&] { g.add<Add>("sum2", std::vector<Node*>{&cost, &a}); },
               {"sum2", "'a' has one column per example", "'cost' has 1 column"});
  expect_error([&] { g.add<Add>("sum3", std::vector<Node*>{}); }, {"sum3", "at least one input"});
}

BOOST_AUTO_TEST_CASE(duplicate_names_and_foreign_nodes) {
  Graph g, other;
  g.input("X", 2);
  expect_error([&] { g.input("X", 3); }, {"'X' exists already"});
  g.parameter("fc1.W", Matrix({1, 2}));
  expect_error([&] { g.parameter("fc1.W", Matrix({1, 2})); }, {"'fc1.W' exists already"});
  Input& foreign = other.input("Z", 1);
  expect_error([&] { g.add<Relu>("relu1", foreign); }, {"relu1", "'Z'", "not an earlier node of this graph"});
}

BOOST_AUTO_TEST_CASE(unflatten_with_the_wrong_count) {
  Graph g;
  g.parameter("W", Matrix({2, 3}));
  const std::vector<double> flat(5);
  expect_error([&] { unflatten_values(flat, g.parameters()); }, {"5 entries", "have 6"});
}

BOOST_AUTO_TEST_CASE(accuracy_of_mismatched_or_empty_labels) {
  expect_error([] { accuracy(Matrix({1, 3}), Matrix({1, 4})); }, {"accuracy", "1x3", "1x4"});
  expect_error([] { accuracy(Matrix({1, 0}), Matrix({1, 0})); }, {"accuracy", "no examples"});
}

// ---- data ----

BOOST_AUTO_TEST_CASE(x_and_y_with_different_column_counts) {
  Dataset d = dataset(2, 5);
  d.Y = xt::zeros<double>({1, 4});
  expect_error([&] { validate_dataset(d, "training set"); },
               {"training set", "X has 5 examples", "Y has 4 labels", "2x5", "1x4"});
}

BOOST_AUTO_TEST_CASE(empty_data) {
  expect_error([] { validate_dataset(dataset(2, 0), "test set"); }, {"test set", "no examples", "2x0"});
  expect_error([] { validate_dataset(dataset(0, 4), "test set"); }, {"test set", "no features", "0x4"});
}

BOOST_AUTO_TEST_CASE(labels_in_more_than_one_row) {
  Dataset d = dataset(2, 3);
  d.Y = xt::zeros<double>({2, 3});
  expect_error([&] { validate_dataset(d, "data.csv"); }, {"data.csv", "one row of labels", "2x3"});
}

BOOST_AUTO_TEST_CASE(nan_and_inf_in_the_data) {
  Dataset d = dataset(2, 5);
  d.X(1, 3) = a_nan;
  expect_error([&] { validate_dataset(d, "train.npy"); }, {"train.npy", "X(1, 3) is nan"});
  d = dataset(2, 5);
  d.X(0, 4) = -an_inf;
  expect_error([&] { validate_dataset(d, "train.npy"); }, {"X(0, 4) is -inf"});
  d = dataset(2, 5);
  d.Y(0, 2) = an_inf;
  expect_error([&] { validate_dataset(d, "labels"); }, {"labels", "Y(0, 2) is inf"});
}

BOOST_AUTO_TEST_CASE(labels_that_are_not_0_or_1) {
  Dataset d = dataset(2, 5);
  d.Y(0, 2) = 2.0;
  expect_error([&] { validate_dataset(d, "football.mat"); }, {"football.mat", "Y(0, 2) = 2", "not 0 or 1", "example 2"});
  d.Y(0, 2) = 0.5;
  expect_error([&] { validate_dataset(d, "football.mat"); }, {"Y(0, 2) = 0.5"});
  d.Y(0, 2) = -1.0;
  expect_error([&] { validate_dataset(d, "football.mat"); }, {"Y(0, 2) = -1"});
}

BOOST_AUTO_TEST_CASE(train_validates_its_data) {
  Model model(spec({2, 3, 1}));
  Dataset d = dataset(2, 4);
  d.Y(0, 1) = 3.0;
  expect_error([&] { train(model, d, TrainOptions{}); }, {"training set", "Y(0, 1) = 3"});
}

BOOST_AUTO_TEST_CASE(feeding_a_model_data_of_the_wrong_shape) {
  Model model(spec({2, 3, 1}));
  expect_error([&] { model.feed(Matrix({3, 4}), Matrix({1, 4})); }, {"X has 3 rows", "model takes 2"});
  expect_error([&] { model.feed(Matrix({2, 4}), Matrix({1, 5})); }, {"Y is 1x5", "X is 2x4", "must be 1x4"});
  expect_error([&] { model.feed(Matrix({2, 0}), Matrix({1, 0})); }, {"no examples"});
  expect_error([&] { predict(model, Matrix({5, 4})); }, {"X has 5 rows", "model takes 2"});
}

BOOST_AUTO_TEST_CASE(predicting_on_nan) {
  Model model(spec({2, 3, 1}));
  Matrix X = xt::zeros<double>({2, 4});
  X(1, 2) = a_nan;
  expect_error([&] { predict(model, X); }, {"predict", "X(1, 2) is nan"});
}

BOOST_AUTO_TEST_CASE(make_circles_parameters) {
  RandomState rng(1);
  expect_error([&] { make_circles(1, 0.05, rng); }, {"n_samples is 1", "at least 2"});
  expect_error([&] { make_circles(10, -0.5, rng); }, {"noise is -0.5"});
  expect_error([&] { make_circles(10, an_inf, rng); }, {"noise is inf", "finite"});
  expect_error([&] { make_circles(10, a_nan, rng); }, {"noise is nan"});
  expect_error([&] { make_circles(10, 0.05, rng, 1.5); }, {"factor is 1.5", "[0, 1)"});
}

// ---- layer specs ----

BOOST_AUTO_TEST_CASE(empty_layer_list) {
  ModelSpec s;
  s.inputs = 2;
  expect_error([&] { s.validate(); }, {"layer list is empty"});
  expect_error([] { parse_layer_sizes(""); }, {"layers", "empty"});
  expect_error([] { make_spec({2}, Initializer{}); }, {"at least one layer"});
}

BOOST_AUTO_TEST_CASE(layer_of_zero_width) {
  ModelSpec s = spec({2, 20, 3, 1});
  s.layers[1].units = 0;
  expect_error([&] { s.validate(); }, {"layer 2 has zero width"});
  s = spec({2, 3, 1});
  s.inputs = 0;
  expect_error([&] { s.validate(); }, {"input width is zero"});
  expect_error([] { parse_layer_sizes("20,0,1"); }, {"'20,0,1'", "zero width"});
  expect_error([] { initialize({2, 0, 1}, Initializer{}); }, {"layer 1 has zero width"});
}

BOOST_AUTO_TEST_CASE(layer_sizes_that_are_not_whole_numbers) {
  for (const std::string text : {"20,,1", "20,3,", ",1", "20,x,1", "-5", "2.5", " 3", "3 ", "1e3",
                                 "99999999999999999999999"}) {
    BOOST_TEST_CONTEXT("layers '" << text << "'") {
      expect_error([&] { parse_layer_sizes(text); }, {"layers '" + text + "'", "not a whole number"});
    }
  }
  BOOST_TEST(parse_layer_sizes("20,3,1") == (std::vector<std::size_t>{20, 3, 1}));
}

BOOST_AUTO_TEST_CASE(layers_too_large_to_allocate) {
  const ModelSpec s = spec({2, 30000, 40000, 1});
  expect_error([&] { s.validate(); }, {"layer 2", "40000 units on 30000 inputs", "limit of 1073741824"});
  expect_error([&] { Model m(s); }, {"layer 2", "limit"});
  const ModelSpec wrapping = spec({2, std::size_t{1} << 32, std::size_t{1} << 32, 1});
  expect_error([&] { wrapping.validate(); }, {"layer 1", "4294967296 units on 2 inputs"});
  const ModelSpec huge = spec({std::numeric_limits<std::size_t>::max(), 1});
  expect_error([&] { huge.validate(); }, {"layer 1", "limit"});
  expect_error([] { initialize({std::size_t{1} << 40, std::size_t{1} << 40}, Initializer{}); },
               {"initialize: layer 1 is too large"});
}

BOOST_AUTO_TEST_CASE(keep_prob_outside_zero_one) {
  for (const auto& [p, text] : std::vector<std::pair<double, std::string>>{
           {0.0, "got 0"}, {-0.1, "got -0.1"}, {1.5, "got 1.5"}, {a_nan, "got nan"}}) {
    BOOST_TEST_CONTEXT("keep_prob " << p) {
      const ModelSpec s = spec({2, 3, 1}, 0.0, p);
      expect_error([&] { s.validate(); }, {"layer 1", "keep_prob must be in (0, 1]", text});
    }
  }
  ModelSpec s = spec({2, 3, 1});
  s.layers[1].keep_prob = 0.5;
  expect_error([&] { s.validate(); }, {"layer 2 is the output layer", "no dropout"});
  Graph g;
  Input& x = g.input("X", 2);
  RandomStream& stream = g.random_stream(1, MaskPolicy::replay);
  expect_error([&] { g.add<Dropout>("dropout1", x, 1.5, stream); }, {"dropout1", "keep_prob", "1.5"});
}

BOOST_AUTO_TEST_CASE(negative_or_infinite_lambda) {
  expect_error([] { spec({2, 3, 1}, -0.1).validate(); }, {"lambda", ">= 0", "got -0.1"});
  expect_error([] { spec({2, 3, 1}, an_inf).validate(); }, {"lambda", "got inf"});
  expect_error([] { spec({2, 3, 1}, a_nan).validate(); }, {"lambda", "got nan"});
  expect_error([] { L2Penalty("l2", {}, -1.0); }, {"l2", "lambda", "-1"});
}

BOOST_AUTO_TEST_CASE(unknown_initializer) {
  expect_error([] { parse_init_kind("glorot"); }, {"'glorot'", "zeros, random, he or xavier"});
}

// ---- training options ----

BOOST_AUTO_TEST_CASE(learning_rate_not_positive) {
  for (const auto& [rate, text] : std::vector<std::pair<double, std::string>>{
           {0.0, "got 0"}, {-0.01, "got -0.01"}, {a_nan, "got nan"}, {an_inf, "got inf"}}) {
    BOOST_TEST_CONTEXT("learning rate " << rate) {
      TrainOptions o;
      o.learning_rate = rate;
      expect_error([&] { o.validate(); }, {"learning rate", "> 0", text});
    }
  }
  Graph g;
  expect_error([&] { sgd_step(g.parameters(), -1.0); }, {"learning rate", "got -1"});
}

BOOST_AUTO_TEST_CASE(zero_iterations) {
  TrainOptions o;
  o.iterations = 0;
  expect_error([&] { o.validate(); }, {"iterations", "at least 1"});
  o = TrainOptions{};
  o.record_every = 0;
  expect_error([&] { o.validate(); }, {"recording interval", "at least 1"});
  Model model(spec({2, 3, 1}));
  o = TrainOptions{};
  o.iterations = 0;
  expect_error([&] { train(model, dataset(2, 4), o); }, {"iterations"});
}

// ---- gradient checking ----

BOOST_AUTO_TEST_CASE(gradient_check_step_not_positive) {
  const Blocks theta = {{"W", Matrix({1, 1})}};
  auto J = [](const Blocks& p) { return p[0].value(0, 0); };
  auto dJ = [](const Blocks&) { return Blocks{{"dW", Matrix{{1.0}}}}; };
  for (const double step : {0.0, -1e-7, a_nan, an_inf}) {
    BOOST_TEST_CONTEXT("step " << step) {
      CheckOptions o;
      o.step = step;
      expect_error([&] { o.validate(); }, {"step (epsilon)", "> 0", "got"});
      expect_error([&] { check_function(theta, J, dJ, o); }, {"step (epsilon)"});
    }
  }
  Graph g;
  Input& x = g.input("X", 2);
  Node& r = g.add<Relu>("relu1", x);
  CheckOptions o;
  o.step = 0.0;
  expect_error([&] { check_node(r, o); }, {"step (epsilon)", "got 0"});
}

BOOST_AUTO_TEST_CASE(gradient_check_tolerances_and_batch) {
  CheckOptions o;
  o.rtol = -1.0;
  expect_error([&] { o.validate(); }, {"rtol", "got -1"});
  o = CheckOptions{};
  o.atol = a_nan;
  expect_error([&] { o.validate(); }, {"atol", "got nan"});
  o = CheckOptions{};
  o.threshold = -1e-7;
  expect_error([&] { o.validate(); }, {"threshold", "got -1e-07"});
  o = CheckOptions{};
  o.batch = 0;
  expect_error([&] { o.validate(); }, {"batch", "at least 1"});
  BOOST_CHECK_NO_THROW(CheckOptions{}.validate());
  BOOST_CHECK_NO_THROW(CheckOptions::course().validate());
}

BOOST_AUTO_TEST_CASE(gradient_check_needs_data_and_matching_blocks) {
  Model model(spec({2, 3, 1}));
  expect_error([&] { check_graph(model.graph()); }, {"check_graph", "no data"});
  expect_error([&] { check_nodes(model.graph()); }, {"check_nodes", "no data"});
  const Blocks theta = {{"W", Matrix({2, 2})}};
  auto J = [](const Blocks&) { return 0.0; };
  expect_error([&] { check_function(theta, J, [](const Blocks&) { return Blocks{{"dW", Matrix({2, 3})}}; }); },
               {"gradient block 0", "2x3", "'W' is 2x2"});
  expect_error([&] { check_function(theta, J, [](const Blocks&) { return Blocks{}; }); },
               {"0 blocks", "theta has 1"});
}

BOOST_AUTO_TEST_CASE(a_gradient_check_of_nothing_or_of_nan_never_passes) {
  const Blocks none;
  const CheckReport empty = check_function(none, [](const Blocks&) { return 0.0; }, [](const Blocks&) { return Blocks{}; });
  BOOST_TEST(!empty.passed());
  BOOST_TEST(empty.unjudgeable().find("nothing was checked") != std::string::npos, empty.unjudgeable());
  BOOST_TEST(empty.to_string().find("not passed: nothing was checked") != std::string::npos, empty.to_string());

  // A cost that is NaN everywhere: every numeric derivative is NaN.
  const Blocks theta = {{"W", Matrix({1, 2})}};
  const CheckReport nan_cost = check_function(
      theta, [](const Blocks&) { return a_nan; }, [](const Blocks&) { return Blocks{{"dW", Matrix({1, 2})}}; });
  BOOST_TEST(!nan_cost.passed());
  BOOST_TEST(nan_cost.unjudgeable().find("not finite") != std::string::npos, nan_cost.unjudgeable());
  BOOST_TEST(nan_cost.to_string().starts_with("gradient check FAILED"), nan_cost.to_string());
  // A NaN analytic gradient against a finite cost.
  const CheckReport nan_gradient = check_function(
      theta, [](const Blocks& t) { return t[0].value(0, 0) + t[0].value(0, 1); },
      [](const Blocks&) { return Blocks{{"dW", Matrix{{a_nan, 1.0}}}}; });
  BOOST_TEST(!nan_gradient.passed());
  BOOST_TEST(nan_gradient.unjudgeable().find("analytic W entry (0, 0) is nan") != std::string::npos,
             nan_gradient.unjudgeable());
}

// ---- parameters, sizes and memory ----

BOOST_AUTO_TEST_CASE(a_parameter_replaced_by_another_shape_is_caught_naming_it) {
  RandomState rng(1);
  const Dataset data = make_circles(20, 0.05, rng);
  Model model(spec({2, 3, 1}));
  model.feed(data.X, data.Y);
  Parameter* b = model.graph().find_parameter("fc1.b");
  BOOST_TEST_REQUIRE(b != nullptr);
  b->value = Matrix({1, 1});  // 3x1 at creation: forward would broadcast b(0, 0) to every row
  expect_error([&] { train_step(model, 0.1); }, {"parameter 'fc1.b' is 1x1 but was created 3x1", "fixed at creation"});

  Model other(spec({2, 3, 1}));
  other.feed(data.X, data.Y);
  Parameter* w = other.graph().find_parameter("fc1.W");
  w->value = xt::ones<double>({30, 20});  // larger than its gradient: the update would overrun it
  expect_error([&] { sgd_step(other.graph().parameters(), 0.1); }, {"gradient descent", "'fc1.W' is 30x20", "3x2"});
  GradientDescent gd;
  expect_error([&] { gd.step(other.graph().parameters(), 0.1); }, {"'fc1.W'"});
}

BOOST_AUTO_TEST_CASE(a_batch_too_large_to_address_is_refused_before_any_arithmetic) {
  Graph g;
  Input& x = g.input("x", 4);
  expect_error([&] { g.resize(std::size_t{1} << 62); }, {"node 'x'", "4 rows x batch 4611686018427387904",
                                                          "exceed the addressable memory"});
  BOOST_TEST(g.batch() == 0u);
  g.feed(x, Matrix({4, 2}));  // still usable
  BOOST_TEST(g.batch() == 2u);
}

BOOST_AUTO_TEST_CASE(memory_that_cannot_be_had_is_a_memory_error_naming_the_size) {
  // 2^41 bytes (2 TiB) for one buffer: addressable, but no machine running this test has it,
  // and the child's address space is capped besides. (AddressSanitizer aborts on sizes past
  // its own maximum instead of failing the allocation, so its build does not try.)
  if (xgrad::testing::address_sanitizer) return;
  const std::string outcome = xgrad::testing::in_child(
      [] {
        Graph g;
        g.input("x", 1);
        try {
          g.resize(std::size_t{1} << 38);
        } catch (const MemoryError& e) {
          return "MemoryError " + std::to_string(e.bytes()) + ": " + e.what();
        }
        return std::string("no error");
      },
      std::size_t{1} << 30);
  BOOST_TEST(outcome.starts_with("MemoryError 2199023255552: graph: node 'x' at batch 274877906944: out of memory: "
                                 "cannot allocate 2199023255552 bytes"),
             outcome);
}

namespace {

// x (1 row) -> fc1 (64 units) -> relu -> fc2 (1 unit) -> sigmoid cross-entropy with y: a
// graph that forward_backward runs in column tiles.
struct TileableGraph {
  Graph g;
  Input& x = g.input("x", 1);
  Input& y = g.input("y", 1);
  TileableGraph() {
    auto& relu = g.add<Relu>("relu", g.add<Linear>("fc1", x, g.parameter("fc1.W", xt::ones<double>({64, 1})),
                                                   g.parameter("fc1.b", xt::zeros<double>({64, 1}))));
    auto& out = g.add<Linear>("fc2", relu, g.parameter("fc2.W", xt::ones<double>({1, 64})),
                              g.parameter("fc2.b", xt::zeros<double>({1, 1})));
    g.set_loss(g.add<SigmoidCrossEntropy>("ce", out, y));
  }
  // Feeds `m` examples (x = 0, labels 0 and 1 in turn) and runs one training pass.
  std::string small_pass(std::size_t m) {
    Matrix labels({std::size_t{1}, m});
    for (std::size_t j = 0; j < m; ++j) labels(0, j) = static_cast<double>(j % 2);
    g.feed(x, xt::zeros<double>({std::size_t{1}, m}));
    g.feed(y, labels);
    return std::to_string(g.forward_backward());
  }
};

}  // namespace

// The tiles' own buffers go through the same checks: the whole batch an input keeps while
// tiles run, and the hidden nodes' whole-batch size when forward() needs it after a tiled
// pass. A failure names the node and the bytes and leaves a graph that works once fed again.
BOOST_AUTO_TEST_CASE(memory_errors_in_tiled_sizing_name_the_node_and_leave_a_usable_graph) {
  if (xgrad::testing::address_sanitizer) return;  // see above: the limit is not set under ASan
  const std::string whole_input = xgrad::testing::in_child(
      [] {
        TileableGraph t;
        if (!t.g.tileable()) return std::string("not tileable");
        std::string said;
        try {
          t.g.resize(std::size_t{1} << 38);  // tiles are small; x's whole batch is 2 TiB
        } catch (const MemoryError& e) {
          said = e.what();
        }
        said += " | batch " + std::to_string(t.g.batch());
        return said + " | loss " + t.small_pass(10);
      },
      std::size_t{1} << 30);
  // The loss of 10 examples at x = 0: every output is 0, sigmoid 1/2, so the cost is log 2.
  BOOST_TEST(whole_input.starts_with("graph: input 'x' at batch 274877906944: out of memory: cannot allocate "
                                     "2199023255552 bytes (2097152 MiB) | batch 0 | loss " +
                                     std::to_string(std::log(2.0))),
             whole_input);

  const std::string whole_hidden = xgrad::testing::in_child(
      [] {
        TileableGraph t;
        const std::size_t m = std::size_t{1} << 20;  // fc1's whole batch: 64 x 2^20 doubles, 512 MiB
        const std::string tiled_loss = t.small_pass(m);  // in tiles: fits
        std::string said;
        try {
          t.g.forward(Mode::eval);  // needs fc1 whole
        } catch (const MemoryError& e) {
          said = e.what();
        }
        std::string again;
        try {
          t.g.forward(Mode::eval);
        } catch (const InputError& e) {
          again = e.what();
        }
        said += " | batch " + std::to_string(t.g.batch()) + " | x " + std::to_string(t.x.value().shape(1));
        return "tiled " + tiled_loss + " | " + said + " | " + again + " | loss " + t.small_pass(10);
      },
      std::size_t{256} << 20);
  BOOST_TEST(whole_hidden == "tiled " + std::to_string(std::log(2.0)) +
                                 " | graph: node 'fc1' at batch 1048576: out of memory: cannot allocate 536870912 "
                                 "bytes (512 MiB) | batch 0 | x 1048576 | graph: no data fed yet (call feed or "
                                 "resize first) | loss " + std::to_string(std::log(2.0)),
             whole_hidden);
}

// ---- the non-finite guard ----

// L2 with a huge learning rate multiplies every weight by (1 - rate * lambda / m) each step,
// here about -3000: the weights overflow within a few hundred steps whatever the ReLUs do.
BOOST_AUTO_TEST_CASE(huge_learning_rate_stops_with_the_iteration_and_the_node) {
  RandomState rng(1);
  const Dataset data = make_circles(300, 0.05, rng);
  Model model(spec({2, 5, 2, 1}, 0.9));
  TrainOptions o;
  o.learning_rate = 1e6;
  o.iterations = 2000;
  o.stop_on_non_finite = true;
  try {
    train(model, data, o);
    BOOST_ERROR("training with learning rate 1e6 did not stop");
  } catch (const RunError& e) {
    const std::string message = e.what();
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(message.rfind("iteration ", 0) == 0, message);
    const std::size_t iteration = std::stoul(message.substr(10));
    BOOST_TEST(iteration < o.iterations, message);
    BOOST_TEST(iteration > 0u, message);
    BOOST_TEST((message.find("node '") != std::string::npos || message.find("parameter ") != std::string::npos),
               message);
    BOOST_TEST((message.find("nan") != std::string::npos || message.find("inf") != std::string::npos), message);
    BOOST_TEST(message.find("smaller learning rate") != std::string::npos, message);
  }
}

BOOST_AUTO_TEST_CASE(without_the_guard_training_runs_to_the_end) {
  RandomState rng(1);
  const Dataset data = make_circles(300, 0.05, rng);
  Model model(spec({2, 5, 2, 1}, 0.9));
  TrainOptions o;
  o.learning_rate = 1e6;
  o.iterations = 2000;
  o.record_every = 100;
  const TrainResult result = train(model, data, o);
  BOOST_TEST(!std::isfinite(result.final_cost));
  BOOST_TEST(result.costs.size() == 20u);
}

BOOST_AUTO_TEST_CASE(the_guard_stays_quiet_on_a_sane_run) {
  RandomState rng(1);
  const Dataset data = make_circles(300, 0.05, rng);
  Model model(spec({2, 5, 2, 1}));
  TrainOptions o;
  o.learning_rate = 0.01;
  o.iterations = 200;
  o.stop_on_non_finite = true;
  BOOST_CHECK_NO_THROW(train(model, data, o));
}

BOOST_AUTO_TEST_SUITE_END()

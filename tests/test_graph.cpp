// Graph mechanics: order, gradient accumulation, flattening, dropout policies, errors.
#define BOOST_TEST_MODULE graph
#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xview.hpp>

#include <xgrad/core/error.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/train.hpp>

#include "tile_graph.hpp"

using namespace xgrad;
using xgrad::testing::TileGraph;

BOOST_AUTO_TEST_CASE(a_weight_read_by_linear_and_l2_gets_both_contributions) {
  Graph g;
  RandomState rng(1);
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  auto& W = g.parameter("fc.W", rng.randn(1, 2));
  auto& b = g.parameter("fc.b", rng.randn(1, 1));
  auto& ce = g.add<SigmoidCrossEntropy>("ce", g.add<Linear>("fc", x, W, b), y);
  auto& l2 = g.add<L2Penalty>("l2", std::vector<Parameter*>{&W}, 0.5);
  g.set_loss(g.add<Add>("cost", std::vector<Node*>{&ce, &l2}));
  g.feed(x, rng.randn(2, 4));
  g.feed(y, Matrix{{1, 0, 1, 0}});
  g.forward(Mode::train);
  g.backward();
  const Matrix with_both = W.grad;
  // The cross-entropy part alone
  Graph h;
  auto& x2 = h.input("X", 2);
  auto& y2 = h.input("Y", 1);
  auto& W2 = h.parameter("fc.W", W.value);
  auto& b2 = h.parameter("fc.b", b.value);
  h.set_loss(h.add<SigmoidCrossEntropy>("ce", h.add<Linear>("fc", x2, W2, b2), y2));
  h.feed(x2, x.value());
  h.feed(y2, y.value());
  h.forward(Mode::train);
  h.backward();
  const Matrix expected = W2.grad + 0.5 * W.value / 4.0;
  BOOST_TEST(xt::allclose(with_both, expected, 1e-15, 1e-15));
  // backward twice gives the same gradients: Graph::backward zeroes before accumulating
  g.backward();
  BOOST_TEST((W.grad == with_both));
}

BOOST_AUTO_TEST_CASE(flatten_and_unflatten_follow_the_notes_order) {
  Model model(make_spec({2, 3, 1}, Initializer{InitKind::he, 3, 1.0}));
  const auto params = model.graph().parameters();
  BOOST_TEST_REQUIRE(params.size() == 4u);
  BOOST_TEST(params[0]->name == "fc1.W");
  BOOST_TEST(params[1]->name == "fc1.b");
  BOOST_TEST(params[2]->name == "fc2.W");
  BOOST_TEST(params[3]->name == "fc2.b");
  std::vector<double> flat = flatten_values(params);
  BOOST_TEST(flat.size() == parameter_count(params));
  BOOST_TEST(flat.size() == 6u + 3u + 3u + 1u);
  BOOST_TEST(flat[1] == params[0]->value(0, 1));  // row-major within a block
  BOOST_TEST(flat[6] == params[1]->value(0, 0));
  for (double& v : flat) v *= 2.0;
  unflatten_values(flat, params);
  BOOST_TEST(params[2]->value(0, 2) == flat[11]);
  flat.pop_back();
  BOOST_CHECK_THROW(unflatten_values(flat, params), InputError);
}

BOOST_AUTO_TEST_CASE(dropout_replay_repeats_masks_and_fresh_draws_new_ones) {
  for (MaskPolicy policy : {MaskPolicy::replay, MaskPolicy::fresh}) {
    Graph g;
    auto& x = g.input("x", 3);
    auto& d = g.add<Dropout>("d", x, 0.5, g.random_stream(1, policy));
    g.feed(x, xt::ones<double>({3, 8}));
    g.forward(Mode::train);
    const Matrix first = d.mask();
    g.forward(Mode::train);
    const bool same = first == d.mask();
    BOOST_TEST(same == (policy == MaskPolicy::replay));
    // The mask is numpy's rand(3, 8) < 0.5 after seed(1), and kept entries are scaled by 1/keep.
    RandomState rng(1);
    const Matrix expected = xt::cast<double>(rng.rand(3, 8) < 0.5);
    BOOST_TEST((first == expected));
    g.forward(Mode::eval);
    BOOST_TEST((d.value() == x.value()));
  }
}

BOOST_AUTO_TEST_CASE(a_model_spec_builds_the_named_graph) {
  ModelSpec spec = make_spec({2, 20, 3, 1}, Initializer{InitKind::xavier, 3, 1.0}, 0.7, 0.86);
  Model model(spec);
  std::vector<std::string> names;
  for (const Node* n : model.graph().nodes()) names.push_back(n->name());
  const std::vector<std::string> expected = {"X", "Y", "fc1", "relu1", "dropout1", "fc2", "relu2",
                                             "dropout2", "fc3", "cross_entropy", "l2", "cost"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  // A library user's default is fresh masks; the course's replay is asked for explicitly.
  BOOST_TEST(spec.describe() == "2-20-3-1, relu, xavier seed 3, L2 0.7, dropout keep 0.86 (fresh, seed 1)");
  spec.dropout_masks = MaskPolicy::replay;
  BOOST_TEST(spec.describe() == "2-20-3-1, relu, xavier seed 3, L2 0.7, dropout keep 0.86 (replay, seed 1)");
  BOOST_TEST(!model.graph().find("X")->requires_grad());
  BOOST_TEST(model.graph().find("relu1")->requires_grad());
}

BOOST_AUTO_TEST_CASE(bad_specs_and_misuse_are_named) {
  BOOST_CHECK_THROW(Model(ModelSpec{}), InputError);
  BOOST_CHECK_THROW(parse_layer_sizes(""), InputError);
  BOOST_CHECK_THROW(parse_layer_sizes("10,0,1"), InputError);
  BOOST_CHECK_THROW(parse_layer_sizes("10,x"), InputError);
  BOOST_TEST((parse_layer_sizes("10,5,1") == std::vector<std::size_t>{10, 5, 1}));
  BOOST_CHECK_THROW(Model(make_spec({2, 3, 1}, {}, -1.0)), InputError);
  BOOST_CHECK_THROW(Model(make_spec({2, 3, 1}, {}, 0.0, 0.0)), InputError);
  BOOST_CHECK_THROW(Model(make_spec({2, 3, 1}, {}, 0.0, 1.5)), InputError);
  Model model(make_spec({2, 3, 1}, {}));
  try {
    model.feed(xt::zeros<double>({3, 5}), xt::zeros<double>({1, 5}));
    BOOST_FAIL("expected InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("X has 3 rows") != std::string::npos, e.what());
  }
  BOOST_CHECK_THROW(model.feed(xt::zeros<double>({2, 5}), xt::zeros<double>({1, 4})), InputError);
  Graph g;
  auto& x = g.input("x", 2);
  BOOST_CHECK_THROW(g.forward(Mode::train), InputError);  // nothing fed
  BOOST_CHECK_THROW(g.set_loss(g.add<Relu>("r", x)), InputError);  // not scalar
  BOOST_CHECK_THROW(g.backward(), InputError);  // no loss
  BOOST_CHECK_THROW(g.parameter("p", Matrix({1, 1})); g.parameter("p", Matrix({1, 1})), InputError);
}

BOOST_AUTO_TEST_CASE(cost_lines_print_like_python) {
  BOOST_TEST(cost_line(1000, 0.6879825919728063) == "Cost after iteration 1000: 0.6879825919728063");
  BOOST_TEST(cost_line(50, 0.25, "epoch") == "Cost after epoch 50: 0.25");
  BOOST_TEST(format_double(0.5) == "0.5");
  BOOST_TEST(python_float_repr(2.0) == "2.0");
  BOOST_TEST(format_double(2.0) == "2");
  BOOST_TEST(format_double(1e-05) == "1e-05");
}

// Python's repr(float): shortest round-trip digits; fixed notation for decimal exponents
// -4 <= e < 16, else d.ddde+XX with at least two exponent digits. Each expected string is
// what CPython prints for the literal on its left.
BOOST_AUTO_TEST_CASE(python_float_repr_follows_pythons_rules) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<double, std::string>> cases = {
      {100000.0, "100000.0"},
      {0.0001, "0.0001"},
      {-0.0001, "-0.0001"},
      {0.00012, "0.00012"},
      {0.000123456789, "0.000123456789"},
      {9.9999e-05, "9.9999e-05"},
      {1e-05, "1e-05"},
      {-2.5e-05, "-2.5e-05"},
      {1.2345e-07, "1.2345e-07"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {12345678901234567.0, "1.2345678901234568e+16"},
      {1e22, "1e+22"},
      {1.5e300, "1.5e+300"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {2.0, "2.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {0.1, "0.1"},
      {123.456, "123.456"},
      {1.0 / 3.0, "0.3333333333333333"},
      {0.6931471805599453, "0.6931471805599453"},
      {inf, "inf"},
      {-inf, "-inf"},
      {std::numeric_limits<double>::quiet_NaN(), "nan"},
  };
  for (const auto& [value, python] : cases) BOOST_TEST(python_float_repr(value) == python);
}

BOOST_AUTO_TEST_CASE(predictions_switch_batch_sizes_and_back) {
  Model model(make_spec({2, 4, 1}, Initializer{InitKind::he, 1, 1.0}));
  RandomState rng(9);
  Dataset data{rng.randn(2, 30), xt::cast<double>(rng.rand(1, 30) < 0.5)};
  TrainOptions options;
  options.iterations = 50;
  options.learning_rate = 0.1;
  train(model, data, options);
  const Matrix p_small = predict(model, xt::eval(xt::view(data.X, xt::all(), xt::range(0, 5))));
  const Matrix p_all = predict(model, data.X);
  BOOST_TEST((p_small == xt::eval(xt::view(p_all, xt::all(), xt::range(0, 5)))));
  const double acc = accuracy(p_all, data.Y);
  BOOST_TEST(acc >= 0.0);
  BOOST_TEST(acc <= 1.0);
  BOOST_CHECK_THROW(accuracy(p_small, data.Y), InputError);
}

namespace {

struct Pass {
  double loss;
  std::vector<double> grads;
};

Pass whole_pass(Graph& g) {
  g.forward(Mode::train);
  const double loss = g.loss_value();
  g.backward();
  return {loss, flatten_grads(g.parameters())};
}

Pass tiled_pass(Graph& g, std::size_t columns, bool loss_wanted = true) {
  g.set_tile_columns(columns);
  const double loss = g.forward_backward(loss_wanted);
  return {loss, flatten_grads(g.parameters())};
}

}  // namespace

// Tiles of 8 columns over 53 examples (the last tile has 5): the loss shares and the
// parameter gradients add up to the whole batch's, up to the rounding of a different
// order of additions.
BOOST_AUTO_TEST_CASE(a_tiled_pass_gives_the_whole_batch_loss_and_gradients) {
  for (const std::string loss : {"sigmoid", "softmax", "mse"}) {
    TileGraph t(loss, 53);
    BOOST_TEST_REQUIRE(t.g.tileable(), loss);
    const Pass whole = whole_pass(t.g);
    const Pass tiled = tiled_pass(t.g, 8);
    BOOST_TEST(std::abs(tiled.loss - whole.loss) <= 1e-13 * std::abs(whole.loss), loss);
    BOOST_TEST_REQUIRE(tiled.grads.size() == whole.grads.size());
    double scale = 0.0;
    for (double v : whole.grads) scale = std::max(scale, std::abs(v));
    for (std::size_t k = 0; k < whole.grads.size(); ++k) {
      BOOST_TEST(std::abs(tiled.grads[k] - whole.grads[k]) <= 1e-13 * scale, loss << " gradient entry " << k);
    }
    // The nodes hold the last tile; forward() brings back the whole batch.
    BOOST_TEST(t.g.find("relu")->value().shape(1) == 5u);
    t.g.forward(Mode::train);
    BOOST_TEST(t.g.find("relu")->value().shape(1) == 53u);
    BOOST_TEST(t.x.value().shape(1) == 53u);
    BOOST_TEST(t.g.loss_value() == whole.loss);
  }
}

BOOST_AUTO_TEST_CASE(one_tile_is_the_whole_pass_bit_for_bit_and_skipping_the_loss_keeps_the_gradients) {
  TileGraph t("sigmoid", 53);
  const Pass whole = whole_pass(t.g);
  const Pass one_tile = tiled_pass(t.g, 53);
  BOOST_TEST(one_tile.loss == whole.loss);
  BOOST_TEST((one_tile.grads == whole.grads));
  const Pass no_loss = tiled_pass(t.g, 53, false);
  BOOST_TEST(std::isnan(no_loss.loss));
  BOOST_TEST((no_loss.grads == whole.grads));
  const Pass tiled = tiled_pass(t.g, 8);
  const Pass tiled_no_loss = tiled_pass(t.g, 8, false);
  BOOST_TEST(std::isnan(tiled_no_loss.loss));
  BOOST_TEST((tiled_no_loss.grads == tiled.grads));
  // The same tiles again give the same bits.
  BOOST_TEST((tiled_pass(t.g, 8).grads == tiled.grads));
}

BOOST_AUTO_TEST_CASE(graphs_with_dropout_or_a_scalar_node_in_the_middle_are_not_tiled) {
  {
    Graph g;
    auto& x = g.input("X", 2);
    auto& y = g.input("Y", 1);
    auto& W = g.parameter("fc.W", xt::ones<double>({1, 2}));
    auto& b = g.parameter("fc.b", xt::zeros<double>({1, 1}));
    auto& d = g.add<Dropout>("drop", x, 0.5, g.random_stream(1, MaskPolicy::fresh));
    g.set_loss(g.add<SigmoidCrossEntropy>("ce", g.add<Linear>("fc", d, W, b), y));
    BOOST_TEST(!g.tileable());
    g.feed(x, xt::ones<double>({2, 4000}));
    g.feed(y, xt::ones<double>({1, 4000}));
    g.set_tile_columns(100);
    const double loss = g.forward_backward();
    BOOST_TEST(std::isfinite(loss));
    BOOST_TEST(g.find("fc")->value().shape(1) == 4000u);  // ran whole
  }
  {
    Graph g;  // a cost that is a sum of two means over columns, then something else
    auto& x = g.input("X", 1);
    auto& y = g.input("Y", 1);
    auto& ce = g.add<SigmoidCrossEntropy>("ce", x, y);
    auto& sum = g.add<Add>("sum", std::vector<Node*>{&ce, &ce});
    g.set_loss(g.add<Add>("twice", std::vector<Node*>{&sum, &ce}));
    BOOST_TEST(!g.tileable());
  }
}

// Fed a batch wider than a tile, a tileable graph sizes its hidden nodes for one tile only
// (the memory does not grow with the batch) until a whole-batch forward() needs them.
BOOST_AUTO_TEST_CASE(a_wide_batch_sizes_hidden_nodes_for_one_tile_until_forward) {
  TileGraph t("sigmoid", 3000);
  const std::size_t tile = t.g.tile_columns();
  BOOST_TEST_REQUIRE(tile < 3000u);
  BOOST_TEST(t.g.find("relu")->value().shape(1) == tile);
  BOOST_TEST(std::isfinite(t.g.forward_backward()));
  BOOST_TEST(t.g.find("relu")->value().shape(1) == 3000u % tile);
  BOOST_CHECK_THROW(t.g.feed(t.x, xt::zeros<double>({2, 3000})), InputError);  // 2 rows, not 3
  t.g.forward(Mode::eval);
  BOOST_TEST(t.g.find("relu")->value().shape(1) == 3000u);
}

// predict_output on a batch wider than a tile runs it whole: the same values as a whole
// forward pass on the same graph, one column per example.
BOOST_AUTO_TEST_CASE(predict_output_on_a_wide_batch_runs_it_whole) {
  TileGraph t("sigmoid", 3000);
  BOOST_TEST_REQUIRE(t.g.tile_columns() < 3000u);
  t.g.forward(Mode::eval);
  const Matrix X = t.x.value();
  const Matrix expected = t.g.find("fc4")->value();
  BOOST_TEST_REQUIRE(expected.shape(1) == 3000u);
  t.g.forward_backward();  // leaves the graph in tiles (no update: the parameters stay)
  const Matrix got = predict_output(t.g, t.x, X, "fc4");
  BOOST_TEST((got == expected));
}

// A loss that throws in a pass that skips the cost leaves later passes computing it.
BOOST_AUTO_TEST_CASE(a_failed_pass_without_the_loss_leaves_the_loss_wanted) {
  Graph g;
  auto& z = g.input("Z", 2);
  auto& y = g.input("Y", 1);
  auto& ce = g.add<SoftmaxCrossEntropy>("ce", z, y);
  g.set_loss(ce);
  g.feed(z, xt::zeros<double>({2, 3}));
  g.feed(y, Matrix{{0, 5, 1}});  // 5 is not a class index of 2 classes
  BOOST_CHECK_THROW(g.forward_backward(false), InputError);
  BOOST_TEST(ce.value_wanted());
}

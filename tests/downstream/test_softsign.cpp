// The user's node verified in the user's own `meson test`: the gradient checker passes the
// correct softsign and catches the planted bug, naming it; then a small model using the node
// is checked as a whole and trained.
#define BOOST_TEST_MODULE softsign
#include <boost/test/unit_test.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <xgrad/xgrad.hpp>

#include "softsign.hpp"

BOOST_AUTO_TEST_CASE(xgrad_version_is_the_one_asked_for) {
  BOOST_TEST(XGRAD_VERSION >= 300);  // meson.build asks for >= 0.3
  BOOST_TEST(std::string(xgrad::version()) == XGRAD_VERSION_STRING);
}

// <xgrad/xgrad.hpp> alone is enough to build a Matrix by hand (docs/models.md).
BOOST_AUTO_TEST_CASE(a_matrix_built_by_hand_with_xt_adapt_and_xt_view) {
  std::vector<double> flat = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};            // 2 features x 3 examples, row-major
  xgrad::Matrix X = xt::adapt(flat, std::array<std::size_t, 2>{2, 3});  // a copy: X owns its data
  xgrad::Matrix first_two = xt::view(X, xt::all(), xt::range(0, 2));    // columns 0 and 1
  flat[0] = 9.0;
  BOOST_TEST(X(0, 0) == 0.1);
  BOOST_TEST(X(1, 2) == 0.6);
  BOOST_TEST(first_two.shape(0) == 2u);
  BOOST_TEST(first_two.shape(1) == 2u);
  BOOST_TEST(first_two(1, 1) == 0.5);
}

BOOST_AUTO_TEST_CASE(softsign_passes_the_gradient_checker) {
  xgrad::Graph g;
  auto& x = g.input("x", 5);
  auto& softsign = g.add<Softsign>("softsign", x);
  const xgrad::CheckReport report = xgrad::check_node(softsign);  // random inputs, every entry
  BOOST_TEST(report.passed(), report);
}

BOOST_AUTO_TEST_CASE(the_checker_catches_a_broken_backward_and_names_it) {
  xgrad::Graph g;
  auto& x = g.input("x", 5);
  auto& broken = g.add<BrokenSoftsign>("broken", x);
  const xgrad::CheckReport report = xgrad::check_node(broken);
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.to_string().find("broken") != std::string::npos, report);
}

// The node in a declared model (one line: Activation::of<Softsign>), checked as a whole and
// node by node, then trained with Adam on mini-batches with the non-finite guard on, and its
// JSON report written.
BOOST_AUTO_TEST_CASE(a_declared_model_with_softsign_is_checked_and_trained) {
  xgrad::RandomState rng(5);
  const xgrad::Dataset train = xgrad::make_circles(400, 0.05, rng);
  const xgrad::Dataset test = xgrad::make_circles(200, 0.05, rng);

  xgrad::ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{16, xgrad::Activation::of<Softsign>("softsign")},  // the user's node
                 {8, xgrad::Activation::tanh()},
                 {1}};                                               // sigmoid cross-entropy
  spec.init = {xgrad::InitKind::he, 1};
  xgrad::Model model(spec);
  BOOST_TEST(model.graph().find("softsign1") != nullptr);

  model.feed(train.X, train.Y);
  const xgrad::CheckReport whole = xgrad::check_graph(model.graph());
  BOOST_TEST(whole.passed(), whole);
  const xgrad::CheckReport nodes = xgrad::check_nodes(model.graph());
  BOOST_TEST(nodes.passed(), nodes);

  xgrad::TrainOptions options;
  options.learning_rate = 0.01;
  options.mini_batch_size = 40;
  options.epochs = 200;
  options.record_every = 50;
  options.shuffle_seed = 11;
  options.stop_on_non_finite = true;
  xgrad::Adam adam;
  const xgrad::TrainResult result = xgrad::train(model, train, options, adam);
  const double train_accuracy = xgrad::accuracy(xgrad::predict(model, train.X), train.Y);
  const double test_accuracy = xgrad::accuracy(xgrad::predict(model, test.X), test.Y);
  BOOST_TEST_MESSAGE("softsign model: epoch cost " << result.costs.front().cost << " -> " << result.final_cost
                                                   << ", accuracy train " << train_accuracy << ", test " << test_accuracy);
  BOOST_TEST(result.final_cost < result.costs.front().cost / 2);
  BOOST_TEST(train_accuracy > 0.95);
  BOOST_TEST(test_accuracy > 0.9);

  // The run's JSON report, as `xgrad train --json` writes one, from the user's own code.
  xgrad::JsonReport report;
  report.set_setting("data", "make_circles(400, noise 0.05), RandomState(5)");
  report.set_model(spec);
  report.set_training(options, adam);
  report.set_costs(result, options);
  report.set_accuracies(train_accuracy, test_accuracy);
  report.add_check("check_graph", whole);
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "softsign_report.json";
  report.write(file);
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(file);
  BOOST_TEST(text == report.to_string());
  for (const std::string part : {"\"activations\": [\n      \"softsign\",", "\"optimizer_kind\": \"adam\"",
                                 "\"mini_batch_size\": 40", "\"costs_per\": \"epoch\"", "\"cost_iterations\": [\n    0,\n    50,",
                                 "\"name\": \"check_graph\"", "\"passed\": true", "\"blas_kernel\": "}) {
    BOOST_TEST(text.find(part) != std::string::npos, part << " not in\n" << text);
  }
}

// The guard: a learning rate that blows the model up is stopped, naming where.
BOOST_AUTO_TEST_CASE(a_diverging_run_is_stopped_naming_the_node) {
  xgrad::RandomState rng(5);
  const xgrad::Dataset train = xgrad::make_circles(100, 0.05, rng);
  xgrad::ModelSpec spec;
  spec.inputs = 2;
  spec.layers = {{16, xgrad::Activation::of<Softsign>("softsign")}, {1}};
  spec.init = {xgrad::InitKind::he, 1};
  xgrad::Model model(spec);
  xgrad::TrainOptions options;
  options.learning_rate = 1e307;  // the first update overflows the weights to inf
  options.iterations = 50;
  options.stop_on_non_finite = true;
  BOOST_CHECK_EXCEPTION(xgrad::train(model, train, options), xgrad::RunError, [](const xgrad::RunError& e) {
    BOOST_TEST_MESSAGE(e.what());
    return std::string(e.what()).find("iteration") != std::string::npos;
  });
}

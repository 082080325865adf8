// The user's node verified in the user's own `meson test`: the gradient checker passes the
// correct softsign and catches the planted bug, naming it; then a small model using the node
// is checked as a whole and trained.
#define BOOST_TEST_MODULE softsign
#include <boost/test/unit_test.hpp>

#include <xgrad/xgrad.hpp>

#include "softsign.hpp"

BOOST_AUTO_TEST_CASE(xgrad_version_is_the_one_asked_for) {
  BOOST_TEST(XGRAD_VERSION >= 200);  // meson.build asks for >= 0.2
  BOOST_TEST(std::string(xgrad::version()) == XGRAD_VERSION_STRING);
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

BOOST_AUTO_TEST_CASE(a_model_with_softsign_is_checked_and_trained) {
  xgrad::RandomState rng(5);
  const xgrad::Dataset data = xgrad::make_circles(400, 0.05, rng);
  xgrad::Graph g;
  auto& X = g.input("X", 2);
  auto& Y = g.input("Y", 1);
  auto& W1 = g.parameter("fc1.W", rng.randn(16, 2));
  auto& b1 = g.parameter("fc1.b", xgrad::Matrix({16, 1}, 0.0));
  auto& W2 = g.parameter("fc2.W", rng.randn(1, 16) * 0.25);
  auto& b2 = g.parameter("fc2.b", xgrad::Matrix({1, 1}, 0.0));
  auto& hidden = g.add<Softsign>("softsign1", g.add<xgrad::Linear>("fc1", X, W1, b1));
  auto& output = g.add<xgrad::SigmoidCrossEntropy>("cost", g.add<xgrad::Linear>("fc2", hidden, W2, b2), Y);
  g.set_loss(output);
  g.feed(X, data.X);
  g.feed(Y, data.Y);

  const xgrad::CheckReport whole = xgrad::check_graph(g);  // the model's gradient, every entry
  BOOST_TEST(whole.passed(), whole);

  g.forward(xgrad::Mode::train);
  const double first = g.loss_value();
  for (int i = 0; i < 3000; ++i) {
    g.forward(xgrad::Mode::train);
    g.backward();
    xgrad::sgd_step(g.parameters(), 0.5);
  }
  g.forward(xgrad::Mode::eval);
  const xgrad::Matrix predictions = xt::cast<double>(output.probabilities() > 0.5);
  const double accuracy = xgrad::accuracy(predictions, data.Y);
  BOOST_TEST_MESSAGE("softsign model: cost " << first << " -> " << g.loss_value() << ", train accuracy " << accuracy);
  BOOST_TEST(g.loss_value() < first / 2);
  BOOST_TEST(accuracy > 0.9);
}

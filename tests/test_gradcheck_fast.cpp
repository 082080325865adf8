// Fast mode: random directional checks and sampled entries per block. A 1M-parameter MLP is
// checked in seconds; a planted bug there is caught and its block named; the report says
// which mode ran and the bound it achieved.
#define BOOST_TEST_MODULE gradcheck_fast
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>

#include "planted.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

using namespace xgrad;
using xgrad::testing::PlantedError;

namespace {

// inputs-hidden-1 MLP with a sigmoid hidden layer; fc1's backward optionally scaled
// (whole block `planted_block` by `factor`).
struct Mlp {
  Graph g;
  Mlp(std::size_t inputs, std::size_t hidden, std::size_t batch, const std::string& planted_block, double factor) {
    RandomState rng(9);
    auto& x = g.input("X", inputs);
    auto& y = g.input("Y", 1);
    auto& W1 = g.parameter("fc1.W", rng.randn(hidden, inputs) / std::sqrt(static_cast<double>(inputs)));
    auto& b1 = g.parameter("fc1.b", rng.randn(hidden, 1));
    auto& W2 = g.parameter("fc2.W", rng.randn(1, hidden) / std::sqrt(static_cast<double>(hidden)));
    auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
    auto& fc1 = g.add<PlantedError>(std::make_unique<Linear>("fc1", x, W1, b1), planted_block, std::nullopt, factor);
    auto& a1 = g.add<Sigmoid>("sigmoid1", fc1);
    g.set_loss(g.add<SigmoidCrossEntropy>("cost", g.add<Linear>("fc2", a1, W2, b2), y));
    g.feed(x, rng.randn(inputs, batch));
    g.feed(y, xt::cast<double>(rng.rand(1, batch) < 0.5));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_million_parameter_mlp_is_checked_fast_and_a_planted_bug_named) {
  Mlp correct(1000, 1000, 4, "", 1.0);
  BOOST_TEST(parameter_count(correct.g.parameters()) == 1002001u);
  const CheckReport ok = check_graph(correct.g);  // automatic: above full_limit, so fast
  BOOST_TEST(ok.mode() == "fast");
  BOOST_TEST(ok.passed(), ok.to_string());
  const std::string text = ok.to_string();
  BOOST_TEST(text.find("mode: fast") != std::string::npos, text);
  BOOST_TEST(text.find("fast-mode bound") != std::string::npos, text);
  BOOST_TEST_MESSAGE("1M-parameter MLP, fast mode:\n" << text);
  for (const BlockCheck& b : ok.blocks) {
    if (b.size <= ok.options.sampled_entries + ok.options.directions) continue;
    BOOST_TEST(b.fast);
    BOOST_TEST(b.directions == ok.options.directions);
    BOOST_TEST(std::isfinite(b.undetected_norm));
    // the bound is far below the size of any real bug: a thousandth of the gradient
    BOOST_TEST(b.undetected_norm < 1e-3 * b.gradient_norm, b.block);
  }

  Mlp planted(1000, 1000, 4, "fc1.W", 1.0 + 1e-3);
  const CheckReport caught = check_graph(planted.g);
  BOOST_TEST(caught.mode() == "fast");
  BOOST_TEST(caught.wrong_blocks() == std::vector<std::string>{"fc1.W"}, boost::test_tools::per_element());
  BOOST_TEST_MESSAGE("planted (1 + 1e-3) on fc1.W:\n" << caught);
}

BOOST_AUTO_TEST_CASE(fast_node_checks_name_the_wrong_input) {
  Graph g;
  RandomState rng(3);
  auto& x = g.input("x", 50);
  auto& wrong = g.add<PlantedError>(std::make_unique<Sigmoid>("sigmoid", x), "input 0", std::nullopt, 1.0 + 1e-4);
  g.feed(x, rng.randn(50, 40));
  g.forward(Mode::train);
  CheckOptions o;
  o.mode = CheckMode::fast;
  const CheckReport r = check_node(wrong, o);
  BOOST_TEST(r.mode() == "fast");
  BOOST_TEST(r.wrong_blocks() == std::vector<std::string>{"sigmoid/input 0 (x)"}, boost::test_tools::per_element());
  BOOST_TEST(r.entries.size() <= 3 * o.directions + o.sampled_entries, r.to_string());
}

BOOST_AUTO_TEST_CASE(small_models_run_full_by_default_and_fast_when_asked) {
  Mlp small(3, 5, 6, "", 1.0);
  const CheckReport full = check_graph(small.g);
  BOOST_TEST(full.mode() == "full");
  BOOST_TEST(full.entries.size() == parameter_count(small.g.parameters()));
  BOOST_TEST(full.to_string().find("mode: full") != std::string::npos);
  CheckOptions o;
  o.mode = CheckMode::fast;
  o.sampled_entries = 2;
  o.directions = 3;
  const CheckReport fast = check_graph(small.g, o);
  BOOST_TEST(fast.mode() == "fast");
  BOOST_TEST(fast.passed(), fast.to_string());
}

// How small a bug the default checker sees, without false alarms: every built-in node kind
// and the course's models pass on 20 random seeds, and a gradient entry scaled by
// (1 + 1e-6) — planted in the most sensitive entry of each block — is caught and named.
#define BOOST_TEST_MODULE gradcheck_sharpness
#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>

#include "course.hpp"
#include "planted.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/model.hpp>

using namespace xgrad;
using xgrad::testing::PlantedError;

namespace {

constexpr double kPlanted = 1e-6;
constexpr std::uint64_t kSeeds = 20;

// Builds one node of a kind (not yet in the graph) on fresh inputs and parameters of `g`.
using Builder = std::function<std::unique_ptr<Node>(Graph&, RandomState&)>;

struct Kind {
  std::string name;
  Builder build;
};

std::vector<Kind> kinds() {
  return {
      {"linear",
       [](Graph& g, RandomState& rng) {
         auto& x = g.input("x", 3);
         return std::make_unique<Linear>("fc", x, g.parameter("fc.W", rng.randn(2, 3)),
                                         g.parameter("fc.b", rng.randn(2, 1)));
       }},
      {"relu", [](Graph& g, RandomState&) { return std::make_unique<Relu>("relu", g.input("x", 3)); }},
      {"sigmoid", [](Graph& g, RandomState&) { return std::make_unique<Sigmoid>("sigmoid", g.input("x", 3)); }},
      {"dropout",
       [](Graph& g, RandomState&) {
         return std::make_unique<Dropout>("dropout", g.input("x", 4), 0.7, g.random_stream(3, MaskPolicy::fresh));
       }},
      {"sigmoid_cross_entropy",
       [](Graph& g, RandomState&) {
         auto& z = g.input("z", 2);
         return std::make_unique<SigmoidCrossEntropy>("cost", z, g.input("y", 2));
       }},
      {"binary_cross_entropy",
       [](Graph& g, RandomState&) {
         auto& a = g.input("a", 2);
         return std::make_unique<BinaryCrossEntropy>("cost", a, g.input("y", 2));
       }},
      {"l2_penalty",
       [](Graph& g, RandomState& rng) {
         return std::make_unique<L2Penalty>(
             "l2", std::vector<Parameter*>{&g.parameter("W1", rng.randn(3, 2)), &g.parameter("W2", rng.randn(1, 3))},
             0.7);
       }},
      {"add",
       [](Graph& g, RandomState&) {
         auto& a = g.input("a", 3);
         return std::make_unique<Add>("sum", std::vector<Node*>{&a, &g.input("b", 3)});
       }},
      {"tanh", [](Graph& g, RandomState&) { return std::make_unique<Tanh>("tanh", g.input("x", 3)); }},
      {"leaky_relu",
       [](Graph& g, RandomState&) { return std::make_unique<LeakyRelu>("leaky_relu", g.input("x", 3), 0.1); }},
      {"softmax", [](Graph& g, RandomState&) { return std::make_unique<Softmax>("softmax", g.input("z", 4)); }},
      {"softmax_cross_entropy (one-hot)",
       [](Graph& g, RandomState&) {
         auto& z = g.input("z", 3);
         return std::make_unique<SoftmaxCrossEntropy>("cost", z, g.input("y", 3));
       }},
      {"softmax_cross_entropy (class indices)",
       [](Graph& g, RandomState&) {
         auto& z = g.input("z", 3);
         return std::make_unique<SoftmaxCrossEntropy>("cost", z, g.input("y", 1));
       }},
      {"mean_squared_error",
       [](Graph& g, RandomState&) {
         auto& p = g.input("p", 2);
         return std::make_unique<MeanSquaredError>("cost", p, g.input("t", 2));
       }},
  };
}

// The block name PlantedError takes for a report block: "input 0 (x)" -> "input 0".
std::string planted_name(const std::string& block) {
  if (block.rfind("input ", 0) != 0) return block;
  return block.substr(0, block.find(' ', 6));
}

// Row-major index of the judged entry of `block` whose tolerance is the smallest fraction of
// its gradient: where a (1 + 1e-6) error is most visible.
std::size_t most_sensitive(const CheckReport& r, const std::string& block) {
  std::size_t cols = 1;
  for (const EntryCheck& e : r.entries) {
    if (e.block == block && !e.direction) cols = std::max(cols, e.col + 1);
  }
  double best = 0.0;
  std::size_t index = 0;
  bool found = false;
  for (const EntryCheck& e : r.entries) {
    if (e.block != block || e.kink || e.direction) continue;
    const double scale = std::max(std::abs(e.analytic), std::abs(e.numeric));
    if (scale == 0.0) continue;
    if (!found || e.tolerance / scale < best) {
      best = e.tolerance / scale;
      index = e.row * cols + e.col;
      found = true;
    }
  }
  BOOST_TEST_REQUIRE(found, "no judged entry in " << block);
  return index;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_builtin_kind_passes_on_20_seeds_and_catches_a_1e_6_error) {
  for (const Kind& kind : kinds()) {
    BOOST_TEST_CONTEXT("node kind " << kind.name) {
      double worst_floor = 0.0;
      for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
        CheckOptions o;
        o.seed = seed;
        Graph g;
        RandomState rng(100 + seed);
        Node& correct = g.add<PlantedError>(kind.build(g, rng), "", std::nullopt, 1.0);
        const CheckReport r = check_node(correct, o);
        BOOST_TEST(r.passed(), "seed " << seed << ":\n" << r);
        worst_floor = std::max(worst_floor, r.detection_floor());
        if (seed >= 3) continue;  // planting: three seeds, every block
        for (const BlockCheck& b : r.blocks) {
          const std::string planted = planted_name(b.block);
          Graph h;
          RandomState same(100 + seed);
          const std::size_t entry = most_sensitive(r, b.block);
          Node& wrong = h.add<PlantedError>(kind.build(h, same), planted, entry, 1.0 + kPlanted);
          const CheckReport caught = check_node(wrong, o);
          BOOST_TEST(!caught.passed(), "seed " << seed << ", " << b.block << " entry " << entry << ":\n" << caught);
          BOOST_TEST(caught.wrong_blocks() == std::vector<std::string>{b.node + "/" + b.block},
                     boost::test_tools::per_element());
        }
      }
      BOOST_TEST(worst_floor < kPlanted);
      BOOST_TEST_MESSAGE(kind.name << ": worst detection floor over " << kSeeds << " seeds " << worst_floor);
    }
  }
}

namespace {

std::vector<std::pair<std::string, ModelSpec>> course_models() {
  return {{"initialization notes, He", models::initialization_network(InitKind::he)},
          {"regularization notes, L2 0.7 + dropout 0.86", models::regularization_network(0.7, 0.86)}};
}

// The graph Model builds for a spec (fcN, reluN, dropoutN, cross-entropy, L2, with the
// spec's initial parameters), with layer `planted_layer`'s Linear wrapped in a PlantedError
// that scales entry `entry` of `block`'s gradient by `factor`.
struct CourseGraph {
  Graph g;
  CourseGraph(const ModelSpec& spec, std::uint64_t data_seed, std::size_t planted_layer = 0,
              const std::string& block = "", std::size_t entry = 0, double factor = 1.0) {
    Model model(spec);  // for its initial parameters
    const auto dims = spec.dims();
    auto& x = g.input("X", dims[0]);
    auto& y = g.input("Y", dims.back());
    RandomStream& masks = g.random_stream(spec.dropout_seed, spec.dropout_masks);
    Node* prev = &x;
    std::vector<Parameter*> weights;
    for (std::size_t l = 1; l < dims.size(); ++l) {
      const std::string n = std::to_string(l);
      auto& W = g.parameter("fc" + n + ".W", model.graph().find_parameter("fc" + n + ".W")->value);
      auto& b = g.parameter("fc" + n + ".b", model.graph().find_parameter("fc" + n + ".b")->value);
      weights.push_back(&W);
      auto linear = std::make_unique<Linear>("fc" + n, *prev, W, b);
      prev = l == planted_layer ? &g.add<PlantedError>(std::move(linear), block, entry, factor)
                                : &g.add<PlantedError>(std::move(linear), "", std::nullopt, 1.0);
      if (l + 1 == dims.size()) break;
      prev = &g.add<Relu>("relu" + n, *prev);
      if (spec.layers[l - 1].keep_prob < 1.0) {
        prev = &g.add<Dropout>("dropout" + n, *prev, spec.layers[l - 1].keep_prob, masks);
      }
    }
    Node& ce = g.add<SigmoidCrossEntropy>("cross_entropy", *prev, y);
    if (spec.lambda > 0.0) {
      Node& l2 = g.add<L2Penalty>("l2", weights, spec.lambda);
      g.set_loss(g.add<Add>("cost", std::vector<Node*>{&ce, &l2}));
    } else {
      g.set_loss(ce);
    }
    RandomState data(data_seed);
    g.feed(x, data.randn(dims[0], 40));
    g.feed(y, xt::cast<double>(data.rand(1, 40) < 0.5));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(course_models_pass_on_20_seeds) {
  for (const auto& [name, spec] : course_models()) {
    for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
      Model model(spec);
      RandomState data(seed);
      model.feed(data.randn(2, 40), xt::cast<double>(data.rand(1, 40) < 0.5));
      CheckOptions o;
      o.seed = seed;
      const CheckReport r = check_graph(model.graph(), o);
      BOOST_TEST(r.passed(), name << ", data seed " << seed << ":\n" << r);
      BOOST_TEST(r.detection_floor() < kPlanted, name << ", data seed " << seed << ":\n" << r);
    }
  }
}

BOOST_AUTO_TEST_CASE(course_models_catch_a_1e_6_error_in_every_block) {
  for (const auto& [name, spec] : course_models()) {
    CourseGraph clean_graph(spec, 7);
    const CheckReport clean = check_graph(clean_graph.g);
    BOOST_TEST(clean.passed(), name << ":\n" << clean);
    for (std::size_t l = 1; l < spec.dims().size(); ++l) {
      for (const std::string part : {".W", ".b"}) {
        const std::string block = "fc" + std::to_string(l) + part;
        const std::size_t entry = most_sensitive(clean, block);
        CourseGraph planted(spec, 7, l, block, entry, 1.0 + kPlanted);
        const CheckReport caught = check_graph(planted.g);
        BOOST_TEST(caught.wrong_blocks() == std::vector<std::string>{block}, boost::test_tools::per_element());
        BOOST_TEST(caught.to_string().find("detection floor: a relative error above") != std::string::npos);
      }
    }
  }
}

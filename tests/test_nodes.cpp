// Every built-in node kind passes the gradient checker, in isolation and inside a graph.
#define BOOST_TEST_MODULE nodes
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <xgrad/core/error.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

using namespace xgrad;

namespace {

Parameter& random_parameter(Graph& g, const std::string& name, std::size_t r, std::size_t c,
                            std::uint64_t seed) {
  RandomState rng(seed);
  return g.parameter(name, rng.randn(r, c));
}

// One check case per node kind: builds the node, with Input nodes as its inputs, into g.
// A kind without a specialization here fails to compile (see check_every_kind).
template <class N>
struct CheckCase;

template <>
struct CheckCase<Linear> {
  static Node& build(Graph& g) {
    auto& x = g.input("x", 4);
    return g.add<Linear>("fc", x, random_parameter(g, "fc.W", 3, 4, 1),
                         random_parameter(g, "fc.b", 3, 1, 2));
  }
};
template <>
struct CheckCase<Relu> {
  static Node& build(Graph& g) { return g.add<Relu>("relu", g.input("x", 5)); }
};
template <>
struct CheckCase<Sigmoid> {
  static Node& build(Graph& g) { return g.add<Sigmoid>("sigmoid", g.input("x", 5)); }
};
template <>
struct CheckCase<Dropout> {
  static Node& build(Graph& g) {
    return g.add<Dropout>("dropout", g.input("x", 6), 0.7, g.random_stream(1, MaskPolicy::fresh));
  }
};
template <>
struct CheckCase<SigmoidCrossEntropy> {
  static Node& build(Graph& g) {
    auto& z = g.input("z", 2);
    auto& y = g.input("y", 2);
    return g.add<SigmoidCrossEntropy>("cost", z, y);
  }
};
template <>
struct CheckCase<BinaryCrossEntropy> {
  static Node& build(Graph& g) {
    auto& a = g.input("a", 2);
    auto& y = g.input("y", 2);
    return g.add<BinaryCrossEntropy>("cost", a, y);
  }
};
template <>
struct CheckCase<L2Penalty> {
  static Node& build(Graph& g) {
    return g.add<L2Penalty>("l2", std::vector<Parameter*>{&random_parameter(g, "W1", 3, 2, 3),
                                                          &random_parameter(g, "W2", 1, 3, 4)},
                            0.7);
  }
};
template <>
struct CheckCase<Add> {
  static Node& build(Graph& g) {
    auto& a = g.input("a", 3);
    auto& b = g.input("b", 3);
    return g.add<Add>("sum", std::vector<Node*>{&a, &b});
  }
};

template <class N>
void check_kind() {
  Graph g;
  Node& node = CheckCase<N>::build(g);
  BOOST_TEST_CONTEXT("node kind " << node.kind()) {
    BOOST_TEST(dynamic_cast<N*>(&node) != nullptr);
    const CheckReport report = check_node(node);
    BOOST_TEST(report.passed(), report.to_string());
    BOOST_TEST(report.entries.size() > 0u, "nothing was checked");
    BOOST_TEST(report.difference() < 1e-8, report.to_string());
  }
}

}  // namespace

template <class... Kinds>
void check_kinds(NodeKindList<Kinds...>) {
  (check_kind<Kinds>(), ...);
}

BOOST_AUTO_TEST_CASE(check_every_kind) { check_kinds(BuiltinNodeKinds{}); }

BOOST_AUTO_TEST_CASE(every_node_class_in_the_headers_is_in_the_kind_list) {
  const char* src = std::getenv("XGRAD_SOURCE_DIR");
  BOOST_TEST_REQUIRE(src != nullptr, "XGRAD_SOURCE_DIR is not set (meson test sets it)");
  std::string all;
  {
    std::ifstream in(std::filesystem::path(src) / "include/xgrad/nodes/all.hpp");
    all.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::regex node_class(R"(class\s+(\w+)\s+(?:final\s+)?:\s*public\s+Node\b)");
  std::set<std::string> declared;
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(src) / "include/xgrad/nodes")) {
    std::ifstream in(f.path());
    const std::string text(std::istreambuf_iterator<char>(in), {});
    for (std::sregex_iterator it(text.begin(), text.end(), node_class), end; it != end; ++it) {
      declared.insert((*it)[1]);
    }
  }
  BOOST_TEST(declared.size() >= 8u);
  const auto list_start = all.find("BuiltinNodeKinds");
  BOOST_TEST_REQUIRE(list_start != std::string::npos);
  const std::string list = all.substr(list_start);
  for (const auto& name : declared) {
    if (name == "Input") continue;
    BOOST_TEST(std::regex_search(list, std::regex("\\b" + name + "\\b")),
               "node class " << name << " has no gradient-check case: add it to BuiltinNodeKinds");
  }
}

BOOST_AUTO_TEST_CASE(every_node_of_a_model_with_l2_and_dropout_checks_in_place) {
  Graph g;
  RandomState rng(3);
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  auto& W1 = g.parameter("fc1.W", rng.randn(4, 2));
  auto& b1 = g.parameter("fc1.b", rng.randn(4, 1));
  auto& W2 = g.parameter("fc2.W", rng.randn(1, 4));
  auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
  auto& z1 = g.add<Linear>("fc1", x, W1, b1);
  auto& a1 = g.add<Relu>("relu1", z1);
  auto& d1 = g.add<Dropout>("dropout1", a1, 0.8, g.random_stream(1, MaskPolicy::fresh));
  auto& z2 = g.add<Linear>("fc2", d1, W2, b2);
  auto& ce = g.add<SigmoidCrossEntropy>("cross_entropy", z2, y);
  auto& l2 = g.add<L2Penalty>("l2", std::vector<Parameter*>{&W1, &W2}, 0.3);
  auto& cost = g.add<Add>("cost", std::vector<Node*>{&ce, &l2});
  g.set_loss(cost);
  g.feed(x, rng.randn(2, 7));
  Matrix labels = xt::cast<double>(rng.rand(1, 7) < 0.5);
  g.feed(y, labels);

  const CheckReport report = check_nodes(g);
  BOOST_TEST(report.passed(), report.to_string());
  std::set<std::string> checked;
  for (const auto& b : report.blocks) checked.insert(b.node);
  BOOST_TEST(checked.size() == 7u, report.to_string());
}

BOOST_AUTO_TEST_CASE(relu_step_across_zero_is_a_kink_not_a_failure) {
  Graph g;
  auto& x = g.input("x", 1);
  auto& r = g.add<Relu>("relu", x);
  g.resize(3);
  x.feed(Matrix{{-0.5, 1e-9, 0.25}});
  r.resize(3);
  const CheckReport report = check_node(r);
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST_REQUIRE(report.entries.size() == 3u);
  BOOST_TEST(!report.entries[0].kink);
  BOOST_TEST(report.entries[1].kink);
  BOOST_TEST(!report.entries[2].kink);
  BOOST_TEST(report.to_string().find("kink") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(node_errors_name_the_node_and_the_shapes) {
  Graph g;
  auto& x = g.input("x", 10);
  auto& W = g.parameter("fc2.W", Matrix({3, 20}));
  auto& b = g.parameter("fc2.b", Matrix({3, 1}));
  try {
    g.add<Linear>("fc2", x, W, b);
    BOOST_FAIL("expected InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) == "fc2: W is 3x20 but its input 'x' has 10 rows");
  }
  auto& r = g.add<Relu>("r", x);
  BOOST_CHECK_THROW(g.add<Dropout>("d", r, 0.0, g.random_stream(1, MaskPolicy::fresh)), InputError);
  BOOST_CHECK_THROW(g.add<Dropout>("d", r, 1.5, g.random_stream(1, MaskPolicy::fresh)), InputError);
  BOOST_CHECK_THROW(g.add<L2Penalty>("l2", std::vector<Parameter*>{&W}, -0.1), InputError);
  BOOST_CHECK_THROW(g.add<Relu>("r", x), InputError);  // duplicate name
  Graph other;
  auto& foreign = other.input("foreign", 2);
  BOOST_CHECK_THROW(g.add<Relu>("r2", foreign), InputError);
}

// Every built-in node kind passes the gradient checker, in isolation and inside a graph.
#define BOOST_TEST_MODULE nodes
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <iterator>
#include <vector>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <string>

#include <xgrad/core/error.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/activation.hpp>

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

template <>
struct CheckCase<Tanh> {
  static Node& build(Graph& g) { return g.add<Tanh>("tanh", g.input("x", 5)); }
};
template <>
struct CheckCase<LeakyRelu> {
  static Node& build(Graph& g) { return g.add<LeakyRelu>("leaky_relu", g.input("x", 5), 0.1); }
};
template <>
struct CheckCase<Softmax> {
  static Node& build(Graph& g) { return g.add<Softmax>("softmax", g.input("x", 4)); }
};
template <>
struct CheckCase<SoftmaxCrossEntropy> {  // one-hot labels (class indices: a test below)
  static Node& build(Graph& g) {
    auto& z = g.input("z", 4);
    auto& y = g.input("y", 4);
    return g.add<SoftmaxCrossEntropy>("cost", z, y);
  }
};
template <>
struct CheckCase<MeanSquaredError> {
  static Node& build(Graph& g) {
    auto& a = g.input("a", 3);
    auto& y = g.input("y", 3);
    return g.add<MeanSquaredError>("cost", a, y);
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
  const std::regex node_class(
      R"(class\s+(\w+)\s+(?:final\s+)?:\s*public\s+(?:Node|MeanLoss<\w+>)(?:\s*,\s*public\s+Schedulable)?\s*\{)");
  std::set<std::string> declared;
  for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(src) / "include/xgrad/nodes")) {
    std::ifstream in(f.path());
    const std::string text(std::istreambuf_iterator<char>(in), {});
    for (std::sregex_iterator it(text.begin(), text.end(), node_class), end; it != end; ++it) {
      declared.insert((*it)[1]);
    }
  }
  BOOST_TEST(declared.size() >= 10u);
  const auto list_start = all.find("using BuiltinNodeKinds");
  BOOST_TEST_REQUIRE(list_start != std::string::npos);
  const std::string list = all.substr(list_start);
  for (const auto& name : declared) {
    // Input has nothing to check; Elementwise and MeanLoss are templates whose instances are
    // the kinds (the element-wise ones checked through the activation table below).
    if (name == "Input" || name == "Elementwise" || name == "MeanLoss") continue;
    BOOST_TEST(std::regex_search(list, std::regex("\\b" + name + "\\b")),
               "node class " << name << " has no gradient-check case: add it to BuiltinNodeKinds");
  }
}

// The element-wise built-ins are checked through the activation table: each row's node
// passes the checker (its tile and thread hooks included) ...
BOOST_AUTO_TEST_CASE(every_builtin_activation_of_the_table_checks) {
  for (const BuiltinActivation& b : builtin_activations()) {
    Graph g;
    auto& x = g.input("x", 5);
    Node& node = b.make(b.default_setting).build(g, std::string(b.kind) + "1", x);
    if (&node == &x) continue;  // identity adds no node
    BOOST_TEST_CONTEXT("activation " << b.kind) {
      BOOST_TEST(node.kind() == b.kind);
      const CheckReport report = check_node(node);
      BOOST_TEST(report.passed(), report.to_string());
      BOOST_TEST(report.entries.size() > 0u, "nothing was checked");
    }
  }
}

// ... and every element-wise function in nodes/activations.hpp is a row of the table.
BOOST_AUTO_TEST_CASE(every_elementwise_function_of_the_headers_is_in_the_activation_table) {
  const char* src = std::getenv("XGRAD_SOURCE_DIR");
  BOOST_TEST_REQUIRE(src != nullptr, "XGRAD_SOURCE_DIR is not set (meson test sets it)");
  std::ifstream in(std::filesystem::path(src) / "include/xgrad/nodes/activations.hpp");
  const std::string text(std::istreambuf_iterator<char>(in), {});
  const std::regex kind(R"re(static constexpr std::string_view kind = "(\w+)")re");
  std::set<std::string> registered;
  for (const BuiltinActivation& b : builtin_activations()) registered.insert(std::string(b.kind));
  std::size_t found = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), kind), end; it != end; ++it, ++found) {
    BOOST_TEST(registered.count((*it)[1]) == 1u, "element-wise kind " << (*it)[1] << " has no row in the activation table");
  }
  BOOST_TEST(found >= 4u);
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

namespace {

// A graph with inputs fed from the given matrices (batch = their columns) and one node.
template <class N>
struct TwoInputCase {
  Graph g;
  Input& a;
  Input& b;
  N& node;
  TwoInputCase(const Matrix& first, const Matrix& second)
      : a(g.input("a", first.shape(0))), b(g.input("b", second.shape(0))), node(g.add<N>("node", a, b)) {
    a.set_requires_grad(true);  // so that backward writes dLoss/da (inputs need none in a model)
    node.set_requires_grad(true);
    g.feed(a, first);
    g.feed(b, second);
    g.forward(Mode::train);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_value_from_the_formula_in_both_label_layouts) {
  const Matrix z{{1.0, 0.5}, {2.0, -1.0}, {3.0, 0.25}};
  const Matrix one_hot{{0.0, 1.0}, {0.0, 0.0}, {1.0, 0.0}};
  const Matrix indices{{2.0, 0.0}};
  // cost = mean over columns of log(sum_i exp(z_i)) - z_label
  const double col0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double col1 = std::log(std::exp(0.5) + std::exp(-1.0) + std::exp(0.25)) - 0.5;
  const double expected = (col0 + col1) / 2.0;
  TwoInputCase<SoftmaxCrossEntropy> hot(z, one_hot);
  TwoInputCase<SoftmaxCrossEntropy> index(z, indices);
  BOOST_TEST(hot.node.value()(0, 0) == expected, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(index.node.value()(0, 0) == expected, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(index.node.class_index_labels());
  BOOST_TEST(!hot.node.class_index_labels());
  // probabilities: exp(z) / sum exp(z), column by column
  const double sum0 = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  BOOST_TEST(hot.node.probabilities()(1, 0) == std::exp(2.0) / sum0, boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_is_finite_for_huge_logits) {
  const Matrix z{{1000.0, -1000.0}, {0.0, 0.0}};
  TwoInputCase<SoftmaxCrossEntropy> c(z, Matrix{{1.0, 0.0}});
  // column 0: label 1, cost = log(e^1000 + 1) - 0 = 1000 (+ e^-1000); column 1: label 0,
  // cost = log(e^-1000 + 1) + 1000 = 1000.
  BOOST_TEST(c.node.value()(0, 0) == 1000.0);
  c.g.set_loss(c.node);
  c.g.backward();
  // d/dz = (softmax(z) - onehot(label)) / m, m = 2; softmax is (1, 0) and (0, 1) exactly
  // (exp(-1000) underflows to 0): column 0 (1 - 0, 0 - 1) / 2, column 1 (0 - 1, 1 - 0) / 2.
  BOOST_TEST(c.a.grad()(0, 0) == 0.5);
  BOOST_TEST(c.a.grad()(1, 0) == -0.5);
  BOOST_TEST(c.a.grad()(0, 1) == -0.5);
  BOOST_TEST(c.a.grad()(1, 1) == 0.5);
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_with_class_indices_passes_the_checker) {
  TwoInputCase<SoftmaxCrossEntropy> c(RandomState(5).randn(3, 6), Matrix{{0.0, 2.0, 1.0, 1.0, 0.0, 2.0}});
  const CheckReport report = check_node(c.node);
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST(report.difference() < 1e-8, report.to_string());
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_names_a_bad_label_and_bad_shapes) {
  try {
    TwoInputCase<SoftmaxCrossEntropy> c(Matrix{{1.0, 2.0}, {0.0, 0.0}}, Matrix{{0.0, 2.0}});
    BOOST_FAIL("expected InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) == "node: label 2 in column 1 is not a class index 0..1");
  }
  BOOST_CHECK_THROW(TwoInputCase<SoftmaxCrossEntropy>(Matrix{{1.0}, {0.0}}, Matrix{{0.5}}), InputError);
  BOOST_CHECK_THROW(TwoInputCase<SoftmaxCrossEntropy>(Matrix{{1.0}}, Matrix{{0.0}}), InputError);  // 1 class
  BOOST_CHECK_THROW(TwoInputCase<SoftmaxCrossEntropy>(Matrix{{1.0}, {2.0}, {3.0}}, Matrix{{1.0}, {0.0}}), InputError);
  BOOST_CHECK_THROW(TwoInputCase<MeanSquaredError>(Matrix{{1.0}, {2.0}}, Matrix{{1.0}}), InputError);
  Graph g;
  BOOST_CHECK_THROW(g.add<LeakyRelu>("l", g.input("x", 2), std::nan("")), InputError);
}

BOOST_AUTO_TEST_CASE(mean_squared_error_value_and_gradient_by_hand) {
  // a = [[1, 2], [3, 4]], y = [[0, 4], [3, 2]]: errors 1, -2, 0, 2; squares 1 + 4 + 0 + 4 = 9.
  TwoInputCase<MeanSquaredError> c(Matrix{{1.0, 2.0}, {3.0, 4.0}}, Matrix{{0.0, 4.0}, {3.0, 2.0}});
  BOOST_TEST(c.node.value()(0, 0) == 9.0 / 4.0);
  c.g.set_loss(c.node);
  c.g.backward();
  // d/da = 2 (a - y) / 4
  BOOST_TEST(c.a.grad()(0, 0) == 0.5);
  BOOST_TEST(c.a.grad()(0, 1) == -1.0);
  BOOST_TEST(c.a.grad()(1, 1) == 1.0);
}

BOOST_AUTO_TEST_CASE(elu_values_setting_and_registration) {
  Graph g;
  auto& x = g.input("x", 1);
  auto& elu = g.add<Elu>("elu", x, 0.5);
  g.feed(x, Matrix{{-1.0, 0.0, 2.0}});
  elu.forward(Mode::train);
  BOOST_TEST(elu.value()(0, 0) == 0.5 * std::expm1(-1.0));
  BOOST_TEST(elu.value()(0, 1) == 0.0);
  BOOST_TEST(elu.value()(0, 2) == 2.0);
  BOOST_TEST(elu.kinks().size() == 1u);
  BOOST_CHECK_THROW(g.add<Elu>("bad", x, std::numeric_limits<double>::infinity()), InputError);
  const Activation parsed = parse_activation("elu", 0.5);
  BOOST_TEST(parsed.kind() == "elu");
  BOOST_TEST_REQUIRE(parsed.settings().size() == 1u);
  BOOST_TEST(parsed.settings()[0].first == "alpha");
  BOOST_TEST(parsed.settings()[0].second == 0.5);
}

BOOST_AUTO_TEST_CASE(leaky_relu_and_tanh_values_and_leaky_kink) {
  Graph g;
  auto& x = g.input("x", 1);
  auto& leaky = g.add<LeakyRelu>("leaky", x, 0.1);
  auto& t = g.add<Tanh>("tanh", x);
  g.feed(x, Matrix{{-2.0, 0.0, 3.0, 1e-9}});
  g.forward(Mode::train);
  BOOST_TEST(leaky.value()(0, 0) == -0.2, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(leaky.value()(0, 2) == 3.0);
  BOOST_TEST(t.value()(0, 0) == (std::exp(-4.0) - 1.0) / (std::exp(-4.0) + 1.0), boost::test_tools::tolerance(1e-14));
  const CheckReport report = check_node(leaky);
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST(report.entries[3].kink);  // 1e-9: the step straddles 0
}

BOOST_AUTO_TEST_CASE(softmax_columns_sum_to_one_and_survive_large_inputs) {
  Graph g;
  auto& x = g.input("x", 3);
  auto& s = g.add<Softmax>("softmax", x);
  g.feed(x, Matrix{{800.0, 0.0}, {799.0, 1.0}, {-800.0, 2.0}});
  g.forward(Mode::eval);
  // column 0: exp(0), exp(-1), exp(-1600) over their sum
  const double sum0 = 1.0 + std::exp(-1.0);
  BOOST_TEST(s.value()(0, 0) == 1.0 / sum0, boost::test_tools::tolerance(1e-15));
  BOOST_TEST(s.value()(2, 0) == 0.0);
  BOOST_TEST(s.value()(0, 1) + s.value()(1, 1) + s.value()(2, 1) == 1.0, boost::test_tools::tolerance(1e-15));
}

// ReluFunction's whole-array loops (runtime-dispatched SIMD) give the bits of the entry-by-
// entry ones, on every length (vector bodies and tails) and on -0, infinities and NaN.
BOOST_AUTO_TEST_CASE(relu_whole_array_loops_give_the_bits_of_entry_by_entry) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double specials[] = {0.0, -0.0, 1.5, -2.25, inf, -inf, nan, 1e-310, -1e-310, 3.0, -0.5};
  const ReluFunction relu;
  for (std::size_t n = 0; n <= 37; ++n) {
    std::vector<double> x(n), g(n), y(n), dx(n), dx_expected(n);
    for (std::size_t k = 0; k < n; ++k) {
      x[k] = specials[(k * 7) % std::size(specials)];
      g[k] = specials[(k * 5 + 3) % std::size(specials)];
      dx[k] = dx_expected[k] = specials[(k * 3 + 1) % std::size(specials)];
    }
    relu.values(x.data(), y.data(), n);
    relu.add_gradient_from_output(x.data(), g.data(), dx.data(), n);
    for (std::size_t k = 0; k < n; ++k) {
      const double expected_y = relu.value(x[k]);
      dx_expected[k] += relu.derivative_from_output(x[k]) ? g[k] : 0.0;
      BOOST_TEST(std::memcmp(&y[k], &expected_y, sizeof(double)) == 0, "value at " << k << " of " << n);
      BOOST_TEST(std::memcmp(&dx[k], &dx_expected[k], sizeof(double)) == 0, "gradient at " << k << " of " << n);
    }
  }
}

// The course's gradient-checking and regularization exercises, computed by xgrad and
// compared with ../shared/reference/seed_expected.json.
#define BOOST_TEST_MODULE course_gradcheck
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include <xtensor/xview.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "reference.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

using namespace xgrad;
using xgrad::testing::needs_shared;
using xgrad::testing::reference;
using xgrad::testing::to_matrix;

namespace {

const auto with_reference = needs_shared("reference/seed_expected.json");

Matrix dot(const Matrix& a, const Matrix& b, Transpose ta = Transpose::no,
           Transpose tb = Transpose::no) {
  Matrix c({ta == Transpose::no ? a.shape(0) : a.shape(1), tb == Transpose::no ? b.shape(1) : b.shape(0)});
  gemm(a, ta, b, tb, c);
  return c;
}

Matrix relu(const Matrix& z) { return xt::maximum(z, 0.0); }
Matrix sigmoid_of(const Matrix& z) { return 1.0 / (1.0 + xt::exp(-z)); }
Matrix row_sums(const Matrix& m) { return xt::eval(xt::view(xt::sum(m, {1}), xt::all(), xt::newaxis())); }

// The notes' gradient_check_n test case: seed(1); X = randn(4,3); Y = [[1,1,0]]; W1 = randn(5,4);
// b1 = randn(5,1); W2 = randn(3,5); b2 = randn(3,1); W3 = randn(1,3); b3 = randn(1,1).
struct NdCase {
  Matrix X, Y;
  Blocks theta;
};

NdCase nd_case() {
  RandomState rng(1);
  NdCase c;
  c.X = rng.randn(4, 3);
  c.Y = Matrix{{1.0, 1.0, 0.0}};
  const std::pair<const char*, std::array<std::size_t, 2>> shapes[] = {
      {"W1", {5, 4}}, {"b1", {5, 1}}, {"W2", {3, 5}}, {"b2", {3, 1}}, {"W3", {1, 3}}, {"b3", {1, 1}}};
  for (const auto& [name, shape] : shapes) c.theta.push_back({name, rng.randn(shape[0], shape[1])});
  return c;
}

// The notes' forward_propagation_n: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID, logistic cost.
double forward_n(const Matrix& X, const Matrix& Y, const Blocks& p) {
  const Matrix A1 = relu(dot(p[0].value, X) + p[1].value);
  const Matrix A2 = relu(dot(p[2].value, A1) + p[3].value);
  const Matrix A3 = sigmoid_of(dot(p[4].value, A2) + p[5].value);
  const Matrix logprobs = -xt::log(A3) * Y + -xt::log(1.0 - A3) * (1.0 - Y);
  return 1.0 / static_cast<double>(X.shape(1)) * xt::sum(logprobs)();
}

// The notes' backward_propagation_n, optionally with its two planted bugs
// (dW2 multiplied by 2; db1 with 4/m instead of 1/m).
Blocks backward_n(const Matrix& X, const Matrix& Y, const Blocks& p, bool planted_bugs) {
  const double m = static_cast<double>(X.shape(1));
  const Matrix A1 = relu(dot(p[0].value, X) + p[1].value);
  const Matrix A2 = relu(dot(p[2].value, A1) + p[3].value);
  const Matrix A3 = sigmoid_of(dot(p[4].value, A2) + p[5].value);
  const Matrix dZ3 = A3 - Y;
  const Matrix dW3 = 1.0 / m * dot(dZ3, A2, Transpose::no, Transpose::yes);
  const Matrix db3 = 1.0 / m * row_sums(dZ3);
  const Matrix dA2 = dot(p[4].value, dZ3, Transpose::yes);
  const Matrix dZ2 = dA2 * xt::cast<double>(A2 > 0.0);
  const Matrix dW2 = 1.0 / m * dot(dZ2, A1, Transpose::no, Transpose::yes) * (planted_bugs ? 2.0 : 1.0);
  const Matrix db2 = 1.0 / m * row_sums(dZ2);
  const Matrix dA1 = dot(p[2].value, dZ2, Transpose::yes);
  const Matrix dZ1 = dA1 * xt::cast<double>(A1 > 0.0);
  const Matrix dW1 = 1.0 / m * dot(dZ1, X, Transpose::no, Transpose::yes);
  const Matrix db1 = (planted_bugs ? 4.0 : 1.0) / m * row_sums(dZ1);
  return {{"dW1", dW1}, {"db1", db1}, {"dW2", dW2}, {"db2", db2}, {"dW3", dW3}, {"db3", db3}};
}

CheckReport check_nd(bool planted_bugs, const CheckOptions& options) {
  const NdCase c = nd_case();
  return check_function(
      c.theta, [&](const Blocks& p) { return forward_n(c.X, c.Y, p); },
      [&](const Blocks& p) { return backward_n(c.X, c.Y, p, planted_bugs); }, options);
}

void require_close(const Matrix& got, const Matrix& expected, double tolerance, const std::string& what) {
  BOOST_TEST_REQUIRE(got.shape(0) == expected.shape(0), what);
  BOOST_TEST_REQUIRE(got.shape(1) == expected.shape(1), what);
  for (std::size_t k = 0; k < got.size(); ++k) {
    BOOST_TEST(std::abs(got.data()[k] - expected.data()[k]) <= tolerance,
               what << " entry " << k << ": " << got.data()[k] << " vs " << expected.data()[k]);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_dimensional_check, *with_reference) {
  const auto& ref = reference()["gradient_check_1d"];
  const double x = ref["x"].get<double>();
  const Blocks theta = {{"theta", Matrix{{ref["theta"].get<double>()}}}};
  auto J = [&](const Blocks& p) { return p[0].value(0, 0) * x; };
  auto dJ = [&](const Blocks&) { return Blocks{{"dtheta", Matrix{{x}}}}; };
  BOOST_TEST(J(theta) == ref["J"].get<double>());
  BOOST_TEST(dJ(theta)[0].value(0, 0) == ref["dtheta"].get<double>());
  const CheckReport report = check_function(theta, J, dJ, CheckOptions::course());
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST(report.difference() == ref["difference"].get<double>(),
             "difference " << report.difference() << " vs the notes' " << ref["difference"]);
}

BOOST_AUTO_TEST_CASE(n_dimensional_check_names_the_planted_bugs, *with_reference) {
  const auto& ref = reference()["gradient_check_n"];
  const CheckReport report = check_nd(true, CheckOptions::course());
  BOOST_TEST(!report.passed());
  BOOST_TEST(std::abs(report.difference() - ref["difference_with_planted_bugs"].get<double>()) <= 1e-8,
             "difference " << report.difference());
  const std::vector<std::string> wrong = report.wrong_blocks();
  const std::vector<std::string> expected = {"b1", "W2"};
  BOOST_TEST(wrong == expected, boost::test_tools::per_element());
  const std::string text = report.to_string();
  BOOST_TEST(text.find("wrong blocks: b1 W2") != std::string::npos, text);
  BOOST_TEST_MESSAGE("planted-bug report:\n" << text);

  // With the default options too, the same two blocks and no others.
  const CheckReport strict = check_nd(true, CheckOptions{});
  BOOST_TEST(strict.wrong_blocks() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(n_dimensional_check_passes_once_the_bugs_are_fixed, *with_reference) {
  const auto& ref = reference()["gradient_check_n"];
  // Default step: a correct backprop passes with a wide margin.
  const CheckReport fixed = check_nd(false, CheckOptions{});
  BOOST_TEST(fixed.passed(), fixed.to_string());
  BOOST_TEST(fixed.difference() < fixed.options.threshold / 50, fixed.to_string());
  // The notes' own setting lands just above its own threshold: round-off, not a bug.
  const CheckReport course = check_nd(false, CheckOptions::course());
  const double notes = ref["difference_correct_backprop_eps_1e-7"].get<double>();
  BOOST_TEST(course.wrong_blocks().empty(), course.to_string());
  BOOST_TEST(course.difference() > 1e-8);
  BOOST_TEST(course.difference() < 1e-6);
  BOOST_TEST_MESSAGE("eps 1e-7 on a correct backprop: " << course.difference() << " (notes: " << notes << ")");

}

BOOST_AUTO_TEST_CASE(cost_with_regularization, *with_reference) {
  const auto& ref = reference()["cost_with_regularization_example"];
  RandomState rng(1);
  Graph g;
  auto& a3 = g.input("A3", 1);
  auto& y = g.input("Y", 1);
  auto& W1 = g.parameter("W1", rng.randn(2, 3));
  g.parameter("b1", rng.randn(2, 1));
  auto& W2 = g.parameter("W2", rng.randn(3, 2));
  g.parameter("b2", rng.randn(3, 1));
  auto& W3 = g.parameter("W3", rng.randn(1, 3));
  g.parameter("b3", rng.randn(1, 1));
  auto& ce = g.add<BinaryCrossEntropy>("cross_entropy", a3, y);
  auto& l2 = g.add<L2Penalty>("l2", std::vector<Parameter*>{&W1, &W2, &W3}, ref["lambd"].get<double>());
  auto& cost = g.add<Add>("cost", std::vector<Node*>{&ce, &l2});
  g.set_loss(cost);
  g.feed(a3, Matrix{{0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402}});
  g.feed(y, Matrix{{1, 1, 0, 1, 0}});
  g.forward(Mode::train);
  const double expected = ref["value"].get<double>();
  BOOST_TEST(std::abs(g.loss_value() - expected) <= 1e-12, g.loss_value() << " vs " << expected);
}

namespace {

// The three-layer network of the notes as xgrad nodes, with a Sigmoid and the notes'
// BinaryCrossEntropy at the end (so that a cached A3 can be fed in), L2 with lambda.
struct ThreeLayer {
  Graph g;
  Input* X;
  Input* Y;
  std::vector<Node*> z, a;  // z[l], a[l] for layers 1..3 at index 0..2
  std::vector<Dropout*> dropout;
  Node* sigmoid;
};

void build_three_layer(ThreeLayer& net, const std::vector<Matrix>& weights, std::size_t features,
                       double lambda, double keep_prob, RandomStream* stream) {
  Graph& g = net.g;
  net.X = &g.input("X", features);
  net.Y = &g.input("Y", weights[4].shape(0));
  Node* prev = net.X;
  std::vector<Parameter*> Ws;
  for (int l = 0; l < 3; ++l) {
    const std::string n = std::to_string(l + 1);
    auto& W = g.parameter("W" + n, weights[2 * l]);
    auto& b = g.parameter("b" + n, weights[2 * l + 1]);
    Ws.push_back(&W);
    Node& z = g.add<Linear>("fc" + n, *prev, W, b);
    net.z.push_back(&z);
    if (l == 2) break;
    Node* act = &g.add<Relu>("relu" + n, z);
    if (keep_prob < 1.0) {
      net.dropout.push_back(&g.add<Dropout>("dropout" + n, *act, keep_prob, *stream));
      act = net.dropout.back();
    }
    net.a.push_back(act);
    prev = act;
  }
  net.sigmoid = &g.add<Sigmoid>("sigmoid", *net.z[2]);
  Node& ce = g.add<BinaryCrossEntropy>("cross_entropy", *net.sigmoid, *net.Y);
  if (lambda > 0.0) {
    Node& l2 = g.add<L2Penalty>("l2", Ws, lambda);
    g.set_loss(g.add<Add>("cost", std::vector<Node*>{&ce, &l2}));
  } else {
    g.set_loss(ce);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(backward_with_regularization, *with_reference) {
  const auto& ref = reference()["backward_with_regularization_example"];
  const auto& cache = ref["inputs"]["cache"];  // Z1 A1 W1 b1 Z2 A2 W2 b2 Z3 A3 W3 b3
  const Matrix X = to_matrix(ref["inputs"]["X"]);
  ThreeLayer net;
  build_three_layer(net,
                    {to_matrix(cache[2]), to_matrix(cache[3]), to_matrix(cache[6]), to_matrix(cache[7]),
                     to_matrix(cache[10]), to_matrix(cache[11])},
                    X.shape(0), ref["lambd"].get<double>(), 1.0, nullptr);
  net.g.feed(*net.X, X);
  net.g.feed(*net.Y, to_matrix(ref["inputs"]["Y"]));
  // Backward from the notes' cached activations, as backward_propagation_with_regularization.
  net.z[0]->value() = to_matrix(cache[0]);
  net.a[0]->value() = to_matrix(cache[1]);
  net.z[1]->value() = to_matrix(cache[4]);
  net.a[1]->value() = to_matrix(cache[5]);
  net.z[2]->value() = to_matrix(cache[8]);
  net.sigmoid->value() = to_matrix(cache[9]);
  net.g.backward();
  for (const char* name : {"W1", "W2", "W3"}) {
    require_close(net.g.find_parameter(name)->grad, to_matrix(ref["expected"][std::string("d") + name]),
                  1e-12, std::string("d") + name);
  }
}

BOOST_AUTO_TEST_CASE(forward_with_dropout, *with_reference) {
  const auto& ref = reference()["forward_with_dropout_example"];
  RandomState rng(1);
  const Matrix X = rng.randn(3, 5);
  std::vector<Matrix> weights;
  for (auto [r, c] : {std::pair{2, 3}, {2, 1}, {3, 2}, {3, 1}, {1, 3}, {1, 1}}) weights.push_back(rng.randn(r, c));
  ThreeLayer net;
  RandomStream masks(1, MaskPolicy::replay);  // the notes' forward pass calls np.random.seed(1)
  build_three_layer(net, weights, 3, 0.0, ref["keep_prob"].get<double>(), &masks);
  net.g.feed(*net.X, X);
  net.g.feed(*net.Y, Matrix{{1, 1, 0, 1, 0}});
  masks.begin_pass();
  for (Node* n : net.g.nodes()) n->forward(Mode::train);
  require_close(net.sigmoid->value(), to_matrix(ref["expected_A3"]), 1e-12, "A3");
}

BOOST_AUTO_TEST_CASE(backward_with_dropout, *with_reference) {
  const auto& ref = reference()["backward_with_dropout_example"];
  const auto& cache = ref["inputs"]["cache"];  // Z1 D1 A1 W1 b1 Z2 D2 A2 W2 b2 Z3 A3 W3 b3
  const Matrix X = to_matrix(ref["inputs"]["X"]);
  const double m = static_cast<double>(X.shape(1));
  ThreeLayer net;
  RandomStream masks(0, MaskPolicy::fresh);
  build_three_layer(net,
                    {to_matrix(cache[3]), to_matrix(cache[4]), to_matrix(cache[8]), to_matrix(cache[9]),
                     to_matrix(cache[12]), to_matrix(cache[13])},
                    X.shape(0), 0.0, ref["keep_prob"].get<double>(), &masks);
  net.g.feed(*net.X, X);
  net.g.feed(*net.Y, to_matrix(ref["inputs"]["Y"]));
  net.z[0]->value() = to_matrix(cache[0]);
  net.dropout[0]->set_mask(to_matrix(cache[1]));
  net.dropout[0]->inputs()[0]->value() = to_matrix(cache[2]);  // relu1: only its sign pattern matters
  net.a[0]->value() = to_matrix(cache[2]);
  net.z[1]->value() = to_matrix(cache[5]);
  net.dropout[1]->set_mask(to_matrix(cache[6]));
  net.dropout[1]->inputs()[0]->value() = to_matrix(cache[7]);
  net.a[1]->value() = to_matrix(cache[7]);
  net.z[2]->value() = to_matrix(cache[10]);
  net.sigmoid->value() = to_matrix(cache[11]);
  net.g.backward();
  // The notes' dA1, dA2 are gradients at the ReLU outputs, before the 1/m of the mean cost.
  const Matrix dA1 = net.dropout[0]->inputs()[0]->grad() * m;
  const Matrix dA2 = net.dropout[1]->inputs()[0]->grad() * m;
  require_close(dA1, to_matrix(ref["expected"]["dA1"]), 1e-12, "dA1");
  require_close(dA2, to_matrix(ref["expected"]["dA2"]), 1e-12, "dA2");
}

BOOST_AUTO_TEST_CASE(whole_model_with_l2_and_dropout_agrees_with_the_checker) {
  RandomState rng(3);
  std::vector<Matrix> weights;
  for (auto [r, c] : {std::pair{20, 2}, {20, 1}, {3, 20}, {3, 1}, {1, 3}, {1, 1}}) {
    weights.push_back(rng.randn(r, c) / std::sqrt(static_cast<double>(c == 1 ? 1 : c)));
  }
  ThreeLayer net;
  RandomStream masks(1, MaskPolicy::fresh);
  build_three_layer(net, weights, 2, 0.7, 0.86, &masks);
  RandomState data(5);
  net.g.feed(*net.X, data.randn(2, 40));
  net.g.feed(*net.Y, xt::cast<double>(data.rand(1, 40) < 0.5));
  const CheckReport report = check_graph(net.g);
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST(report.entries.size() == 127u);
  const CheckReport nodes = check_nodes(net.g);
  BOOST_TEST(nodes.passed(), nodes.to_string());
}

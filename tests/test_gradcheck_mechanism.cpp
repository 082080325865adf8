// The checker's mechanism (issue 15, items 1-5): inputs read twice, undeclared parameters,
// non-finite values from forward, input domains, block names; and its own guarantees: state
// put back even when a node throws, a false column-separable claim caught.
#define BOOST_TEST_MODULE gradcheck_mechanism
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <set>

#include "planted.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

using namespace xgrad;
using xgrad::testing::PlantedError;

namespace {

bool has_finding(const CheckReport& r, const std::string& text) {
  for (const auto& f : r.findings) {
    if (f.problem.find(text) != std::string::npos) return true;
  }
  return false;
}

// A user's element-wise product of two inputs: d(a*b)/da = b, d/db = a.
class Product final : public Node {
 public:
  Product(std::string name, Node& a, Node& b) : Node(std::move(name), {&a, &b}, a.rows()) {}
  std::string_view kind() const override { return "product"; }
  void forward(Mode) override {
    const Matrix& a = inputs()[0]->value();
    const Matrix& b = inputs()[1]->value();
    for (std::size_t k = 0; k < value_.size(); ++k) value_.data()[k] = a.data()[k] * b.data()[k];
  }
  void backward() override {
    Node& a = *inputs()[0];
    Node& b = *inputs()[1];
    for (std::size_t k = 0; k < value_.size(); ++k) {
      const double g = grad_.data()[k];
      const double av = a.value().data()[k], bv = b.value().data()[k];
      if (a.requires_grad()) a.grad().data()[k] += g * bv;
      if (b.requires_grad()) b.grad().data()[k] += g * av;
    }
  }
};

// value = W * x with a 1x1 W that it reads but does not declare (the bug under test).
class HiddenScale final : public Node {
 public:
  HiddenScale(std::string name, Node& x, Parameter& w) : Node(std::move(name), {&x}, x.rows()), w_(w) {}
  std::string_view kind() const override { return "hidden_scale"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < value_.size(); ++k) value_.data()[k] = w_.value(0, 0) * x.data()[k];
  }
  void backward() override {
    Node& x = *inputs()[0];
    for (std::size_t k = 0; k < value_.size(); ++k) {
      if (x.requires_grad()) x.grad().data()[k] += grad_.data()[k] * w_.value(0, 0);
      w_.grad(0, 0) += grad_.data()[k] * x.value().data()[k];
    }
  }

 private:
  Parameter& w_;
};

// log(x) element-wise, declaring its input domain (positive) or not (real).
class Log final : public Node {
 public:
  Log(std::string name, Node& x, InputDomain domain) : Node(std::move(name), {&x}, x.rows()), domain_(domain) {}
  std::string_view kind() const override { return "log"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < value_.size(); ++k) value_.data()[k] = std::log(x.data()[k]);
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < value_.size(); ++k) x.grad().data()[k] += grad_.data()[k] / x.value().data()[k];
  }
  InputDomain input_domain(std::size_t) const override { return domain_; }

 private:
  InputDomain domain_;
};

// The textbook softmax cross-entropy over classes (rows) of logits z and one-hot labels y:
// value = -(1/m) sum y log softmax(z); dz += g (p - y) / m, valid when each column of y is
// one-hot (sums to 1).
class TextbookSoftmaxCrossEntropy final : public Node {
 public:
  TextbookSoftmaxCrossEntropy(std::string name, Node& z, Node& y) : Node(std::move(name), {&z, &y}, 1) {}
  std::string_view kind() const override { return "softmax_cross_entropy"; }
  std::size_t columns(std::size_t) const override { return 1; }
  InputDomain input_domain(std::size_t i) const override {
    return i == 1 ? InputDomain::one_hot : InputDomain::real;
  }
  void resize(std::size_t batch) override {
    Node::resize(batch);
    p_ = Matrix({inputs()[0]->rows(), batch});
  }
  void forward(Mode) override {
    const Matrix& z = inputs()[0]->value();
    const Matrix& y = inputs()[1]->value();
    double total = 0.0;
    for (std::size_t c = 0; c < z.shape(1); ++c) {
      double top = z(0, c);
      for (std::size_t r = 1; r < z.shape(0); ++r) top = std::max(top, z(r, c));
      double sum = 0.0;
      for (std::size_t r = 0; r < z.shape(0); ++r) sum += std::exp(z(r, c) - top);
      for (std::size_t r = 0; r < z.shape(0); ++r) {
        p_(r, c) = std::exp(z(r, c) - top) / sum;
        total -= y(r, c) * (z(r, c) - top - std::log(sum));
      }
    }
    value_(0, 0) = total / static_cast<double>(batch());
  }
  void backward() override {
    Node& z = *inputs()[0];
    if (!z.requires_grad()) return;
    const Matrix& y = inputs()[1]->value();
    const double scale = grad_(0, 0) / static_cast<double>(batch());
    for (std::size_t k = 0; k < p_.size(); ++k) z.grad().data()[k] += (p_.data()[k] - y.data()[k]) * scale;
  }

 private:
  Matrix p_;
};

// x minus the batch's mean, per row: declares column_separable() although it is not.
class CenterRows final : public Node, public Schedulable {
 public:
  CenterRows(std::string name, Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "center_rows"; }
  bool column_separable() const override { return true; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t r = 0; r < x.shape(0); ++r) {
      double mean = 0.0;
      for (std::size_t c = 0; c < x.shape(1); ++c) mean += x(r, c);
      mean /= static_cast<double>(x.shape(1));
      for (std::size_t c = 0; c < x.shape(1); ++c) value_(r, c) = x(r, c) - mean;
    }
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    const double m = static_cast<double>(value_.shape(1));
    for (std::size_t r = 0; r < value_.shape(0); ++r) {
      double mean = 0.0;
      for (std::size_t c = 0; c < value_.shape(1); ++c) mean += grad_(r, c);
      mean /= m;
      for (std::size_t c = 0; c < value_.shape(1); ++c) x.grad()(r, c) += grad_(r, c) - mean;
    }
  }
};

// A correct identity whose backward throws: check_node must still put everything back.
class ThrowingBackward final : public Node {
 public:
  ThrowingBackward(std::string name, Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "throwing_backward"; }
  void forward(Mode) override { xt::noalias(value_) = inputs()[0]->value(); }
  void backward() override { throw RunError("backward failed on purpose"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(add_reading_the_same_input_twice_passes) {
  Graph g;
  auto& x = g.input("x", 3);
  auto& sum = g.add<Add>("twice", std::vector<Node*>{&x, &x});
  const CheckReport r = check_node(sum);
  BOOST_TEST(r.passed(), r.to_string());
  BOOST_TEST_REQUIRE(r.blocks.size() == 1u);
  BOOST_TEST(r.blocks[0].block == "input 0,1 (x)");
  // d(x + x)/dx = 2: every analytic entry is 2 * R, so the numeric agrees with 2 * upstream.
  for (const auto& e : r.entries) BOOST_TEST(std::abs(e.analytic - e.numeric) <= e.tolerance);
}

BOOST_AUTO_TEST_CASE(a_product_of_an_input_with_itself_passes) {
  Graph g;
  auto& x = g.input("x", 2);
  const CheckReport r = check_node(g.add<Product>("square", x, x));
  BOOST_TEST(r.passed(), r.to_string());
  BOOST_TEST(r.findings.empty(), r.to_string());
  // and two different inputs are still two blocks
  Graph h;
  auto& a = h.input("a", 2);
  auto& b = h.input("b", 2);
  const CheckReport two = check_node(h.add<Product>("product", a, b));
  BOOST_TEST(two.passed(), two.to_string());
  BOOST_TEST(two.blocks.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_parameter_read_but_not_declared_is_named) {
  Graph g;
  RandomState rng(1);
  auto& x = g.input("x", 2);
  auto& y = g.input("y", 2);
  auto& w = g.parameter("scale.w", Matrix{{0.7}});
  auto& s = g.add<HiddenScale>("scale", x, w);
  g.set_loss(g.add<SigmoidCrossEntropy>("cost", s, y));
  g.feed(x, rng.randn(2, 4));
  g.feed(y, xt::cast<double>(rng.rand(2, 4) < 0.5));
  const CheckReport nodes = check_nodes(g);
  BOOST_TEST(!nodes.passed());
  BOOST_TEST(has_finding(nodes, "forward reads parameter 'scale.w'"), nodes.to_string());
  BOOST_TEST(has_finding(nodes, "declared by: no node"), nodes.to_string());
  const CheckReport whole = check_graph(g);
  BOOST_TEST(!whole.passed());
  BOOST_TEST(has_finding(whole, "parameter 'scale.w' is declared by no node"), whole.to_string());
}

BOOST_AUTO_TEST_CASE(a_parameter_read_by_a_node_that_does_not_declare_it_names_its_declarer) {
  Graph g;
  RandomState rng(2);
  auto& x = g.input("x", 1);
  auto& y = g.input("y", 1);
  auto& W = g.parameter("fc.W", rng.randn(1, 1));
  auto& b = g.parameter("fc.b", rng.randn(1, 1));
  auto& fc = g.add<Linear>("fc", x, W, b);
  auto& s = g.add<HiddenScale>("scale", fc, W);  // reads fc.W, declares nothing
  g.set_loss(g.add<SigmoidCrossEntropy>("cost", s, y));
  g.feed(x, rng.randn(1, 3));
  g.feed(y, Matrix{{1.0, 0.0, 1.0}});
  const CheckReport nodes = check_nodes(g);
  BOOST_TEST(has_finding(nodes, "forward reads parameter 'fc.W' (its value moves when fc.W moves) but "
                                "parameters() does not declare it; declared by: fc"),
             nodes.to_string());
  for (const auto& f : nodes.findings) BOOST_TEST(f.node == "scale", f.problem);
}

BOOST_AUTO_TEST_CASE(non_finite_values_from_forward_are_named_with_their_inputs) {
  Graph g;
  auto& x = g.input("x", 3);
  const CheckReport r = check_node(g.add<Log>("log", x, InputDomain::real));  // inputs in (-1, 1)
  BOOST_TEST(!r.passed());
  BOOST_TEST(!has_finding(r, "unwritten"), r.to_string());
  BOOST_TEST(has_finding(r, "nan at value("), r.to_string());
  BOOST_TEST(has_finding(r, "forward produced "), r.to_string());
  BOOST_TEST(has_finding(r, "entries not finite) from input values x("), r.to_string());
  // the input value named is the negative one behind the NaN
  const std::string text = r.findings[0].problem;
  const auto at = text.find(" = ", text.find("from input values"));
  BOOST_TEST_REQUIRE(at != std::string::npos);
  BOOST_TEST(std::stod(text.substr(at + 3)) < 0.0, text);
}

BOOST_AUTO_TEST_CASE(a_log_declaring_positive_inputs_passes) {
  Graph g;
  auto& x = g.input("x", 3);
  const CheckReport r = check_node(g.add<Log>("log", x, InputDomain::positive));
  BOOST_TEST(r.passed(), r.to_string());
  for (double v : x.value()) BOOST_TEST(v > 0.0);
}

BOOST_AUTO_TEST_CASE(textbook_softmax_cross_entropy_with_one_hot_labels_passes) {
  Graph g;
  auto& z = g.input("z", 4);
  auto& y = g.input("y", 4);
  CheckOptions o;
  o.batch = 5;
  const CheckReport r = check_node(g.add<TextbookSoftmaxCrossEntropy>("cost", z, y), o);
  BOOST_TEST(r.passed(), r.to_string());
  for (std::size_t c = 0; c < 5; ++c) {
    double column = 0.0;
    for (std::size_t row = 0; row < 4; ++row) {
      const double v = y.value()(row, c);
      BOOST_TEST((v == 0.0 || v == 1.0));
      column += v;
    }
    BOOST_TEST(column == 1.0);
  }
  // the labels are data: only the logits are a block
  BOOST_TEST_REQUIRE(r.blocks.size() == 1u);
  BOOST_TEST(r.blocks[0].block == "input 0 (z)");
}

BOOST_AUTO_TEST_CASE(check_graph_names_blocks_by_parameter) {
  Graph g;
  RandomState rng(4);
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  auto& W = g.parameter("fc1.W", rng.randn(1, 2));
  auto& b = g.parameter("fc1.b", rng.randn(1, 1));
  auto& fc = g.add<Linear>("fc1", x, W, b);
  auto& twice = g.add<Product>("bad", fc, fc);  // correct...
  g.set_loss(g.add<SigmoidCrossEntropy>("cost", twice, y));
  g.feed(x, rng.randn(2, 3));
  g.feed(y, Matrix{{1.0, 0.0, 1.0}});
  const CheckReport ok = check_graph(g);  // a correct model
  BOOST_TEST(ok.passed(), ok.to_string());
  BOOST_TEST_REQUIRE(ok.blocks.size() == 2u);
  BOOST_TEST(ok.blocks[0].block == "fc1.W");
  BOOST_TEST(ok.blocks[0].node == "");
  // ...and with fc1.W's gradient wrong the wrong block is "fc1.W", not "model/fc1.W"
  Graph h;
  auto& hx = h.input("X", 2);
  auto& hy = h.input("Y", 1);
  auto& hW = h.parameter("fc1.W", rng.randn(1, 2));
  auto& hb = h.parameter("fc1.b", rng.randn(1, 1));
  auto& hfc = h.add<PlantedError>(std::make_unique<Linear>("fc1", hx, hW, hb), "fc1.W", std::nullopt, 2.0);
  h.set_loss(h.add<SigmoidCrossEntropy>("cost", hfc, hy));
  h.feed(hx, rng.randn(2, 3));
  h.feed(hy, Matrix{{1.0, 0.0, 1.0}});
  const CheckReport wrong = check_graph(h);
  BOOST_TEST(wrong.wrong_blocks() == std::vector<std::string>{"fc1.W"}, boost::test_tools::per_element());
  BOOST_TEST(wrong.to_string().find("wrong blocks: fc1.W\n") != std::string::npos, wrong.to_string());
}

BOOST_AUTO_TEST_CASE(check_node_puts_state_back_when_backward_throws) {
  Graph g;
  RandomState rng(5);
  auto& x = g.input("x", 2);
  auto& n = g.add<ThrowingBackward>("thrower", x);
  g.feed(x, rng.randn(2, 3));
  g.forward(Mode::train);
  x.grad().fill(0.5);
  const Matrix value = n.value();
  BOOST_TEST(!x.requires_grad());
  BOOST_CHECK_THROW(check_node(n), RunError);
  BOOST_TEST(!x.requires_grad(), "requires_grad was not put back");
  BOOST_TEST((x.grad() == xt::ones<double>({2, 3}) * 0.5));
  BOOST_TEST((n.value() == value));
}

BOOST_AUTO_TEST_CASE(a_false_column_separable_claim_is_caught) {
  Graph g;
  auto& x = g.input("x", 2);
  CheckOptions o;
  o.batch = 4;
  const CheckReport r = check_node(g.add<CenterRows>("center", x), o);
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "declares column_separable() but value("), r.to_string());
}

BOOST_AUTO_TEST_CASE(column_separable_nodes_are_checked_column_by_column) {
  Graph g;
  RandomState rng(6);
  auto& x = g.input("x", 3);
  auto& W = g.parameter("fc.W", rng.randn(2, 3));
  auto& b = g.parameter("fc.b", rng.randn(2, 1));
  auto& fc = g.add<Linear>("fc", x, W, b);
  g.feed(x, rng.randn(3, 7));
  g.forward(Mode::train);
  const Matrix value = fc.value();
  const CheckReport r = check_node(fc);
  BOOST_TEST(r.passed(), r.to_string());
  BOOST_TEST(r.entries.size() == 21u + 6u + 2u);
  std::set<std::pair<std::size_t, std::size_t>> seen;  // every input entry (row, col) once
  for (const auto& e : r.entries) {
    if (e.block == "input 0 (x)") seen.insert({e.row, e.col});
  }
  BOOST_TEST(seen.size() == 21u);
  BOOST_TEST(fc.batch() == 7u);
  BOOST_TEST((fc.value() == value));
  BOOST_TEST(x.value().shape(1) == 7u);
}

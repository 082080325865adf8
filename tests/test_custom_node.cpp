// The README's "A node of your own, and its check" example, verbatim: a user's softplus node, checked in
// one call, then used inside a model.
#define BOOST_TEST_MODULE custom_node
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

// --- README example begins ---
// softplus(x) = log(1 + exp(x)), element-wise; its derivative is sigmoid(x).
class Softplus final : public xgrad::Node {
 public:
  Softplus(std::string name, xgrad::Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "softplus"; }

  void forward(xgrad::Mode) override {
    const xgrad::Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double v = x.data()[k];
      value_.data()[k] = std::max(v, 0.0) + std::log1p(std::exp(-std::abs(v)));
    }
  }

  void backward() override {
    xgrad::Node& x = *inputs()[0];
    if (!x.requires_grad()) return;  // nobody needs dx
    for (std::size_t k = 0; k < x.value().size(); ++k) {
      x.grad().data()[k] += grad_.data()[k] * xgrad::sigmoid(x.value().data()[k]);  // add, never assign
    }
  }
};

BOOST_AUTO_TEST_CASE(softplus_passes_the_gradient_checker) {
  xgrad::Graph g;
  auto& x = g.input("x", 4);
  auto& softplus = g.add<Softplus>("softplus", x);
  const xgrad::CheckReport report = xgrad::check_node(softplus);  // random inputs, every entry
  BOOST_TEST(report.passed(), report);
}
// --- README example ends ---

BOOST_AUTO_TEST_CASE(softplus_inside_a_model_passes_the_whole_graph_check) {
  xgrad::Graph g;
  xgrad::RandomState rng(11);
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  auto& W1 = g.parameter("fc1.W", rng.randn(4, 2));
  auto& b1 = g.parameter("fc1.b", rng.randn(4, 1));
  auto& W2 = g.parameter("fc2.W", rng.randn(1, 4));
  auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
  auto& h = g.add<Softplus>("softplus", g.add<xgrad::Linear>("fc1", x, W1, b1));
  g.set_loss(g.add<xgrad::SigmoidCrossEntropy>("cost", g.add<xgrad::Linear>("fc2", h, W2, b2), y));
  g.feed(x, rng.randn(2, 6));
  g.feed(y, xt::cast<double>(rng.rand(1, 6) < 0.5));
  const auto whole = xgrad::check_graph(g);
  BOOST_TEST(whole.passed(), whole.to_string());
  const auto nodes = xgrad::check_nodes(g);
  BOOST_TEST(nodes.passed(), nodes.to_string());
}

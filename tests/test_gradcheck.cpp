// The gradient checker catches each kind of broken backward pass and says where.
#define BOOST_TEST_MODULE gradcheck
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

using namespace xgrad;

namespace {

// y = x^2 element-wise, with a backward that can be broken in one chosen way.
enum class Bug { none, overwrites, skips_last_column, ignores_upstream, wrong_derivative, forward_skips_row };

class Square final : public Node {
 public:
  Square(std::string name, Node& x, Bug bug) : Node(std::move(name), {&x}, x.rows()), bug_(bug) {}
  std::string_view kind() const override { return "square"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t i = 0; i < value_.shape(0); ++i) {
      if (bug_ == Bug::forward_skips_row && i == 0) continue;
      for (std::size_t j = 0; j < value_.shape(1); ++j) value_(i, j) = x(i, j) * x(i, j);
    }
  }
  void backward() override {
    Node& in = *inputs()[0];
    const Matrix& x = in.value();
    Matrix& dx = in.grad();
    for (std::size_t i = 0; i < x.shape(0); ++i) {
      for (std::size_t j = 0; j < x.shape(1); ++j) {
        if (bug_ == Bug::skips_last_column && j + 1 == x.shape(1)) continue;
        const double d = bug_ == Bug::wrong_derivative && i == 1 ? 3.0 * x(i, j) : 2.0 * x(i, j);
        const double contribution = bug_ == Bug::ignores_upstream ? d : grad_(i, j) * d;
        if (bug_ == Bug::overwrites) {
          dx(i, j) = contribution;
        } else {
          dx(i, j) += contribution;
        }
      }
    }
  }

 private:
  Bug bug_;
};

// A node that draws random numbers without declaring its stream.
class HiddenNoise final : public Node {
 public:
  explicit HiddenNoise(Node& x) : Node("hidden_noise", {&x}, x.rows()), rng_(7) {}
  std::string_view kind() const override { return "hidden_noise"; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) value_.data()[k] = x.data()[k] + 1e-3 * rng_.random_sample();
  }
  void backward() override {
    if (inputs()[0]->requires_grad()) xt::noalias(inputs()[0]->grad()) += grad_;
  }

 private:
  RandomState rng_;
};

CheckReport check_square(Bug bug) {
  Graph g;
  auto& x = g.input("x", 3);
  return check_node(g.add<Square>("square", x, bug));
}

bool has_finding(const CheckReport& r, const std::string& text) {
  for (const auto& f : r.findings) {
    if (f.problem.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_correct_custom_node_passes) {
  const CheckReport r = check_square(Bug::none);
  BOOST_TEST(r.passed(), r.to_string());
  BOOST_TEST(r.findings.empty());
  BOOST_TEST(r.blocks.size() == 1u);
  BOOST_TEST(r.blocks[0].block == "input 0 (x)");
}

BOOST_AUTO_TEST_CASE(overwriting_instead_of_accumulating_is_named) {
  const CheckReport r = check_square(Bug::overwrites);
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "overwrites the gradient of input 0 (x) instead of adding to it"), r.to_string());
}

BOOST_AUTO_TEST_CASE(gradient_entries_never_written_are_named) {
  const CheckReport r = check_square(Bug::skips_last_column);
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "never writes 3 entries of the gradient of input 0 (x)"), r.to_string());
  // and the numeric comparison points at the last column
  for (const auto& e : r.entries) {
    if (e.failed) BOOST_TEST(e.col == 2u);
  }
}

BOOST_AUTO_TEST_CASE(a_term_not_multiplied_by_the_upstream_gradient_is_named) {
  const CheckReport r = check_square(Bug::ignores_upstream);
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "with a zero upstream gradient"), r.to_string());
}

BOOST_AUTO_TEST_CASE(a_wrong_derivative_is_located_to_the_entry) {
  const CheckReport r = check_square(Bug::wrong_derivative);
  BOOST_TEST(!r.passed());
  BOOST_TEST(r.findings.empty(), r.to_string());
  std::size_t wrong = 0;
  for (const auto& e : r.entries) {
    if (e.failed) {
      ++wrong;
      BOOST_TEST(e.row == 1u);
      BOOST_TEST(std::abs(e.analytic / e.numeric - 1.5) < 1e-6);
    }
  }
  BOOST_TEST(wrong == 3u);
  BOOST_TEST(r.wrong_blocks() == std::vector<std::string>{"square/input 0 (x)"}, boost::test_tools::per_element());
  const std::string text = r.to_string();
  BOOST_TEST(text.find("WRONG") != std::string::npos);
  BOOST_TEST(text.find("square input 0 (x)(1,") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(forward_that_leaves_entries_unwritten_is_named) {
  const CheckReport r = check_square(Bug::forward_skips_row);
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "forward left 3 of 9 value entries unwritten"), r.to_string());
}

BOOST_AUTO_TEST_CASE(undeclared_randomness_is_reported_as_non_determinism) {
  Graph g;
  auto& x = g.input("x", 2);
  const CheckReport r = check_node(g.add<HiddenNoise>(x));
  BOOST_TEST(!r.passed());
  BOOST_TEST(has_finding(r, "forward is not deterministic"), r.to_string());
}

BOOST_AUTO_TEST_CASE(declared_randomness_is_frozen_and_the_stream_put_back) {
  Graph g;
  auto& x = g.input("x", 4);
  auto& stream = g.random_stream(5, MaskPolicy::fresh);
  auto& d = g.add<Dropout>("dropout", x, 0.5, stream);
  const RandomState before = stream.state();
  const CheckReport r = check_node(d);
  BOOST_TEST(r.passed(), r.to_string());
  RandomState after = stream.state();
  RandomState expected = before;
  BOOST_TEST(after.next_uint32() == expected.next_uint32(), "the check moved the training stream");
}

BOOST_AUTO_TEST_CASE(check_node_puts_every_gradient_and_value_back) {
  Graph g;
  RandomState rng(2);
  auto& x = g.input("x", 3);
  auto& W = g.parameter("W", rng.randn(2, 3));
  auto& b = g.parameter("b", rng.randn(2, 1));
  auto& fc = g.add<Linear>("fc", x, W, b);
  g.feed(x, rng.randn(3, 4));
  g.forward(Mode::train);
  W.grad.fill(0.25);
  const Matrix value = fc.value();
  const Matrix w = W.value;
  const CheckReport r = check_node(fc);
  BOOST_TEST(r.passed(), r.to_string());
  BOOST_TEST((W.grad == xt::ones<double>({2, 3}) * 0.25));
  BOOST_TEST((fc.value() == value));
  BOOST_TEST((W.value == w));
  BOOST_TEST(!x.requires_grad());
}

BOOST_AUTO_TEST_CASE(whole_graph_check_finds_a_broken_node_inside_a_model) {
  Graph g;
  RandomState rng(4);
  auto& x = g.input("X", 3);
  auto& y = g.input("Y", 3);
  auto& W = g.parameter("fc.W", rng.randn(3, 3));
  auto& b = g.parameter("fc.b", rng.randn(3, 1));
  auto& z = g.add<Linear>("fc", x, W, b);
  auto& sq = g.add<Square>("square", z, Bug::wrong_derivative);
  g.set_loss(g.add<SigmoidCrossEntropy>("cost", sq, y));
  g.feed(x, rng.randn(3, 5));
  g.feed(y, xt::cast<double>(rng.rand(3, 5) < 0.5));
  const CheckReport whole = check_graph(g);
  BOOST_TEST(!whole.passed());
  const auto wrong = whole.wrong_blocks();
  BOOST_TEST(!wrong.empty(), whole.to_string());
  const CheckReport per_node = check_nodes(g);
  BOOST_TEST(per_node.wrong_blocks() == std::vector<std::string>{"square/input 0 (fc)"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(check_function_rejects_a_gradient_of_another_shape) {
  const Blocks theta = {{"W", Matrix({2, 2})}};
  auto J = [](const Blocks&) { return 0.0; };
  auto bad = [](const Blocks&) { return Blocks{{"dW", Matrix({2, 3})}}; };
  BOOST_CHECK_THROW(check_function(theta, J, bad), InputError);
}

BOOST_AUTO_TEST_CASE(report_converts_to_bool_and_prints_a_table) {
  const CheckReport good = check_square(Bug::none);
  BOOST_TEST(static_cast<bool>(good));
  const std::string text = good.to_string();
  BOOST_TEST(text.find("gradient check PASSED") == 0u, text);
  BOOST_TEST(text.find("max abs err") != std::string::npos);
  std::ostringstream streamed;
  streamed << good;
  BOOST_TEST(streamed.str() == text);
}

BOOST_AUTO_TEST_CASE(progress_reports_every_entry_against_the_planned_count) {
  // J = sum of squares over blocks of 3 and 2 entries, dJ = 2 theta: 5 entries in full mode.
  const Blocks theta = {{"a", Matrix{{0.5, -1.0, 2.0}}}, {"b", Matrix{{1.5}, {-0.25}}}};
  auto J = [](const Blocks& t) {
    double sum = 0.0;
    for (const auto& b : t) {
      for (double v : b.value) sum += v * v;
    }
    return sum;
  };
  auto dJ = [](const Blocks& t) {
    Blocks g;
    for (const auto& b : t) g.push_back({"d" + b.name, Matrix(2.0 * b.value)});
    return g;
  };
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  CheckOptions options;
  options.progress = [&](std::size_t done, std::size_t planned) { calls.emplace_back(done, planned); };
  const CheckReport report = check_function(theta, J, dJ, options);
  BOOST_TEST(report.passed(), report.to_string());
  BOOST_TEST_REQUIRE(calls.size() == 5u);
  for (std::size_t k = 0; k < calls.size(); ++k) {
    BOOST_TEST(calls[k].first == k + 1);
    BOOST_TEST(calls[k].second == 5u);
  }
}

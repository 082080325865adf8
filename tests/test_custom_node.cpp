// The README's "A node of your own, and its check" example, verbatim: a user's softplus node, checked in
// one call, then used inside a model; the same softplus written as math alone (Elementwise),
// checked, and trained on worker threads with the bits of one thread.
#define BOOST_TEST_MODULE custom_node
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/train/optimizer.hpp>
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

namespace {

// x (2) -> fc1 (hidden) -> Middle(extra...) -> fc2 (1) -> sigmoid cross-entropy, fed m examples
// drawn from rng.
template <class Middle, class... Extra>
void two_layers(xgrad::Graph& g, xgrad::RandomState& rng, std::size_t hidden, std::size_t m, Extra... extra) {
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  auto& W1 = g.parameter("fc1.W", rng.randn(hidden, 2));
  auto& b1 = g.parameter("fc1.b", rng.randn(hidden, 1));
  auto& W2 = g.parameter("fc2.W", rng.randn(1, hidden));
  auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
  auto& h = g.add<Middle>("softplus", g.add<xgrad::Linear>("fc1", x, W1, b1), extra...);
  g.set_loss(g.add<xgrad::SigmoidCrossEntropy>("cost", g.add<xgrad::Linear>("fc2", h, W2, b2), y));
  g.feed(x, rng.randn(2, m));
  g.feed(y, xt::cast<double>(rng.rand(1, m) < 0.5));
}

}  // namespace

BOOST_AUTO_TEST_CASE(softplus_inside_a_model_passes_the_whole_graph_check) {
  xgrad::Graph g;
  xgrad::RandomState rng(11);
  two_layers<Softplus>(g, rng, 4, 6);
  const auto whole = xgrad::check_graph(g);
  BOOST_TEST(whole.passed(), whole.to_string());
  const auto nodes = xgrad::check_nodes(g);
  BOOST_TEST(nodes.passed(), nodes.to_string());
}

// --- README example (element-wise) begins ---
// softplus(x) = log(1 + exp(x)), written as math alone: forward, backward, column tiles and
// worker threads come from xgrad::Elementwise.
struct SoftplusFunction {
  static constexpr std::string_view kind = "softplus";
  double value(double x) const { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
  double derivative(double x) const { return xgrad::sigmoid(x); }
};
using ElementwiseSoftplus = xgrad::Elementwise<SoftplusFunction>;

BOOST_AUTO_TEST_CASE(elementwise_softplus_passes_the_gradient_checker) {
  xgrad::Graph g;
  auto& softplus = g.add<ElementwiseSoftplus>("softplus", g.input("x", 4));
  const xgrad::CheckReport report = xgrad::check_node(softplus);  // also its tile and thread hooks
  BOOST_TEST(report.passed(), report);
}
// --- README example (element-wise) ends ---

// The scheduling hooks are opt-in: the README's Softplus (a raw Node) has none, so a model
// using it runs on the whole batch; the Elementwise one derives from Schedulable, declares
// them and tiles.
BOOST_AUTO_TEST_CASE(scheduling_hooks_are_opt_in) {
  xgrad::Graph g;
  auto& x = g.input("x", 3);
  auto& raw = g.add<Softplus>("raw", x);
  auto& math = g.add<ElementwiseSoftplus>("math", x);
  const xgrad::Schedulable& raw_hooks = xgrad::scheduling_hooks(raw);
  BOOST_TEST(!raw_hooks.column_separable());
  BOOST_TEST(!raw_hooks.mean_over_columns());
  BOOST_TEST(!raw_hooks.sums_inputs());
  BOOST_TEST((raw_hooks.clone_for_worker({&x}, {}) == nullptr));
  BOOST_TEST((&xgrad::scheduling_hooks(math) == static_cast<const xgrad::Schedulable*>(&math)));
  BOOST_TEST(xgrad::scheduling_hooks(math).column_separable());
  BOOST_TEST((xgrad::scheduling_hooks(math).clone_for_worker({&x}, {}) != nullptr));

  xgrad::RandomState rng(5);
  xgrad::Graph plain;
  two_layers<Softplus>(plain, rng, 4, 700);
  plain.set_tile_columns(64);
  BOOST_TEST(!plain.tileable());  // one node without hooks: the whole batch, as forward + backward
  xgrad::Graph tiled;
  two_layers<ElementwiseSoftplus>(tiled, rng, 4, 700);
  tiled.set_tile_columns(64);
  BOOST_TEST(tiled.tileable());
}

namespace {

// What the counting softplus and its worker copies share: how often the function ran on a
// thread other than the one that made the graph (only worker copies run there).
struct HelperCalls {
  std::thread::id main = std::this_thread::get_id();
  std::atomic<long> count{0};
  std::atomic<bool> wait_for_a_helper{false};  // the main thread waits (up to 20 s) until a helper ran
};

// SoftplusFunction, counting its calls on helper threads.
struct CountingSoftplus : SoftplusFunction {
  explicit CountingSoftplus(std::shared_ptr<HelperCalls> calls) : calls(std::move(calls)) {}
  double value(double x) const {
    if (std::this_thread::get_id() != calls->main) {
      calls->count.fetch_add(1, std::memory_order_relaxed);
    } else if (calls->wait_for_a_helper.load(std::memory_order_relaxed)) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (calls->count.load() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      calls->wait_for_a_helper = false;
    }
    return SoftplusFunction::value(x);
  }
  std::shared_ptr<HelperCalls> calls;
};

// 15 plain gradient-descent steps of x (2) -> fc1 (6) -> softplus -> fc2 (1) -> sigmoid
// cross-entropy on 645 examples in tiles of 64, on `threads` threads: the parameters' bits.
std::vector<std::uint64_t> train_bits(std::size_t threads, const std::shared_ptr<HelperCalls>& calls) {
  xgrad::set_threads(threads);
  xgrad::Graph g;
  xgrad::RandomState rng(21);
  two_layers<xgrad::Elementwise<CountingSoftplus>>(g, rng, 6, 64 * 10 + 5, calls);
  g.set_tile_columns(64);
  BOOST_TEST_REQUIRE(g.tileable());
  for (int step = 0; step < 15; ++step) {
    g.forward_backward();
    xgrad::sgd_step(g.parameters(), 0.5);
  }
  std::vector<std::uint64_t> bits;
  for (const xgrad::Parameter* p : g.parameters()) {
    for (const double v : p->value) {
      std::uint64_t b = 0;
      std::memcpy(&b, &v, sizeof b);
      bits.push_back(b);
    }
  }
  return bits;
}

}  // namespace

// The element-wise softplus runs its tiles on worker copies the framework made (their calls
// counted on the helper thread), and trains bit for bit as on one thread.
BOOST_AUTO_TEST_CASE(elementwise_softplus_trains_on_two_threads_with_the_bits_of_one) {
  const std::size_t saved = xgrad::threads();
  auto one_calls = std::make_shared<HelperCalls>();
  const std::vector<std::uint64_t> one = train_bits(1, one_calls);
  BOOST_TEST(one_calls->count.load() == 0, "one thread: no helper ran the function");

  auto two_calls = std::make_shared<HelperCalls>();
  two_calls->wait_for_a_helper = true;  // so that the helper takes a tile before the caller goes on
  const std::vector<std::uint64_t> two = train_bits(2, two_calls);
  xgrad::set_threads(saved);
  BOOST_TEST(two_calls->count.load() > 0, "a worker copy of the softplus ran on the helper thread");
  BOOST_TEST_REQUIRE(one.size() == two.size());
  std::size_t differing = 0;
  for (std::size_t k = 0; k < one.size(); ++k) differing += one[k] != two[k] ? 1 : 0;
  BOOST_TEST(differing == 0u, differing << " of " << one.size() << " parameter entries differ from one thread's");
}

BOOST_AUTO_TEST_CASE(elementwise_settings_are_checked_with_the_node_name) {
  xgrad::Graph g;
  try {
    g.add<xgrad::LeakyRelu>("leaky1", g.input("x", 2), std::nan(""));
    BOOST_ERROR("no InputError for a NaN slope");
  } catch (const xgrad::InputError& e) {
    BOOST_TEST(std::string(e.what()) == "leaky1: the slope must be a finite number, got nan");
  }
}

// A user's mean loss written as its terms alone (MeanLoss owns the division by the
// examples, the tiles' shares, the skipped value and the worker copy): mean absolute error.
class MeanAbsoluteError final : public xgrad::MeanLoss<MeanAbsoluteError> {
 public:
  MeanAbsoluteError(std::string name, xgrad::Node& a, xgrad::Node& y) : MeanLoss(std::move(name), {&a, &y}) {}
  std::string_view kind() const override { return "mean_absolute_error"; }
  double sum_of_terms(bool) {
    double total = 0.0;
    for (std::size_t k = 0; k < inputs()[0]->value().size(); ++k) {
      total += std::abs(inputs()[0]->value().data()[k] - inputs()[1]->value().data()[k]);
    }
    return total;
  }
  void add_gradient(double scale) {  // d|a - y|/da = sign(a - y) = -d|a - y|/dy
    xgrad::Node& a = *inputs()[0];
    xgrad::Node& y = *inputs()[1];
    for (std::size_t k = 0; k < a.value().size(); ++k) {
      const double g = a.value().data()[k] > y.value().data()[k] ? scale : -scale;
      if (a.requires_grad()) a.grad().data()[k] += g;
      if (y.requires_grad()) y.grad().data()[k] -= g;
    }
  }
};

BOOST_AUTO_TEST_CASE(a_users_mean_loss_passes_the_checker_and_tiles_on_two_threads) {
  xgrad::Graph g;
  auto& a = g.input("a", 3);
  auto& y = g.input("y", 3);
  auto& loss = g.add<MeanAbsoluteError>("mae", a, y);
  const xgrad::CheckReport report = xgrad::check_node(loss);  // tiles' shares, value off, worker copy
  BOOST_TEST(report.passed(), report);
  BOOST_TEST(loss.mean_over_columns());
  BOOST_TEST(loss.clone_for_worker({&a, &y}, {}) != nullptr, "the framework made the worker copy");

  // Inside a model: tileable, and two threads give one thread's bits.
  const std::size_t saved = xgrad::threads();
  auto run = [](std::size_t threads) {
    xgrad::set_threads(threads);
    xgrad::Graph m;
    xgrad::RandomState rng(8);
    auto& x = m.input("X", 2);
    auto& t = m.input("T", 1);
    auto& W = m.parameter("fc.W", rng.randn(1, 2));
    auto& b = m.parameter("fc.b", rng.randn(1, 1));
    m.set_loss(m.add<MeanAbsoluteError>("mae", m.add<xgrad::Linear>("fc", x, W, b), t));
    m.set_tile_columns(64);
    m.feed(x, rng.randn(2, 500));
    m.feed(t, rng.randn(1, 500));
    BOOST_TEST_REQUIRE(m.tileable());
    const double cost = m.forward_backward();
    return std::vector<double>{cost, W.grad(0, 0), W.grad(0, 1), b.grad(0, 0)};
  };
  const std::vector<double> one = run(1), two = run(2);
  xgrad::set_threads(saved);
  for (std::size_t k = 0; k < one.size(); ++k) BOOST_TEST(std::memcmp(&one[k], &two[k], sizeof(double)) == 0);
}

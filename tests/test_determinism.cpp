// Determinism: the same run gives the same bits twice in one process, in two processes,
// with one or two OpenBLAS threads, and with one, two or three xgrad threads (column tiles
// on worker threads, Graph::forward_backward). The runs are chosen to be sensitive: the course's x10
// random initialization is chaotic (a one-ulp difference anywhere grows to ~1e-3 in the cost
// within 1000 iterations, see test_experiments), so "same bits" after 2000 of its iterations
// means no stray difference at all. Across CPUs the bits may differ (BLAS kernels sum in
// their own order); that is test_experiments' business.
#define BOOST_TEST_MODULE determinism
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "course.hpp"
#include "reference.hpp"
#include "tile_graph.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;
using xgrad::testing::same_bits;
using xgrad::testing::TileGraph;
namespace fs = std::filesystem;

namespace {

struct Run {
  std::vector<double> costs;
  std::vector<double> parameters;        // every parameter entry after training, in graph order
  std::vector<std::string> entry_names;  // "fc1.W[3]" for each of them
};

Run train_and_collect(const ModelSpec& spec, const Dataset& data, const TrainOptions& options) {
  Model model(spec);
  Run run;
  for (const CostRecord& r : train(model, data, options).costs) run.costs.push_back(r.cost);
  for (const Parameter* p : model.graph().parameters()) {
    for (std::size_t k = 0; k < p->value.size(); ++k) {
      run.parameters.push_back(p->value.data()[k]);
      run.entry_names.push_back(p->name + "[" + std::to_string(k) + "]");
    }
  }
  return run;
}

void check_same(const Run& a, const Run& b, const std::string& what) {
  BOOST_TEST_REQUIRE(a.costs.size() == b.costs.size());
  BOOST_TEST_REQUIRE(a.parameters.size() == b.parameters.size());
  std::size_t differing = 0;
  std::string first;
  for (std::size_t i = 0; i < a.costs.size(); ++i) {
    if (same_bits(a.costs[i], b.costs[i])) continue;
    if (differing++ == 0) first = "cost record " + std::to_string(i);
  }
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    if (same_bits(a.parameters[i], b.parameters[i])) continue;
    if (differing++ == 0) first = a.entry_names[i];
  }
  BOOST_TEST(differing == 0u, what << ": " << differing << " of " << a.costs.size() + a.parameters.size()
                                   << " costs and parameter entries differ, first " << first);
}

// The chaotic course run, 2000 iterations.
Run chaotic_run() {
  TrainOptions options;
  options.iterations = 2000;
  options.record_every = 100;
  return train_and_collect(models::initialization_network(InitKind::random), models::course_circles().train, options);
}

// He on 40 000 circle points: products big enough for OpenBLAS to split them over threads.
Run wide_run() {
  RandomState rng(7);
  const Dataset data = make_circles(40000, 0.05, rng);
  TrainOptions options;
  options.iterations = 30;
  options.record_every = 1;
  return train_and_collect(make_spec({2, 50, 20, 1}, {InitKind::he, 3}), data, options);
}

// Restores the thread count the process started with.
struct ThreadCount {
  std::size_t saved = blas_threads();
  ~ThreadCount() { set_blas_threads(saved); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(same_run_twice_in_one_process) {
  check_same(chaotic_run(), chaotic_run(), "x10 random init, 2000 iterations, run twice");
  check_same(wide_run(), wide_run(), "He on 40000 points, run twice");
}

// At the course's size OpenBLAS runs every product on one thread, so the thread setting
// cannot matter: the chaotic run must give the same bits. On 40 000 examples OpenBLAS would
// split products over threads, and with its Haswell and Zen kernels (not SkylakeX or
// Cooperlake) a threaded dgemm sums in another order: measured, (20x50)(50x40000) differs
// in the last bits in 16% of its entries between 1 and 2 threads. The training pass runs
// such a batch in column tiles (Graph::forward_backward) with OpenBLAS held to one thread
// inside them and the tiles' gradients added in tile order, so the bits must be identical
// whatever the thread setting and kernel (tried with OPENBLAS_CORETYPE=Haswell, Zen and
// SkylakeX).
BOOST_AUTO_TEST_CASE(one_and_two_blas_threads) {
  ThreadCount restore;
  BOOST_TEST_MESSAGE("OpenBLAS kernel " << blas_kernel() << ", default threads " << restore.saved);
  set_blas_threads(1);
  const Run chaotic_1 = chaotic_run();
  const Run wide_1 = wide_run();
  set_blas_threads(2);
  const std::size_t two = blas_threads();
  if (two < 2) BOOST_TEST_MESSAGE("OpenBLAS was built for one thread: comparing 1 with 1");
  check_same(chaotic_1, chaotic_run(), "x10 random init on the course's 300 examples, 1 vs 2 threads");
  check_same(wide_1, wide_run(), "He on 40000 points, 1 vs 2 threads (" + blas_kernel() + ")");
  BOOST_TEST(blas_threads() == two, "a tiled pass sets OpenBLAS's thread count back");
  Model wide(make_spec({2, 50, 20, 1}, {InitKind::he, 3}));
  BOOST_TEST(wide.graph().tileable());
  BOOST_TEST(wide.graph().tile_columns() < 40000u, "the 40000 examples run in more than one tile");
}

namespace {

// Restores xgrad's thread setting.
struct XgradThreads {
  std::size_t saved = threads();
  ~XgradThreads() { set_threads(saved); }
};

// A few steps of He [2,50,20,1] on 20 000 circle points (many tiles): every cost, the
// gradients of the last step, the parameters and the predictions after it.
struct Steps {
  std::vector<double> costs;
  std::vector<double> gradients;
  std::vector<double> parameters;
  std::vector<double> predictions;
};

Steps he_steps(std::size_t xgrad_threads) {
  set_threads(xgrad_threads);
  RandomState rng(7);
  const Dataset data = make_circles(20000, 0.05, rng);
  Model model(make_spec({2, 50, 20, 1}, {InitKind::he, 3}));
  BOOST_TEST_REQUIRE(model.graph().tileable());
  BOOST_TEST_REQUIRE(model.graph().tile_columns() * 8 < 20000u, "at least 8 tiles");
  model.feed(data.X, data.Y);
  Steps s;
  for (int i = 0; i < 5; ++i) s.costs.push_back(train_step(model, 0.05));
  s.gradients = flatten_grads(model.graph().parameters());
  s.parameters = flatten_values(model.graph().parameters());
  const Matrix p = predict_probabilities(model, data.X);
  s.predictions.assign(p.begin(), p.end());
  return s;
}

std::size_t differing(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  std::size_t n = 0;
  for (std::size_t k = 0; k < a.size(); ++k) n += same_bits(a[k], b[k]) ? 0 : 1;
  return n;
}

void check_same(const Steps& a, const Steps& b, const std::string& what) {
  BOOST_TEST(differing(a.costs, b.costs) == 0u, what << ": costs");
  BOOST_TEST(differing(a.gradients, b.gradients) == 0u, what << ": gradients");
  BOOST_TEST(differing(a.parameters, b.parameters) == 0u, what << ": parameters");
  BOOST_TEST(differing(a.predictions, b.predictions) == 0u, what << ": predictions");
}

struct Pass {
  double loss;
  std::vector<double> grads;
};

// A pass in tiles of 64 columns on `xgrad_threads` threads.
Pass pass(Graph& g, std::size_t xgrad_threads) {
  g.set_tile_columns(64);
  set_threads(xgrad_threads);
  const double loss = g.forward_backward();
  return {loss, flatten_grads(g.parameters())};
}

}  // namespace

// Column tiles on 1, 2 and 3 xgrad threads: each tile's gradients are added in tile order
// on the calling thread whoever ran it, so the bits are the same (OpenBLAS held to one
// thread inside tiles, its setting left as it is).
BOOST_AUTO_TEST_CASE(one_two_and_three_xgrad_threads) {
  XgradThreads restore;
  const Steps one = he_steps(1);
  check_same(one, he_steps(2), "He [2,50,20,1] on 20000 points, 1 vs 2 xgrad threads");
  check_same(one, he_steps(3), "He [2,50,20,1] on 20000 points, 1 vs 3 xgrad threads");
  check_same(one, he_steps(1), "1 thread again, after the pool's threads started");
  set_threads(2);
  BOOST_CHECK_THROW(set_threads(0), InputError);
  BOOST_TEST(threads() == 2u, "a refused setting leaves the old one");
}

// Every built-in node's copy for a worker thread computes what the node computes: the same
// bits on 1, 2 and 3 threads, and the whole batch's loss and gradients to 1e-13.
BOOST_AUTO_TEST_CASE(every_built_in_node_kind_on_worker_threads) {
  XgradThreads restore;
  for (const std::string head : {"sigmoid_bce", "softmax_mse", "softmax", "softmax_one_hot", "sigmoid"}) {
    TileGraph t(head, 64 * 20 + 13);  // 21 tiles, the last of 13 columns
    BOOST_TEST_REQUIRE(t.g.tileable(), head);
    const Pass one = pass(t.g, 1);
    for (std::size_t n : {2, 3}) {
      TileGraph fresh(head, 64 * 20 + 13);  // a first pass always offers tiles to the helpers
      const Pass many = pass(fresh.g, n);
      BOOST_TEST(same_bits(many.loss, one.loss), head << ", " << n << " threads: loss " << many.loss << " vs " << one.loss);
      BOOST_TEST(differing(many.grads, one.grads) == 0u, head << ", " << n << " threads: gradients");
    }
    BOOST_TEST(t.g.find("relu")->value().shape(1) == 13u, "the graph's nodes hold the last tile");
    t.g.forward(Mode::train);
    const double whole_loss = t.g.loss_value();
    t.g.backward();
    const std::vector<double> whole = flatten_grads(t.g.parameters());
    BOOST_TEST(std::abs(one.loss - whole_loss) <= 1e-13 * std::abs(whole_loss), head);
    double scale = 0.0;
    for (double v : whole) scale = std::max(scale, std::abs(v));
    for (std::size_t k = 0; k < whole.size(); ++k) {
      BOOST_TEST(std::abs(one.grads[k] - whole[k]) <= 1e-13 * scale, head << " gradient entry " << k);
    }
  }
}

namespace {

// A user's column-separable node without clone_for_worker: x^2 element-wise.
class Square final : public Node, public Schedulable {
 public:
  Square(std::string name, Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "square"; }
  bool column_separable() const override { return true; }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) value_.data()[k] = x.data()[k] * x.data()[k];
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < x.value().size(); ++k) x.grad().data()[k] += grad_.data()[k] * 2.0 * x.value().data()[k];
  }
};

// What a Tracer and its copies share.
struct TraceState {
  std::atomic<int> copy_tiles{0};      // tiles run by copies (on helper threads)
  std::atomic<bool> copies_throw{false};
  std::atomic<bool> wait_for_a_copy{false};  // the graph's own node waits (up to 20 s) until a copy ran
};

// The identity, with a copy for worker threads that counts its tiles and may throw.
class Tracer final : public Node, public Schedulable {
 public:
  Tracer(std::string name, Node& x, std::shared_ptr<TraceState> state, bool copy = false)
      : Node(std::move(name), {&x}, x.rows()), state_(std::move(state)), copy_(copy) {}
  std::string_view kind() const override { return "tracer"; }
  bool column_separable() const override { return true; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs, std::span<Parameter* const>) const override {
    return std::make_unique<Tracer>(name(), *inputs.at(0), state_, true);
  }
  void forward(Mode) override {
    if (copy_) {
      state_->copy_tiles.fetch_add(1);
      if (state_->copies_throw.load()) fail("thrown on a worker thread");
    } else if (state_->wait_for_a_copy.load()) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (state_->copy_tiles.load() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    }
    xt::noalias(value_) = inputs()[0]->value();
  }
  void backward() override {
    if (inputs()[0]->requires_grad()) xt::noalias(inputs()[0]->grad()) += grad_;
  }

 private:
  std::shared_ptr<TraceState> state_;
  bool copy_;
};

// x (2 rows) -> fc1 (4) -> `middle` -> fc2 (1) -> sigmoid cross-entropy, m examples in tiles of 64.
template <class Middle, class... Extra>
struct SmallGraph {
  Graph g;
  Input& x;
  Input& y;
  explicit SmallGraph(std::size_t m, Extra... extra) : x(g.input("X", 2)), y(g.input("Y", 1)) {
    RandomState rng(9);
    auto& W1 = g.parameter("fc1.W", rng.randn(4, 2));
    auto& b1 = g.parameter("fc1.b", rng.randn(4, 1));
    auto& W2 = g.parameter("fc2.W", rng.randn(1, 4));
    auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
    auto& middle = g.add<Middle>("middle", g.add<Linear>("fc1", x, W1, b1), extra...);
    g.set_loss(g.add<SigmoidCrossEntropy>("ce", g.add<Linear>("fc2", middle, W2, b2), y));
    g.set_tile_columns(64);
    g.feed(x, rng.randn(2, m));
    g.feed(y, xt::floor(rng.rand(1, m) * 2.0));
  }
};

}  // namespace

// A graph with a user's node that has no copy for worker threads runs its tiles on the
// calling thread whatever the setting: correct, and the same bits as on one thread.
BOOST_AUTO_TEST_CASE(a_node_without_a_copy_runs_its_tiles_on_one_thread) {
  XgradThreads restore;
  SmallGraph<Square> t(64 * 10 + 5);
  BOOST_TEST_REQUIRE(t.g.tileable());
  const Pass one = pass(t.g, 1);
  const Pass three = pass(t.g, 3);
  BOOST_TEST(same_bits(three.loss, one.loss));
  BOOST_TEST(differing(three.grads, one.grads) == 0u);
  t.g.forward(Mode::train);
  BOOST_TEST(std::abs(t.g.loss_value() - one.loss) <= 1e-13 * std::abs(one.loss));
  t.g.backward();
  const std::vector<double> whole = flatten_grads(t.g.parameters());
  double scale = 0.0;
  for (double v : whole) scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < whole.size(); ++k) BOOST_TEST(std::abs(one.grads[k] - whole[k]) <= 1e-13 * scale);
}

// A node that throws on a helper thread: the exception reaches the caller, OpenBLAS's
// setting is back, and the next pass on the same graph gives the bits of a fresh graph.
BOOST_AUTO_TEST_CASE(an_exception_on_a_worker_thread_reaches_the_caller) {
  XgradThreads restore;
  const std::size_t blas = blas_threads();
  auto state = std::make_shared<TraceState>();
  SmallGraph<Tracer, std::shared_ptr<TraceState>> t(64 * 10 + 5, state);
  set_threads(2);
  state->copies_throw = true;
  state->wait_for_a_copy = true;  // so that a helper runs a tile before the caller goes on
  try {
    t.g.forward_backward();
    BOOST_ERROR("no exception from the worker thread's tile");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) == "middle: thrown on a worker thread");
  }
  BOOST_TEST(state->copy_tiles.load() > 0, "a helper thread ran a tile");
  BOOST_TEST(blas_threads() == blas);
  state->copies_throw = false;
  state->wait_for_a_copy = false;
  const Pass again = pass(t.g, 2);
  auto fresh_state = std::make_shared<TraceState>();
  SmallGraph<Tracer, std::shared_ptr<TraceState>> fresh(64 * 10 + 5, fresh_state);
  const Pass expected = pass(fresh.g, 1);
  BOOST_TEST(same_bits(again.loss, expected.loss));
  BOOST_TEST(differing(again.grads, expected.grads) == 0u);
}

// Bad labels found in a tile (a class index out of range): InputError naming the problem,
// whichever thread ran that tile; fed good labels, the graph gives a fresh graph's bits.
BOOST_AUTO_TEST_CASE(bad_labels_in_a_tile_on_three_threads) {
  XgradThreads restore;
  TileGraph t("softmax", 64 * 20 + 13);
  Matrix bad = t.labels;
  const Matrix good = t.labels;
  bad(0, 64 * 7 + 3) = 5.0;  // 3 classes
  t.g.feed(t.y, bad);
  t.g.set_tile_columns(64);
  set_threads(3);
  BOOST_CHECK_THROW(t.g.forward_backward(), InputError);
  t.g.feed(t.y, good);
  const Pass again = pass(t.g, 3);
  TileGraph fresh("softmax", 64 * 20 + 13);
  const Pass expected = pass(fresh.g, 1);
  BOOST_TEST(same_bits(again.loss, expected.loss));
  BOOST_TEST(differing(again.grads, expected.grads) == 0u);
}

// Two graphs trained at once from two threads of the user's, each asking for 2 xgrad
// threads: the pool serves one at a time (the other runs its tiles alone); both get the
// bits of one thread.
BOOST_AUTO_TEST_CASE(two_graphs_on_two_user_threads_at_once) {
  XgradThreads restore;
  TileGraph a("sigmoid", 64 * 20 + 13), b("softmax", 64 * 20 + 13);
  const Pass a1 = pass(a.g, 1), b1 = pass(b.g, 1);
  set_threads(2);
  std::vector<Pass> a2, b2;
  std::thread other([&] {
    for (int i = 0; i < 50; ++i) b2.push_back({b.g.forward_backward(), flatten_grads(b.g.parameters())});
  });
  for (int i = 0; i < 50; ++i) a2.push_back({a.g.forward_backward(), flatten_grads(a.g.parameters())});
  other.join();
  std::size_t wrong = 0;
  for (const Pass& p : a2) wrong += same_bits(p.loss, a1.loss) && differing(p.grads, a1.grads) == 0 ? 0 : 1;
  for (const Pass& p : b2) wrong += same_bits(p.loss, b1.loss) && differing(p.grads, b1.grads) == 0 ? 0 : 1;
  BOOST_TEST(wrong == 0u, wrong << " of 100 passes differ from one thread's bits");
}

// Two processes: the xgrad program (XGRAD_CLI) run twice writes the same costs, predictions
// and parameters, bit for bit (the JSON report holds every cost at full precision).
BOOST_AUTO_TEST_CASE(same_run_in_two_processes) {
  const char* cli = std::getenv("XGRAD_CLI");
  BOOST_TEST_REQUIRE(cli != nullptr, "XGRAD_CLI (the xgrad program's path) is not set; run through meson test");
  std::string pattern = (fs::temp_directory_path() / "xgrad_determinism_XXXXXX").string();
  BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const fs::path dir = pattern;
  nlohmann::json reports[2];
  for (int k = 0; k < 2; ++k) {
    const fs::path json = dir / ("run" + std::to_string(k) + ".json");
    const std::string command = std::string("'") + cli + "' train --init random --init-scale 10 --iterations 2000 --json '" +
                                json.string() + "' > /dev/null 2>&1";
    const int status = std::system(command.c_str());
    BOOST_TEST_REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "xgrad train failed: " << command);
    std::ifstream in(json);
    reports[k] = nlohmann::json::parse(in);
  }
  fs::remove_all(dir);
  for (const char* key : {"costs", "final_cost", "train_accuracy", "test_accuracy", "train_predictions", "test_predictions"}) {
    BOOST_TEST_REQUIRE(reports[0].contains(key), key);
    BOOST_TEST((reports[0][key] == reports[1][key]), key << " differs between two processes");
  }
  const auto& costs = reports[0]["costs"];
  BOOST_TEST(costs.size() == 2u);  // iterations 0 and 1000
}

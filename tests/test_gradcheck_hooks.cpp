// What runs is what was checked (issue 20): a user's node with scheduling hooks (tiles with
// examples() != batch(), a worker copy, a value switched off) written with each of six
// mistakes is caught by check_node and check_nodes (default options, 64 and 2 000 examples,
// full and fast mode), by check_graph's whole-model view and by the first-step guard of
// train(); each correct twin passes and trains like the plain forward/backward loop, with
// the same bits on 1 and 2 threads.
#define BOOST_TEST_MODULE gradcheck_hooks
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "course.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/check/training_step.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;
namespace bdata = boost::unit_test::data;

namespace {

// The six mistakes of the table, and none (the correct twins).
enum class Flaw {
  none,
  divides_by_batch,     // a mean loss divides by batch() instead of examples()
  shares_scratch,       // the worker copy shares a scratch buffer with the original
  claims_separable,     // batch-wide row centring claims column_separable()
  forgets_setting,      // the worker copy forgets a setting (slope 0.3 becomes 0.01)
  reads_skipped_value,  // a loss whose backward reads value(), skipped when !value_wanted()
  skips_residuals,      // a mean loss that skips its residuals when !value_wanted()
};

std::ostream& operator<<(std::ostream& out, Flaw flaw) {
  const char* names[] = {"none", "divides_by_batch", "shares_scratch", "claims_separable", "forgets_setting",
                         "reads_skipped_value", "skips_residuals"};
  return out << names[static_cast<int>(flaw)];
}

const std::vector<Flaw> kFlaws = {Flaw::divides_by_batch, Flaw::shares_scratch,      Flaw::claims_separable,
                                  Flaw::forgets_setting,  Flaw::reads_skipped_value, Flaw::skips_residuals};

// The hook each mistake is in: the checker's message must name it.
std::string hook_of(Flaw flaw) {
  switch (flaw) {
    case Flaw::divides_by_batch: return "mean_over_columns():";
    case Flaw::shares_scratch: return "clone_for_worker():";
    case Flaw::claims_separable: return "column_separable():";
    case Flaw::forgets_setting: return "clone_for_worker():";
    case Flaw::reads_skipped_value: return "value_wanted():";
    case Flaw::skips_residuals: return "value_wanted():";
    case Flaw::none: break;
  }
  return "";
}

// --- a user's nodes, each written once with a switch between the mistake and its twin ---

// Squared error averaged over examples, as a user writes it with the hooks: mean over
// columns, a worker copy, the sum skipped when nobody reads the value. Residuals are kept
// in forward for backward.
class UserMse final : public Node, public Schedulable {
 public:
  UserMse(std::string name, Node& a, Node& y, Flaw flaw) : Node(std::move(name), {&a, &y}, 1), flaw_(flaw) {}
  std::string_view kind() const override { return "user_mse"; }
  bool mean_over_columns() const override { return true; }
  std::size_t columns(std::size_t) const override { return 1; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs, std::span<Parameter* const>) const override {
    return std::make_unique<UserMse>(name(), *inputs.at(0), *inputs.at(1), flaw_);
  }
  void resize(std::size_t batch) override {
    Node::resize(batch);
    residuals_ = Matrix({inputs()[0]->rows(), batch});
  }
  void forward(Mode) override {
    if (!value_wanted() && flaw_ == Flaw::skips_residuals) {  // mistake: backward needs the residuals
      value_(0, 0) = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    const Matrix& a = inputs()[0]->value();
    const Matrix& y = inputs()[1]->value();
    double total = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      residuals_.data()[k] = a.data()[k] - y.data()[k];
      total += residuals_.data()[k] * residuals_.data()[k];
    }
    value_(0, 0) = value_wanted() ? total / m() : std::numeric_limits<double>::quiet_NaN();
  }
  void backward() override {
    Node& a = *inputs()[0];
    Node& y = *inputs()[1];
    const double scale = 2.0 * grad_(0, 0) / m();
    for (std::size_t k = 0; k < residuals_.size(); ++k) {
      if (a.requires_grad()) a.grad().data()[k] += residuals_.data()[k] * scale;
      if (y.requires_grad()) y.grad().data()[k] -= residuals_.data()[k] * scale;
    }
  }

 private:
  double m() const {  // mistake: batch() is a tile's width while tiles run
    return static_cast<double>(flaw_ == Flaw::divides_by_batch ? batch() : examples());
  }
  Flaw flaw_;
  Matrix residuals_;
};

// Root mean squared error: not a mean over columns (not tileable), and its gradient reads
// its own value: a(j) - y(j) / (n * value).
class UserRmse final : public Node {
 public:
  UserRmse(std::string name, Node& a, Node& y, Flaw flaw) : Node(std::move(name), {&a, &y}, 1), flaw_(flaw) {}
  std::string_view kind() const override { return "user_rmse"; }
  std::size_t columns(std::size_t) const override { return 1; }
  void forward(Mode) override {
    if (!value_wanted() && flaw_ == Flaw::reads_skipped_value) return;  // mistake: backward reads value()
    const Matrix& a = inputs()[0]->value();
    const Matrix& y = inputs()[1]->value();
    double total = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) total += (a.data()[k] - y.data()[k]) * (a.data()[k] - y.data()[k]);
    value_(0, 0) = std::sqrt(total / static_cast<double>(a.size()));
  }
  void backward() override {
    Node& a = *inputs()[0];
    Node& y = *inputs()[1];
    const double scale = grad_(0, 0) / (static_cast<double>(a.value().size()) * value_(0, 0));
    for (std::size_t k = 0; k < a.value().size(); ++k) {
      const double d = (a.value().data()[k] - y.value().data()[k]) * scale;
      if (a.requires_grad()) a.grad().data()[k] += d;
      if (y.requires_grad()) y.grad().data()[k] -= d;
    }
  }

 private:
  Flaw flaw_;
};

// A smooth squashing function, x / sqrt(1 + x^2), keeping its slope (1 + x^2)^(-3/2) in a
// scratch buffer.
class Squash final : public Node, public Schedulable {
 public:
  Squash(std::string name, Node& x, Flaw flaw, std::shared_ptr<Matrix> scratch = std::make_shared<Matrix>())
      : Node(std::move(name), {&x}, x.rows()), flaw_(flaw), slopes_(std::move(scratch)) {}
  std::string_view kind() const override { return "squash"; }
  bool column_separable() const override { return true; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs, std::span<Parameter* const>) const override {
    if (flaw_ == Flaw::shares_scratch) return std::make_unique<Squash>(name(), *inputs.at(0), flaw_, slopes_);  // mistake
    return std::make_unique<Squash>(name(), *inputs.at(0), flaw_);
  }
  void resize(std::size_t batch) override {
    Node::resize(batch);
    slopes_->resize({rows(), batch});
  }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double r = 1.0 / std::sqrt(1.0 + x.data()[k] * x.data()[k]);
      value_.data()[k] = x.data()[k] * r;
      slopes_->data()[k] = r * r * r;
    }
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < value_.size(); ++k) x.grad().data()[k] += grad_.data()[k] * slopes_->data()[k];
  }

 private:
  Flaw flaw_;
  std::shared_ptr<Matrix> slopes_;
};

// x minus its row's mean over the batch. Not column-separable; the mistake claims it is.
class CenterRows final : public Node, public Schedulable {
 public:
  CenterRows(std::string name, Node& x, Flaw flaw) : Node(std::move(name), {&x}, x.rows()), flaw_(flaw) {}
  std::string_view kind() const override { return "center_rows"; }
  bool column_separable() const override { return flaw_ == Flaw::claims_separable; }  // mistake when true
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs, std::span<Parameter* const>) const override {
    return std::make_unique<CenterRows>(name(), *inputs.at(0), flaw_);
  }
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
    for (std::size_t r = 0; r < value_.shape(0); ++r) {
      double mean = 0.0;
      for (std::size_t c = 0; c < value_.shape(1); ++c) mean += grad_(r, c);
      mean /= static_cast<double>(value_.shape(1));
      for (std::size_t c = 0; c < value_.shape(1); ++c) x.grad()(r, c) += grad_(r, c) - mean;
    }
  }

 private:
  Flaw flaw_;
};

// Leaky ReLU with a slope; the mistake's copy forgets it (the default 0.01).
class UserLeaky final : public Node, public Schedulable {
 public:
  UserLeaky(std::string name, Node& x, Flaw flaw, double slope = 0.01)
      : Node(std::move(name), {&x}, x.rows()), flaw_(flaw), slope_(slope) {}
  std::string_view kind() const override { return "user_leaky"; }
  bool column_separable() const override { return true; }
  std::vector<Kink> kinks() const override { return {{0, 0.0}}; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs, std::span<Parameter* const>) const override {
    if (flaw_ == Flaw::forgets_setting) return std::make_unique<UserLeaky>(name(), *inputs.at(0), flaw_);  // mistake
    return std::make_unique<UserLeaky>(name(), *inputs.at(0), flaw_, slope_);
  }
  void forward(Mode) override {
    const Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) value_.data()[k] = x.data()[k] > 0.0 ? x.data()[k] : slope_ * x.data()[k];
  }
  void backward() override {
    Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < value_.size(); ++k) {
      x.grad().data()[k] += x.value().data()[k] > 0.0 ? grad_.data()[k] : slope_ * grad_.data()[k];
    }
  }

 private:
  Flaw flaw_;
  double slope_;
};

// The user model: 4 inputs -> Linear(32) -> middle -> Linear(1) -> loss, where the
// mistake `flaw` (or its twin, `twin_of`) is in the middle node or in the loss.
struct UserModel {
  Graph g;
  Input& x;
  Input& y;
  Node* checked = nullptr;  // the user's node with the mistake or its twin
  Dataset data;

  UserModel(Flaw flaw, Flaw kind, std::size_t m) : x(g.input("X", 4)), y(g.input("Y", 1)) {
    RandomState rng(7);
    auto& W1 = g.parameter("fc1.W", rng.randn(32, 4) * 0.5);
    auto& b1 = g.parameter("fc1.b", rng.randn(32, 1) * 0.1);
    auto& W2 = g.parameter("fc2.W", rng.randn(1, 32) * 0.2);
    auto& b2 = g.parameter("fc2.b", rng.randn(1, 1) * 0.1);
    Node& fc1 = g.add<Linear>("fc1", x, W1, b1);
    Node* middle = nullptr;
    switch (kind) {
      case Flaw::shares_scratch: middle = &g.add<Squash>("squash", fc1, flaw); break;
      case Flaw::claims_separable: middle = &g.add<CenterRows>("center", fc1, flaw); break;
      case Flaw::forgets_setting: middle = &g.add<UserLeaky>("leaky", fc1, flaw, 0.3); break;
      default: middle = &g.add<Tanh>("tanh", fc1); break;
    }
    Node& fc2 = g.add<Linear>("fc2", *middle, W2, b2);
    Node* loss = nullptr;
    switch (kind) {
      case Flaw::divides_by_batch:
      case Flaw::skips_residuals: loss = &g.add<UserMse>("mse", fc2, y, flaw); break;
      case Flaw::reads_skipped_value: loss = &g.add<UserRmse>("rmse", fc2, y, flaw); break;
      default: loss = &g.add<MeanSquaredError>("mse", fc2, y); break;
    }
    g.set_loss(*loss);
    checked = (kind == Flaw::shares_scratch || kind == Flaw::claims_separable || kind == Flaw::forgets_setting) ? middle : loss;
    data.X = rng.randn(4, m);
    data.Y = Matrix({std::size_t{1}, m});
    for (std::size_t j = 0; j < m; ++j) {
      data.Y(0, j) = std::sin(data.X(0, j)) + 0.5 * data.X(1, j) * data.X(2, j) - 0.3 * data.X(3, j);
    }
    g.feed(x, data.X);
    g.feed(y, data.Y);
  }
};

bool has_finding(const std::vector<Finding>& findings, const std::string& node, const std::string& text) {
  for (const Finding& f : findings) {
    if (f.node == node && f.problem.find(text) != std::string::npos) return true;
  }
  return false;
}

struct Threads {  // xgrad's thread setting put back at the end of a test
  std::size_t saved = threads();
  ~Threads() { set_threads(saved); }
};

std::vector<Matrix> values_of(const Graph& g) {
  std::vector<Matrix> v;
  for (const Parameter* p : g.parameters()) v.push_back(p->value);
  return v;
}

bool same_bits(const std::vector<Matrix>& a, const std::vector<Matrix>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape()) return false;
    for (std::size_t k = 0; k < a[i].size(); ++k) {
      if (std::bit_cast<std::uint64_t>(a[i].data()[k]) != std::bit_cast<std::uint64_t>(b[i].data()[k])) return false;
    }
  }
  return true;
}

double relative_difference(const std::vector<Matrix>& a, const std::vector<Matrix>& b) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t k = 0; k < a[i].size(); ++k) {
      diff = std::max(diff, std::abs(a[i].data()[k] - b[i].data()[k]));
      scale = std::max(scale, std::abs(b[i].data()[k]));
    }
  }
  return diff / scale;
}

TrainOptions training(std::size_t iterations) {
  TrainOptions o;
  o.learning_rate = 0.05;
  o.iterations = iterations;
  o.record_every = 50;  // most steps skip the value, as in the runs
  return o;
}

const std::vector<std::size_t> kSizes = {64, 2000};

}  // namespace

BOOST_DATA_TEST_CASE(every_mistake_is_caught_by_check_node_naming_the_hook, bdata::make(kFlaws) * bdata::make(kSizes),
                     flaw, m) {
  UserModel model(flaw, flaw, m);
  model.g.forward(Mode::train);
  const CheckReport r = check_node(*model.checked);
  BOOST_TEST(!r.passed(), r.to_string());
  BOOST_TEST(has_finding(r.findings, model.checked->name(), hook_of(flaw)), r.to_string());
  // The reason leads the report.
  BOOST_TEST(r.to_string().starts_with("gradient check FAILED: " + model.checked->name() + ": "), r.to_string());
}

BOOST_DATA_TEST_CASE(every_mistake_is_caught_by_check_nodes_naming_the_hook, bdata::make(kFlaws) * bdata::make(kSizes),
                     flaw, m) {
  UserModel model(flaw, flaw, m);
  const CheckReport r = check_nodes(model.g);
  BOOST_TEST(!r.passed(), r.to_string());
  BOOST_TEST(has_finding(r.findings, model.checked->name(), hook_of(flaw)), r.to_string());
  BOOST_TEST(r.to_string().starts_with("gradient check FAILED: "), r.to_string());
}

BOOST_DATA_TEST_CASE(every_correct_twin_passes_check_node_check_nodes_and_check_graph,
                     bdata::make(kFlaws) * bdata::make(kSizes), kind, m) {
  UserModel model(Flaw::none, kind, m);
  const CheckReport nodes = check_nodes(model.g);
  BOOST_TEST(nodes.passed(), nodes.to_string());
  model.g.forward(Mode::train);
  const CheckReport node = check_node(*model.checked);
  BOOST_TEST(node.passed(), node.to_string());
  BOOST_TEST(check_hooks(*model.checked).empty());
  const CheckReport whole = check_graph(model.g);
  BOOST_TEST(whole.passed(), whole.to_string());
  BOOST_TEST(!whole.paths.empty());
}

// The numbers in the message: 3 tiles of a batch, each share divided by its own width.
BOOST_AUTO_TEST_CASE(a_mean_divided_by_batch_is_named_with_its_ratio_and_the_likely_cause) {
  UserModel model(Flaw::divides_by_batch, Flaw::divides_by_batch, 64);
  model.g.forward(Mode::train);
  const auto findings = check_hooks(*model.checked);
  BOOST_TEST_REQUIRE(!findings.empty());
  const std::string& text = findings.front().problem;
  BOOST_TEST(text.starts_with("mean_over_columns(): tile shares add up to 3.0"), text);
  BOOST_TEST(text.find("x the whole-batch loss") != std::string::npos, text);
  BOOST_TEST(text.find("3 tiles of 22, 22, 20 columns with examples() = 64") != std::string::npos, text);
  BOOST_TEST(text.find("(does the node divide by batch() instead of examples()?)") != std::string::npos, text);
  BOOST_TEST(has_finding(findings, "mse", "does backward divide by batch() instead of examples()?"));
}

// check_node on an unsized node makes up 3 examples (the default batch); the hooks are
// checked there too, and on a single example (made up to 3 columns).
BOOST_DATA_TEST_CASE(mistakes_are_caught_on_made_up_inputs_of_any_batch, bdata::make(kFlaws) * bdata::make({1, 3}), flaw,
                     batch) {
  Graph g;
  auto& x = g.input("x", 5);
  auto& y = g.input("y", 5);
  Node* node = nullptr;
  switch (flaw) {
    case Flaw::shares_scratch: node = &g.add<Squash>("squash", x, flaw); break;
    case Flaw::claims_separable: node = &g.add<CenterRows>("center", x, flaw); break;
    case Flaw::forgets_setting: node = &g.add<UserLeaky>("leaky", x, flaw, 0.3); break;
    case Flaw::reads_skipped_value: node = &g.add<UserRmse>("rmse", x, y, flaw); break;
    default: node = &g.add<UserMse>("mse", x, y, flaw); break;
  }
  CheckOptions options;
  options.batch = static_cast<std::size_t>(batch);
  const CheckReport r = check_node(*node, options);
  BOOST_TEST(has_finding(r.findings, node->name(), hook_of(flaw)), r.to_string());
}

BOOST_AUTO_TEST_CASE(fast_mode_checks_the_separable_claim_on_sampled_columns) {
  UserModel model(Flaw::claims_separable, Flaw::claims_separable, 64);
  model.g.forward(Mode::train);
  CheckOptions options;
  options.mode = CheckMode::fast;
  const CheckReport r = check_node(*model.checked, options);
  BOOST_TEST(r.mode() == "fast");
  BOOST_TEST(has_finding(r.findings, "center", "column_separable(): the node declares column_separable() but value("),
             r.to_string());
  BOOST_TEST(has_finding(r.findings, "center", "column_separable(): on a tile of columns"), r.to_string());
}

// check_graph's whole-model view: the tiled pass on 1 and 2 threads and the value switched
// off, per parameter block, against forward() + backward().
BOOST_AUTO_TEST_CASE(check_graph_reports_the_training_paths_per_parameter_block) {
  UserModel twin(Flaw::none, Flaw::divides_by_batch, 64);
  const CheckReport ok = check_graph(twin.g);
  BOOST_TEST(ok.passed(), ok.to_string());
  std::vector<std::string> paths;
  for (const PathCheck& p : ok.paths) {
    if (std::find(paths.begin(), paths.end(), p.path) == paths.end()) paths.push_back(p.path);
    BOOST_TEST(p.ok);
    BOOST_TEST(p.difference <= kPathTolerance);
  }
  BOOST_TEST(paths == (std::vector<std::string>{"whole batch, value switched off", "tiles of 22 columns, 1 thread",
                                                "tiles of 22 columns, 2 threads",
                                                "tiles of 22 columns, 2 threads, value switched off"}));
  BOOST_TEST(ok.paths.size() == 4u * 5u - 2u);  // 4 parameters each, plus the loss when it is wanted
  BOOST_TEST(ok.to_string().find("training paths against the plain forward + backward:") != std::string::npos);

  UserModel wrong(Flaw::divides_by_batch, Flaw::divides_by_batch, 64);
  const std::size_t threads_before = threads();
  const CheckReport r = check_graph(wrong.g);
  BOOST_TEST(threads() == threads_before);
  BOOST_TEST(wrong.g.tile_columns_setting() == 0u);
  BOOST_TEST(!r.passed());
  BOOST_TEST(r.wrong_blocks().empty(), r.to_string());  // the plain gradient is right
  bool fc1_wrong = false;
  for (const PathCheck& p : r.paths) fc1_wrong = fc1_wrong || (p.block == "fc1.W" && !p.ok && p.path.starts_with("tiles"));
  BOOST_TEST(fc1_wrong, r.to_string());
  BOOST_TEST(r.to_string().starts_with("gradient check FAILED: model: Graph::forward_backward (tiles of 22 columns"),
             r.to_string());
}

// The first-step guard of train(): every mistake stops training with a RunError naming the
// node and the hook, before a step; the copy that shares a buffer among them, which corrupts
// the heap when it runs tiles on two threads (2 000 examples: tiles of 512 and a last one of
// 464), is stopped before any threaded pass.
BOOST_DATA_TEST_CASE(the_first_step_guard_stops_every_mistake_before_training, bdata::make(kFlaws) * bdata::make(kSizes),
                     flaw, m) {
  const Threads put_back;
  set_threads(2);
  UserModel model(flaw, flaw, m);
  const std::vector<Matrix> before = values_of(model.g);
  GradientDescent sgd;
  const std::string expect = "first training step: node '" + model.checked->name() + "': " + hook_of(flaw);
  BOOST_CHECK_EXCEPTION(train(Trainable{model.g, model.x, model.y}, model.data, training(200), sgd), RunError,
                        [&](const RunError& e) {
                          BOOST_TEST_MESSAGE(e.what());
                          return std::string(e.what()).starts_with(expect);
                        });
  BOOST_TEST(same_bits(values_of(model.g), before));  // nothing trained
}

// Each correct twin trains as the plain forward()/backward()/update loop does: the same bits
// on 1 and 2 threads; the same bits as the plain loop where the batch is one tile (64) or the
// graph is not tileable; within round-off of it where tiles add the same terms in another
// order (2 000 examples in tiles of 512).
BOOST_DATA_TEST_CASE(every_correct_twin_trains_like_the_plain_loop_on_1_and_2_threads,
                     bdata::make(kFlaws) * bdata::make(kSizes), kind, m) {
  const Threads put_back;
  constexpr std::size_t steps = 200;
  std::vector<std::vector<Matrix>> trained;
  for (std::size_t n : {1, 2}) {
    set_threads(n);
    UserModel model(Flaw::none, kind, m);
    GradientDescent sgd;
    train(Trainable{model.g, model.x, model.y}, model.data, training(steps), sgd);
    trained.push_back(values_of(model.g));
  }
  BOOST_TEST(same_bits(trained[0], trained[1]));

  UserModel plain(Flaw::none, kind, m);
  GradientDescent sgd;
  sgd.start(plain.g.parameters());
  for (std::size_t i = 0; i < steps; ++i) {
    plain.g.forward(Mode::train);
    plain.g.backward();
    sgd.step(plain.g.parameters(), 0.05);
  }
  const bool tiles = plain.g.tileable() && m > plain.g.tile_columns();
  if (tiles) {
    BOOST_TEST(relative_difference(trained[0], values_of(plain.g)) <= 1e-9);
  } else {
    BOOST_TEST(same_bits(trained[0], values_of(plain.g)));
  }
}

// The guard changes no bits: a model with fresh dropout masks and L2 trains the same with
// and without it, and so does a tiled user model on 2 threads.
BOOST_AUTO_TEST_CASE(the_first_step_guard_changes_no_bits) {
  const TrainTest course = models::course_circles();
  std::vector<std::vector<Matrix>> trained;
  std::vector<double> costs;
  for (const bool guard : {true, false}) {
    Model model(models::regularization_network(0.7, 0.86, MaskPolicy::fresh));
    TrainOptions o;
    o.learning_rate = 0.3;
    o.iterations = 30;
    o.record_every = 10;
    o.check_first_step = guard;
    const TrainResult r = train(model, course.train, o);
    trained.push_back(values_of(model.graph()));
    costs.push_back(r.final_cost);
  }
  BOOST_TEST(same_bits(trained[0], trained[1]));
  BOOST_TEST(std::bit_cast<std::uint64_t>(costs[0]) == std::bit_cast<std::uint64_t>(costs[1]));

  const Threads put_back;
  set_threads(2);
  std::vector<std::vector<Matrix>> tiled;
  for (const bool guard : {true, false}) {
    UserModel model(Flaw::none, Flaw::shares_scratch, 2000);
    GradientDescent sgd;
    TrainOptions o = training(20);
    o.check_first_step = guard;
    train(Trainable{model.g, model.x, model.y}, model.data, o, sgd);
    tiled.push_back(values_of(model.g));
  }
  BOOST_TEST(same_bits(tiled[0], tiled[1]));
}

// check_training_step alone: a correct model passes; bad arguments are named.
BOOST_AUTO_TEST_CASE(check_training_step_on_its_own) {
  UserModel model(Flaw::none, Flaw::forgets_setting, 2000);
  BOOST_CHECK_NO_THROW(check_training_step(model.g, model.x, model.y, model.data.X, model.data.Y, 2000));
  BOOST_CHECK_THROW(check_training_step(model.g, model.x, model.y, model.data.X, model.data.Y, 0), InputError);
  BOOST_CHECK_THROW(check_training_step(model.g, model.x, model.y, model.data.X, Matrix({1, 3}), 64), InputError);
}

namespace {

// A user's sum of two scalar terms, the second weighted: with weight 1 an honest
// sums_inputs() (what Add declares), with weight 2 a false claim.
class Total final : public Node, public Schedulable {
 public:
  Total(std::string name, Node& a, Node& b, double weight)
      : Node(std::move(name), {&a, &b}, 1), weight_(weight) {}
  std::string_view kind() const override { return "total"; }
  std::size_t columns(std::size_t) const override { return 1; }
  bool sums_inputs() const override { return true; }
  void forward(Mode) override { value_(0, 0) = inputs()[0]->value()(0, 0) + weight_ * inputs()[1]->value()(0, 0); }
  void backward() override {
    if (inputs()[0]->requires_grad()) inputs()[0]->grad()(0, 0) += grad_(0, 0);
    if (inputs()[1]->requires_grad()) inputs()[1]->grad()(0, 0) += weight_ * grad_(0, 0);
  }

 private:
  double weight_;
};

// x (2) -> fc (1) -> sigmoid cross-entropy, plus an L2 penalty, summed as the loss by
// make_sum(graph, ce, l2); 300 examples in tiles of 64.
struct SumGraph {
  Graph g;
  Node* ce = nullptr;
  Node* l2 = nullptr;
  Node* loss = nullptr;
  template <class MakeSum>
  explicit SumGraph(MakeSum make_sum) {
    RandomState rng(4);
    auto& x = g.input("X", 2);
    auto& y = g.input("Y", 1);
    auto& W = g.parameter("fc.W", rng.randn(1, 2));
    auto& b = g.parameter("fc.b", rng.randn(1, 1));
    ce = &g.add<SigmoidCrossEntropy>("ce", g.add<Linear>("fc", x, W, b), y);
    l2 = &g.add<L2Penalty>("l2", std::vector<Parameter*>{&W}, 0.5);
    loss = &make_sum(g, *ce, *l2);
    g.set_loss(*loss);
    g.set_tile_columns(64);
    g.feed(x, rng.randn(2, 300));
    g.feed(y, xt::floor(rng.rand(1, 300) * 2.0));
  }
};

}  // namespace

// The loss-in-a-sum pattern is recognised through sums_inputs(), not the Add class: a user's
// honest sum tiles with Add's bits and passes the checker; a false claim is named.
BOOST_AUTO_TEST_CASE(a_users_sum_of_losses_tiles_like_add_and_a_false_sum_is_caught) {
  SumGraph with_add([](Graph& g, Node& a, Node& b) -> Node& { return g.add<Add>("cost", std::vector<Node*>{&a, &b}); });
  SumGraph with_total([](Graph& g, Node& a, Node& b) -> Node& { return g.add<Total>("cost", a, b, 1.0); });
  BOOST_TEST_REQUIRE(with_add.g.tileable());
  BOOST_TEST_REQUIRE(with_total.g.tileable(), "a user's sums_inputs() loss is tileable");
  const double add_loss = with_add.g.forward_backward();
  const double total_loss = with_total.g.forward_backward();
  BOOST_TEST(std::bit_cast<std::uint64_t>(total_loss) == std::bit_cast<std::uint64_t>(add_loss));
  Graph& g = with_total.g;
  for (std::size_t i = 0; i < g.parameters().size(); ++i) {
    const Matrix& got = g.parameters()[i]->grad;
    const Matrix& want = with_add.g.parameters()[i]->grad;
    for (std::size_t k = 0; k < got.size(); ++k) {
      BOOST_TEST(std::bit_cast<std::uint64_t>(got.data()[k]) == std::bit_cast<std::uint64_t>(want.data()[k]));
    }
  }
  g.forward(Mode::train);
  BOOST_TEST(check_hooks(*with_total.loss).empty());

  auto& doubled = g.add<Total>("doubled", *with_total.ce, *with_total.l2, 2.0);
  g.forward(Mode::train);
  const std::vector<Finding> findings = check_hooks(doubled);
  BOOST_TEST_REQUIRE(findings.size() == 1u);
  BOOST_TEST(findings[0].problem.starts_with("sums_inputs():"), findings[0].problem);
}

// Mini-batches: numpy's shuffle order, batch sizes and contents, the recorded epoch cost,
// and the non-finite guard naming the epoch and the mini-batch.
#define BOOST_TEST_MODULE minibatch
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/train/minibatch.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;

namespace {

// m = 7 examples: X(0, j) = j, Y(0, j) = 10 j, so a column names its example.
Dataset seven_examples() {
  Dataset d{Matrix({1, 7}), Matrix({1, 7})};
  for (std::size_t j = 0; j < 7; ++j) {
    d.X(0, j) = static_cast<double>(j);
    d.Y(0, j) = 10.0 * static_cast<double>(j);
  }
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(epochs_shuffle_as_numpy_and_cut_batches_in_that_order) {
  const Dataset data = seven_examples();
  MiniBatches batches(data, 3, 11);  // the course's seed 10 + 1
  batches.shuffle(0);
  // numpy 1.24: list(np.random.RandomState(11).permutation(7)), and (12) for the next epoch
  BOOST_TEST(batches.order() == (std::vector<std::size_t>{2, 5, 4, 6, 3, 0, 1}), boost::test_tools::per_element());
  BOOST_TEST(batches.count() == 3u);
  BOOST_TEST(batches.size(0) == 3u);
  BOOST_TEST(batches.size(2) == 1u);
  const Dataset& first = batches.batch(0);
  BOOST_TEST(first.X.shape(1) == 3u);
  BOOST_TEST(first.X(0, 0) == 2.0);
  BOOST_TEST(first.X(0, 2) == 4.0);
  BOOST_TEST(first.Y(0, 1) == 50.0);
  const Dataset& last = batches.batch(2);
  BOOST_TEST(last.X.shape(1) == 1u);
  BOOST_TEST(last.X(0, 0) == 1.0);
  BOOST_TEST(last.Y(0, 0) == 10.0);
  batches.shuffle(1);
  BOOST_TEST(batches.order() == (std::vector<std::size_t>{4, 5, 0, 2, 1, 6, 3}), boost::test_tools::per_element());
  BOOST_CHECK_THROW(batches.batch(3), InputError);
}

BOOST_AUTO_TEST_CASE(bad_sizes_and_seeds_are_named) {
  const Dataset data = seven_examples();
  BOOST_CHECK_THROW(MiniBatches(data, 0, 1), InputError);
  MiniBatches whole(data, 100, 1);  // larger than m: one batch of m
  BOOST_TEST(whole.count() == 1u);
  BOOST_TEST(whole.size(0) == 7u);
  MiniBatches late(data, 3, 0xFFFFFFFFu);
  late.shuffle(0);
  try {
    late.shuffle(1);
    BOOST_FAIL("expected InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("past numpy's largest seed") != std::string::npos, e.what());
  }
  Dataset ragged{Matrix({1, 7}), Matrix({1, 6})};
  BOOST_CHECK_THROW(MiniBatches(ragged, 3, 1), InputError);
}

namespace {

// Counts steps and changes nothing: every batch then sees the same parameters.
class Frozen final : public Optimizer {
 public:
  void start(std::span<Parameter* const>) override {}
  void step(std::span<Parameter* const>, double) override { ++steps; }
  std::string describe() const override { return "frozen"; }
  std::size_t steps = 0;
};

// y_hat = W x + b with W = 2, b = 1, mean squared error against Y.
struct Regression {
  Graph g;
  Input& x = g.input("x", 1);
  Input& y = g.input("y", 1);
  Parameter& W = g.parameter("W", Matrix{{2.0}});
  Parameter& b = g.parameter("b", Matrix{{1.0}});
  Regression() { g.set_loss(g.add<MeanSquaredError>("mse", g.add<Linear>("fc", x, W, b), y)); }
  Trainable trainable() { return {g, x, y}; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_epoch_cost_is_the_size_weighted_mean_of_its_batch_costs) {
  const Dataset data = seven_examples();
  // Squared errors (2 j + 1 - 10 j)^2 = (1 - 8 j)^2 for j = 0..6: 1, 49, 225, 529, 961, 1521, 2209.
  const double expected = (1.0 + 49.0 + 225.0 + 529.0 + 961.0 + 1521.0 + 2209.0) / 7.0;
  Regression r;
  TrainOptions options;
  options.mini_batch_size = 3;
  options.epochs = 4;
  options.shuffle_seed = 11;
  options.record_every = 1;
  Frozen frozen;
  const TrainResult result = train(r.trainable(), data, options, frozen);
  BOOST_TEST(frozen.steps == 12u);  // 4 epochs of 3 batches
  BOOST_TEST_REQUIRE(result.costs.size() == 4u);
  for (const CostRecord& c : result.costs) {
    BOOST_TEST(c.cost == expected, boost::test_tools::tolerance(1e-14));
  }
  BOOST_TEST(result.costs[3].iteration == 3u);
}

BOOST_AUTO_TEST_CASE(gradient_descent_on_mini_batches_follows_the_hand_computed_steps) {
  // One batch per epoch of 7 examples would be full-batch; take batches of 7 and 1 epoch vs
  // a by-hand step: dW = mean 2 (W x + b - y) x, db = mean 2 (W x + b - y).
  const Dataset data = seven_examples();
  Regression r;
  TrainOptions options;
  options.learning_rate = 0.001;
  options.mini_batch_size = 7;
  options.epochs = 1;
  GradientDescent gd;
  train(r.trainable(), data, options, gd);
  double dW = 0.0, db = 0.0;
  for (int j = 0; j < 7; ++j) {
    const double error = 2.0 * j + 1.0 - 10.0 * j;
    dW += 2.0 * error * j / 7.0;
    db += 2.0 * error / 7.0;
  }
  BOOST_TEST(r.W.value(0, 0) == 2.0 - 0.001 * dW, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.b.value(0, 0) == 1.0 - 0.001 * db, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_non_finite_guard_names_epoch_batch_and_node) {
  const Dataset data = seven_examples();
  Regression r;
  TrainOptions options;
  options.learning_rate = 1e200;
  options.mini_batch_size = 2;
  options.epochs = 50;
  options.stop_on_non_finite = true;
  GradientDescent gd;
  try {
    train(r.trainable(), data, options, gd);
    BOOST_FAIL("expected RunError");
  } catch (const RunError& e) {
    const std::string message = e.what();
    BOOST_TEST(message.starts_with("epoch "), message);
    BOOST_TEST(message.find(", mini-batch ") != std::string::npos, message);
    BOOST_TEST(message.find("node '") != std::string::npos, message);
    BOOST_TEST(message.find("try a smaller learning rate") != std::string::npos, message);
  }
}

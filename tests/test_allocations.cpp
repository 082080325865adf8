// A steady-state training step allocates nothing: the global allocation functions are
// replaced by counting ones (tools/support/allocation_counter.hpp, shared with the
// benchmark), and the operator new count must not move across N train_step calls after a
// warm-up step. (malloc is counted too but not asserted on: OpenBLAS's own buffers depend on
// the CPU's kernel, e.g. its AVX-512 small-matrix dgemm mallocs on every call.)
#define BOOST_TEST_MODULE allocations
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "allocation_counter.hpp"
#include "course.hpp"
#include <xgrad/core/threads.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;

namespace {

constexpr int steps = 20;

// Allocations made by `steps` train_step calls, after one warm-up step.
std::size_t allocations_per_steps(const ModelSpec& spec, double learning_rate) {
  const TrainTest data = models::course_circles();
  Model model(spec);
  model.feed(data.train.X, data.train.Y);
  train_step(model, learning_rate);
  const std::size_t before = support::operator_new_count();
  double cost = 0.0;
  for (int i = 0; i < steps; ++i) cost += train_step(model, learning_rate);
  const std::size_t after = support::operator_new_count();
  BOOST_TEST(std::isfinite(cost));
  return after - before;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_counter_sees_allocations) {
  const std::size_t before = support::operator_new_count();
  const Matrix drawn = RandomState(1).randn(3, 4);  // allocates inside libxgrad
  BOOST_TEST(drawn.size() == 12u);
  BOOST_TEST(support::operator_new_count() - before >= 1u);
}

BOOST_AUTO_TEST_CASE(course_model_with_l2_and_replayed_dropout_allocates_nothing_per_step) {
  BOOST_TEST(allocations_per_steps(models::regularization_network(0.7, 0.86), 0.3) == 0u);
}

BOOST_AUTO_TEST_CASE(course_model_with_l2_and_fresh_dropout_allocates_nothing_per_step) {
  BOOST_TEST(allocations_per_steps(models::regularization_network(0.7, 0.86, MaskPolicy::fresh), 0.3) == 0u);
}

BOOST_AUTO_TEST_CASE(he_initialized_model_allocates_nothing_per_step) {
  BOOST_TEST(allocations_per_steps(models::initialization_network(InitKind::he), 0.01) == 0u);
}

BOOST_AUTO_TEST_CASE(eval_and_train_passes_in_turn_allocate_nothing) {
  const TrainTest data = models::course_circles();
  Model model(models::regularization_network(0.7, 0.86, MaskPolicy::fresh));
  model.feed(data.train.X, data.train.Y);
  train_step(model, 0.3);
  model.graph().forward(Mode::eval);
  const std::size_t before = support::operator_new_count();
  for (int i = 0; i < steps; ++i) {
    model.graph().forward(Mode::eval);
    train_step(model, 0.3);
  }
  BOOST_TEST(support::operator_new_count() - before == 0u);
}

// 5000 examples run in column tiles, the last one narrower (5000 is not a multiple of any
// tile width the graph picks, a multiple of 64): after the first step, nothing.
BOOST_AUTO_TEST_CASE(a_step_in_column_tiles_allocates_nothing) {
  RandomState rng(1);
  const Dataset data = make_circles(5000, 0.05, rng);
  for (const ModelSpec& spec : {models::initialization_network(InitKind::he), models::regularization_network(0.7, 1.0)}) {
    Model model(spec);
    BOOST_TEST_REQUIRE(model.graph().tileable());
    BOOST_TEST_REQUIRE(model.graph().tile_columns() < 5000u);
    BOOST_TEST_REQUIRE(5000 % model.graph().tile_columns() != 0u);
    model.feed(data.X, data.Y);
    train_step(model, 0.01);
    const std::size_t before = support::operator_new_count();
    double cost = 0.0;
    for (int i = 0; i < steps; ++i) cost += train_step(model, 0.01);
    BOOST_TEST(support::operator_new_count() - before == 0u);
    BOOST_TEST(std::isfinite(cost));
  }
}

// The same on worker threads (xgrad::set_threads): the first tiled step with a thread
// setting starts the pool's threads and makes their copies of the nodes; after that, steps
// on 3 threads, on 1, and on 3 again allocate nothing (counted on every thread: the counter
// is global).
BOOST_AUTO_TEST_CASE(a_step_in_column_tiles_on_worker_threads_allocates_nothing) {
  const std::size_t saved = threads();
  RandomState rng(1);
  const Dataset data = make_circles(5000, 0.05, rng);
  Model model(models::regularization_network(0.7, 1.0));
  model.graph().set_tile_columns(256);  // 20 tiles: every thread gets some
  model.feed(data.X, data.Y);
  for (std::size_t n : {3, 1}) {
    set_threads(n);
    train_step(model, 0.01);
  }
  const std::size_t before = support::operator_new_count();
  double cost = 0.0;
  for (std::size_t n : {3, 1, 3}) {
    set_threads(n);
    for (int i = 0; i < steps; ++i) cost += train_step(model, 0.01);
  }
  BOOST_TEST(support::operator_new_count() - before == 0u);
  BOOST_TEST(std::isfinite(cost));
  set_threads(saved);
}

namespace {

// Allocations made by a whole train() call of `epochs` epochs on mini-batches of
// `batch_size` (60 divides the 300 examples; 64 leaves a last batch of 44), recording only
// epoch 0.
template <class MakeOptimizer>
std::size_t allocations_of_training(const ModelSpec& spec, const Dataset& data, std::size_t epochs,
                                    MakeOptimizer make_optimizer, std::size_t batch_size = 60) {
  Model model(spec);
  auto optimizer = make_optimizer();
  TrainOptions options;
  options.learning_rate = 0.01;
  options.mini_batch_size = batch_size;
  options.epochs = epochs;
  options.shuffle_seed = 11;
  options.record_every = 1000000;
  options.stop_on_non_finite = true;
  options.decay = {0.01, 1};
  const std::size_t before = support::operator_new_count();
  const TrainResult result = train(model, data, options, optimizer);
  const std::size_t after = support::operator_new_count();
  BOOST_TEST(std::isfinite(result.final_cost));
  return after - before;
}

}  // namespace

// train() allocates while it starts (buffers, optimizer state, the result); 4 more epochs
// (20 more steps, each with its shuffle, batch copies, forward, backward, update) add nothing.
BOOST_AUTO_TEST_CASE(adam_and_momentum_on_mini_batches_allocate_nothing_per_step) {
  const TrainTest data = models::course_circles();
  const ModelSpec spec = models::regularization_network(0.7, 0.86, MaskPolicy::fresh);
  auto adam = [] { return Adam(); };
  auto momentum = [] { return Momentum(0.9); };
  BOOST_TEST(allocations_of_training(spec, data.train, 2, adam) == allocations_of_training(spec, data.train, 6, adam));
  BOOST_TEST(allocations_of_training(spec, data.train, 2, momentum) ==
             allocations_of_training(spec, data.train, 6, momentum));
}

// A last, smaller mini-batch every epoch: the nodes keep buffers for both sizes.
BOOST_AUTO_TEST_CASE(a_smaller_last_mini_batch_allocates_nothing_per_step) {
  const TrainTest data = models::course_circles();
  BOOST_TEST_REQUIRE(data.train.X.shape(1) % 64 != 0u);
  const ModelSpec spec = models::regularization_network(0.7, 0.86, MaskPolicy::fresh);
  auto adam = [] { return Adam(); };
  BOOST_TEST(allocations_of_training(spec, data.train, 2, adam, 64) == allocations_of_training(spec, data.train, 6, adam, 64));
}

BOOST_AUTO_TEST_CASE(a_softmax_model_with_tanh_and_leaky_relu_allocates_nothing_per_step) {
  const TrainTest data = models::course_circles();  // labels 0/1 are class indices of 2 classes
  ModelSpec spec;
  spec.layers = {{10, Activation::tanh()}, {5, Activation::leaky_relu()}, {2, Activation::identity()}};
  spec.input_keep_prob = 0.9;
  spec.dropout_masks = MaskPolicy::fresh;
  spec.loss = Loss::softmax_cross_entropy;
  spec.labels = LabelLayout::class_index;
  auto adam = [] { return Adam(); };
  BOOST_TEST(allocations_of_training(spec, data.train, 2, adam) == allocations_of_training(spec, data.train, 6, adam));
}

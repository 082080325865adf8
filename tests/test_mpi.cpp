// Data-parallel training over MPI (xgrad/parallel/): run under mpirun on 1, 2 and 3
// processes (tests/meson.build). Every process trains with its share of the columns and
// compares what it got with the single-process library call it also makes, bit for bit.
#define BOOST_TEST_MODULE mpi
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include <xgrad/core/format.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/parallel/data_parallel.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/train.hpp>
#include <xgrad/train/trainer.hpp>

#include "course.hpp"

namespace {

struct Mpi {
  Mpi() : session(boost::unit_test::framework::master_test_suite().argc, boost::unit_test::framework::master_test_suite().argv) {}
  xgrad::parallel::MpiSession session;
};
BOOST_TEST_GLOBAL_FIXTURE(Mpi);

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_bits(const xgrad::Matrix& a, const xgrad::Matrix& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void require_same_result(const xgrad::TrainResult& one, const xgrad::TrainResult& shared) {
  BOOST_REQUIRE_EQUAL(one.costs.size(), shared.costs.size());
  for (std::size_t k = 0; k < one.costs.size(); ++k) {
    BOOST_TEST(one.costs[k].iteration == shared.costs[k].iteration);
    BOOST_TEST(same_bits(one.costs[k].cost, shared.costs[k].cost),
               "cost " << k << ": " << xgrad::python_float_repr(one.costs[k].cost) << " on one process, "
                                        << xgrad::python_float_repr(shared.costs[k].cost) << " shared");
  }
  BOOST_TEST(same_bits(one.final_cost, shared.final_cost));
}

void require_same_parameters(const xgrad::Graph& one, const xgrad::Graph& shared) {
  BOOST_REQUIRE_EQUAL(one.parameters().size(), shared.parameters().size());
  for (std::size_t i = 0; i < one.parameters().size(); ++i) {
    BOOST_TEST(same_bits(one.parameters()[i]->value, shared.parameters()[i]->value),
               one.parameters()[i]->name << " differs from the single-process run");
  }
}

// A user's node: softplus, column-separable, with copies for worker threads.
class Softplus final : public xgrad::Node, public xgrad::Schedulable {
 public:
  Softplus(std::string name, xgrad::Node& x) : Node(std::move(name), {&x}, x.rows()) {}
  std::string_view kind() const override { return "softplus"; }
  bool column_separable() const override { return true; }
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<xgrad::Parameter* const>) const override {
    return std::make_unique<Softplus>(name(), *inputs[0]);
  }
  void forward(xgrad::Mode) override {
    const xgrad::Matrix& x = inputs()[0]->value();
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double v = x.data()[k];
      value_.data()[k] = std::max(v, 0.0) + std::log1p(std::exp(-std::abs(v)));
    }
  }
  void backward() override {
    xgrad::Node& x = *inputs()[0];
    if (!x.requires_grad()) return;
    for (std::size_t k = 0; k < x.value().size(); ++k) {
      x.grad().data()[k] += grad_.data()[k] * xgrad::sigmoid(x.value().data()[k]);
    }
  }
};

// X -> fc1 (8) -> softplus -> fc2 (1) -> sigmoid cross-entropy, plus L2 on fc1.W.
struct SoftplusNet {
  xgrad::Graph graph;
  xgrad::Input* x;
  xgrad::Input* y;
  SoftplusNet() {
    xgrad::RandomState rng(5);
    x = &graph.input("X", 2);
    y = &graph.input("Y", 1);
    auto& W1 = graph.parameter("fc1.W", rng.randn(8, 2));
    auto& b1 = graph.parameter("fc1.b", xgrad::Matrix(xt::zeros<double>({8, 1})));
    auto& W2 = graph.parameter("fc2.W", rng.randn(1, 8));
    auto& b2 = graph.parameter("fc2.b", xgrad::Matrix(xt::zeros<double>({1, 1})));
    auto& h = graph.add<Softplus>("softplus", graph.add<xgrad::Linear>("fc1", *x, W1, b1));
    auto& cost = graph.add<xgrad::SigmoidCrossEntropy>("cost", graph.add<xgrad::Linear>("fc2", h, W2, b2), *y);
    auto& l2 = graph.add<xgrad::L2Penalty>("l2", std::vector<xgrad::Parameter*>{&W1}, 0.1);
    graph.set_loss(graph.add<xgrad::Add>("loss", std::vector<xgrad::Node*>{&cost, &l2}));
    graph.set_tile_columns(512);
  }
};

xgrad::Dataset circles(std::size_t m) {
  xgrad::RandomState rng(1);
  return xgrad::make_circles(m, 0.05, rng);
}

}  // namespace

BOOST_AUTO_TEST_CASE(he_model_full_batch_has_the_bits_of_one_process) {
  const xgrad::parallel::Processes processes;
  const xgrad::Dataset whole = circles(30000);
  xgrad::TrainOptions options;
  options.learning_rate = 0.01;
  options.iterations = 150;
  options.record_every = 10;
  const xgrad::ModelSpec spec = xgrad::models::initialization_network(xgrad::InitKind::he);

  xgrad::set_threads(1);
  xgrad::Model one(spec);
  const xgrad::TrainResult expected = xgrad::train(one, whole, options);

  xgrad::set_threads(2);  // the shared run on two threads per process: the bits stay
  xgrad::Model shared(spec);
  BOOST_TEST_REQUIRE(shared.graph().tile_columns() < whole.examples() / 3, "the batch must span several tiles");
  const auto share = xgrad::parallel::take_share(
      whole, xgrad::parallel::column_share(whole.examples(), shared.graph().tile_columns(), processes.rank(),
                                           processes.size()));
  xgrad::GradientDescent gradient_descent;
  const xgrad::TrainResult got = xgrad::parallel::train(processes, shared, share, options, gradient_descent);
  xgrad::set_threads(1);

  require_same_result(expected, got);
  require_same_parameters(one.graph(), shared.graph());
  // Predictions of this process's columns are the single-process run's, and so is accuracy.
  if (share.data.examples() > 0) {
    const xgrad::Matrix mine = xgrad::predict(shared, share.data.X);
    const xgrad::Matrix all = xgrad::predict(one, whole.X);
    const xgrad::Matrix theirs = xt::view(all, xt::all(), xt::range(share.first, share.first + share.data.examples()));
    BOOST_TEST(same_bits(mine, theirs));
  }
  const xgrad::Matrix local = share.data.examples() > 0 ? xgrad::predict(shared, share.data.X) : xgrad::Matrix({1, 0});
  BOOST_TEST(same_bits(xgrad::parallel::accuracy(processes, local, share.data.Y),
                       xgrad::accuracy(xgrad::predict(one, whole.X), whole.Y)));
}

BOOST_AUTO_TEST_CASE(mini_batch_adam_with_a_users_node_has_the_bits_of_one_process) {
  const xgrad::parallel::Processes processes;
  const xgrad::Dataset whole = circles(5000);
  xgrad::TrainOptions options;
  options.learning_rate = 0.01;
  options.mini_batch_size = 1500;  // 3 tiles of 512 each, then a last batch of 500 (one tile)
  options.epochs = 4;
  options.shuffle_seed = 11;
  options.record_every = 1;

  SoftplusNet one;
  xgrad::Adam adam_one;
  const xgrad::TrainResult expected = xgrad::train({one.graph, *one.x, *one.y}, whole, options, adam_one);

  // Uneven contiguous shares, unrelated to tiles: a mini-batch gathers its columns.
  const std::size_t m = whole.examples();
  const std::size_t R = processes.size();
  const std::size_t r = processes.rank();
  const std::size_t first = m * r * r / (R * R);
  const std::size_t end = m * (r + 1) * (r + 1) / (R * R);
  const auto share = xgrad::parallel::take_share(whole, {first, end - first, 0});
  SoftplusNet shared;
  xgrad::Adam adam_shared;
  const xgrad::TrainResult got =
      xgrad::parallel::train(processes, {shared.graph, *shared.x, *shared.y}, share, options, adam_shared);

  require_same_result(expected, got);
  require_same_parameters(one.graph, shared.graph);
}

BOOST_AUTO_TEST_CASE(processes_with_other_settings_stop_with_one_message) {
  const xgrad::parallel::Processes processes;
  const xgrad::Dataset whole = circles(2000);
  xgrad::TrainOptions options;
  options.iterations = 3;
  options.learning_rate = processes.rank() == processes.size() - 1 && processes.size() > 1 ? 0.5 : 0.01;
  SoftplusNet net;
  const auto share = xgrad::parallel::take_share(
      whole, xgrad::parallel::column_share(whole.examples(), 512, processes.rank(), processes.size()));
  xgrad::GradientDescent gd;
  if (processes.size() == 1) {
    BOOST_CHECK_NO_THROW(xgrad::parallel::train(processes, {net.graph, *net.x, *net.y}, share, options, gd));
    return;
  }
  const std::string expected = "process " + std::to_string(processes.size() - 1) + " of " +
                               std::to_string(processes.size()) + " was started with other settings";
  BOOST_CHECK_EXCEPTION(xgrad::parallel::train(processes, {net.graph, *net.x, *net.y}, share, options, gd),
                        xgrad::parallel::CollectiveError, [&](const xgrad::parallel::CollectiveError& e) {
                          return std::string(e.what()).find(expected) != std::string::npos &&
                                 std::string(e.what()).find("learning rate 0.5") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(full_batch_shares_that_are_not_whole_tiles_are_refused) {
  const xgrad::parallel::Processes processes;
  if (processes.size() == 1) return;  // one process holds everything: always whole tiles
  const xgrad::Dataset whole = circles(2000);
  const std::size_t m = whole.examples();
  const std::size_t R = processes.size();
  const std::size_t r = processes.rank();
  const auto share = xgrad::parallel::take_share(whole, {m * r / R, m * (r + 1) / R - m * r / R, 0});
  xgrad::TrainOptions options;
  options.iterations = 2;
  SoftplusNet net;
  xgrad::GradientDescent gd;
  BOOST_CHECK_EXCEPTION(xgrad::parallel::train(processes, {net.graph, *net.x, *net.y}, share, options, gd),
                        xgrad::parallel::CollectiveError, [](const xgrad::parallel::CollectiveError& e) {
                          return std::string(e.what()).find("needs whole tiles") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(column_shares_are_contiguous_whole_tiles) {
  std::size_t next = 0;
  for (std::size_t r = 0; r < 4; ++r) {
    const auto s = xgrad::parallel::column_share(5000, 512, r, 4);  // 10 tiles: 3, 2, 3, 2
    BOOST_TEST(s.first == next);
    BOOST_TEST(s.first == s.first_tile * 512);
    next += s.count;
  }
  BOOST_TEST(next == 5000u);
  BOOST_TEST(xgrad::parallel::column_share(300, 512, 1, 3).count == 0u);  // one tile: process 0's
  BOOST_TEST(xgrad::parallel::column_share(300, 512, 0, 3).count == 300u);
  BOOST_CHECK_THROW(xgrad::parallel::column_share(300, 0, 0, 1), xgrad::InputError);
}

// A Trainer with data-parallel passes: validation (each process with its validation columns),
// early stopping that restores the best parameters, a step schedule, callbacks, and a run
// continued by a second run() call, against the one-process Trainer on the whole sets.
BOOST_AUTO_TEST_CASE(a_trainer_with_validation_early_stopping_and_a_schedule_has_the_bits_of_one_process) {
  const xgrad::parallel::Processes processes;
  const xgrad::Dataset whole = circles(9000);
  xgrad::RandomState validation_rng(2);
  const xgrad::Dataset validation = xgrad::make_circles(2600, 0.05, validation_rng);
  xgrad::ModelSpec spec = xgrad::models::initialization_network(xgrad::InitKind::he);
  spec.lambda = 0.05;  // the validation cost has an L2 term

  xgrad::TrainerOptions options;
  options.training.learning_rate = 0.05;
  options.training.record_every = 5;
  options.schedule = xgrad::LearningRateSchedule::parse("step:0.5:30");
  options.validation.data = validation;
  options.validation.every = 10;
  options.early_stopping.patience = 2;
  options.early_stopping.min_delta = 1e-4;
  options.early_stopping.restore_best = true;
  std::vector<double> seen_costs;
  options.callbacks.push_back({[&](const xgrad::EpochReport& r) {
                                 seen_costs.push_back(r.cost);
                                 return xgrad::Decision::proceed;
                               },
                               7, true, "watch"});

  xgrad::Model one(spec);
  xgrad::GradientDescent gd_one;
  xgrad::Trainer single(one, gd_one, whole, options);
  const xgrad::RunSummary first_one = single.run(40);
  const xgrad::RunSummary second_one = single.run(400);
  const std::vector<double> costs_one = seen_costs;
  seen_costs.clear();

  xgrad::Model shared(spec);
  const auto train_share = xgrad::parallel::take_share(
      whole, xgrad::parallel::column_share(whole.examples(), shared.graph().tile_columns(), processes.rank(),
                                           processes.size()));
  const auto validation_share = xgrad::parallel::take_share(
      validation, xgrad::parallel::column_share(validation.examples(), xgrad::evaluation_tile_columns(shared),
                                                processes.rank(), processes.size()));
  xgrad::TrainerOptions shared_options = options;
  shared_options.validation.data = validation_share.data;
  shared_options.passes = xgrad::parallel::shared_passes(processes, {train_share.first, whole.examples()},
                                                         {validation_share.first, validation.examples()});
  xgrad::GradientDescent gd_shared;
  xgrad::Trainer trainer(shared, gd_shared, train_share.data, shared_options);
  const xgrad::RunSummary first_shared = trainer.run(40);
  const xgrad::RunSummary second_shared = trainer.run(400);

  BOOST_TEST((second_one.reason == xgrad::StopReason::early_stopping), second_one.message);
  BOOST_TEST(first_shared.message == first_one.message);
  BOOST_TEST(second_shared.message == second_one.message);
  BOOST_TEST(trainer.epoch() == single.epoch());
  BOOST_TEST(trainer.step() == single.step());
  BOOST_REQUIRE_EQUAL(trainer.history().size(), single.history().size());
  for (std::size_t k = 0; k < single.history().size(); ++k) {
    const xgrad::HistoryRecord& a = single.history()[k];
    const xgrad::HistoryRecord& b = trainer.history()[k];
    BOOST_TEST((a.epoch == b.epoch && same_bits(a.cost, b.cost) && same_bits(a.learning_rate, b.learning_rate) &&
                a.validation_cost.has_value() == b.validation_cost.has_value() &&
                (!a.validation_cost || same_bits(*a.validation_cost, *b.validation_cost)) &&
                a.validation_accuracy == b.validation_accuracy),
               "history record " << k << " (epoch " << a.epoch << ")");
  }
  BOOST_REQUIRE(second_shared.last_validation.has_value());
  BOOST_TEST(same_bits(second_shared.last_validation->cost, second_one.last_validation->cost));
  BOOST_REQUIRE_EQUAL(seen_costs.size(), costs_one.size());
  for (std::size_t k = 0; k < costs_one.size(); ++k) BOOST_TEST(same_bits(seen_costs[k], costs_one[k]));
  require_same_parameters(one.graph(), shared.graph());
}

// Validation columns that are not column_share's whole evaluation tiles are refused on every
// process with one message, not summed in another order.
BOOST_AUTO_TEST_CASE(validation_columns_off_the_evaluation_tiles_are_refused) {
  const xgrad::parallel::Processes processes;
  if (processes.size() < 2) return;  // one process holds every column: nothing to misplace
  const xgrad::Dataset whole = circles(3000);
  const xgrad::Dataset validation = circles(2000);
  const xgrad::ModelSpec spec = xgrad::models::initialization_network(xgrad::InitKind::he);
  xgrad::Model shared(spec);
  const auto train_share = xgrad::parallel::take_share(
      whole, xgrad::parallel::column_share(whole.examples(), shared.graph().tile_columns(), processes.rank(),
                                           processes.size()));
  // Even shares of the validation set, not whole tiles.
  const std::size_t R = processes.size();
  const std::size_t r = processes.rank();
  const std::size_t first = validation.examples() * r / R;
  const auto validation_share =
      xgrad::parallel::take_share(validation, {first, validation.examples() * (r + 1) / R - first, 0});
  xgrad::TrainerOptions options;
  options.training.learning_rate = 0.05;
  options.validation.data = validation_share.data;
  options.passes = xgrad::parallel::shared_passes(processes, {train_share.first, whole.examples()},
                                                  {validation_share.first, validation.examples()});
  xgrad::GradientDescent gd;
  xgrad::Trainer trainer(shared, gd, train_share.data, options);
  BOOST_CHECK_EXCEPTION(trainer.run(1), xgrad::parallel::CollectiveError, [](const xgrad::parallel::CollectiveError& e) {
    return std::string(e.what()).find("a shared evaluation needs columns") != std::string::npos;
  });
}

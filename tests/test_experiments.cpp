// The course's six experiments, trained by xgrad and compared with the reference figures:
// costs from iteration 1000 on within 1e-9 relative, accuracies exact, prediction arrays
// identical (initialization notes) -- on any CPU and BLAS kernel, since these runs are not
// chaotic. The chaotic large-random-initialization run is held to what is invariant (see
// init_random). The football experiments need ../shared/data.
#define BOOST_TEST_MODULE experiments
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "course.hpp"
#include "hand_network.hpp"
#include "reference.hpp"
#include <xgrad/numpy/circles.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;
using xgrad::testing::needs_shared;
using xgrad::testing::reference;
using xgrad::testing::to_matrix;
using xgrad::testing::to_vector;

namespace {

models::CourseExperiment experiment(const std::string& key) {
  for (auto& e : models::course_experiments()) {
    if (e.key == key) return e;
  }
  throw std::runtime_error("no experiment " + key);
}

TrainTest data_for(const models::CourseExperiment& e) {
  if (e.data == models::CourseData::circles) return models::course_circles();
  return load_mat_train_test(*xgrad::testing::shared_file("data/football.mat"));
}

struct Outcome {
  TrainResult result;
  Matrix train_predictions, test_predictions;
  double train_accuracy, test_accuracy;
};

Outcome run(const std::string& key) {
  const auto e = experiment(key);
  const TrainTest data = data_for(e);
  Model model(e.spec);
  Outcome o;
  o.result = train(model, data.train, e.options);
  o.train_predictions = predict(model, data.train.X);
  o.test_predictions = predict(model, data.test.X);
  o.train_accuracy = accuracy(o.train_predictions, data.train.Y);
  o.test_accuracy = accuracy(o.test_predictions, data.test.Y);
  return o;
}

void compare_with_reference(const std::string& key, const Outcome& o, bool predictions) {
  const double cost_tolerance = 1e-9;
  const auto& ref = reference()[key];
  const std::vector<double> costs = to_vector(ref["costs"]);
  BOOST_TEST_REQUIRE(o.result.costs.size() == costs.size());
  for (std::size_t i = 0; i < costs.size(); ++i) {
    BOOST_TEST(o.result.costs[i].iteration == 1000 * i);
    if (!std::isfinite(costs[i])) {
      BOOST_TEST(std::isfinite(o.result.costs[i].cost), "cost at iteration " << 1000 * i << " should be finite");
      continue;
    }
    const double rel = std::abs(o.result.costs[i].cost - costs[i]) / std::abs(costs[i]);
    BOOST_TEST(rel <= cost_tolerance, key << " cost at iteration " << 1000 * i << ": " << format_double(o.result.costs[i].cost)
                                << " vs " << format_double(costs[i]) << " (rel " << rel << ")");
  }
  BOOST_TEST(o.train_accuracy == ref["train_accuracy"].get<double>());
  BOOST_TEST(o.test_accuracy == ref["test_accuracy"].get<double>());
  if (predictions) {
    const Matrix train_ref = to_matrix(ref["train_predictions"]);
    const Matrix test_ref = to_matrix(ref["test_predictions"]);
    BOOST_TEST((o.train_predictions == train_ref), key << ": train predictions differ");
    BOOST_TEST((o.test_predictions == test_ref), key << ": test predictions differ");
  }
}

const auto with_reference = needs_shared("reference/seed_expected.json");
const auto with_football = needs_shared("data/football.mat");

}  // namespace

BOOST_AUTO_TEST_CASE(initializers_reproduce_the_notes_examples, *with_reference) {
  const auto& ex = reference()["init_examples"];
  struct Case { const char* key; std::vector<std::size_t> dims; Initializer init; };
  const Case cases[] = {{"zeros_[3,2,1]", {3, 2, 1}, {InitKind::zeros, 3, 10.0}},
                        {"random_[3,2,1]_seed3_x10", {3, 2, 1}, {InitKind::random, 3, 10.0}},
                        {"he_[2,4,1]_seed3", {2, 4, 1}, {InitKind::he, 3, 10.0}}};
  for (const Case& c : cases) {
    const auto params = initialize(c.dims, c.init);
    for (std::size_t l = 0; l < params.size(); ++l) {
      const std::string n = std::to_string(l + 1);
      const Matrix W = to_matrix(ex[c.key]["W" + n]);
      const Matrix b = to_matrix(ex[c.key]["b" + n]);
      BOOST_TEST_REQUIRE(params[l].first.shape() == W.shape());
      for (std::size_t k = 0; k < W.size(); ++k) {
        BOOST_TEST(xgrad::testing::same_bits(params[l].first.data()[k], W.data()[k]), c.key << " W" << n << " entry " << k);
      }
      BOOST_TEST((params[l].second == b));
    }
  }
}

BOOST_AUTO_TEST_CASE(init_zeros, *with_reference) { compare_with_reference("init_zeros", run("init_zeros"), true); }

// Weights x10 make gradient descent at lr 0.01 chaotic: a difference in the last bit
// anywhere (BLAS kernels sum products in different orders; numpy's SVML exp on AVX-512)
// grows by about 1e3 every 100 iterations. Measured with OpenBLAS forced to Haswell, Zen,
// SkylakeX, Cooperlake and Sandybridge: the costs agree to 3e-16 at iteration 0 and 6e-11
// at iteration 100, then split (1e-5 at 200, 1e0 at 400); at iteration 7000, where the cost
// falls off a cliff, they are 2.5e-2 apart (numpy on an AVX-512 machine gives yet another
// value), and from 8000 on within 1e-3 again. The reference costs are one such trajectory,
// so they cannot be held tightly. What is invariant, and held here:
//  - the first 100 iterations, tightly (1e-9 relative), against the same network written as
//    plain loops without BLAS (a summation order of its own, as another kernel would have);
//  - iteration 0's cost is the stable loss (finite, where the notes print inf);
//  - the shape of the curve: every recorded cost from iteration 1000 on is below the one
//    before, and the last is under two thirds of the first;
//  - where it ends: final cost and accuracies near the reference's (5% relative for the
//    cost, 3 points for accuracies: loose, since chaos moves them, but far tighter than the
//    zeros run (0.693, 50%) or He (0.07, 99%) are).
// The sensitivity itself is measured below (large_random_initialization_is_chaotic...).
BOOST_AUTO_TEST_CASE(init_random, *with_reference) {
  const auto e = experiment("init_random");
  const TrainTest data = data_for(e);

  {  // The first 100 iterations, against plain loops.
    Model model(e.spec);
    std::vector<std::pair<Matrix, Matrix>> params;
    for (std::size_t l = 1; l <= 3; ++l) {
      params.emplace_back(model.graph().find_parameter("fc" + std::to_string(l) + ".W")->value,
                          model.graph().find_parameter("fc" + std::to_string(l) + ".b")->value);
    }
    bench::HandNetwork loops(e.spec.dims(), params, data.train.X, data.train.Y, bench::Products::loops);
    TrainOptions options = e.options;
    options.iterations = 101;
    options.record_every = 10;
    const TrainResult result = train(model, data.train, options);
    std::size_t done = 0;  // loop iterations run
    double expected = 0.0;
    for (const CostRecord& r : result.costs) {
      while (done <= r.iteration) {
        expected = loops.step(e.options.learning_rate);  // the cost before iteration `done`'s update
        ++done;
      }
      BOOST_TEST(std::abs(r.cost - expected) <= 1e-9 * std::abs(expected),
                 "init_random cost at iteration " << r.iteration << ": " << format_double(r.cost) << " vs plain loops "
                                                  << format_double(expected));
    }
  }

  const Outcome o = run("init_random");
  const auto& ref = reference()["init_random"];
  const std::vector<double> costs = to_vector(ref["costs"]);
  BOOST_TEST_REQUIRE(o.result.costs.size() == costs.size());
  BOOST_TEST(std::isfinite(o.result.costs[0].cost));
  BOOST_TEST_MESSAGE("random init, stable cost at iteration 0: " << format_double(o.result.costs[0].cost)
                                                                  << " (the notes print inf)");
  for (std::size_t i = 2; i < costs.size(); ++i) {
    BOOST_TEST(o.result.costs[i].cost < o.result.costs[i - 1].cost,
               "init_random: the cost rose from iteration " << 1000 * (i - 1) << " to " << 1000 * i);
  }
  BOOST_TEST(o.result.costs.back().cost < 2.0 / 3.0 * o.result.costs[1].cost);
  const double rel = std::abs(o.result.costs.back().cost - costs.back()) / costs.back();
  BOOST_TEST(rel <= 0.05, "init_random final cost " << o.result.costs.back().cost << " vs " << costs.back());
  BOOST_TEST(std::abs(o.train_accuracy - ref["train_accuracy"].get<double>()) <= 0.03);
  BOOST_TEST(std::abs(o.test_accuracy - ref["test_accuracy"].get<double>()) <= 0.03);
}

BOOST_AUTO_TEST_CASE(large_random_initialization_is_chaotic_and_he_is_not) {
  // Cost at iteration 1000 after nudging one initial weight by one ulp.
  auto sensitivity = [](InitKind kind) {
    const TrainTest data = models::course_circles();
    TrainOptions options;
    options.iterations = 1001;
    double cost[2];
    for (int nudge = 0; nudge < 2; ++nudge) {
      Model model(models::initialization_network(kind));
      double& w = model.graph().find_parameter("fc1.W")->value(0, 0);
      if (nudge) w = std::nextafter(w, 1e300);
      cost[nudge] = train(model, data.train, options).final_cost;
    }
    return std::abs(cost[1] - cost[0]) / cost[0];
  };
  const double chaotic = sensitivity(InitKind::random);
  const double stable = sensitivity(InitKind::he);
  BOOST_TEST_MESSAGE("one-ulp nudge -> relative cost change at iteration 1000: random x10 " << chaotic
                                                                                           << ", He " << stable);
  BOOST_TEST(chaotic > 1e-7);
  BOOST_TEST(stable < 1e-11);
}

BOOST_AUTO_TEST_CASE(init_he, *with_reference) { compare_with_reference("init_he", run("init_he"), true); }

BOOST_AUTO_TEST_CASE(reg_none, *with_reference *with_football) {
  compare_with_reference("reg_none", run("reg_none"), false);
}

BOOST_AUTO_TEST_CASE(reg_l2, *with_reference *with_football) { compare_with_reference("reg_l2", run("reg_l2"), false); }

BOOST_AUTO_TEST_CASE(reg_dropout, *with_reference *with_football) {
  compare_with_reference("reg_dropout", run("reg_dropout"), false);
}

BOOST_AUTO_TEST_CASE(beyond_the_notes_l2_with_dropout_and_fresh_masks, *with_football) {
  for (const char* key : {"reg_l2_dropout", "reg_dropout_fresh"}) {
    const Outcome o = run(key);
    BOOST_TEST_MESSAGE(key << ": train " << o.train_accuracy << ", test " << o.test_accuracy << ", final cost "
                           << o.result.final_cost);
    BOOST_TEST(std::isfinite(o.result.final_cost));
    BOOST_TEST(o.result.costs.back().cost < o.result.costs.front().cost, key << ": the cost did not go down");
    BOOST_TEST(o.train_accuracy > 0.85, key);
    BOOST_TEST(o.test_accuracy > 0.85, key);
  }
}

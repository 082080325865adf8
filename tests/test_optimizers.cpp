// Optimizers: against steps computed by hand, against numpy's arithmetic on a fixed case,
// their errors, learning-rate decay, and a user's own optimizer in train().
#define BOOST_TEST_MODULE optimizers
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/momentum.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;
namespace tt = boost::test_tools;

namespace {

// One parameter W = [1, -2] with the gradient [0.5, -0.25].
struct OneParameter {
  Parameter p{"W", Matrix{{1.0, -2.0}}, Matrix{{0.5, -0.25}}};
  std::vector<Parameter*> list{&p};
};

}  // namespace

BOOST_AUTO_TEST_CASE(gradient_descent_by_hand) {
  OneParameter w;
  GradientDescent gd;
  gd.start(w.list);
  gd.step(w.list, 0.1);
  BOOST_TEST(w.p.value(0, 0) == 0.95, tt::tolerance(1e-15));   // 1 - 0.1 * 0.5
  BOOST_TEST(w.p.value(0, 1) == -1.975, tt::tolerance(1e-15));  // -2 + 0.1 * 0.25
}

BOOST_AUTO_TEST_CASE(momentum_by_hand) {
  OneParameter w;
  Momentum momentum(0.9);
  momentum.start(w.list);
  BOOST_TEST(momentum.velocity(0)(0, 0) == 0.0);
  momentum.step(w.list, 0.1);
  // v = 0.9 * 0 + 0.1 * 0.5 = 0.05; W = 1 - 0.1 * 0.05 = 0.995
  BOOST_TEST(momentum.velocity(0)(0, 0) == 0.05, tt::tolerance(1e-15));
  BOOST_TEST(w.p.value(0, 0) == 0.995, tt::tolerance(1e-15));
  momentum.step(w.list, 0.1);
  // v = 0.9 * 0.05 + 0.1 * 0.5 = 0.095; W = 0.995 - 0.0095 = 0.9855
  BOOST_TEST(momentum.velocity(0)(0, 0) == 0.095, tt::tolerance(1e-15));
  BOOST_TEST(w.p.value(0, 0) == 0.9855, tt::tolerance(1e-15));
  // second entry: v = -0.025 then -0.0475; W = -2 + 0.0025 + 0.00475
  BOOST_TEST(w.p.value(0, 1) == -1.99275, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(adam_by_hand) {
  OneParameter w;
  Adam adam;  // the defaults: beta1 0.9, beta2 0.999, epsilon 1e-8
  BOOST_TEST(adam.beta1() == 0.9);
  BOOST_TEST(adam.beta2() == 0.999);
  BOOST_TEST(adam.epsilon() == 1e-8);
  adam.start(w.list);
  BOOST_TEST(adam.t() == 0u);
  adam.step(w.list, 0.1);
  BOOST_TEST(adam.t() == 1u);
  // t = 1: v = 0.1 g, s = 0.001 g^2, so v_hat = g, s_hat = g^2 and the step is
  // lr * g / (|g| + epsilon): 0.1 * 0.5 / 0.50000001 and -0.1 * 0.25 / 0.25000001.
  BOOST_TEST(adam.first_moment(0)(0, 0) == 0.05, tt::tolerance(1e-15));
  BOOST_TEST(adam.second_moment(0)(0, 0) == 0.00025, tt::tolerance(1e-13));
  BOOST_TEST(w.p.value(0, 0) == 1.0 - 0.1 * 0.5 / 0.50000001, tt::tolerance(1e-15));
  BOOST_TEST(w.p.value(0, 1) == -2.0 + 0.1 * 0.25 / 0.25000001, tt::tolerance(1e-15));
  // t = 2 with the same gradient: v = 0.095, v_hat = 0.095 / 0.19 = 0.5; s = 0.000499750,
  // s_hat = 0.00049975 / 0.001999 = 0.25: the same step again.
  adam.step(w.list, 0.1);
  BOOST_TEST(adam.t() == 2u);
  BOOST_TEST(w.p.value(0, 0) == 1.0 - 2.0 * (0.1 * 0.5 / 0.50000001), tt::tolerance(1e-12));
  adam.start(w.list);  // starts over
  BOOST_TEST(adam.t() == 0u);
  BOOST_TEST(adam.first_moment(0)(0, 0) == 0.0);
}

namespace {

// W = RandomState(1).randn(2, 3); five steps with gradients RandomState(2).randn(2, 3), lr 0.01.
Matrix five_steps(Optimizer& optimizer) {
  Parameter p{"W", RandomState(1).randn(2, 3), Matrix({2, 3})};
  std::vector<Parameter*> list{&p};
  RandomState gradients(2);
  optimizer.start(list);
  for (int t = 1; t <= 5; ++t) {
    p.grad = gradients.randn(2, 3);
    optimizer.step(list, 0.01);
  }
  return p.value;
}

// Printed by numpy 1.24 (repr of each entry of W.ravel()) running the course's
// update_parameters_with_momentum / update_parameters_with_adam on the same case:
//   W = np.random.RandomState(1).randn(2, 3); g_rng = np.random.RandomState(2)
//   for t in range(1, 6):
//       dW = g_rng.randn(2, 3)
//       gd:       W = W - lr * dW
//       momentum: v = beta * v + (1 - beta) * dW; W = W - lr * v
//       adam:     v = beta1 * v + (1 - beta1) * dW; s = beta2 * s + (1 - beta2) * np.power(dW, 2)
//                 v_c = v / (1 - np.power(beta1, t)); s_c = s / (1 - np.power(beta2, t))
//                 W = W - lr * v_c / (np.sqrt(s_c) + eps)
//   with lr 0.01, beta 0.9, beta1 0.9, beta2 0.999, eps 1e-8.
const std::vector<double> numpy_gd{1.6339356631889626, -0.5852900222618118, -0.48646322326670927,
                                   -1.0608791925251881, 0.8896652174494026, -2.316370573102408};
const std::vector<double> numpy_momentum{1.6259698245452072, -0.6039948356257976, -0.5149403059905492,
                                         -1.0734591879593447, 0.8718410539444887, -2.3071266385157605};
const std::vector<double> numpy_adam{1.6395134648882428, -0.5714813142184124, -0.49050261057078215,
                                     -1.0809395932372796, 0.8894257882167439, -2.3068312061187513};

}  // namespace

BOOST_AUTO_TEST_CASE(five_steps_agree_with_numpy) {
  GradientDescent gd;
  Momentum momentum;
  Adam adam;
  const Matrix w_gd = five_steps(gd);
  const Matrix w_momentum = five_steps(momentum);
  const Matrix w_adam = five_steps(adam);
  for (std::size_t k = 0; k < 6; ++k) {
    // element-wise IEEE arithmetic in numpy's order: the same bits
    BOOST_TEST(w_gd.data()[k] == numpy_gd[k]);
    BOOST_TEST(w_momentum.data()[k] == numpy_momentum[k]);
    // Adam also calls pow (libm; numpy calls the same C function): held to 1e-14
    BOOST_TEST(w_adam.data()[k] == numpy_adam[k], tt::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(bad_settings_and_misuse_are_named) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message([] { Momentum(1.0); }) == "momentum: beta must be in [0, 1), got 1");
  BOOST_TEST(message([] { Adam(0.9, -0.1); }) == "adam: beta2 must be in [0, 1), got -0.1");
  BOOST_TEST(message([] { Adam(0.9, 0.999, 0.0); }) == "adam: epsilon must be a finite number > 0, got 0");
  BOOST_TEST(message([] { Adam(std::nan(""), 0.999); }).find("beta1") != std::string::npos);
  OneParameter w;
  Adam adam;
  BOOST_TEST(message([&] { adam.step(w.list, 0.1); }).find("call start(parameters) first") != std::string::npos);
  TrainOptions o;
  o.decay.rate = -1.0;
  BOOST_TEST(message([&] { o.validate(); }).find("decay rate") != std::string::npos);
  o = TrainOptions{};
  o.decay.interval = 0;
  BOOST_TEST(message([&] { o.validate(); }).find("decay interval") != std::string::npos);
  o = TrainOptions{};
  o.mini_batch_size = 64;
  BOOST_TEST(message([&] { o.validate(); }) == "epochs must be at least 1 when training on mini-batches");
  // A decay that takes the rate to 0: 1 + 1e308 * 2 overflows to inf at iteration 2 of 3.
  o = TrainOptions{};
  o.iterations = 3;
  o.decay = {1e308, 1};
  BOOST_TEST(message([&] { o.validate(); }) ==
             "the learning-rate decay (rate 1e+308 every 1 iterations) takes the learning rate 0.01 to 0 before the "
             "last of 3 iterations");
  o.iterations = 2;  // the last is iteration 1: 0.01 / (1 + 1e308), tiny but > 0
  BOOST_TEST(message([&] { o.validate(); }) == "no error");
}

BOOST_AUTO_TEST_CASE(the_final_learning_rate_is_the_last_step_s) {
  TrainOptions o;
  o.learning_rate = 0.3;
  o.iterations = 25;  // the last is iteration 24: floor(24 / 10) = 2 decay steps
  o.decay = {1.0, 10};
  BOOST_TEST(o.final_learning_rate() == 0.3 / (1.0 + 1.0 * 2.0));
  o.mini_batch_size = 8;  // then epochs count: the last of 10 is epoch 9, 0 decay steps
  o.epochs = 10;
  BOOST_TEST(o.final_learning_rate() == 0.3);
  BOOST_TEST(std::string(o.steps_name()) == "epochs");
}

BOOST_AUTO_TEST_CASE(learning_rate_decay_formula) {
  BOOST_TEST(LearningRateDecay{}.at(0.3, 12345) == 0.3);  // no decay: the rate itself, exactly
  const LearningRateDecay per_epoch{0.5, 1};             // the course's update_lr
  BOOST_TEST(per_epoch.at(1.0, 0) == 1.0);
  BOOST_TEST(per_epoch.at(1.0, 3) == 0.4);  // 1 / (1 + 0.5 * 3)
  const LearningRateDecay scheduled{1.0, 1000};  // the course's schedule_lr_decay
  BOOST_TEST(scheduled.at(0.1, 999) == 0.1);
  BOOST_TEST(scheduled.at(0.1, 2500) == 0.1 / 3.0);  // floor(2500 / 1000) = 2
}

namespace {

// The example of optimizer.hpp: a user's optimizer, written against the interface only.
class SignDescent final : public Optimizer {
 public:
  void start(std::span<Parameter* const>) override { ++starts; }
  void step(std::span<Parameter* const> params, double lr) override {
    for (auto* p : params) {
      for (std::size_t k = 0; k < p->value.size(); ++k) {
        p->value.data()[k] -= lr * ((p->grad.data()[k] > 0) - (p->grad.data()[k] < 0));
      }
    }
    ++steps;
  }
  std::string describe() const override { return "sign descent"; }
  int starts = 0;
  int steps = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_users_optimizer_trains_a_graph) {
  // A one-weight linear regression y = 3 x: the loss falls and W approaches 3.
  Graph g;
  auto& x = g.input("x", 1);
  auto& y = g.input("y", 1);
  auto& W = g.parameter("W", Matrix{{0.0}});
  auto& b = g.parameter("b", Matrix{{0.0}});
  auto& z = g.add<Linear>("fc", x, W, b);
  g.set_loss(g.add<MeanSquaredError>("mse", z, y));
  const Dataset data{Matrix{{1.0, 2.0, -1.0, 0.5}}, Matrix{{3.0, 6.0, -3.0, 1.5}}};
  TrainOptions options;
  options.learning_rate = 0.01;
  options.iterations = 400;
  options.record_every = 100;
  SignDescent sign;
  const TrainResult result = train(Trainable{g, x, y}, data, options, sign);
  BOOST_TEST(sign.starts == 1);
  BOOST_TEST(sign.steps == 400);
  BOOST_TEST(result.costs.size() == 4u);
  BOOST_TEST(result.costs.back().cost < result.costs.front().cost / 100.0);
  BOOST_TEST(std::abs(W.value(0, 0) - 3.0) < 0.05);
}

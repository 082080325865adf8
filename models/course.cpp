#include "course.hpp"

namespace xgrad::models {

TrainTest course_circles() {
  RandomState train_rng(1);
  RandomState test_rng(2);
  Dataset train = make_circles(300, 0.05, train_rng);
  Dataset test = make_circles(100, 0.05, test_rng);
  return {std::move(train), std::move(test)};
}

ModelSpec initialization_network(InitKind init) {
  return make_spec({2, 10, 5, 1}, Initializer{init, 3, 10.0});
}

ModelSpec regularization_network(double lambda, double keep_prob, MaskPolicy masks) {
  ModelSpec spec = make_spec({2, 20, 3, 1}, Initializer{InitKind::xavier, 3, 1.0}, lambda, keep_prob);
  spec.dropout_masks = masks;
  spec.dropout_seed = 1;
  return spec;
}

std::vector<CourseExperiment> course_experiments() {
  TrainOptions init_options;
  init_options.learning_rate = 0.01;
  init_options.iterations = 15000;
  init_options.record_every = 1000;
  TrainOptions reg_options = init_options;
  reg_options.learning_rate = 0.3;
  reg_options.iterations = 30000;
  using enum CourseData;
  return {
      {"init_zeros", "zeros initialization", circles, initialization_network(InitKind::zeros), init_options, true},
      {"init_random", "large random initialization (x10)", circles, initialization_network(InitKind::random), init_options, true},
      {"init_he", "He initialization", circles, initialization_network(InitKind::he), init_options, true},
      {"reg_none", "no regularization", football, regularization_network(0.0, 1.0), reg_options, true},
      {"reg_l2", "L2 regularization (lambda 0.7)", football, regularization_network(0.7, 1.0), reg_options, true},
      {"reg_dropout", "dropout (keep 0.86, replayed masks)", football, regularization_network(0.0, 0.86), reg_options, true},
      {"reg_l2_dropout", "L2 0.7 and dropout 0.86 together", football, regularization_network(0.7, 0.86), reg_options, false},
      {"reg_dropout_fresh", "dropout 0.86, fresh masks each step", football,
       regularization_network(0.0, 0.86, MaskPolicy::fresh), reg_options, false},
  };
}

}  // namespace xgrad::models

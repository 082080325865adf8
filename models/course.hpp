// The course's three-layer classifier LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID and its
// experiments, as declarative specs.
#pragma once

#include <string>
#include <vector>

#include <xgrad/numpy/circles.hpp>
#include <xgrad/train/init.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::models {

// The course's data: make_circles(300, 0.05) on RandomState(1) for training and
// make_circles(100, 0.05) on RandomState(2) for testing.
TrainTest course_circles();

// The initialization notes: [2, 10, 5, 1], np.random.seed(3), "random" scaled by 10.
ModelSpec initialization_network(InitKind init);

// The regularization notes: [2, 20, 3, 1], randn / sqrt(n_prev) with seed 3, L2 lambda,
// dropout keep_prob on both hidden layers with masks drawn after np.random.seed(1) (replay:
// the notes reseed at every forward pass; fresh: a new mask every step).
ModelSpec regularization_network(double lambda, double keep_prob,
                                 MaskPolicy masks = MaskPolicy::replay);

enum class CourseData { circles, football };

struct CourseExperiment {
  std::string key;    // "init_he", "reg_l2", ...: the reference JSON's names where it has one
  std::string title;  // "He initialization"
  CourseData data;
  ModelSpec spec;
  TrainOptions options;  // learning rate, iterations, record every 1000
  bool in_notes;         // false for the two runs the notes could not do
};

// The notes' six experiments (zeros, random, He on circles; none, L2 0.7, dropout 0.86 on
// football), then L2 and dropout together and dropout with fresh masks.
std::vector<CourseExperiment> course_experiments();

}  // namespace xgrad::models

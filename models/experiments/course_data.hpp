// The data the course's experiments run on: the course's circles, and the football data
// (../shared/data/football.mat) or, when that file is absent, a generated stand-in.
#pragma once

#include <optional>
#include <string>

#include <xgrad/core/dataset.hpp>

namespace xgrad::cli {

// Where the football data is looked for when --data is not given, relative to the current
// folder (tools/demo runs from the repository's root, beside ../shared).
inline constexpr const char* default_football_path = "../shared/data/football.mat";

struct FootballData {
  TrainTest data;
  std::string description;  // "../shared/data/football.mat: 211 training, 200 test examples"
  bool stand_in = false;    // true: generated, not the notes' data
  std::string notice;       // for a stand-in: one line saying so and why
};

// `path` given (--data): that file, read with the notes' variable names X, y, Xval, yval;
// it must exist and hold 2 features (InputError naming --data otherwise).
// No path: default_football_path if it exists, else the stand-in: make_circles with noise
// 0.1, 211 training examples from seed 1 and 200 test from seed 2 (football's sizes).
FootballData football_data(const std::optional<std::string>& path);

}  // namespace xgrad::cli

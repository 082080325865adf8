#include "course_data.hpp"

#include <filesystem>

#include <xgrad/numpy/circles.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad::cli {

namespace {

FootballData from_file(const std::string& path) {
  FootballData football;
  try {
    football.data = load_mat_train_test(path);
  } catch (const FileError& e) {
    throw InputError(std::string("--data: ") + e.what());
  }
  if (football.data.train.features() != 2) {
    throw InputError("--data: " + path + " has " + std::to_string(football.data.train.features()) +
                     " features; the course's experiments take 2");
  }
  football.description = path + ": " + std::to_string(football.data.train.examples()) + " training, " +
                         std::to_string(football.data.test.examples()) + " test examples";
  return football;
}

FootballData stand_in() {
  RandomState train_rng(1), test_rng(2);
  FootballData football;
  football.data = {make_circles(211, 0.1, train_rng), make_circles(200, 0.1, test_rng)};
  football.stand_in = true;
  football.description = "generated stand-in (make_circles, noise 0.1): 211 training examples from seed 1, 200 test from seed 2";
  football.notice = std::string("note: ") + default_football_path +
                    " not found: the regularization runs use generated stand-in data (make_circles, noise 0.1, "
                    "211 training / 200 test examples), so their figures are not the notes'; "
                    "pass --data PATH/football.mat for the notes' data";
  return football;
}

}  // namespace

FootballData football_data(const std::optional<std::string>& path) {
  if (path) return from_file(*path);
  std::error_code ec;
  if (std::filesystem::exists(default_football_path, ec)) return from_file(default_football_path);
  return stand_in();
}

}  // namespace xgrad::cli

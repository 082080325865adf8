#define BOOST_TEST_MODULE circles
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "reference.hpp"
#include "course.hpp"
#include <xgrad/numpy/circles.hpp>
#include <xgrad/core/error.hpp>

using xgrad::Matrix;
using xgrad::RandomState;
using xgrad::testing::needs_shared;
using xgrad::testing::reference;
using xgrad::testing::check_same_bits;
using xgrad::testing::to_matrix;

namespace {

template <class Call>
void check_input_error_names(Call call, const std::string& value) {
  try {
    call();
    BOOST_FAIL("expected InputError naming " + value);
  } catch (const xgrad::InputError& e) {
    BOOST_TEST(std::string(e.what()).find(value) != std::string::npos, e.what());
  }
}

}  // namespace

// sklearn's make_circles, points and labels, bit for bit: the reference's cos/sin come from
// glibc (numpy's SVML paths were disabled when it was made), as xgrad's do, and shuffle and
// noise are the same RandomState draws.
BOOST_AUTO_TEST_CASE(course_circles_match_sklearn,
                     *needs_shared("reference/seed_expected.json")) {
  const auto& expected = reference().at("circles");
  const xgrad::TrainTest data = xgrad::models::course_circles();
  check_same_bits(data.train.Y, to_matrix(expected.at("train_Y")), "train Y");
  check_same_bits(data.test.Y, to_matrix(expected.at("test_Y")), "test Y");
  check_same_bits(data.train.X, to_matrix(expected.at("train_X")), "train X");
  check_same_bits(data.test.X, to_matrix(expected.at("test_X")), "test X");
}

BOOST_AUTO_TEST_CASE(course_circles_have_the_course_shapes) {
  const xgrad::TrainTest data = xgrad::models::course_circles();
  BOOST_TEST(data.train.X.shape(0) == 2U);
  BOOST_TEST(data.train.X.shape(1) == 300U);
  BOOST_TEST(data.train.Y.shape(0) == 1U);
  BOOST_TEST(data.train.Y.shape(1) == 300U);
  BOOST_TEST(data.test.X.shape(0) == 2U);
  BOOST_TEST(data.test.X.shape(1) == 100U);
  BOOST_TEST(data.test.Y.shape(0) == 1U);
  BOOST_TEST(data.test.Y.shape(1) == 100U);
}

BOOST_AUTO_TEST_CASE(without_noise_or_shuffle_points_lie_on_the_two_circles) {
  RandomState rng(0);
  const xgrad::Dataset data = xgrad::make_circles(7, 0.0, rng, 0.5, false);
  for (std::size_t i = 0; i < 7; ++i) {
    const double radius = std::hypot(data.X(0, i), data.X(1, i));
    const bool inner = i >= 3;
    BOOST_TEST(data.Y(0, i) == (inner ? 1.0 : 0.0));
    BOOST_TEST(radius == (inner ? 0.5 : 1.0), boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw_input_error_naming_the_value) {
  RandomState rng(0);
  check_input_error_names([&] { xgrad::make_circles(100, 0.05, rng, 1.0); }, "factor");
  check_input_error_names([&] { xgrad::make_circles(100, 0.05, rng, -0.25); }, "-0.25");
  check_input_error_names(
      [&] { xgrad::make_circles(100, 0.05, rng, std::numeric_limits<double>::quiet_NaN()); },
      "nan");
  check_input_error_names([&] { xgrad::make_circles(100, -0.5, rng); }, "-0.5");
  check_input_error_names([&] { xgrad::make_circles(1, 0.05, rng); }, "n_samples is 1");
  check_input_error_names([&] { xgrad::make_circles(0, 0.05, rng); }, "n_samples is 0");
}

// A data-parallel process generates only its share: any run of columns is make_circles's, bit
// for bit, and leaves the stream where make_circles leaves it after them.
BOOST_AUTO_TEST_CASE(a_share_of_the_columns_is_make_circles_bit_for_bit) {
  RandomState whole_rng(3);
  const xgrad::Dataset whole = xgrad::make_circles(1001, 0.1, whole_rng);
  for (const auto& [first, count] : {std::pair<std::size_t, std::size_t>{0, 1001}, {0, 300}, {300, 400}, {700, 301},
                                     {1000, 1}, {500, 0}}) {
    RandomState rng(3);
    const xgrad::Dataset share = xgrad::make_circles_columns(1001, 0.1, rng, first, count);
    BOOST_TEST_REQUIRE(share.X.shape(1) == count);
    bool same = true;
    for (std::size_t j = 0; j < count; ++j) {
      same = same && share.X(0, j) == whole.X(0, first + j) && share.X(1, j) == whole.X(1, first + j) &&
             share.Y(0, j) == whole.Y(0, first + j);
    }
    BOOST_TEST(same, "columns " << first << " + " << count);
    if (first + count == 1001) BOOST_TEST(rng.random_sample() == RandomState(whole_rng).random_sample());
  }
  RandomState rng(3);
  check_input_error_names([&] { xgrad::make_circles_columns(10, 0.1, rng, 8, 3); }, "columns 8 + 3");
}

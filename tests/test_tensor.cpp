#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include <xgrad/core/error.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/core/tensor.hpp>

using xgrad::Matrix;
using xgrad::Transpose;

BOOST_AUTO_TEST_CASE(gemm_matches_hand_product_with_every_transpose_flag) {
  const Matrix a = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};  // 2x3
  const Matrix b = {{7.0, 8.0}, {9.0, 10.0}, {11.0, 12.0}};  // 3x2
  Matrix c({2, 2});
  xgrad::gemm(a, Transpose::no, b, Transpose::no, c);
  const Matrix expected = {{58.0, 64.0}, {139.0, 154.0}};
  BOOST_TEST(c == expected);

  const Matrix at = xt::transpose(a);
  const Matrix bt = xt::transpose(b);
  Matrix c2({2, 2});
  xgrad::gemm(at, Transpose::yes, bt, Transpose::yes, c2);
  BOOST_TEST(c2 == expected);
}

BOOST_AUTO_TEST_CASE(gemm_accumulates_with_beta_one_and_scales_with_alpha) {
  const Matrix a = {{1.0, 2.0}};
  const Matrix b = {{3.0}, {4.0}};
  Matrix c = {{100.0}};
  xgrad::gemm(a, Transpose::no, b, Transpose::no, c, 0.5, 1.0);
  BOOST_TEST(c(0, 0) == 105.5);
}

BOOST_AUTO_TEST_CASE(gemm_with_zero_inner_dimension_and_beta_zero_clears_nan) {
  const Matrix a({2, 0});
  const Matrix b({0, 3});
  Matrix c = xt::ones<double>({2, 3}) * std::nan("");
  xgrad::gemm(a, Transpose::no, b, Transpose::no, c);
  BOOST_TEST(xt::all(xt::equal(c, 0.0)));
}

BOOST_AUTO_TEST_CASE(gemm_names_the_shapes_that_do_not_fit) {
  const Matrix a({3, 20});
  const Matrix b({10, 5});
  Matrix c({3, 5});
  try {
    xgrad::gemm(a, Transpose::no, b, Transpose::no, c);
    BOOST_FAIL("expected InputError");
  } catch (const xgrad::InputError& e) {
    BOOST_TEST(std::string(e.what()).find("3x20 by 10x5") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(first_non_finite_is_the_first_bad_entry_in_c_order) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  BOOST_TEST(!xgrad::first_non_finite(Matrix({{1.0, -2.0}, {1e308, 0.0}})).has_value());
  BOOST_TEST(!xgrad::first_non_finite(Matrix({0, 3})).has_value());
  // Column order would find the -inf at (1, 0) first; C order finds the nan at (0, 2).
  const auto bad = xgrad::first_non_finite(Matrix({{1.0, 2.0, nan}, {-inf, 5.0, 6.0}}));
  BOOST_TEST_REQUIRE(bad.has_value());
  BOOST_TEST(bad->row == 0u);
  BOOST_TEST(bad->col == 2u);
  BOOST_TEST(std::isnan(bad->value));
  BOOST_TEST(xgrad::describe_entry("fc1.W", *bad) == "fc1.W(0, 2) is nan");
  const auto second = xgrad::first_non_finite(Matrix({{1.0, 2.0}, {-inf, nan}}));
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(second->row == 1u);
  BOOST_TEST(second->col == 0u);
  BOOST_TEST(second->value == -inf);
  BOOST_TEST(xgrad::describe_entry("X", *second) == "X(1, 0) is -inf");
}

BOOST_AUTO_TEST_CASE(file_errors_name_the_path_first) {
  const xgrad::FileError e(std::filesystem::path("data/params.npz"), "no array 'fc1.W'");
  BOOST_TEST(std::string(e.what()) == "data/params.npz: no array 'fc1.W'");
  const xgrad::InputError& as_input = e;  // the CLI maps every InputError to exit status 2
  BOOST_TEST(std::string(as_input.what()) == "data/params.npz: no array 'fc1.W'");
}

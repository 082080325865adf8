#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
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

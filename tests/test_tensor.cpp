#define BOOST_TEST_MODULE tensor
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <filesystem>
#include <limits>
#include <string>

#include <xgrad/core/error.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/core/threads.hpp>
#include <xtensor-blas/xblas.hpp>

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

namespace {

// Random entries with a share of signed zeros and exact powers of two, so that cancellation
// and -0 + 0 cases occur.
Matrix product_operand(std::size_t rows, std::size_t cols, std::mt19937_64& random) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_int_distribution<int> kind(0, 9);
  Matrix m({rows, cols});
  for (double& v : m) {
    const int k = kind(random);
    v = k == 0 ? 0.0 : k == 1 ? -0.0 : k == 2 ? std::ldexp(1.0, static_cast<int>(normal(random) * 4)) : normal(random);
  }
  return m;
}

bool same_bits(const Matrix& x, const Matrix& y) {
  return x.shape() == y.shape() && std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
}

}  // namespace

// xgrad::gemm runs products with a short inner dimension in its own loop where it can give
// BLAS's bits (lib/core/small_product.hpp); it must give them exactly, on every shape of the
// course's models (forward W A, backward W^T dZ, W dZ A^T), beta 0 and 1, odd widths.
// Against OpenBLAS on one thread: on several, OpenBLAS splits a large product's rows between
// its threads, and a thread whose share of rows is odd adds its last row in its edge order,
// so its bits depend on its thread count; xgrad's loop gives the one-thread bits always.
BOOST_AUTO_TEST_CASE(gemm_gives_the_bits_of_blas_on_the_course_shapes) {
  const std::size_t blas_threads = xgrad::blas_threads();
  xgrad::set_blas_threads(1);
  struct Restore {
    std::size_t threads;
    ~Restore() { xgrad::set_blas_threads(threads); }
  } restore{blas_threads};
  std::mt19937_64 random(20261207);
  const std::size_t layers[][2] = {{10, 2}, {5, 10}, {1, 5}, {20, 2}, {3, 20}, {1, 3}, {256, 2}, {7, 16}, {4, 17}, {9, 7}, {11, 3}, {3, 9}, {13, 16}, {1, 12}, {15, 9}, {1, 16}};
  for (const auto& [out, in] : layers) {
    for (const std::size_t m : {1, 3, 7, 8, 13, 64, 211, 256, 257, 300, 306, 512, 517, 1000, 1024, 4099}) {
      const Matrix W = product_operand(out, in, random);
      const Matrix A = product_operand(in, m, random);
      const Matrix G = product_operand(out, m, random);
      for (const double beta : {0.0, 1.0}) {
        const Matrix start_z = product_operand(out, m, random);
        Matrix z = start_z, z_blas = start_z;
        xgrad::gemm(W, Transpose::no, A, Transpose::no, z, 1.0, beta);
        xt::blas::gemm(W, A, z_blas, false, false, 1.0, beta);
        BOOST_TEST(same_bits(z, z_blas), "W A, " << out << "x" << in << " by " << in << "x" << m << " beta " << beta);

        const Matrix start_da = product_operand(in, m, random);
        Matrix da = start_da, da_blas = start_da;
        xgrad::gemm(W, Transpose::yes, G, Transpose::no, da, 1.0, beta);
        xt::blas::gemm(W, G, da_blas, true, false, 1.0, beta);
        BOOST_TEST(same_bits(da, da_blas), "W^T G, " << out << "x" << in << " beta " << beta << " m " << m);

        const Matrix start_dw = product_operand(out, in, random);
        Matrix dw = start_dw, dw_blas = start_dw;
        xgrad::gemm(G, Transpose::no, A, Transpose::yes, dw, 1.0, beta);
        xt::blas::gemm(G, A, dw_blas, false, true, 1.0, beta);
        BOOST_TEST(same_bits(dw, dw_blas), "G A^T, " << out << "x" << in << " beta " << beta << " m " << m);
      }
    }
  }
}

// Infinities and NaN travel through the loop as through BLAS: inf * 0 is NaN, inf - inf is NaN.
BOOST_AUTO_TEST_CASE(gemm_carries_infinities_and_nan_like_blas) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Matrix W = {{inf, 1.0}, {1.0, -inf}, {nan, 0.0}, {0.0, 0.0}, {1e308, 1e308}};
  const Matrix A = {{0.0, 1.0, 2.0, -1.0, 1.0, 0.5, 3.0, 4.0, 5.0}, {1.0, inf, -inf, nan, 1e308, 2.0, 0.0, -0.0, 1.0}};
  for (const double beta : {0.0, 1.0}) {
    Matrix z = xt::zeros<double>({5, 9}), z_blas = xt::zeros<double>({5, 9});
    z(3, 0) = -0.0;
    z_blas(3, 0) = -0.0;
    xgrad::gemm(W, Transpose::no, A, Transpose::no, z, 1.0, beta);
    xt::blas::gemm(W, A, z_blas, false, false, 1.0, beta);
    BOOST_TEST(same_bits(z, z_blas), "beta " << beta);
  }
}

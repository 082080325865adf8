#include <xgrad/core/tensor.hpp>

#include <utility>

#include <xtensor-blas/xblas.hpp>

#include <xgrad/core/error.hpp>

#include "blas_room.hpp"
#include "small_product.hpp"

namespace xgrad {

std::string shape_string(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

std::string shape_string(const Matrix& m) { return shape_string(m.shape(0), m.shape(1)); }

void resize_keeping_spare(Matrix& buffer, Matrix& spare, std::size_t rows, std::size_t cols) {
  if (buffer.shape(0) == rows && buffer.shape(1) == cols) return;
  std::swap(buffer, spare);
  if (buffer.shape(0) != rows || buffer.shape(1) != cols) buffer = Matrix({rows, cols});
}

void gemm(const Matrix& a, Transpose transpose_a, const Matrix& b, Transpose transpose_b,
          Matrix& c, double alpha, double beta) {
  const bool ta = transpose_a == Transpose::yes;
  const bool tb = transpose_b == Transpose::yes;
  const std::size_t m = ta ? a.shape(1) : a.shape(0);
  const std::size_t k = ta ? a.shape(0) : a.shape(1);
  const std::size_t k_b = tb ? b.shape(1) : b.shape(0);
  const std::size_t n = tb ? b.shape(0) : b.shape(1);
  if (k != k_b || c.shape(0) != m || c.shape(1) != n) {
    throw InputError("gemm: cannot multiply " + shape_string(a) + (ta ? "^T" : "") + " by " +
                     shape_string(b) + (tb ? "^T" : "") + " into " + shape_string(c));
  }
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0) {
      c.fill(0.0);
    } else {
      c *= beta;
    }
    return;
  }
  // A short inner dimension: BLAS's bits without its packing (small_product.hpp).
  if (!tb && alpha == 1.0 && (beta == 0.0 || beta == 1.0) && detail::small_product_pays(n, k)) {
    const std::size_t a_cols = a.shape(1);
    detail::small_product(a.data(), ta ? 1 : a_cols, ta ? a_cols : 1, b.data(), c.data(), m, n, k,
                          beta == 0.0 ? detail::ProductStart::zero : detail::ProductStart::accumulate);
    return;
  }
  const detail::BlasCall call;  // throws LimitError rather than hang under a tight ulimit -v
  // (m x k) * (k x n) -> (m x n), straight into c's buffer.
  xt::blas::gemm(a, b, c, ta, tb, alpha, beta);
}

}  // namespace xgrad

#include "small_product.hpp"

#include <immintrin.h>

#include <cmath>
#include <string_view>

#include "blas_room.hpp"

// OpenBLAS's own entry points; cblas.h is not included (it clashes with xtensor-blas, whose
// headers other files of the library include). The enums are passed as their values.
extern "C" {
char* openblas_get_corename(void);
void cblas_dgemm(int order, int transpose_a, int transpose_b, int m, int n, int k, double alpha, const double* a,
                 int lda, const double* b, int ldb, double beta, double* c, int ldc);
}

namespace xgrad::detail {

namespace {

// OpenBLAS cores whose dgemm kernel (dgemm_kernel_4x8_haswell) was compared bit for bit with
// small_product: one FMA chain per entry in inner order from +0, then c + chain.
bool core_adds_in_one_chain() {
  const char* name = openblas_get_corename();
  if (name == nullptr) return false;
  const std::string_view core(name);
  return core == "Haswell" || core == "haswell" || core == "Zen" || core == "zen";
}

#define XGRAD_AVX2_FMA __attribute__((target("avx2,fma")))

// The start of 4 entries from c (the entries themselves, a row's value or +0).
template <ProductStart S>
XGRAD_AVX2_FMA inline __m256d start_of(const double* c, double row_value) {
  if constexpr (S == ProductStart::accumulate) return _mm256_loadu_pd(c);
  if constexpr (S == ProductStart::row_value) return _mm256_set1_pd(row_value);
  return _mm256_setzero_pd();
}

// The start of the one entry c.
template <ProductStart S>
XGRAD_AVX2_FMA inline double start_of_one(const double* c, double row_value) {
  if constexpr (S == ProductStart::accumulate) return *c;
  if constexpr (S == ProductStart::row_value) return row_value;
  return 0.0;
}

// Rows i .. i+R-1 of c, 8 columns at a time: each a(i, p) is broadcast once and meets two
// vectors of b's row p; then the columns left, one at a time.
template <int R, ProductStart S>
XGRAD_AVX2_FMA void rows_of_product(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride,
                                    const double* b, double* c, std::size_t cols, std::size_t inner,
                                    const double* row_values) {
  double first[R];
  for (int r = 0; r < R; ++r) first[r] = S == ProductStart::row_value ? row_values[r] : 0.0;
  std::size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    __m256d lo[R], hi[R];
    for (int r = 0; r < R; ++r) lo[r] = hi[r] = _mm256_setzero_pd();
    for (std::size_t p = 0; p < inner; ++p) {
      const __m256d b_lo = _mm256_loadu_pd(b + p * cols + j);
      const __m256d b_hi = _mm256_loadu_pd(b + p * cols + j + 4);
      for (int r = 0; r < R; ++r) {
        const __m256d w = _mm256_broadcast_sd(a + r * a_row_stride + p * a_inner_stride);
        lo[r] = _mm256_fmadd_pd(w, b_lo, lo[r]);
        hi[r] = _mm256_fmadd_pd(w, b_hi, hi[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      double* row = c + r * cols + j;
      _mm256_storeu_pd(row, _mm256_add_pd(start_of<S>(row, first[r]), lo[r]));
      _mm256_storeu_pd(row + 4, _mm256_add_pd(start_of<S>(row + 4, first[r]), hi[r]));
    }
  }
  for (; j < cols; ++j) {
    for (int r = 0; r < R; ++r) {
      double chain = 0.0;
      for (std::size_t p = 0; p < inner; ++p) {
        chain = __builtin_fma(a[r * a_row_stride + p * a_inner_stride], b[p * cols + j], chain);
      }
      double* entry = c + r * cols + j;
      *entry = start_of_one<S>(entry, first[r]) + chain;
    }
  }
}

}  // namespace

bool small_products_enabled() {
  static const bool enabled =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && core_adds_in_one_chain();
  return enabled;
}

namespace {

template <ProductStart S>
void all_rows(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b, double* c,
              std::size_t rows, std::size_t cols, std::size_t inner, const double* row_values) {
  std::size_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    rows_of_product<4, S>(a + i * a_row_stride, a_row_stride, a_inner_stride, b, c + i * cols, cols, inner,
                          row_values == nullptr ? nullptr : row_values + i);
  }
  for (; i < rows; ++i) {
    rows_of_product<1, S>(a + i * a_row_stride, a_row_stride, a_inner_stride, b, c + i * cols, cols, inner,
                          row_values == nullptr ? nullptr : row_values + i);
  }
}

// The one row OpenBLAS adds in another order (small_product.hpp), as a one-row BLAS product.
void row_by_blas(const double* a_row, std::size_t a_inner_stride, const double* b, double* c_row, std::size_t cols,
                 std::size_t inner, ProductStart start, double row_value) {
  constexpr int row_major = 101, no_transpose = 111, transpose = 112;
  if (start == ProductStart::row_value) {
    for (std::size_t j = 0; j < cols; ++j) c_row[j] = row_value;
  }
  const double beta = start == ProductStart::zero ? 0.0 : 1.0;
  const int n = static_cast<int>(cols), k = static_cast<int>(inner);
  const BlasCall call;
  if (a_inner_stride == 1) {  // the row is contiguous: a 1 x inner matrix
    cblas_dgemm(row_major, no_transpose, no_transpose, 1, n, k, 1.0, a_row, k, b, n, beta, c_row, n);
  } else {  // the row is a column of an inner x (a_inner_stride) matrix, used transposed
    cblas_dgemm(row_major, transpose, no_transpose, 1, n, k, 1.0, a_row, static_cast<int>(a_inner_stride), b, n,
                beta, c_row, n);
  }
}

}  // namespace

void small_product(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b,
                   double* c, std::size_t rows, std::size_t cols, std::size_t inner, ProductStart start,
                   const double* row_values) {
  if (rows % 2 == 1 && inner >= 8) {
    const std::size_t last = rows - 1;
    row_by_blas(a + last * a_row_stride, a_inner_stride, b, c + last * cols, cols, inner, start,
                start == ProductStart::row_value ? row_values[last] : 0.0);
    rows = last;
    if (rows == 0) return;
  }
  switch (start) {
    case ProductStart::zero:
      return all_rows<ProductStart::zero>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, nullptr);
    case ProductStart::accumulate:
      return all_rows<ProductStart::accumulate>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, nullptr);
    case ProductStart::row_value:
      return all_rows<ProductStart::row_value>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, row_values);
  }
}

}  // namespace xgrad::detail

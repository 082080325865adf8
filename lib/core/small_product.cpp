#include "small_product.hpp"

#include <cstdlib>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define XGRAD_SMALL_PRODUCT_LOOP 1
#else
#define XGRAD_SMALL_PRODUCT_LOOP 0  // other CPUs: every product goes to BLAS
#endif

extern "C" char* openblas_get_corename(void);  // cblas.h is not included (it clashes with xtensor-blas)

namespace xgrad::detail {

#if XGRAD_SMALL_PRODUCT_LOOP

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
                                    const double* b, std::size_t b_stride, double* c, std::size_t c_stride,
                                    std::size_t cols, std::size_t inner, const double* row_values) {
  double first[R];
  for (int r = 0; r < R; ++r) first[r] = S == ProductStart::row_value ? row_values[r] : 0.0;
  std::size_t j = 0;
  for (; j + 8 <= cols; j += 8) {
    __m256d lo[R], hi[R];
    for (int r = 0; r < R; ++r) lo[r] = hi[r] = _mm256_setzero_pd();
    for (std::size_t p = 0; p < inner; ++p) {
      const __m256d b_lo = _mm256_loadu_pd(b + p * b_stride + j);
      const __m256d b_hi = _mm256_loadu_pd(b + p * b_stride + j + 4);
      for (int r = 0; r < R; ++r) {
        const __m256d w = _mm256_broadcast_sd(a + r * a_row_stride + p * a_inner_stride);
        lo[r] = _mm256_fmadd_pd(w, b_lo, lo[r]);
        hi[r] = _mm256_fmadd_pd(w, b_hi, hi[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      double* row = c + r * c_stride + j;
      _mm256_storeu_pd(row, _mm256_add_pd(start_of<S>(row, first[r]), lo[r]));
      _mm256_storeu_pd(row + 4, _mm256_add_pd(start_of<S>(row + 4, first[r]), hi[r]));
    }
  }
  for (; j < cols; ++j) {
    for (int r = 0; r < R; ++r) {
      double chain = 0.0;
      for (std::size_t p = 0; p < inner; ++p) {
        chain = __builtin_fma(a[r * a_row_stride + p * a_inner_stride], b[p * b_stride + j], chain);
      }
      double* entry = c + r * c_stride + j;
      *entry = start_of_one<S>(entry, first[r]) + chain;
    }
  }
}

// The last row of an odd number of rows, as OpenBLAS's one-column edge kernel adds it (in
// column-major terms, 4 entries by 1): for each group of 4 columns from column 0, four chains,
// product p going to chain p % 4 for p below the last multiple of 8 and to chain 0 after
// it, then (chain 0 + chain 1) + (chain 2 + chain 3); the columns after the last group of 4,
// one chain each (its 2 x 1 and 1 x 1 kernels).
template <ProductStart S>
XGRAD_AVX2_FMA void last_row_in_four_chains(const double* a, std::size_t a_inner_stride, const double* b,
                                            std::size_t b_stride, double* c, std::size_t cols, std::size_t inner,
                                            double row_value) {
  const std::size_t in_fours = inner / 8 * 8;
  std::size_t j = 0;
  for (; j + 4 <= cols; j += 4) {
    __m256d c0 = _mm256_setzero_pd(), c1 = c0, c2 = c0, c3 = c0;
    std::size_t p = 0;
    for (; p < in_fours; p += 4) {
      c0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + p * a_inner_stride), _mm256_loadu_pd(b + p * b_stride + j), c0);
      c1 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + (p + 1) * a_inner_stride), _mm256_loadu_pd(b + (p + 1) * b_stride + j), c1);
      c2 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + (p + 2) * a_inner_stride), _mm256_loadu_pd(b + (p + 2) * b_stride + j), c2);
      c3 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + (p + 3) * a_inner_stride), _mm256_loadu_pd(b + (p + 3) * b_stride + j), c3);
    }
    for (; p < inner; ++p) {
      c0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + p * a_inner_stride), _mm256_loadu_pd(b + p * b_stride + j), c0);
    }
    const __m256d sum = _mm256_add_pd(_mm256_add_pd(c0, c1), _mm256_add_pd(c2, c3));
    _mm256_storeu_pd(c + j, _mm256_add_pd(start_of<S>(c + j, row_value), sum));
  }
  for (; j < cols; ++j) {
    double chain = 0.0;
    for (std::size_t p = 0; p < inner; ++p) chain = __builtin_fma(a[p * a_inner_stride], b[p * b_stride + j], chain);
    c[j] = start_of_one<S>(c + j, row_value) + chain;
  }
}

// Rows in groups of 4, then one at a time; the last of an odd number as OpenBLAS adds it.
template <ProductStart S>
void all_rows(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b,
              std::size_t b_stride, double* c, std::size_t c_stride, std::size_t rows, std::size_t cols,
              std::size_t inner, const double* row_values) {
  std::size_t i = 0;
  const std::size_t in_chain = rows % 2 == 1 ? rows - 1 : rows;
  for (; i + 4 <= in_chain; i += 4) {
    rows_of_product<4, S>(a + i * a_row_stride, a_row_stride, a_inner_stride, b, b_stride, c + i * c_stride,
                          c_stride, cols, inner, row_values == nullptr ? nullptr : row_values + i);
  }
  for (; i < in_chain; ++i) {
    rows_of_product<1, S>(a + i * a_row_stride, a_row_stride, a_inner_stride, b, b_stride, c + i * c_stride,
                          c_stride, cols, inner, row_values == nullptr ? nullptr : row_values + i);
  }
  if (in_chain < rows) {
    last_row_in_four_chains<S>(a + i * a_row_stride, a_inner_stride, b, b_stride, c + i * c_stride, cols, inner,
                               row_values == nullptr ? 0.0 : row_values[i]);
  }
}

}  // namespace

bool small_products_enabled() {
  static const bool enabled =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && core_adds_in_one_chain();
  return enabled;
}

bool small_product_pays(std::size_t cols, std::size_t inner) {
  return inner >= 1 && inner <= small_product_max_inner && cols >= 1 && small_products_enabled();
}

namespace {

template <ProductStart S>
void product(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b, double* c,
             std::size_t rows, std::size_t cols, std::size_t inner, const double* row_values) {
  if (cols % 512 != 0 || inner < 8) {
    all_rows<S>(a, a_row_stride, a_inner_stride, b, cols, c, cols, rows, cols, inner, row_values);
    return;
  }
  // Rows of a multiple of 4 KiB: the inner rows of b at one column fall into one set of the L1
  // cache, more of them than it has ways, and are fetched again and again (measured: half
  // OpenBLAS's speed). So b goes through a strip of 64 columns at a stride that spreads the
  // sets; the strips start at multiples of 4 columns, so each entry's order is unchanged.
  constexpr std::size_t strip_cols = 64, strip_stride = strip_cols + 8;
  alignas(64) double strip[small_product_max_inner * strip_stride];
  for (std::size_t j = 0; j < cols; j += strip_cols) {
    const std::size_t width = cols - j < strip_cols ? cols - j : strip_cols;
    for (std::size_t p = 0; p < inner; ++p) {
      const double* from = b + p * cols + j;
      double* to = strip + p * strip_stride;
      for (std::size_t k = 0; k < width; ++k) to[k] = from[k];
    }
    all_rows<S>(a, a_row_stride, a_inner_stride, strip, strip_stride, c + j, cols, rows, width, inner, row_values);
  }
}

}  // namespace

void small_product(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b,
                   double* c, std::size_t rows, std::size_t cols, std::size_t inner, ProductStart start,
                   const double* row_values) {
  switch (start) {
    case ProductStart::zero:
      return product<ProductStart::zero>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, nullptr);
    case ProductStart::accumulate:
      return product<ProductStart::accumulate>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, nullptr);
    case ProductStart::row_value:
      return product<ProductStart::row_value>(a, a_row_stride, a_inner_stride, b, c, rows, cols, inner, row_values);
  }
}

#else  // !XGRAD_SMALL_PRODUCT_LOOP

bool small_products_enabled() { return false; }

bool small_product_pays(std::size_t, std::size_t) { return false; }

void small_product(const double*, std::size_t, std::size_t, const double*, double*, std::size_t, std::size_t,
                   std::size_t, ProductStart, const double*) {
  std::abort();  // unreachable: small_product_pays() is false on this CPU, so no caller gets here
}

#endif  // XGRAD_SMALL_PRODUCT_LOOP

}  // namespace xgrad::detail

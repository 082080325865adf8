// The built-in activations' whole-array loops (nodes/activations.hpp), compiled twice by GCC's
// target_clones: for AVX2 and for the generic x86-64 baseline, the copy chosen once when the
// library loads by what the CPU has. Compare, select and add only: no contraction into fused
// multiply-adds is possible, so both copies give the bits of the entry-by-entry loop.
#include <xgrad/nodes/activations.hpp>

#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
#define XGRAD_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define XGRAD_SIMD_CLONES
#endif

namespace xgrad {

namespace {

XGRAD_SIMD_CLONES void relu_values(const double* x, double* y, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) y[k] = x[k] > 0.0 ? x[k] : 0.0;
}

XGRAD_SIMD_CLONES void relu_add_gradient(const double* y, const double* g, double* dx, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) dx[k] += y[k] > 0.0 ? g[k] : 0.0;
}

}  // namespace

void ReluFunction::values(const double* x, double* y, std::size_t n) const { relu_values(x, y, n); }

void ReluFunction::add_gradient_from_output(const double* y, const double* g, double* dx, std::size_t n) const {
  relu_add_gradient(y, g, dx, n);
}

}  // namespace xgrad

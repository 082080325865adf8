#include "machine.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define XGRAD_BENCH_X86 1
#else
#define XGRAD_BENCH_X86 0
#endif

#include <chrono>
#include <fstream>

#include <benchmark/benchmark.h>
#include <xgrad/core/tensor.hpp>

namespace bench {

namespace {

constexpr int chains = 12;  // enough independent chains to cover the FMA latency on 2 ports

#if XGRAD_BENCH_X86

__attribute__((target("avx2,fma"))) void fma_rounds_avx2(long repeats) {
  __m256d acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = _mm256_set1_pd(1.0 + c * 1e-3);
  const __m256d scale = _mm256_set1_pd(0.9999999);
  const __m256d shift = _mm256_set1_pd(1e-7);
  for (long r = 0; r < repeats; ++r) {
    for (int c = 0; c < chains; ++c) acc[c] = _mm256_fmadd_pd(acc[c], scale, shift);
  }
  for (int c = 0; c < chains; ++c) benchmark::DoNotOptimize(acc[c]);
}

void mul_add_rounds_sse2(long repeats) {
  __m128d acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = _mm_set1_pd(1.0 + c * 1e-3);
  const __m128d scale = _mm_set1_pd(0.9999999);
  const __m128d shift = _mm_set1_pd(1e-7);
  for (long r = 0; r < repeats; ++r) {
    for (int c = 0; c < chains; ++c) acc[c] = _mm_add_pd(_mm_mul_pd(acc[c], scale), shift);
  }
  for (int c = 0; c < chains; ++c) benchmark::DoNotOptimize(acc[c]);
}

bool has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

#else  // other CPUs: scalar multiply and add, which the compiler vectorizes as it can

void fma_rounds_avx2(long) {}

void mul_add_rounds_sse2(long repeats) {
  double acc[chains * 2];
  for (int c = 0; c < chains * 2; ++c) acc[c] = 1.0 + c * 1e-3;
  for (long r = 0; r < repeats; ++r) {
    for (int c = 0; c < chains * 2; ++c) acc[c] = acc[c] * 0.9999999 + 1e-7;
  }
  for (int c = 0; c < chains * 2; ++c) benchmark::DoNotOptimize(acc[c]);
}

bool has_avx2_fma() { return false; }

#endif

}  // namespace

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string fma_loop_kind() {
  if (has_avx2_fma()) return "AVX2 fused multiply-adds, 4 doubles x 2 flops";
  return XGRAD_BENCH_X86 ? "SSE2 multiply and add, 2 doubles x 2 flops" : "multiply and add, 24 chains x 2 flops";
}

double fma_loop_flops(long repeats, double* seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  double flops = 0.0;
  if (has_avx2_fma()) {
    fma_rounds_avx2(repeats);
    flops = static_cast<double>(repeats) * chains * 4 * 2;
  } else {
    mul_add_rounds_sse2(repeats);
    flops = static_cast<double>(repeats) * chains * 2 * 2;
  }
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return flops;
}

double dgemm_flops(std::size_t n, double* seconds) {
  xgrad::Matrix a = xt::ones<double>({n, n}) * 0.5;
  xgrad::Matrix b = xt::ones<double>({n, n}) * 0.25;
  xgrad::Matrix c({n, n});
  const auto t0 = std::chrono::steady_clock::now();
  xgrad::gemm(a, xgrad::Transpose::no, b, xgrad::Transpose::no, c);
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  benchmark::DoNotOptimize(c.data());
  const double nd = static_cast<double>(n);
  return 2.0 * nd * nd * nd;
}

}  // namespace bench

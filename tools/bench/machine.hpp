// The machine the benchmark runs on: what it is (CPU model, OpenBLAS core) and what it can
// do at best on one thread (a pure fused multiply-add loop, a large dgemm), so that each
// series' speed can be stated as a share of that limit.
#pragma once

#include <string>

namespace bench {

// /proc/cpuinfo's first "model name" ("AMD EPYC 7B13", "Intel(R) Xeon(R) Processor"), or
// "unknown".
std::string cpu_model();

// What the FMA loop used: "AVX2+FMA, 4 doubles x 2 flops" or "SSE2 (no FMA), ...".
std::string fma_loop_kind();

// Double-precision GFlop/s of a loop of independent fused multiply-adds on one thread, 256-bit
// when the CPU has AVX2 and FMA (chosen at run time), else 128-bit multiply and add: the
// core's arithmetic peak, no memory. `repeats` multiply-add rounds over 12 accumulators.
// Returns the flops done and writes the seconds taken.
double fma_loop_flops(long repeats, double* seconds);

// GFlop/s of one n x n by n x n dgemm through xgrad::gemm on one BLAS thread (set by the
// caller); writes the seconds taken.
double dgemm_flops(std::size_t n, double* seconds);

}  // namespace bench

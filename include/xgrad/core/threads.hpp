// The BLAS under the matrix products (OpenBLAS): how many threads it uses and which kernel
// it picked for this CPU. OpenBLAS keeps one pool per process, so the thread count is a
// process-wide setting; it is read at each product.
//
// Why the kernel matters: OpenBLAS chooses its kernels by CPU (Haswell, SkylakeX,
// Cooperlake, Zen, ...), and different kernels sum a product in a different order, so the
// last bits of a product depend on the machine. Results that are not chaotic agree to about
// 1e-12 anyway; record blas_kernel() next to any figure you want to compare bit for bit.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

namespace xgrad {

// Requires threads >= 1; OpenBLAS caps it at the number it was built for.
void set_blas_threads(std::size_t threads);
std::size_t blas_threads();

// The kernel OpenBLAS chose (or was told to use through OPENBLAS_CORETYPE), e.g. "Haswell",
// "SkylakeX", "Zen".
std::string blas_kernel();
// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
std::string blas_config();

}  // namespace xgrad

/// @file
/// Threads: xgrad's own (column tiles of a training pass on worker threads) and the BLAS's
/// under the matrix products (OpenBLAS: how many threads it uses and which kernel it picked
/// for this CPU). Both are process-wide settings, read at each pass or product.
///
/// xgrad's threads. Graph::forward_backward runs a batch that is wider than one column tile
/// (Graph::tile_columns) on up to threads() threads: the calling thread and helpers from one
/// persistent pool, started on the first pass that wants them (a batch of one tile never
/// starts a thread and runs on the calling thread alone). The bits of the loss and of the
/// gradients do not depend on this setting: every tile's gradients are added in tile order.
///
/// Why the kernel matters: OpenBLAS chooses its kernels by CPU (Haswell, SkylakeX,
/// Cooperlake, Zen, ...), and different kernels sum a product in a different order, so the
/// last bits of a product depend on the machine. Results that are not chaotic agree to about
/// 1e-12 anyway; record blas_kernel() next to any figure you want to compare bit for bit.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

namespace xgrad {

/// How many threads a tiled training pass may use, the calling thread included. Requires
/// threads >= 1 (InputError naming the value otherwise). Takes effect at the next pass.
void set_threads(std::size_t threads);
/// The setting; by default the number of CPUs this process may run on (its affinity mask,
/// at least 1).
std::size_t threads();

/// Requires threads >= 1; OpenBLAS caps it at the number it was built for.
void set_blas_threads(std::size_t threads);
/// OpenBLAS's current thread count.
std::size_t blas_threads();

/// Holds OpenBLAS to one thread while alive and puts the count back after, as Graph's
/// column tiles do: a product split across BLAS threads may sum in another order, so code
/// that compares bits with a tiled pass runs its products under one of these.
class OneBlasThread {
 public:
  OneBlasThread() : saved_(blas_threads()) { set_blas_threads(1); }
  ~OneBlasThread() { set_blas_threads(saved_); }
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  std::size_t saved_;
};

/// The kernel OpenBLAS chose (or was told to use through OPENBLAS_CORETYPE), e.g. "Haswell",
/// "SkylakeX", "Zen".
std::string blas_kernel();
/// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
std::string blas_config();

}  // namespace xgrad

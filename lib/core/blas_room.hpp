// Room for BLAS's work buffers under an address-space limit (private to libxgrad).
//
// OpenBLAS before 0.3.30 (Debian 12 ships 0.3.21) takes a 128 MiB work buffer for each call
// that runs at the same time as another, keeps it for the life of the process, and retries a
// failed allocation of one forever (upstream issue 5289, fixed by PR 5303): under `ulimit -v`
// or `ulimit -d` a call that needs a new buffer hangs instead of failing. How much room is
// left depends on the machine (the program's size, the kernels, the thread count), so it is
// found out, not assumed: before a call needs one more buffer than xgrad's calls have needed
// so far, an address-space probe of that size (plus slack for malloc) is mapped and unmapped
// again. When it fails, the call throws LimitError naming the limit, the room left and the
// limit needed, instead of entering BLAS.
//
// Every BLAS call of libxgrad goes through xgrad::gemm, which holds a BlasCall for its
// duration. The count of calls in flight is process-wide because OpenBLAS's buffers are
// (they are inherited by a forked child, and so is the count).
#pragma once

#include <cstddef>

namespace xgrad::detail {

// Held for the duration of one BLAS call. Construction ensures (or finds out that it cannot
// ensure) room for as many work buffers as there are calls in flight, this one included.
// Throws xgrad::LimitError when a limit leaves no room; the call must then not be made.
class BlasCall {
 public:
  BlasCall();
  ~BlasCall();
  BlasCall(const BlasCall&) = delete;
  BlasCall& operator=(const BlasCall&) = delete;
};

// Whether the BLAS xgrad runs on retries a failed buffer allocation forever (OpenBLAS older
// than 0.3.30); read once from openblas_get_config().
bool blas_retries_failed_allocations();

}  // namespace xgrad::detail

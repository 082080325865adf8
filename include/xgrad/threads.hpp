// How many threads the matrix products (OpenBLAS) use. OpenBLAS keeps one pool per
// process, so this is a process-wide setting; it is read at each product.
#pragma once

#include <cstddef>

namespace xgrad {

// Requires threads >= 1; OpenBLAS caps it at the number it was built for.
void set_blas_threads(std::size_t threads);
std::size_t blas_threads();

}  // namespace xgrad

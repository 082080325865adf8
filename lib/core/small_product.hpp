// Matrix products with a short inner dimension in xgrad's own loop (private to libxgrad).
//
// At the course's sizes (10x2, 5x10 and 1x5 weights times a few hundred columns) a BLAS call
// costs more than its arithmetic: OpenBLAS packs both operands into work buffers before its
// kernel runs. This loop reads the operands where they are and gives the same bits as
// OpenBLAS's dgemm kernel on the CPUs where it is used: that kernel adds each entry's products
// in order of the inner index in one chain of fused multiply-adds started from +0, and then
// adds the chain to the entry of c (beta = 1) or to +0 (beta = 0: OpenBLAS clears c first).
// The exception: when c has an odd number of rows, OpenBLAS adds the last one with its
// one-column edge kernel (in column-major terms), in four chains (small_product.cpp says how);
// the loop adds that row the same way.
// One difference remains, in the sign of a zero: OpenBLAS's main kernel starts a chain of 8
// or more products with a plain product, which keeps a -0 that the fused multiply-add from +0
// turns into +0. The result differs only where c's start is -0 and every product is a zero,
// the first a -0 (a -0 bias with all-zero products); training from +0 biases never makes one.
// Since the order is OpenBLAS's own, the loop is used only where both hold:
//  - the CPU has AVX2 and FMA (the loop's instructions), and
//  - OpenBLAS's core is one whose dgemm kernel adds in that order and was compared bit for bit
//    (Haswell and Zen, which share dgemm_kernel_4x8_haswell). On any other core (SkylakeX
//    and its successors, whose kernels, a small-matrix one among them, were not compared;
//    older cores without FMA; other CPUs) every product goes to BLAS as before.
// With rows a multiple of 4 KiB long and 8 or more inputs, b is read through a strip copied at
// another stride (L1 set conflicts; same order). tests/test_tensor.cpp compares the loop with
// one-thread OpenBLAS bit for bit on the shapes of the course's models.
#pragma once

#include <cstddef>

namespace xgrad::detail {

/// Longest inner dimension the loop takes; longer products go to BLAS.
inline constexpr std::size_t small_product_max_inner = 16;

/// How an entry of c starts before the chain of products is added to it.
enum class ProductStart {
  zero,        ///< c = +0 + chain (gemm's beta = 0)
  accumulate,  ///< c = c + chain (gemm's beta = 1)
  row_value,   ///< c(i, j) = row_values[i] + chain (a bias broadcast over the columns)
};

/// Whether small_product may be used on this machine and BLAS core (read once per process).
bool small_products_enabled();

/// Whether a product with this inner dimension and this many columns of c goes to the loop:
/// small_products_enabled(), 1 <= inner <= small_product_max_inner, cols >= 1.
bool small_product_pays(std::size_t cols, std::size_t inner);

/// c (rows x cols, row-major, contiguous) from a chain of fused multiply-adds per entry:
/// c(i, j) = start(i, j) + (((0 + a(i,0) b(0,j)) + a(i,1) b(1,j)) + ...), each + a rounded
/// fused multiply-add, where a(i, p) = a[i * a_row_stride + p * a_inner_stride] and b is
/// inner x cols, row-major, contiguous. Requires small_products_enabled(), inner >= 1 and
/// inner <= small_product_max_inner; row_values (rows entries) only for ProductStart::row_value.
/// The last of an odd number of rows in OpenBLAS's edge-kernel order (above). Allocates nothing.
void small_product(const double* a, std::size_t a_row_stride, std::size_t a_inner_stride, const double* b,
                   double* c, std::size_t rows, std::size_t cols, std::size_t inner, ProductStart start,
                   const double* row_values = nullptr);

}  // namespace xgrad::detail

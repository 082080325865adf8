/// @file
/// Matrix type and the matrix products every node uses.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <string>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>

namespace xgrad {

/// Row-major (C order) 2-D array of doubles, shape (rows, cols). Examples are columns, as in
/// the course notes: X is (features, m), Y is (1, m).
using Matrix = xt::xtensor<double, 2>;

/// Whether gemm uses an operand as is (no) or transposed (yes).
enum class Transpose { no, yes };

/// c = alpha * op(a) * op(b) + beta * c, with op(x) = x or x^T.
/// Requires c to have the result's shape already (it is never resized: no allocation).
/// Throws InputError naming the shapes when they do not fit, and LimitError (before calling
/// BLAS) when an address-space or data-size limit leaves no room for the work buffer that
/// OpenBLAS before 0.3.30 would otherwise retry to allocate forever: 128 MiB for each call
/// running at once, taken once per process. Every BLAS call of xgrad goes through here.
void gemm(const Matrix& a, Transpose transpose_a, const Matrix& b, Transpose transpose_b,
          Matrix& c, double alpha = 1.0, double beta = 0.0);

/// Makes `buffer` (rows x cols), keeping what it held before in `spare` and taking `spare`
/// back when that has the wanted shape, so that alternating between two sizes (full
/// mini-batches and a smaller last one; full column tiles and a narrower last one) allocates
/// only the first time. Contents are unspecified afterwards. No-op when the shape is right.
void resize_keeping_spare(Matrix& buffer, Matrix& spare, std::size_t rows, std::size_t cols);

/// "3x20" for a (3, 20) matrix; used in error messages.
std::string shape_string(const Matrix& m);
/// "3x20" for rows 3, cols 20; used in error messages.
std::string shape_string(std::size_t rows, std::size_t cols);

}  // namespace xgrad

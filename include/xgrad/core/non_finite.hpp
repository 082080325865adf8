/// @file
/// Finding the first NaN or infinity in a matrix, so that a message can name the entry.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// One entry of a matrix: where it is and what it holds.
struct MatrixEntry {
  std::size_t row = 0;  ///< row of the entry
  std::size_t col = 0;  ///< column of the entry
  double value = 0.0;  ///< what it holds
};

/// Ensures: the first entry of `m` in C (row-major) order that is NaN, +inf or -inf, or
/// std::nullopt when every entry is finite (an empty matrix has none). Allocates nothing.
std::optional<MatrixEntry> first_non_finite(const Matrix& m);

/// "NAME(row, col) is VALUE", e.g. "X(3, 0) is nan": how messages name a bad entry
/// (the value as format_double prints it).
std::string describe_entry(std::string_view matrix_name, const MatrixEntry& entry);

/// Throws InputError "NAME(row, col) is VALUE" (describe_entry) naming the first non-finite
/// entry of `m`; returns when every entry is finite. Allocates nothing then.
void require_finite(const Matrix& m, std::string_view matrix_name);

}  // namespace xgrad

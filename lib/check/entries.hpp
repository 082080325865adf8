// Bitwise comparison and naming of matrix entries, for the checkers' findings. Private to
// lib/check.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

inline bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// First entry (row-major index) where two matrices differ bitwise; 0 when the shapes differ.
inline std::optional<std::size_t> first_difference(const Matrix& a, const Matrix& b) {
  if (a.shape() != b.shape()) return 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!same_bits(a.data()[k], b.data()[k])) return k;
  }
  return std::nullopt;
}

// "(row,col)" of row-major index k in m.
inline std::string entry_name(const Matrix& m, std::size_t k) {
  const std::size_t cols = m.shape(1) == 0 ? 1 : m.shape(1);
  std::string name = "(";  // built up in steps: GCC 12 warns falsely (-Wrestrict) on "(" + to_string
  name += std::to_string(k / cols);
  name += ',';
  name += std::to_string(k % cols);
  name += ')';
  return name;
}

}  // namespace xgrad

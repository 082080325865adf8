#include <xgrad/core/non_finite.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {

std::optional<MatrixEntry> first_non_finite(const Matrix& m) {
  const std::size_t cols = m.shape(1);
  for (std::size_t k = 0; k < m.size(); ++k) {
    const double v = m.data()[k];
    if (!std::isfinite(v)) return MatrixEntry{k / cols, k % cols, v};
  }
  return std::nullopt;
}

std::string describe_entry(std::string_view matrix_name, const MatrixEntry& entry) {
  return std::string(matrix_name) + "(" + std::to_string(entry.row) + ", " + std::to_string(entry.col) +
         ") is " + format_double(entry.value);
}

void require_finite(const Matrix& m, std::string_view matrix_name) {
  if (const auto bad = first_non_finite(m)) throw InputError(describe_entry(matrix_name, *bad));
}

}  // namespace xgrad

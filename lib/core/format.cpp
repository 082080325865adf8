#include <xgrad/core/format.hpp>

#include <charconv>
#include <cmath>

namespace xgrad {

std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

std::string python_float_repr(double value) {
  std::string s = format_double(value);
  if (std::isfinite(value) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace xgrad

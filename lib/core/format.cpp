#include <xgrad/core/format.hpp>

#include <charconv>
#include <sstream>
#include <cmath>
#include <string_view>

namespace xgrad {

std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

std::string python_float_repr(double value) {
  if (!std::isfinite(value)) return format_double(value);
  // The shortest round-trip digits d1 d2 ... dn and the decimal exponent of d1.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  std::string out;
  if (text.front() == '-') {
    out = "-";
    text.remove_prefix(1);
  }
  const std::size_t e = text.find('e');
  std::string digits;
  for (const char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  std::string_view exponent_text = text.substr(e + 1);
  if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

  const auto n = static_cast<int>(digits.size());
  if (exponent < -4 || exponent >= 16) {  // scientific: d1.d2...dn, then e-XX / e+XX
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    const int magnitude = exponent < 0 ? -exponent : exponent;
    out += exponent < 0 ? "e-" : "e+";
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (exponent < 0) {  // 0.000ddd
    out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else if (exponent + 1 < n) {  // ddd.ddd
    const auto point = static_cast<std::size_t>(exponent + 1);
    out += digits.substr(0, point) + "." + digits.substr(point);
  } else {  // ddd000.0
    out += digits + std::string(static_cast<std::size_t>(exponent + 1 - n), '0') + ".0";
  }
  return out;
}

std::string format_significant(double value, int digits) {
  std::ostringstream s;
  s.precision(digits);
  s << value;
  return s.str();
}

}  // namespace xgrad

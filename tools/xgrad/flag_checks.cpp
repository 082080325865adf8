#include "flag_checks.hpp"

#include <charconv>
#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad::cli {

namespace {

std::string expected(const std::string& requirement, const std::string& value) {
  return "expected " + requirement + ", got '" + value + "'";
}

// A validator that does not change the value: `accepts` says whether it qualifies.
CLI::Validator requiring(std::string requirement, std::function<bool(const std::string&)> accepts) {
  return CLI::Validator(
      [requirement, accepts](std::string& value) { return accepts(value) ? std::string() : expected(requirement, value); },
      "");  // no description: the help text says what the flag takes
}

}  // namespace

bool parses_as_finite(const std::string& text, double& x) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, x);
  return !text.empty() && ec == std::errc() && ptr == end && std::isfinite(x);
}

bool parses_as_whole(const std::string& text, std::uint64_t& n) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  return !text.empty() && ec == std::errc() && ptr == end;
}

CLI::Validator positive_number() {
  return requiring("a number > 0", [](const std::string& v) {
    double x = 0.0;
    return parses_as_finite(v, x) && x > 0.0;
  });
}

CLI::Validator number_between(double low, double high) {
  return requiring("a number > " + format_double(low) + " and < " + format_double(high), [low, high](const std::string& v) {
    double x = 0.0;
    return parses_as_finite(v, x) && x > low && x < high;
  });
}

CLI::Validator non_negative_number() {
  return requiring("a number >= 0", [](const std::string& v) {
    double x = 0.0;
    return parses_as_finite(v, x) && x >= 0.0;
  });
}

CLI::Validator fraction() {
  return requiring("a number in (0, 1]", [](const std::string& v) {
    double x = 0.0;
    return parses_as_finite(v, x) && x > 0.0 && x <= 1.0;
  });
}

CLI::Validator decay_factor() {
  return requiring("a number in [0, 1)", [](const std::string& v) {
    double x = 0.0;
    return parses_as_finite(v, x) && x >= 0.0 && x < 1.0;
  });
}

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  const std::string requirement = "a whole number >= " + std::to_string(min);
  return CLI::Validator(
      [requirement, min, max](std::string& value) {
        std::uint64_t n = 0;
        if (!parses_as_whole(value, n) || n < min) return expected(requirement, value);
        if (n > max) return expected(requirement + " and at most " + std::to_string(max), value);
        return std::string();
      },
      "");
}

CLI::Validator seed_number(std::uint64_t max) { return whole_number(0, max); }

CLI::Validator file_name() {
  return requiring("a file name", [](const std::string& v) { return !v.empty(); });
}

CLI::Validator one_of(std::vector<std::string> choices) {
  std::string listed;
  for (const std::string& c : choices) listed += (listed.empty() ? "" : ", ") + c;
  return requiring("one of " + listed, [choices](const std::string& v) {
    for (const std::string& c : choices) {
      if (c == v) return true;
    }
    return false;
  });
}

CLI::Validator checked_by(std::function<void(const std::string&)> check) {
  return CLI::Validator(
      [check](std::string& value) {
        try {
          check(value);
        } catch (const InputError& e) {
          return std::string(e.what());
        }
        return std::string();
      },
      "");
}

}  // namespace xgrad::cli

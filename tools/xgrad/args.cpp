#include "args.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include <xgrad/core/error.hpp>

namespace xgrad::cli {

namespace {

constexpr std::size_t help_width = 80;
constexpr std::size_t help_indent = 24;

const Flag* find_flag(const std::vector<FlagGroup>& groups, std::string_view name) {
  for (const FlagGroup& group : groups) {
    for (const Flag& flag : group.flags) {
      if (flag.name == name) return &flag;
    }
  }
  return nullptr;
}

bool looks_like_flag(std::string_view word) { return word.size() > 2 && word.starts_with("--"); }

[[noreturn]] void bad_value(std::string_view flag, std::string_view requirement, std::string_view value) {
  throw InputError(std::string(flag) + ": expected " + std::string(requirement) + ", got '" +
                   std::string(value) + "'");
}

// Appends `text` word-wrapped, every line after the first indented by `indent`.
void wrap(std::ostringstream& out, std::string_view text, std::size_t column, std::size_t indent) {
  std::istringstream words{std::string(text)};
  std::string word;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > help_width) {
      out << '\n' << std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    first = false;
  }
  out << '\n';
}

}  // namespace

std::string help_text(std::string_view usage, std::string_view description,
                      const std::vector<FlagGroup>& groups) {
  std::ostringstream out;
  out << "usage: " << usage << "\n\n";
  wrap(out, description, 0, 0);
  for (const FlagGroup& group : groups) {
    out << '\n' << group.title << ":\n";
    for (const Flag& flag : group.flags) {
      std::string head = "  " + flag.name + (flag.value_name.empty() ? "" : " " + flag.value_name);
      if (head.size() + 2 > help_indent) {
        out << head << '\n' << std::string(help_indent, ' ');
      } else {
        out << head << std::string(help_indent - head.size(), ' ');
      }
      wrap(out, flag.help, help_indent, help_indent);
    }
  }
  return out.str();
}

bool wants_help(const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    if (w == "--help" || w == "-h") return true;
  }
  return false;
}

Args::Args(const std::vector<std::string>& words, const std::vector<FlagGroup>& groups) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (!looks_like_flag(word)) {
      throw InputError("unexpected argument '" + word + "' (flags start with --; see --help)");
    }
    const std::size_t equals = word.find('=');
    const std::string name = word.substr(0, equals);
    const Flag* flag = find_flag(groups, name);
    if (flag == nullptr) throw InputError("unknown flag '" + name + "' (see --help)");
    if (values_.contains(name)) throw InputError(name + ": given twice");
    std::string value;
    if (flag->value_name.empty()) {
      if (equals != std::string::npos) throw InputError(name + ": takes no value, got '" + word.substr(equals + 1) + "'");
    } else if (equals != std::string::npos) {
      value = word.substr(equals + 1);
    } else {
      if (i + 1 == words.size() || looks_like_flag(words[i + 1])) {
        throw InputError(name + ": missing value " + flag->value_name);
      }
      value = words[++i];
    }
    values_.emplace(name, std::move(value));
  }
}

bool Args::has(std::string_view flag) const { return values_.find(flag) != values_.end(); }

std::optional<std::string> Args::text(std::string_view flag) const {
  const auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::text(std::string_view flag, std::string_view fallback) const {
  return text(flag).value_or(std::string(fallback));
}

double Args::finite_number(std::string_view flag, const std::string& value, std::string_view requirement) const {
  double x = 0.0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, x);
  if (value.empty() || ec != std::errc() || ptr != end || !std::isfinite(x)) bad_value(flag, requirement, value);
  return x;
}

double Args::positive(std::string_view flag, double fallback) const {
  const auto value = text(flag);
  if (!value) return fallback;
  const double x = finite_number(flag, *value, "a number > 0");
  if (!(x > 0.0)) bad_value(flag, "a number > 0", *value);
  return x;
}

double Args::non_negative(std::string_view flag, double fallback) const {
  const auto value = text(flag);
  if (!value) return fallback;
  const double x = finite_number(flag, *value, "a number >= 0");
  if (!(x >= 0.0)) bad_value(flag, "a number >= 0", *value);
  return x;
}

double Args::fraction(std::string_view flag, double fallback) const {
  const auto value = text(flag);
  if (!value) return fallback;
  const double x = finite_number(flag, *value, "a number in (0, 1]");
  if (!(x > 0.0 && x <= 1.0)) bad_value(flag, "a number in (0, 1]", *value);
  return x;
}

std::size_t Args::count(std::string_view flag, std::size_t fallback, std::size_t min) const {
  const auto value = text(flag);
  if (!value) return fallback;
  const std::string requirement = "a whole number >= " + std::to_string(min);
  std::size_t n = 0;
  const char* end = value->data() + value->size();
  const auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (value->empty() || ec != std::errc() || ptr != end || n < min) bad_value(flag, requirement, *value);
  return n;
}

std::uint64_t Args::seed(std::string_view flag, std::uint64_t fallback, std::uint64_t max) const {
  const auto value = text(flag);
  if (!value) return fallback;
  const std::string requirement = "a whole number from 0 to " + std::to_string(max);
  std::uint64_t n = 0;
  const char* end = value->data() + value->size();
  const auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (value->empty() || ec != std::errc() || ptr != end || n > max) bad_value(flag, requirement, *value);
  return n;
}

std::string Args::choice(std::string_view flag, std::string_view fallback,
                         std::initializer_list<std::string_view> choices) const {
  const std::string value = text(flag, fallback);
  std::string listed;
  for (std::string_view c : choices) {
    if (c == value) return value;
    listed += (listed.empty() ? "" : ", ") + std::string(c);
  }
  bad_value(flag, "one of " + listed, value);
}

void Args::forbid(std::string_view flag, std::string_view reason) const {
  if (has(flag)) throw InputError(std::string(flag) + " " + std::string(reason));
}

}  // namespace xgrad::cli

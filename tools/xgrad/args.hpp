// Command-line flags: declared per command, parsed strictly, read through typed getters that
// check ranges. Every error is an InputError naming the flag and the offending value, which
// main turns into one "xgrad: error: ..." line and exit status 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xgrad::cli {

struct Flag {
  std::string name;        // "--lr"
  std::string value_name;  // "RATE"; empty for a switch such as --verbose
  std::string help;        // wrapped by help_text
};

struct FlagGroup {
  std::string title;  // "Data", "Model", "Training", "Output"
  std::vector<Flag> flags;
};

// "usage: ...", the description, then every group's flags with their help, wrapped to
// 80 columns.
std::string help_text(std::string_view usage, std::string_view description,
                      const std::vector<FlagGroup>& groups);

// True when a word of `words` is --help or -h.
bool wants_help(const std::vector<std::string>& words);

class Args {
 public:
  // Parses the words after the command name: "--flag value", "--flag=value" and switches.
  // Throws InputError on: a word that is not a declared flag, a positional word, a flag
  // given twice, a value flag at the end or followed by another "--" word (missing value),
  // a switch given "=value".
  Args(const std::vector<std::string>& words, const std::vector<FlagGroup>& groups);

  bool has(std::string_view flag) const;
  std::optional<std::string> text(std::string_view flag) const;
  std::string text(std::string_view flag, std::string_view fallback) const;

  // The flag's value, or `fallback` when absent. Each throws InputError
  // "<flag>: expected <requirement>, got '<value>'" when the value does not qualify.
  double positive(std::string_view flag, double fallback) const;      // finite, > 0
  double non_negative(std::string_view flag, double fallback) const;  // finite, >= 0
  double fraction(std::string_view flag, double fallback) const;      // in (0, 1]
  std::size_t count(std::string_view flag, std::size_t fallback, std::size_t min = 1) const;
  std::uint64_t seed(std::string_view flag, std::uint64_t fallback,
                     std::uint64_t max = 4294967295u) const;  // 0..max (numpy: 2^32 - 1)
  std::string choice(std::string_view flag, std::string_view fallback,
                     std::initializer_list<std::string_view> choices) const;

  // Throws InputError "<flag> <reason>" when `flag` was given.
  void forbid(std::string_view flag, std::string_view reason) const;

 private:
  double finite_number(std::string_view flag, const std::string& value,
                       std::string_view requirement) const;

  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace xgrad::cli

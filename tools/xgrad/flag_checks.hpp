// What a flag's value must be, declared with the flag (CLI::Option::check / transform). A
// value that does not qualify makes CLI11 throw CLI::ValidationError
// "<flag>: expected <requirement>, got '<value>'", which main prints as one error line with
// exit status 2. The validators carry no description: each flag's help says what it takes.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace xgrad::cli {

// The whole text is a finite number (std::from_chars: no sign '+', no spaces) / decimal
// digits naming a whole number that fits; `x` / `n` receives it.
bool parses_as_finite(const std::string& text, double& x);
bool parses_as_whole(const std::string& text, std::uint64_t& n);

// A finite number strictly between `low` and `high`.
CLI::Validator number_between(double low, double high);

CLI::Validator positive_number();      // a finite number > 0
CLI::Validator non_negative_number();  // a finite number >= 0
CLI::Validator fraction();             // a number in (0, 1]
CLI::Validator decay_factor();         // a number in [0, 1) (momentum's and Adam's betas)

// The largest whole number a flag takes unless it says otherwise: 2^63 - 1, so that every
// count fits a signed 64-bit integer wherever it goes (JSON, arithmetic).
inline constexpr std::uint64_t whole_number_max = std::numeric_limits<std::int64_t>::max();

// Decimal digits only (no sign, no exponent) naming a number from `min` to `max`
// ("expected a whole number >= 1 and at most 9223372036854775807, got '...'" above it).
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max = whole_number_max);

// A seed as numpy takes it: a whole number from 0 to 2^32 - 1 (or `max`).
CLI::Validator seed_number(std::uint64_t max = 4294967295u);

// Not empty (the file itself is checked by whoever reads it).
CLI::Validator file_name();

// One of `choices`, spelled exactly.
CLI::Validator one_of(std::vector<std::string> choices);

// A transform for an option bound to an enum: one of the names, replaced by its enum's
// value so that CLI11 stores the enum.
template <class Enum>
CLI::Validator enum_named(const std::vector<std::pair<std::string, Enum>>& names) {
  std::vector<std::string> choices;
  for (const auto& entry : names) choices.push_back(entry.first);
  CLI::Validator known = one_of(choices);
  return CLI::Validator(
      [names, known](std::string& value) {
        std::string problem = known(value);
        if (!problem.empty()) return problem;
        for (const auto& [name, e] : names) {
          if (name == value) value = std::to_string(static_cast<long long>(e));
        }
        return std::string();
      },
      known.get_description());
}

// A check that throws InputError naming what is wrong with a value (without the flag), as
// a validator whose failure names the flag.
CLI::Validator checked_by(std::function<void(const std::string&)> check);

}  // namespace xgrad::cli

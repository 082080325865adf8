#include <xgrad/io/csv.hpp>

#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "io/input_file.hpp"
#include <xgrad/core/error.hpp>

// Parsed here with std::from_chars rather than xt::load_csv: xt::load_csv accepts some
// ragged files silently and reports a bad field as a bare "stod" with no line or column,
// and wrapping it would mean re-parsing every line anyway to find them.

namespace xgrad {

namespace fs = std::filesystem;

namespace {

struct Table {
  Matrix values;
  std::vector<std::size_t> lines;  // the file line (1-based) of each row
};

std::string location(const fs::path& file, std::size_t line) {
  return file.string() + ":" + std::to_string(line) + ": ";
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto comma = line.find(',');
    fields.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

enum class Parse { ok, empty, not_a_number, out_of_range };

Parse parse_number(std::string_view field, double& value) {
  if (field.empty()) return Parse::empty;
  std::string_view digits = field;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
  const char* last = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), last, value);
  if (ec == std::errc::result_out_of_range && ptr == last) return Parse::out_of_range;
  if (ec != std::errc() || ptr != last) return Parse::not_a_number;
  return Parse::ok;
}

double number(std::string_view field, std::size_t column, std::size_t line, const fs::path& file) {
  double value = 0.0;
  const std::string where = location(file, line) + "field " + std::to_string(column + 1);
  switch (parse_number(field, value)) {
    case Parse::empty:
      throw FileError(where + " is empty");
    case Parse::not_a_number:
      throw FileError(where + " '" + std::string(field) + "' is not a number");
    case Parse::out_of_range:
      throw FileError(where + " '" + std::string(field) + "' is out of the range of a double");
    case Parse::ok:
      break;
  }
  if (!std::isfinite(value)) {
    throw FileError(where + " '" + std::string(field) + "' is " + (std::isnan(value) ? "NaN" : "infinite") +
                    "; only finite numbers are allowed");
  }
  return value;
}

bool is_header(const std::vector<std::string_view>& fields) {
  double ignored = 0.0;
  for (const auto field : fields) {
    const Parse result = parse_number(field, ignored);
    if (result == Parse::ok || result == Parse::out_of_range) return false;
  }
  return true;
}

Table read_table(const fs::path& file) {
  std::string text = detail::read_input_file(file);
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);

  std::vector<std::string_view> lines;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty()) throw FileError(file, "no data (only blank lines)");

  if (trim(lines[0]).empty()) throw FileError(location(file, 1) + "blank line before the end of the data");
  std::size_t first = 0;
  const std::size_t columns = split_fields(lines[0]).size();
  if (is_header(split_fields(lines[0]))) first = 1;
  if (first == lines.size()) throw FileError(file, "no data rows after the header line");

  Table table{Matrix({lines.size() - first, columns}), {}};
  for (std::size_t i = first; i < lines.size(); ++i) {
    const std::size_t line_number = i + 1;
    if (trim(lines[i]).empty()) {
      throw FileError(location(file, line_number) + "blank line before the end of the data");
    }
    const auto fields = split_fields(lines[i]);
    if (fields.size() != columns) {
      const char* noun = fields.size() == 1 ? " field, expected " : " fields, expected ";
      throw FileError(location(file, line_number) + std::to_string(fields.size()) + noun +
                      std::to_string(columns) + " (as on line 1)");
    }
    for (std::size_t j = 0; j < columns; ++j) {
      table.values(i - first, j) = number(fields[j], j, line_number, file);
    }
    table.lines.push_back(line_number);
  }
  return table;
}

}  // namespace

Matrix load_csv(const fs::path& file) { return read_table(file).values; }

Dataset load_csv_dataset(const fs::path& file, const LabelRule& labels) {
  Table table = read_table(file);
  const std::size_t rows = table.values.shape(0);
  const std::size_t columns = table.values.shape(1);
  if (columns < 2) {
    throw FileError(file, std::to_string(columns) + " column; a data set needs at least one feature column and a label (" +
                              labels.requirement() + ") in the last column");
  }
  Dataset data{Matrix({columns - 1, rows}), Matrix({1, rows})};
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t f = 0; f + 1 < columns; ++f) data.X(f, r) = table.values(r, f);
    const double label = table.values(r, columns - 1);
    if (!labels.accepts(label)) {
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, label).ptr;
      throw FileError(location(file, table.lines[r]) + "label " + std::string(text, end) + " (field " +
                      std::to_string(columns) + ") is not " + labels.requirement());
    }
    data.Y(0, r) = label;
  }
  try {
    validate_dataset(data, file.string(), labels);
  } catch (const FileError&) {
    throw;
  } catch (const InputError& e) {
    throw FileError(e.what());
  }
  return data;
}

}  // namespace xgrad

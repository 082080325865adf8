#include <xgrad/io/csv.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <optional>
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

// Calls visit(number, line) for every line up to the last non-blank one (numbers from 1),
// without keeping them.
template <class Visit>
void for_each_line(std::string_view text, Visit visit) {
  const auto last = text.find_last_not_of(" \t\r\n");
  text = last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
  std::size_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    visit(++number, line);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
}

std::size_t count_fields(std::string_view line) {
  return static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
}

// The first pass over a file's text: its shape, every line's field count and no blank line,
// before anything is allocated for the numbers.
struct TableShape {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::size_t first = 0;  // 1 when line 1 is a header
};

TableShape table_shape(std::string_view rest, const fs::path& file) {
  std::size_t columns = 0, lines = 0;
  bool header = false;
  for_each_line(rest, [&](std::size_t number, std::string_view line) {
    lines = number;
    if (trim(line).empty()) throw FileError(location(file, number) + "blank line before the end of the data");
    const std::size_t fields = count_fields(line);
    if (number == 1) {
      columns = fields;
      if (columns > csv_max_columns) {
        throw FileError(location(file, 1) + std::to_string(columns) + " fields, more than the limit of " +
                        std::to_string(csv_max_columns) + " columns");
      }
      header = is_header(split_fields(line));
    } else if (fields != columns) {
      const char* noun = fields == 1 ? " field, expected " : " fields, expected ";
      throw FileError(location(file, number) + std::to_string(fields) + noun + std::to_string(columns) +
                      " (as on line 1)");
    }
  });
  if (lines == 0) throw FileError(file, "no data (only blank lines)");
  const std::size_t first = header ? 1 : 0;
  if (first == lines) throw FileError(file, "no data rows after the header line");
  const std::size_t rows = lines - first;
  if (rows > csv_max_numbers / columns) {
    throw FileError(file, std::to_string(rows) + " rows x " + std::to_string(columns) +
                              " columns is more than the limit of " + std::to_string(csv_max_numbers) + " numbers");
  }
  return {rows, columns, first};
}

std::string_view without_bom(const std::string& text) {
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  return rest;
}

// Rows row_first .. row_first + count - 1 of the table (every row: 0, rows), numbers parsed
// for those rows only; the whole file's shape checked first.
Table read_table(const fs::path& file, std::size_t row_first, std::optional<std::size_t> row_count) {
  const std::string text = detail::read_input_file(file);
  const std::string_view rest = without_bom(text);
  const TableShape shape = table_shape(rest, file);
  const std::size_t count = row_count ? *row_count : shape.rows;
  if (row_first > shape.rows || count > shape.rows - row_first) {
    throw FileError(file, "rows " + std::to_string(row_first) + " + " + std::to_string(count) +
                              " asked for, but the file has " + std::to_string(shape.rows));
  }
  Table table{Matrix({count, shape.columns}), {}};
  table.lines.reserve(count);
  const std::size_t begin = shape.first + row_first;  // lines before the first row read
  for_each_line(rest, [&](std::size_t line_number, std::string_view line) {
    if (line_number <= begin || line_number > begin + count) return;
    const auto fields = split_fields(line);
    for (std::size_t j = 0; j < shape.columns; ++j) {
      table.values(line_number - 1 - begin, j) = number(fields[j], j, line_number, file);
    }
    table.lines.push_back(line_number);
  });
  return table;
}

Table read_table(const fs::path& file) { return read_table(file, 0, std::nullopt); }

// The examples of `table` as a data set: features, then a label in the last column.
Dataset dataset_of(const fs::path& file, const Table& table, const LabelRule& labels, bool validate) {
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
  if (!validate) return data;
  try {
    validate_dataset(data, file.string(), labels);
  } catch (const FileError&) {
    throw;
  } catch (const InputError& e) {
    throw FileError(e.what());
  }
  return data;
}

}  // namespace

Matrix load_csv(const fs::path& file) { return read_table(file).values; }

Dataset load_csv_dataset(const fs::path& file, const LabelRule& labels) {
  return dataset_of(file, read_table(file), labels, true);
}

CsvShape csv_shape(const fs::path& file) {
  const std::string text = detail::read_input_file(file);
  const TableShape shape = table_shape(without_bom(text), file);
  return {shape.rows, shape.columns};
}

Dataset load_csv_dataset_rows(const fs::path& file, const LabelRule& labels, std::size_t first, std::size_t count) {
  Dataset data = dataset_of(file, read_table(file, first, count), labels, false);
  if (count > 0) {
    try {
      validate_dataset(data, file.string() + " rows " + std::to_string(first) + " to " + std::to_string(first + count - 1),
                       labels);
    } catch (const FileError&) {
      throw;
    } catch (const InputError& e) {
      throw FileError(e.what());
    }
  }
  return data;
}

}  // namespace xgrad

/// @file
/// Comma-separated numeric files.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <filesystem>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// Limits that bound what a .csv can make the reader allocate: columns on a line (the
/// first line fixes the width; a header of a million names is refused) and numbers in the
/// table (rows x columns, 1 GiB of doubles). Every line's field count is checked before the
/// table is allocated, so the table never takes more than 4 bytes of memory per byte of file.
inline constexpr std::size_t csv_max_columns = std::size_t{1} << 20;
/// At most 2^27 numbers in the table (1 GiB of doubles).
inline constexpr std::size_t csv_max_numbers = std::size_t{1} << 27;

/// Reads a table of numbers, one row per line, fields separated by ','. Spaces and tabs
/// around a field are allowed; `\r\n` line ends and a UTF-8 byte-order mark are accepted.
/// The first line may be a header of names if none of its fields is a number. Blank lines
/// at the end are ignored; a blank line anywhere else is an error.
/// Ensures: an (r, c) Matrix, r = number of data lines >= 1, c = fields per line >= 1.
/// Throws FileError whose message starts with the path and, for a bad line, its number:
/// no such file / a directory / empty file / no data rows; "<path>:3: field 2 'abc' is not
/// a number"; "<path>:4: 3 fields, expected 2"; a NaN or infinite field; a number out of
/// the range of double; an empty field; a table past csv_max_columns ("<path>:1: N fields,
/// more than the limit of 1048576 columns") or csv_max_numbers ("<path>: R rows x C columns
/// is more than the limit of 134217728 numbers").
Matrix load_csv(const std::filesystem::path& file);

/// Reads a data set stored one example per row: the features, then a label in the last
/// column (format as load_csv), 0/1 unless `labels` says otherwise.
/// Ensures: X is (columns - 1, rows), Y is (1, rows), and validate_dataset(result, path,
/// labels) holds.
/// Throws FileError as load_csv does, and when the file has fewer than 2 columns or a
/// label does not satisfy `labels` ("<path>:5: label 2 (field 3) is not 0 or 1",
/// "<path>:7: label 3 (field 3) is not a class index 0..2").
Dataset load_csv_dataset(const std::filesystem::path& file, const LabelRule& labels = LabelRule{});

/// The table's size load_csv gives: data rows (a header line not counted) and fields per line.
struct CsvShape {
  std::size_t rows = 0;     ///< data rows
  std::size_t columns = 0;  ///< fields on every line
};

/// The shape load_csv(file) gives, with its checks that need no number parsed (the file is
/// read whole: every line's field count, blank lines, the limits). Throws FileError as
/// load_csv does for these problems.
CsvShape csv_shape(const std::filesystem::path& file);

/// Examples first .. first + count - 1 (data rows, a header not counted) of
/// load_csv_dataset(file, labels), bit for bit: what one process of a data-parallel run holds.
/// The file is read whole and every line's field count checked as load_csv does (a row's place
/// is only known by reading the rows before it), but only those rows' numbers are parsed and
/// kept, and only they are checked (numbers, labels, validate_dataset under the source "<path>
/// rows F to L"). Throws FileError as load_csv_dataset does, or when the rows are outside the
/// file's.
Dataset load_csv_dataset_rows(const std::filesystem::path& file, const LabelRule& labels, std::size_t first,
                              std::size_t count);

}  // namespace xgrad

/// @file
/// MATLAB .mat files (v4, v5 and v7.3, read through matio).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// The most bytes one compressed element (miCOMPRESSED, MAT 7) of `compressed_bytes` may
/// decompress to: max(64 MiB, 8 x compressed_bytes). A file whose element inflates past it is
/// refused (FileError "... decompresses to more than N bytes, the limit ...") as soon as the
/// limit is passed, so that a small file cannot make the reader allocate gigabytes (deflate
/// can expand 1032:1). Bigger data sets: store them uncompressed (MAT 5 or .npy).
std::uint64_t mat_inflate_limit(std::uint64_t compressed_bytes);

/// Reads variable `name`: a real 2-D numeric array of any class (double, single, int8..64,
/// uint8..64, logical), converted to double.
/// Ensures: the (rows, cols) matrix MATLAB and scipy.io.loadmat show (element (i, j) is
/// MATLAB's X(i+1, j+1); the file's column-major data is reordered).
/// Throws FileError whose message starts with the path: no such file, a directory, empty
/// file, not a MAT file (or unreadable), truncated, no variable `name` (the message lists
/// the variables the file has), a variable that is not numeric (its class is named: char,
/// struct, cell, sparse...), complex, not 2-D (its rank and dims are named), empty, or a
/// compressed element past mat_inflate_limit.
Matrix load_mat_variable(const std::filesystem::path& file, const std::string& name);

/// The dimensions of a 2-D variable.
struct MatShape {
  std::size_t rows = 0;     ///< MATLAB's first dimension
  std::size_t columns = 0;  ///< its second
};

/// The (rows, columns) of variable `name`, from its header (no data read), with the checks of
/// load_mat_variable that need no data (FileError with the same messages).
MatShape mat_variable_shape(const std::filesystem::path& file, const std::string& name);

/// Rows first .. first + count - 1 of load_mat_variable(file, name), bit for bit, read with
/// matio's hyperslab read (Mat_VarReadData): only those rows are converted and kept (what one
/// process of a data-parallel run holds of a course-layout (m, features) variable). The
/// file's framing is still checked whole first (a MAT 5 file is read once for it), and a
/// compressed variable is inflated by matio up to the rows read.
/// Throws FileError as load_mat_variable does, or when the rows are outside the variable.
Matrix load_mat_rows(const std::filesystem::path& file, const std::string& name, std::size_t first, std::size_t count);

/// Reads a data set stored as in the course: `x_name` is (m, features) and `y_name` is
/// (m, 1); both are transposed.
/// Ensures: X is (features, m), Y is (1, m), and validate_dataset(..., labels) holds.
/// Throws FileError as load_mat_variable does, and with validate_dataset's message (source
/// "<path>: <x_name>/<y_name>") when the pair is not a valid data set.
Dataset load_mat_dataset(const std::filesystem::path& file, const std::string& x_name,
                         const std::string& y_name, const LabelRule& labels = LabelRule{});

/// Reads a training and a test set from one file; the defaults are the course's
/// football.mat (X, y: 211 examples; Xval, yval: 200; 2 features).
/// Ensures: both sets are valid (as load_mat_dataset) and have the same number of features.
/// Throws FileError as load_mat_dataset does, or when the feature counts differ.
TrainTest load_mat_train_test(const std::filesystem::path& file, const std::string& x_train = "X",
                              const std::string& y_train = "y", const std::string& x_test = "Xval",
                              const std::string& y_test = "yval", const LabelRule& labels = LabelRule{});

}  // namespace xgrad

/// @file
/// NumPy .npy files: reading untrusted ones into a Matrix, writing ones numpy.load reads.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// Reads a 1-D or 2-D array: dtype float64, float32, int64, int32 or bool, either byte order,
/// C or Fortran order, format version 1.0, 2.0 or 3.0. int64 values beyond 2^53 are rounded
/// to the nearest double.
/// Ensures: a 2-D (r, c) array gives an (r, c) Matrix; a 1-D (n,) array gives (1, n).
/// Throws FileError, before allocating anything the file's size does not justify, whose
/// message starts with the path and names the problem: no such file, a directory, empty,
/// bad magic string, unsupported format version, truncated header, malformed header dict
/// (missing or unknown keys, bad values), unsupported dtype (complex, object, strings,
/// structured...), 0-D or more than 2-D, a shape whose byte count overflows, a file shorter
/// than header + product(shape) * itemsize ("truncated") or longer (trailing bytes), or a
/// bool byte that is neither 0 nor 1.
Matrix load_npy(const std::filesystem::path& file);

/// The same checks on the bytes of a .npy image held in memory (e.g. an .npz entry); every
/// message starts with `source`.
Matrix parse_npy(std::string_view bytes, const std::string& source);

/// The shape of a .npy array: a 2-D (r, c) array is (r, c), a 1-D (n,) array (1, n).
struct NpyShape {
  std::size_t rows = 0;     ///< r, or 1 for a 1-D array
  std::size_t columns = 0;  ///< c, or n for a 1-D array
};

/// The shape load_npy(file) gives, from the file's header alone (no data read).
/// Throws FileError as load_npy does for every problem of the header or the file's size
/// (a bool byte that is neither 0 nor 1 is found only when its column is read).
NpyShape npy_shape(const std::filesystem::path& file);

/// Columns first .. first + count - 1 of load_npy(file), bit for bit, reading only the
/// header and those columns' bytes (one seek and read per row in C order, one in Fortran
/// order): what one process of a data-parallel run reads of its share.
/// Throws FileError as load_npy does (checked on the header and the file's size, and on the
/// elements read), and "<path>: columns F + C asked for, but the array has N" when
/// first + count > N.
Matrix load_npy_columns(const std::filesystem::path& file, std::size_t first, std::size_t count);

/// The bytes of `m` as a float64, C-order, version 1.0 .npy file (what save_npy writes).
std::string npy_image(const Matrix& m);

/// Writes `m` as a float64, C-order, version 1.0 .npy file, atomically (xgrad::write_file_atomically).
/// Ensures: load_npy(file) and numpy.load(file) give back `m` bit for bit.
/// Throws as write_file_atomically (FileError, WriteError, Interrupted); `file` is then unchanged.
void save_npy(const std::filesystem::path& file, const Matrix& m);

}  // namespace xgrad

// NumPy .npy and .npz files: reading untrusted .npy files into a Matrix, writing .npy/.npz
// that numpy.load reads.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

// Reads a 1-D or 2-D array: dtype float64, float32, int64, int32 or bool, either byte order,
// C or Fortran order, format version 1.0, 2.0 or 3.0. int64 values beyond 2^53 are rounded
// to the nearest double.
// Ensures: a 2-D (r, c) array gives an (r, c) Matrix; a 1-D (n,) array gives (1, n).
// Throws FileError, before allocating anything the file's size does not justify, whose
// message starts with the path and names the problem: no such file, a directory, empty,
// bad magic string, unsupported format version, truncated header, malformed header dict
// (missing or unknown keys, bad values), unsupported dtype (complex, object, strings,
// structured...), 0-D or more than 2-D, a shape whose byte count overflows, a file shorter
// than header + product(shape) * itemsize ("truncated") or longer (trailing bytes), or a
// bool byte that is neither 0 nor 1.
Matrix load_npy(const std::filesystem::path& file);

// Writes `m` as a float64, C-order, version 1.0 .npy file, atomically (see npz below).
// Ensures: load_npy(file) and numpy.load(file) give back `m` bit for bit.
// Throws FileError "<path>: cannot write: <reason>"; `file` is then unchanged.
void save_npy(const std::filesystem::path& file, const Matrix& m);

// Writes an uncompressed .npz (a zip archive, "stored" method, one NAME.npy entry per
// array, in the given order), which numpy.load(file)[NAME] reads. Written atomically: a
// temporary file in the same folder is flushed, fsync'ed and renamed over `file`, so
// `file` is either left as it was or holds the complete archive.
// Requires names to be non-empty, unique, without '/', '\\' or NUL, and the archive to be
// under 4 GiB (no ZIP64). Throws FileError naming the path and the bad name or the size,
// or "cannot write: <reason>".
void save_npz(const std::filesystem::path& file,
              const std::vector<std::pair<std::string, Matrix>>& arrays);

}  // namespace xgrad

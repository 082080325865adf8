/// @file
/// NumPy .npz archives: named arrays in an uncompressed zip, written and read back.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/core/tensor.hpp>
#include <xgrad/io/npy.hpp>

namespace xgrad {

/// Writes an uncompressed .npz (a zip archive, "stored" method, one NAME.npy entry per
/// array, in the given order), which numpy.load(file)[NAME] reads. Written atomically: a
/// temporary file in the same folder is flushed, fsync'ed and renamed over `file`, so
/// `file` is either left as it was or holds the complete archive.
/// Requires names to be non-empty, unique, without '/', '\\' or NUL, and the archive to be
/// under 4 GiB (no ZIP64). Throws FileError naming the path and the bad name or the size,
/// or as write_file_atomically (FileError, WriteError, Interrupted).
void save_npz(const std::filesystem::path& file,
              const std::vector<std::pair<std::string, Matrix>>& arrays);

/// Reads every array of an .npz archive, in archive order, named without ".npy".
/// Requires stored (uncompressed) entries, as save_npz and numpy.savez write them.
/// Throws FileError whose message starts with the path: not a zip archive (or a .npy file
/// given instead), truncated or damaged (bad offsets, CRC mismatch), compressed, encrypted
/// or ZIP64 entries, an entry that is not NAME.npy or appears twice, or any load_npy problem
/// of an entry ("<path>: entry 'fc1.W.npy': truncated: ...").
std::vector<std::pair<std::string, Matrix>> load_npz(const std::filesystem::path& file);

/// Every array's name (without ".npy") and shape, in archive order, from the zip directory
/// and each entry's .npy header alone (no data read, so no CRC check: load_npz makes it).
/// Throws FileError as load_npz does for the archive's structure and each entry's header.
std::vector<std::pair<std::string, NpyShape>> npz_shapes(const std::filesystem::path& file);

/// Columns first .. first + count - 1 of array `name` (without ".npy"), bit for bit as
/// load_npz gives it, reading only the zip directory, the entry's header and those columns'
/// bytes (what one process of a data-parallel run reads of its share). The entry's CRC is not
/// checked (it covers the whole entry); its size is, against the archive's and the header's.
/// Throws FileError as load_npz does for what it reads, "<path>: no array 'NAME' (the archive
/// has: ...)", or when the columns are outside the array.
Matrix load_npz_columns(const std::filesystem::path& file, const std::string& name, std::size_t first,
                        std::size_t count);

}  // namespace xgrad

// File plumbing shared by the data-file readers and writers (internal to libxgrad).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace xgrad::detail {

// Requires `file` to be an existing, readable, non-empty regular file (following symlinks).
// Ensures: returns its size in bytes.
// Throws FileError "<path>: no such file" / "is a directory, not a file" / "is not a regular
// file" / "empty file" / "cannot read: <reason>".
std::uintmax_t check_input_file(const std::filesystem::path& file);

// The whole content of `file` (after check_input_file). Throws FileError as above, or
// "<path>: read failed" when the file shrinks or errors while being read.
std::string read_input_file(const std::filesystem::path& file);

// Replaces (or creates) `file` with exactly `bytes`, atomically: the bytes go to a fresh
// temporary file in the same folder, which is flushed, fsync'ed and renamed over `file`.
// On any failure the temporary file is removed, `file` is left as it was, and FileError
// "<path>: cannot write: <reason>" is thrown. The new file's mode is 0666 minus the umask.
void write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

}  // namespace xgrad::detail

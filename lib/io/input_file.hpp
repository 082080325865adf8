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

// `size` bytes of `file` from byte `offset` (a file checked by check_input_file, whose size
// was `file_size` then). Throws FileError "<path>: read failed at byte N" when the file is
// shorter now or cannot be read.
std::string read_input_range(const std::filesystem::path& file, std::uint64_t offset, std::size_t size);

// `bytes` for an error message: printable ASCII as is, other bytes as \xNN, cut after
// `limit` bytes with "...".
std::string printable(std::string_view bytes, std::size_t limit = 120);

}  // namespace xgrad::detail

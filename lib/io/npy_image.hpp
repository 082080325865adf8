// An .npy image read piece by piece, from a file or from an .npz entry (internal to libxgrad).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <xgrad/core/tensor.hpp>
#include <xgrad/io/npy.hpp>

namespace xgrad::detail {

// Gives `size` bytes from byte `offset` of an image; the view stays valid until the next call.
// Throws FileError when they cannot be read.
using ByteReader = std::function<std::string_view(std::uint64_t offset, std::size_t size)>;

// Reads `file` from byte `base` on (read_input_range: FileError when it is shorter than asked).
ByteReader file_reader(const std::filesystem::path& file, std::uint64_t base = 0);

// The (rows, columns) of the image of `size` bytes, from its header; the checks of parse_npy
// on the header and the size (messages start with `source`).
NpyShape npy_image_shape(const ByteReader& read, std::uint64_t size, const std::string& source);

// Columns first .. first + count - 1 of the image's array, as parse_npy would give them,
// reading the header and those columns' bytes only. FileError as parse_npy, or when the
// columns are outside the array.
Matrix npy_image_columns(const ByteReader& read, std::uint64_t size, const std::string& source, std::size_t first,
                         std::size_t count);

}  // namespace xgrad::detail

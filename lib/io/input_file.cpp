#include "io/input_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <xgrad/core/error.hpp>

namespace xgrad::detail {

namespace fs = std::filesystem;

std::uintmax_t check_input_file(const fs::path& file) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (status.type() == fs::file_type::not_found) throw FileError(file, "no such file");
  if (ec) throw FileError(file, "cannot read: " + ec.message());
  if (fs::is_directory(status)) throw FileError(file, "is a directory, not a file");
  if (!fs::is_regular_file(status)) throw FileError(file, "is not a regular file");
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) throw FileError(file, "cannot read: " + ec.message());
  if (size == 0) throw FileError(file, "empty file");
  std::ifstream probe(file, std::ios::binary);
  if (!probe) throw FileError(file, std::string("cannot read: ") + std::strerror(errno));
  return size;
}

std::string read_input_file(const fs::path& file) {
  const std::uintmax_t size = check_input_file(file);
  std::ifstream in(file, std::ios::binary);
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in || static_cast<std::uintmax_t>(in.gcount()) != size) throw FileError(file, "read failed");
  return bytes;
}

std::string read_input_range(const fs::path& file, std::uint64_t offset, std::size_t size) {
  std::string bytes(size, '\0');
  if (size == 0) return bytes;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FileError(file, std::string("cannot read: ") + std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in || static_cast<std::size_t>(in.gcount()) != size) {
    throw FileError(file, "read failed: " + std::to_string(size) + " bytes at byte " + std::to_string(offset) +
                              " (the file is shorter than it was, or unreadable)");
  }
  return bytes;
}

std::string printable(std::string_view bytes, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

}  // namespace xgrad::detail

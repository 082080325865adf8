#include <xgrad/io/npz.hpp>

#include <algorithm>
#include <functional>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

#include <xtensor/xnpy.hpp>
#include <zlib.h>

#include "io/input_file.hpp"
#include "io/npy_image.hpp"
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/npy.hpp>

// The zip container is small enough to write and read here: stored (uncompressed) entries
// only, no ZIP64. The reader takes an archive apart by its central directory (the
// authoritative list of entries; numpy's savez writes ZIP64 extra fields into the local
// headers only), checks every offset and size against the file before using it, and
// verifies each entry's CRC.

namespace xgrad {

namespace fs = std::filesystem;

namespace {

using detail::printable;

// The zip CRC-32 of `bytes`: zlib's crc32 (crc32_z takes a size_t length).
std::uint32_t zip_crc32(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

void put16(std::string& out, std::size_t v) {
  for (int i = 0; i < 2; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}

void put32(std::string& out, std::size_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}

// Fixed timestamp 1980-01-01 00:00 (MS-DOS format) so that equal arrays give equal archives.
constexpr std::size_t dos_time = 0;
constexpr std::size_t dos_date = (1u << 5) | 1u;
constexpr std::size_t zip_version = 20;
constexpr std::size_t zip_limit = 0xFFFFFFFFu;

void put_entry_fields(std::string& out, std::uint32_t crc, std::size_t size, std::size_t name_size) {
  put16(out, zip_version);  // version needed to extract
  put16(out, 0);            // flags
  put16(out, 0);            // method: stored
  put16(out, dos_time);
  put16(out, dos_date);
  put32(out, crc);
  put32(out, size);  // compressed size
  put32(out, size);  // uncompressed size
  put16(out, name_size);
  put16(out, 0);  // extra field length
}

// Little-endian fields of the zip records; every read is bounds-checked by the caller.
std::uint32_t le(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

constexpr std::uint32_t local_signature = 0x04034b50u;
constexpr std::uint32_t central_signature = 0x02014b50u;
constexpr std::uint32_t end_signature = 0x06054b50u;
constexpr std::size_t local_size = 30;
constexpr std::size_t central_size = 46;
constexpr std::size_t end_size = 22;

struct ZipEntry {
  std::string name;
  std::uint64_t offset = 0;  // of its data in the archive
  std::uint32_t size = 0;
  std::uint32_t crc = 0;
};

// The entries of a stored zip archive of `zip_size` bytes, read through `read` (its end
// record, central directory and local headers only); `verify` is called on each entry where
// its data is to be checked (load_npz: the CRC), before its name is.
std::vector<ZipEntry> read_stored_zip(const detail::ByteReader& read, std::uint64_t zip_size, const fs::path& file,
                                      const std::function<void(const ZipEntry&, const std::string& where)>& verify) {
  const std::string head(read(0, static_cast<std::size_t>(std::min<std::uint64_t>(zip_size, 8))));
  if (head.substr(0, 6) == "\x93NUMPY") throw FileError(file, "is a .npy file, not an .npz archive");
  const std::uint32_t first = head.size() >= 4 ? le(head, 0, 4) : 0;
  if (first != local_signature && first != end_signature) {
    throw FileError(file, "not an .npz (zip) archive: it starts with \"" + printable(head) + "\"");
  }
  std::optional<std::size_t> end;  // in `tail`
  const std::size_t tail_size = static_cast<std::size_t>(std::min<std::uint64_t>(zip_size, end_size + 0xFFFF));
  const std::uint64_t tail_at = zip_size - tail_size;
  const std::string tail(read(tail_at, tail_size));
  if (tail.size() >= end_size) {
    for (std::size_t at = tail.size() - end_size + 1; at-- > 0;) {
      if (le(tail, at, 4) == end_signature && at + end_size + le(tail, at + 20, 2) == tail.size()) {
        end = at;
        break;
      }
    }
  }
  if (!end) throw FileError(file, "truncated or damaged: no end-of-central-directory record (" +
                                      std::to_string(zip_size) + " bytes)");
  const std::uint64_t end_at = tail_at + *end;
  const std::uint32_t entries = le(tail, *end + 10, 2);
  const std::uint32_t directory_size = le(tail, *end + 12, 4);
  const std::uint32_t directory_offset = le(tail, *end + 16, 4);
  if (le(tail, *end + 4, 2) != 0 || le(tail, *end + 6, 2) != 0 || le(tail, *end + 8, 2) != entries) {
    throw FileError(file, "multi-disk zip archives are not supported");
  }
  if (entries == 0xFFFF || directory_size == 0xFFFFFFFFu || directory_offset == 0xFFFFFFFFu) {
    throw FileError(file, "ZIP64 archives are not supported");
  }
  if (std::uint64_t{directory_offset} + directory_size > end_at) {
    throw FileError(file, "truncated or damaged: the central directory (" + std::to_string(directory_size) +
                              " bytes at offset " + std::to_string(directory_offset) + ") runs past the end record at " +
                              std::to_string(end_at));
  }
  const std::string directory(read(directory_offset, directory_size));

  std::vector<ZipEntry> result;
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::string which = "zip entry " + std::to_string(i + 1) + " of " + std::to_string(entries);
    if (at + central_size > directory.size() || le(directory, at, 4) != central_signature) {
      throw FileError(file, "damaged central directory at " + which);
    }
    const std::uint32_t flags = le(directory, at + 8, 2);
    const std::uint32_t method = le(directory, at + 10, 2);
    const std::uint32_t crc = le(directory, at + 16, 4);
    const std::uint32_t compressed = le(directory, at + 20, 4);
    const std::uint32_t size = le(directory, at + 24, 4);
    const std::size_t name_length = le(directory, at + 28, 2);
    const std::size_t record_length = central_size + name_length + le(directory, at + 30, 2) + le(directory, at + 32, 2);
    const std::uint32_t local = le(directory, at + 42, 4);
    if (at + record_length > directory.size()) throw FileError(file, "damaged central directory at " + which);
    const std::string name(directory.substr(at + central_size, name_length));
    at += record_length;

    const std::string where = "entry '" + printable(name) + "'";
    if ((flags & 0x41u) != 0) throw FileError(file, where + " is encrypted");
    if (method == 8) throw FileError(file, where + " is compressed (deflate): save with numpy.savez, not savez_compressed");
    if (method != 0) throw FileError(file, where + " is compressed (method " + std::to_string(method) + "); only stored entries are supported");
    if (compressed == 0xFFFFFFFFu || size == 0xFFFFFFFFu || local == 0xFFFFFFFFu) {
      throw FileError(file, where + " uses ZIP64, which is not supported");
    }
    if (compressed != size) {
      throw FileError(file, where + " is stored but its sizes differ (" + std::to_string(compressed) + " and " +
                                std::to_string(size) + " bytes)");
    }
    if (std::uint64_t{local} + local_size > directory_offset) {
      throw FileError(file, where + ": no local header at offset " + std::to_string(local));
    }
    const std::string header(read(local, local_size));
    if (le(header, 0, 4) != local_signature) {
      throw FileError(file, where + ": no local header at offset " + std::to_string(local));
    }
    const std::uint64_t data_start = std::uint64_t{local} + local_size + le(header, 26, 2) + le(header, 28, 2);
    if (data_start + size > directory_offset) {
      throw FileError(file, "truncated or damaged: " + where + " (" + std::to_string(size) + " bytes at offset " +
                                std::to_string(data_start) + ") runs past the central directory at " +
                                std::to_string(directory_offset));
    }
    if (read(local + local_size, le(header, 26, 2)) != name) {
      throw FileError(file, where + ": the local header names another entry");
    }
    const ZipEntry entry{name, data_start, size, crc};
    verify(entry, where);
    if (!name.ends_with(".npy")) throw FileError(file, where + " is not a .npy array");
    for (const ZipEntry& e : result) {
      if (e.name == name) throw FileError(file, where + " appears twice");
    }
    result.push_back(entry);
  }
  return result;
}

// The directory of `file` read through its headers only (no CRC check: that needs every byte).
std::vector<ZipEntry> stored_entries(const fs::path& file) {
  const std::uintmax_t size = detail::check_input_file(file);
  return read_stored_zip(detail::file_reader(file), size, file, [](const ZipEntry&, const std::string&) {});
}

std::string entry_source(const fs::path& file, const std::string& entry_name) {
  return file.string() + ": entry '" + printable(entry_name) + "'";
}

}  // namespace

void save_npz(const fs::path& file, const std::vector<std::pair<std::string, Matrix>>& arrays) {
  std::set<std::string> seen;
  for (const auto& [name, matrix] : arrays) {
    if (name.empty()) throw FileError(file, "cannot write: an array name is empty");
    if (name.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      throw FileError(file, "cannot write: array name '" + printable(name) + "' contains '/', '\\' or NUL");
    }
    if (!seen.insert(name).second) throw FileError(file, "cannot write: array name '" + name + "' appears twice");
  }
  if (arrays.size() > 0xFFFF) throw FileError(file, "cannot write: more than 65535 arrays (no ZIP64 support)");

  std::string archive;
  std::string directory;
  for (const auto& [name, matrix] : arrays) {
    const std::string entry_name = name + ".npy";
    const std::string content = xt::dump_npy(matrix);
    const std::size_t offset = archive.size();
    if (content.size() > zip_limit || offset > zip_limit) {
      throw FileError(file, "cannot write: the archive would exceed 4 GiB (no ZIP64 support) at array '" + name + "'");
    }
    const std::uint32_t crc = zip_crc32(content);

    put32(archive, 0x04034b50u);  // local file header
    put_entry_fields(archive, crc, content.size(), entry_name.size());
    archive += entry_name;
    archive += content;

    put32(directory, 0x02014b50u);  // central directory header
    put16(directory, zip_version);  // version made by (MS-DOS attributes)
    put_entry_fields(directory, crc, content.size(), entry_name.size());
    put16(directory, 0);  // comment length
    put16(directory, 0);  // disk number
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, offset);
    directory += entry_name;
  }
  const std::size_t directory_offset = archive.size();
  if (directory_offset > zip_limit || directory.size() > zip_limit) {
    throw FileError(file, "cannot write: the archive would exceed 4 GiB (no ZIP64 support)");
  }
  archive += directory;
  put32(archive, 0x06054b50u);  // end of central directory
  put16(archive, 0);            // this disk
  put16(archive, 0);            // disk with the directory
  put16(archive, arrays.size());
  put16(archive, arrays.size());
  put32(archive, directory.size());
  put32(archive, directory_offset);
  put16(archive, 0);  // comment length
  write_file_atomically(file, archive);
}

std::vector<std::pair<std::string, Matrix>> load_npz(const fs::path& file) {
  const std::string bytes = detail::read_input_file(file);
  const std::string_view zip = bytes;
  const detail::ByteReader read = [zip](std::uint64_t offset, std::size_t size) {
    return zip.substr(static_cast<std::size_t>(offset), size);
  };
  const auto check_crc = [&](const ZipEntry& e, const std::string& where) {
    if (zip_crc32(zip.substr(e.offset, e.size)) != e.crc) {
      throw FileError(file, where + ": CRC mismatch (the archive is damaged)");
    }
  };
  std::vector<std::pair<std::string, Matrix>> arrays;
  for (const ZipEntry& e : read_stored_zip(read, bytes.size(), file, check_crc)) {
    arrays.emplace_back(e.name.substr(0, e.name.size() - 4),
                        parse_npy(zip.substr(e.offset, e.size), entry_source(file, e.name)));
  }
  return arrays;
}

std::vector<std::pair<std::string, NpyShape>> npz_shapes(const fs::path& file) {
  std::vector<std::pair<std::string, NpyShape>> shapes;
  for (const ZipEntry& e : stored_entries(file)) {
    shapes.emplace_back(e.name.substr(0, e.name.size() - 4),
                        detail::npy_image_shape(detail::file_reader(file, e.offset), e.size, entry_source(file, e.name)));
  }
  return shapes;
}

Matrix load_npz_columns(const fs::path& file, const std::string& name, std::size_t first, std::size_t count) {
  const std::vector<ZipEntry> entries = stored_entries(file);
  for (const ZipEntry& e : entries) {
    if (e.name == name + ".npy") {
      return detail::npy_image_columns(detail::file_reader(file, e.offset), e.size, entry_source(file, e.name), first,
                                       count);
    }
  }
  std::string names;
  for (const ZipEntry& e : entries) names += (names.empty() ? "" : ", ") + e.name.substr(0, e.name.size() - 4);
  throw FileError(file, "no array '" + printable(name) + "' (the archive has: " + (names.empty() ? "none" : names) + ")");
}

}  // namespace xgrad

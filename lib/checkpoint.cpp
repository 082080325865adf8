#include "xgrad/checkpoint.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "input_file.hpp"
#include "xgrad/error.hpp"
#include "xgrad/npy.hpp"

// The reader takes an .npz apart by its central directory (the authoritative list of
// entries; numpy's savez writes ZIP64 extra fields into the local headers only), checks
// every offset and size against the file before using it, and verifies each entry's CRC.

namespace xgrad {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& problem) {
  throw FileError(file.string() + ": " + problem);
}

std::string printable(std::string_view bytes, std::size_t limit = 60) {
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

std::string entry_text(const std::string& name, std::size_t row, std::size_t col) {
  return name + "(" + std::to_string(row) + ", " + std::to_string(col) + ")";
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

// The first non-finite entry of m, if any, as "NAME(r, c) is nan".
std::optional<std::string> non_finite(const std::string& name, const Matrix& m) {
  const std::size_t cols = m.shape(1);
  for (std::size_t k = 0; k < m.size(); ++k) {
    const double v = m.data()[k];
    if (!std::isfinite(v)) return entry_text(name, k / cols, k % cols) + " is " + number_text(v);
  }
  return std::nullopt;
}

constexpr std::array<std::uint32_t, 256> crc_table = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}();

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char b : bytes) c = crc_table[(c ^ static_cast<unsigned char>(b)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
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
  std::string_view data;
};

std::vector<ZipEntry> read_stored_zip(std::string_view zip, const fs::path& file) {
  if (zip.substr(0, 6) == "\x93NUMPY") fail(file, "is a .npy file, not an .npz archive");
  const std::uint32_t first = zip.size() >= 4 ? le(zip, 0, 4) : 0;
  if (first != local_signature && first != end_signature) {
    fail(file, "not an .npz (zip) archive: it starts with \"" + printable(zip.substr(0, 8)) + "\"");
  }
  std::optional<std::size_t> end;
  if (zip.size() >= end_size) {
    const std::size_t lowest = zip.size() - end_size - std::min<std::size_t>(zip.size() - end_size, 0xFFFF);
    for (std::size_t at = zip.size() - end_size + 1; at-- > lowest;) {
      if (le(zip, at, 4) == end_signature && at + end_size + le(zip, at + 20, 2) == zip.size()) {
        end = at;
        break;
      }
    }
  }
  if (!end) fail(file, "truncated or damaged: no end-of-central-directory record (" +
                           std::to_string(zip.size()) + " bytes)");
  const std::uint32_t entries = le(zip, *end + 10, 2);
  const std::uint32_t directory_size = le(zip, *end + 12, 4);
  const std::uint32_t directory_offset = le(zip, *end + 16, 4);
  if (le(zip, *end + 4, 2) != 0 || le(zip, *end + 6, 2) != 0 || le(zip, *end + 8, 2) != entries) {
    fail(file, "multi-disk zip archives are not supported");
  }
  if (entries == 0xFFFF || directory_size == 0xFFFFFFFFu || directory_offset == 0xFFFFFFFFu) {
    fail(file, "ZIP64 archives are not supported");
  }
  if (std::uint64_t{directory_offset} + directory_size > *end) {
    fail(file, "truncated or damaged: the central directory (" + std::to_string(directory_size) +
                   " bytes at offset " + std::to_string(directory_offset) + ") runs past the end record at " +
                   std::to_string(*end));
  }
  const std::string_view directory = zip.substr(directory_offset, directory_size);

  std::vector<ZipEntry> result;
  std::size_t at = 0;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::string which = "zip entry " + std::to_string(i + 1) + " of " + std::to_string(entries);
    if (at + central_size > directory.size() || le(directory, at, 4) != central_signature) {
      fail(file, "damaged central directory at " + which);
    }
    const std::uint32_t flags = le(directory, at + 8, 2);
    const std::uint32_t method = le(directory, at + 10, 2);
    const std::uint32_t crc = le(directory, at + 16, 4);
    const std::uint32_t compressed = le(directory, at + 20, 4);
    const std::uint32_t size = le(directory, at + 24, 4);
    const std::size_t name_length = le(directory, at + 28, 2);
    const std::size_t record_length = central_size + name_length + le(directory, at + 30, 2) + le(directory, at + 32, 2);
    const std::uint32_t local = le(directory, at + 42, 4);
    if (at + record_length > directory.size()) fail(file, "damaged central directory at " + which);
    const std::string name(directory.substr(at + central_size, name_length));
    at += record_length;

    const std::string where = "entry '" + printable(name) + "'";
    if ((flags & 0x41u) != 0) fail(file, where + " is encrypted");
    if (method == 8) fail(file, where + " is compressed (deflate): save with numpy.savez, not savez_compressed");
    if (method != 0) fail(file, where + " is compressed (method " + std::to_string(method) + "); only stored entries are supported");
    if (compressed == 0xFFFFFFFFu || size == 0xFFFFFFFFu || local == 0xFFFFFFFFu) {
      fail(file, where + " uses ZIP64, which is not supported");
    }
    if (compressed != size) {
      fail(file, where + " is stored but its sizes differ (" + std::to_string(compressed) + " and " +
                     std::to_string(size) + " bytes)");
    }
    if (std::uint64_t{local} + local_size > directory_offset || le(zip, local, 4) != local_signature) {
      fail(file, where + ": no local header at offset " + std::to_string(local));
    }
    const std::uint64_t data_start =
        std::uint64_t{local} + local_size + le(zip, local + 26, 2) + le(zip, local + 28, 2);
    if (data_start + size > directory_offset) {
      fail(file, "truncated or damaged: " + where + " (" + std::to_string(size) + " bytes at offset " +
                     std::to_string(data_start) + ") runs past the central directory at " +
                     std::to_string(directory_offset));
    }
    if (zip.substr(local + local_size, le(zip, local + 26, 2)) != name) {
      fail(file, where + ": the local header names another entry");
    }
    const std::string_view data = zip.substr(data_start, size);
    if (crc32(data) != crc) fail(file, where + ": CRC mismatch (the archive is damaged)");
    if (!name.ends_with(".npy")) fail(file, where + " is not a .npy array");
    for (const ZipEntry& e : result) {
      if (e.name == name) fail(file, where + " appears twice");
    }
    result.push_back({name, data});
  }
  return result;
}

// The layout of a float64 .npy image, checked against its size.
struct NpyArray {
  std::vector<std::uint64_t> shape;
  bool fortran_order = false;
  bool swap = false;
  std::string_view data;
};

// Parses the header dict {'descr': '<f8', 'fortran_order': False, 'shape': (3, 20), }.
class HeaderReader {
 public:
  HeaderReader(std::string_view text, const fs::path& file, const std::string& where)
      : text_(text), file_(file), where_(where) {}

  NpyArray read() {
    NpyArray array;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = quoted();
      expect(':');
      bool* seen = key == "descr" ? &seen_descr : key == "fortran_order" ? &seen_order : key == "shape" ? &seen_shape : nullptr;
      if (seen == nullptr) error("unexpected key '" + printable(key) + "'");
      if (*seen) error("duplicate key '" + key + "'");
      *seen = true;
      if (key == "descr") {
        const std::string descr = quoted();
        if (descr != "<f8" && descr != ">f8" && descr != "=f8") {
          error("dtype '" + printable(descr) + "' is not supported (parameters are float64, '<f8')");
        }
        const bool big = descr == ">f8" || (descr == "=f8" && std::endian::native == std::endian::big);
        array.swap = big != (std::endian::native == std::endian::big);
      } else if (key == "fortran_order") {
        array.fortran_order = boolean();
      } else {
        array.shape = tuple();
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the header dict");
    if (!seen_descr || !seen_order || !seen_shape) error("the header dict lacks 'descr', 'fortran_order' or 'shape'");
    return array;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(file_, where_ + ": bad .npy header: " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::strchr(" \t\r\n", text_[pos_]) != nullptr && text_[pos_] != '\0') ++pos_;
  }

  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!accept(c)) error(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }

  std::string quoted() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      error("expected a quoted string at offset " + std::to_string(pos_));
    }
    const std::size_t close = text_.find(text_[pos_], pos_ + 1);
    if (close == std::string_view::npos) error("unterminated string");
    std::string s(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return s;
  }

  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    error("'fortran_order' is not True or False");
  }

  std::vector<std::uint64_t> tuple() {
    std::vector<std::uint64_t> dims;
    expect('(');
    while (!accept(')')) {
      skip_space();
      std::uint64_t d = 0;
      const char* first = text_.data() + pos_;
      const auto [ptr, ec] = std::from_chars(first, text_.data() + text_.size(), d);
      if (ec != std::errc()) error("'shape' holds something other than non-negative integers");
      pos_ += static_cast<std::size_t>(ptr - first);
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
      dims.push_back(d);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }

  std::string_view text_;
  const fs::path& file_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

NpyArray read_npy(std::string_view bytes, const fs::path& file, const std::string& where) {
  if (bytes.substr(0, 6) != "\x93NUMPY") fail(file, where + " is not a .npy array (bad magic string)");
  if (bytes.size() < 10) fail(file, where + ": truncated .npy header");
  const auto major = static_cast<unsigned char>(bytes[6]);
  const auto minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail(file, where + ": unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) fail(file, where + ": truncated .npy header");
  const std::uint64_t header_end = 8 + length_bytes + std::uint64_t{le(bytes, 8, length_bytes)};
  if (header_end > bytes.size()) fail(file, where + ": truncated .npy header");
  NpyArray array = HeaderReader(bytes.substr(8 + length_bytes, header_end - 8 - length_bytes), file, where).read();
  std::uint64_t count = 1;
  for (const std::uint64_t d : array.shape) {
    if (d != 0 && count > std::numeric_limits<std::uint64_t>::max() / 8 / d) {
      fail(file, where + ": the declared shape overflows a byte count");
    }
    count *= d;
  }
  const std::uint64_t available = bytes.size() - header_end;
  if (available != count * 8) {
    fail(file, where + ": " + (available < count * 8 ? "truncated" : "trailing bytes") + ": the header declares " +
                   std::to_string(count * 8) + " bytes of data but the entry has " + std::to_string(available));
  }
  array.data = bytes.substr(header_end);
  return array;
}

std::string shape_text(const std::vector<std::uint64_t>& dims) {
  if (dims.size() == 2) return shape_string(dims[0], dims[1]);
  std::string out = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i > 0 ? ", " : "") + std::to_string(dims[i]);
  return out + (dims.size() == 1 ? ",)" : ")");
}

Matrix decode(const NpyArray& array) {
  const std::size_t rows = array.shape[0], cols = array.shape[1];
  Matrix m({rows, cols});
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      const std::size_t index = array.fortran_order ? i + j * rows : i * cols + j;
      std::array<char, 8> raw;
      std::memcpy(raw.data(), array.data.data() + 8 * index, 8);
      if (array.swap) std::reverse(raw.begin(), raw.end());
      m(i, j) = std::bit_cast<double>(raw);
    }
  }
  return m;
}

}  // namespace

void save_parameters(const fs::path& file, const Graph& graph) {
  std::vector<std::pair<std::string, Matrix>> arrays;
  for (const Parameter* p : graph.parameters()) {
    if (auto bad = non_finite(p->name, p->value)) fail(file, "cannot save: " + *bad);
    arrays.emplace_back(p->name, p->value);
  }
  save_npz(file, arrays);
}

void save_parameters(const fs::path& file, const Model& model) { save_parameters(file, model.graph()); }

void load_parameters(const fs::path& file, Graph& graph) {
  const std::string bytes = detail::read_input_file(file);
  const std::vector<ZipEntry> entries = read_stored_zip(bytes, file);
  std::vector<std::pair<std::string, NpyArray>> arrays;
  for (const ZipEntry& e : entries) {
    arrays.emplace_back(e.name.substr(0, e.name.size() - 4),
                        read_npy(e.data, file, "entry '" + printable(e.name) + "'"));
  }
  auto file_names = [&] {
    std::string names;
    for (const auto& [name, array] : arrays) names += (names.empty() ? "" : ", ") + printable(name);
    return names.empty() ? std::string("no arrays") : names;
  };

  const auto params = graph.parameters();
  std::vector<Matrix> values;
  for (const Parameter* p : params) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == p->name; });
    if (found == arrays.end()) fail(file, "no array '" + p->name + "' (the file has " + file_names() + ")");
    const std::vector<std::uint64_t>& dims = found->second.shape;
    if (dims.size() != 2 || dims[0] != p->value.shape(0) || dims[1] != p->value.shape(1)) {
      fail(file, p->name + " is " + shape_text(dims) + " in the file but the model has " + shape_string(p->value));
    }
  }
  for (const auto& [name, array] : arrays) {
    if (std::none_of(params.begin(), params.end(), [&](const Parameter* p) { return p->name == name; })) {
      fail(file, "the file has an array '" + printable(name) + "' that the model has no parameter for");
    }
  }
  for (const Parameter* p : params) {
    const auto found = std::find_if(arrays.begin(), arrays.end(), [&](const auto& a) { return a.first == p->name; });
    values.push_back(decode(found->second));
    if (auto bad = non_finite(p->name, values.back())) fail(file, *bad);
  }
  for (std::size_t i = 0; i < params.size(); ++i) xt::noalias(params[i]->value) = values[i];
}

void load_parameters(const fs::path& file, Model& model) { load_parameters(file, model.graph()); }

}  // namespace xgrad

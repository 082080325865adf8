#include <xgrad/io/npy.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include <xtensor/xnpy.hpp>

#include "io/input_file.hpp"
#include "io/npy_image.hpp"
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/core/error.hpp>

// Reading: xt::load_npy trusts the file (a truncated file loads garbage, a header length
// byte >= 0x80 is misread, a huge shape throws bad_alloc, no dtype conversion), so the
// header is parsed and checked here and the data converted element by element. Writing:
// xt::dump_npy produces a correct float64 C-order image, which is then written atomically.

namespace xgrad {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view npy_magic = "\x93NUMPY";

using detail::printable;

// The `file`/`source` strings below name what is read, for FileError: a path, or
// "<archive>: entry 'a.npy'".
struct HeaderValue {
  enum class Kind { string, boolean, tuple } kind;
  std::string text;
  bool flag = false;
  std::vector<std::uint64_t> dims;
};

// The header is a Python dict literal such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::vector<std::pair<std::string, HeaderValue>> parse_dict() {
    std::vector<std::pair<std::string, HeaderValue>> entries;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      std::string key = parse_string("a key");
      expect(':');
      entries.emplace_back(std::move(key), parse_value());
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') error("expected ',' or '}'");
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) error("unexpected text after the dict");
    return entries;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    std::string_view shown = text_;
    while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\n')) shown.remove_suffix(1);
    throw FileError(file_, "bad header dict: " + what + " at offset " + std::to_string(pos_) + " of \"" +
                               printable(shown) + "\"");
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expect(char c) {
    skip_space();
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++pos_;
  }

  bool accept_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::string parse_string(const char* what) {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') error(std::string("expected ") + what + " (a quoted string)");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) error("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    if (value.find('\\') != std::string::npos) error("escape sequences are not supported");
    pos_ = end + 1;
    return value;
  }

  std::uint64_t parse_integer() {
    skip_space();
    std::uint64_t value = 0;
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec == std::errc::result_out_of_range) error("shape entry is too large");
    if (ec != std::errc() || *first == '-' || *first == '+') error("expected a non-negative integer");
    pos_ += static_cast<std::size_t>(ptr - first);
    if (peek() == 'L') ++pos_;  // Python 2 long literal, as old numpy wrote
    return value;
  }

  HeaderValue parse_value() {
    skip_space();
    HeaderValue value{};
    if (peek() == '\'' || peek() == '"') {
      value.kind = HeaderValue::Kind::string;
      value.text = parse_string("a string");
    } else if (accept_word("True")) {
      value.kind = HeaderValue::Kind::boolean;
      value.flag = true;
    } else if (accept_word("False")) {
      value.kind = HeaderValue::Kind::boolean;
    } else if (peek() == '(') {
      value.kind = HeaderValue::Kind::tuple;
      ++pos_;
      bool trailing_comma = false;
      while (true) {
        skip_space();
        if (peek() == ')') break;
        value.dims.push_back(parse_integer());
        skip_space();
        trailing_comma = peek() == ',';
        if (trailing_comma) {
          ++pos_;
        } else if (peek() != ')') {
          error("expected ',' or ')' in the shape");
        }
      }
      ++pos_;
      if (value.dims.size() == 1 && !trailing_comma) error("a 1-D shape is written (n,), not (n)");
    } else if (peek() == '[') {
      error("a list value (a structured dtype) is not supported");
    } else {
      error("expected a string, True, False or a tuple");
    }
    return value;
  }

  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

struct Dtype {
  char kind;  // 'f', 'i' or 'b'
  std::size_t itemsize;
  bool swap;
  std::string name;
};

Dtype parse_dtype(const std::string& descr, const std::string& file) {
  std::string_view rest = descr;
  char order = '=';
  if (!rest.empty() && (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=')) {
    order = rest[0];
    rest.remove_prefix(1);
  }
  const bool big = order == '>' || (order == '=' && std::endian::native == std::endian::big);
  const bool little = order == '<' || (order == '=' && std::endian::native == std::endian::little);
  const bool swap = (big && std::endian::native == std::endian::little) ||
                    (little && std::endian::native == std::endian::big);
  if (rest == "f8") return {'f', 8, swap, "float64"};
  if (rest == "f4") return {'f', 4, swap, "float32"};
  if (rest == "i8") return {'i', 8, swap, "int64"};
  if (rest == "i4") return {'i', 4, swap, "int32"};
  if (rest == "b1" || rest == "?") return {'b', 1, false, "bool"};
  throw FileError(file, "unsupported dtype '" + printable(descr) +
                            "' (supported: float64, float32, int64, int32, bool, either byte order)");
}

struct NpyLayout {
  Dtype dtype;
  bool fortran_order;
  std::size_t rows;
  std::size_t cols;
  std::size_t data_offset;
  std::size_t data_bytes;
};

std::string join_dims(const std::vector<std::uint64_t>& dims) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += 'x';
    out += std::to_string(dims[i]);
  }
  return dims.empty() ? "()" : out;
}

NpyLayout parse_layout(std::string_view header, std::size_t data_offset, std::uintmax_t file_size,
                       const std::string& file) {
  HeaderParser parser(header, file);
  std::optional<HeaderValue> descr, fortran_order, shape;
  for (auto& [key, value] : parser.parse_dict()) {
    std::optional<HeaderValue>* slot = key == "descr"           ? &descr
                                       : key == "fortran_order" ? &fortran_order
                                       : key == "shape"         ? &shape
                                                                : nullptr;
    if (slot == nullptr) throw FileError(file, "bad header dict: unexpected key '" + printable(key) + "'");
    if (slot->has_value()) throw FileError(file, "bad header dict: duplicate key '" + key + "'");
    *slot = std::move(value);
  }
  for (const auto& [slot, key] : {std::pair{&descr, "descr"}, std::pair{&fortran_order, "fortran_order"},
                                  std::pair{&shape, "shape"}}) {
    if (!slot->has_value()) throw FileError(file, std::string("bad header dict: missing key '") + key + "'");
  }
  if (descr->kind != HeaderValue::Kind::string) throw FileError(file, "bad header dict: 'descr' is not a string");
  if (fortran_order->kind != HeaderValue::Kind::boolean) {
    throw FileError(file, "bad header dict: 'fortran_order' is not True or False");
  }
  if (shape->kind != HeaderValue::Kind::tuple) throw FileError(file, "bad header dict: 'shape' is not a tuple");

  const std::vector<std::uint64_t>& dims = shape->dims;
  if (dims.empty()) throw FileError(file, "0-D (scalar) array; expected a 1-D or 2-D array");
  if (dims.size() > 2) {
    throw FileError(file, std::to_string(dims.size()) + "-D array (shape " + join_dims(dims) +
                              "); expected a 1-D or 2-D array");
  }
  Dtype dtype = parse_dtype(descr->text, file);

  const std::size_t max = std::numeric_limits<std::size_t>::max();
  std::size_t bytes = dtype.itemsize;
  for (const std::uint64_t d : dims) {
    if (d > max || (d != 0 && bytes > max / d)) {
      throw FileError(file, "declared shape " + join_dims(dims) + " " + dtype.name + " overflows a byte count");
    }
    bytes *= static_cast<std::size_t>(d);
  }
  const std::uintmax_t available = file_size - data_offset;
  if (available != bytes) {
    const std::string declared = "header declares " + join_dims(dims) + " " + dtype.name + " (" +
                                 std::to_string(bytes) + " bytes of data) but the file has " +
                                 std::to_string(available);
    throw FileError(file, (available < bytes ? "truncated: " : "trailing bytes after the data: ") + declared);
  }
  const bool one_d = dims.size() == 1;
  return {std::move(dtype), fortran_order->flag, one_d ? 1 : static_cast<std::size_t>(dims[0]),
          static_cast<std::size_t>(one_d ? dims[0] : dims[1]), data_offset, bytes};
}

template <class T>
T read_element(const char* p, bool swap) {
  std::array<char, sizeof(T)> raw;
  std::memcpy(raw.data(), p, sizeof(T));
  if (swap) std::reverse(raw.begin(), raw.end());
  return std::bit_cast<T>(raw);
}

double element(const char* p, const Dtype& dtype, std::size_t index, const std::string& file) {
  switch (dtype.kind) {
    case 'f':
      return dtype.itemsize == 8 ? read_element<double>(p, dtype.swap)
                                 : static_cast<double>(read_element<float>(p, dtype.swap));
    case 'i':
      return dtype.itemsize == 8 ? static_cast<double>(read_element<std::int64_t>(p, dtype.swap))
                                 : static_cast<double>(read_element<std::int32_t>(p, dtype.swap));
    default: {
      const auto byte = static_cast<unsigned char>(*p);
      if (byte > 1) {
        throw FileError(file, "bool element " + std::to_string(index) + " holds byte value " +
                                  std::to_string(byte) + " (neither 0 nor 1)");
      }
      return byte;
    }
  }
}

// The layout of an .npy image of `size` bytes, read through `read` (header bytes only).
NpyLayout read_layout(const detail::ByteReader& read, std::uint64_t size, const std::string& source) {
  const std::string head(read(0, static_cast<std::size_t>(std::min<std::uint64_t>(size, 12))));
  if (head.substr(0, 6) != npy_magic) {
    throw FileError(source, "not a .npy file (bad magic string: expected \"\\x93NUMPY\", found \"" +
                                printable(std::string_view(head).substr(0, 6)) + "\")");
  }
  if (size < 10) throw FileError(source, "truncated: " + std::to_string(size) + " bytes, too short for a .npy header");
  const auto major = static_cast<unsigned char>(head[6]);
  const auto minor = static_cast<unsigned char>(head[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    throw FileError(source, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                                " (supported: 1.0, 2.0, 3.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (size < 8 + length_bytes) {
    throw FileError(source, "truncated: " + std::to_string(size) + " bytes, too short for a .npy header");
  }
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_length |= static_cast<std::size_t>(static_cast<unsigned char>(head[8 + i])) << (8 * i);
  }
  const std::size_t data_offset = 8 + length_bytes + header_length;
  if (size < data_offset) {
    throw FileError(source, "truncated header: the header length field says " + std::to_string(header_length) +
                                " bytes but only " + std::to_string(size - 8 - length_bytes) + " follow it");
  }
  return parse_layout(read(8 + length_bytes, header_length), data_offset, size, source);
}

// Columns first .. first + count - 1 of the image's (rows, cols) array, reading only their
// bytes: one read per row in C order, one read in Fortran order.
Matrix read_columns(const detail::ByteReader& read, const NpyLayout& layout, std::size_t first, std::size_t count,
                    const std::string& source) {
  if (first > layout.cols || count > layout.cols - first) {
    throw FileError(source, "columns " + std::to_string(first) + " + " + std::to_string(count) +
                                " asked for, but the array has " + std::to_string(layout.cols));
  }
  Matrix m({layout.rows, count});
  const std::size_t itemsize = layout.dtype.itemsize;
  if (count == 0 || layout.rows == 0) return m;
  if (layout.fortran_order) {
    const std::string_view data = read(layout.data_offset + first * layout.rows * itemsize, count * layout.rows * itemsize);
    for (std::size_t j = 0; j < count; ++j) {
      for (std::size_t i = 0; i < layout.rows; ++i) {
        const std::size_t k = j * layout.rows + i;
        m(i, j) = element(data.data() + k * itemsize, layout.dtype, first * layout.rows + k, source);
      }
    }
    return m;
  }
  for (std::size_t i = 0; i < layout.rows; ++i) {
    const std::size_t index = i * layout.cols + first;
    const std::string_view row = read(layout.data_offset + index * itemsize, count * itemsize);
    for (std::size_t j = 0; j < count; ++j) m(i, j) = element(row.data() + j * itemsize, layout.dtype, index + j, source);
  }
  return m;
}

detail::ByteReader memory_reader(std::string_view bytes) {
  return [bytes](std::uint64_t offset, std::size_t size) { return bytes.substr(static_cast<std::size_t>(offset), size); };
}

}  // namespace

namespace detail {

ByteReader file_reader(const fs::path& file, std::uint64_t base) {
  auto buffer = std::make_shared<std::string>();
  return [file, base, buffer](std::uint64_t offset, std::size_t size) {
    *buffer = read_input_range(file, base + offset, size);
    return std::string_view(*buffer);
  };
}

NpyShape npy_image_shape(const ByteReader& read, std::uint64_t size, const std::string& source) {
  const NpyLayout layout = read_layout(read, size, source);
  return {layout.rows, layout.cols};
}

Matrix npy_image_columns(const ByteReader& read, std::uint64_t size, const std::string& source, std::size_t first,
                         std::size_t count) {
  return read_columns(read, read_layout(read, size, source), first, count, source);
}

}  // namespace detail

Matrix parse_npy(std::string_view bytes, const std::string& source) {
  const detail::ByteReader read = memory_reader(bytes);
  const NpyLayout layout = read_layout(read, bytes.size(), source);
  return read_columns(read, layout, 0, layout.cols, source);
}

NpyShape npy_shape(const fs::path& file) {
  const std::uintmax_t size = detail::check_input_file(file);
  return detail::npy_image_shape(detail::file_reader(file), size, file.string());
}

Matrix load_npy_columns(const fs::path& file, std::size_t first, std::size_t count) {
  const std::uintmax_t size = detail::check_input_file(file);
  return detail::npy_image_columns(detail::file_reader(file), size, file.string(), first, count);
}

Matrix load_npy(const fs::path& file) { return parse_npy(detail::read_input_file(file), file.string()); }

std::string npy_image(const Matrix& m) { return xt::dump_npy(m); }

void save_npy(const fs::path& file, const Matrix& m) {
  write_file_atomically(file, npy_image(m));
}

}  // namespace xgrad

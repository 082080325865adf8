#include <xgrad/io/mat_file.hpp>

#include <H5Epublic.h>
#include <matio.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "io/input_file.hpp"
#include <xgrad/core/error.hpp>

namespace xgrad {

namespace fs = std::filesystem;

namespace {

struct MatCloser {
  void operator()(mat_t* mat) const noexcept { Mat_Close(mat); }
};
struct MatVarFreer {
  void operator()(matvar_t* var) const noexcept { Mat_VarFree(var); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, MatVarFreer>;

std::string class_name(matio_classes c) {
  switch (c) {
    case MAT_C_EMPTY: return "empty";
    case MAT_C_CELL: return "cell array";
    case MAT_C_STRUCT: return "struct";
    case MAT_C_OBJECT: return "object";
    case MAT_C_CHAR: return "char array";
    case MAT_C_SPARSE: return "sparse matrix";
    case MAT_C_DOUBLE: return "double";
    case MAT_C_SINGLE: return "single";
    case MAT_C_INT8: return "int8";
    case MAT_C_UINT8: return "uint8";
    case MAT_C_INT16: return "int16";
    case MAT_C_UINT16: return "uint16";
    case MAT_C_INT32: return "int32";
    case MAT_C_UINT32: return "uint32";
    case MAT_C_INT64: return "int64";
    case MAT_C_UINT64: return "uint64";
    case MAT_C_FUNCTION: return "function handle";
    case MAT_C_OPAQUE: return "opaque object";
  }
  return "unknown class " + std::to_string(static_cast<int>(c));
}

bool is_numeric(matio_classes c) {
  return c == MAT_C_DOUBLE || c == MAT_C_SINGLE || (c >= MAT_C_INT8 && c <= MAT_C_UINT64);
}

std::string dims_text(const matvar_t& var) {
  std::string out;
  for (int k = 0; k < var.rank; ++k) {
    if (k > 0) out += 'x';
    out += std::to_string(var.dims[k]);
  }
  return out;
}

}  // namespace

std::uint64_t mat_inflate_limit(std::uint64_t compressed_bytes) {
  constexpr std::uint64_t floor = std::uint64_t{64} << 20;
  return compressed_bytes > floor / 8 ? 8 * compressed_bytes : floor;
}

namespace {

// A MAT 5 file after its 128-byte header is a sequence of elements, each an 8-byte tag (type,
// byte count) and that many bytes; a variable (miMATRIX) holds a sequence of sub-elements
// (flags, dimensions, name, data; struct fields and cells are variables again), and a
// compressed element (miCOMPRESSED) holds a zlib stream of elements. matio reads a
// truncated file without complaint (the missing part comes back as zeros) and allocates
// whatever a tag declares before reading it (a dimensions tag claiming 3 GB in a 500-byte
// file), so every tag is checked against the bytes that contain it first.
class Mat5Checker {
 public:
  Mat5Checker(const fs::path& file, bool little) : file_(file), little_(little) {}

  void top_level(std::string_view bytes) {
    std::size_t pos = 128;
    while (pos < bytes.size()) {
      const std::size_t remaining = bytes.size() - pos;
      if (remaining < 8) {
        throw FileError(file_, "truncated: " + std::to_string(remaining) + " stray bytes after the last complete variable");
      }
      const auto [type, length, small] = tag(bytes, pos);
      if (length > remaining - 8) {
        throw FileError(file_, "truncated: the element at byte " + std::to_string(pos) + " declares " +
                                   std::to_string(length) + " bytes but the file ends " + std::to_string(remaining - 8) +
                                   " bytes after its tag");
      }
      const std::string_view content = bytes.substr(pos + 8, small ? 0 : length);
      if (type == mi_matrix) matrix(content, pos, 1);
      if (type == mi_compressed) elements(inflated(content, pos), pos, 0);
      pos += 8 + (small ? 0 : length);
    }
  }

 private:
  static constexpr std::uint32_t mi_matrix = 14;
  static constexpr std::uint32_t mi_compressed = 15;
  static constexpr int max_depth = 32;

  struct Tag {
    std::uint32_t type;
    std::uint64_t length;
    bool small;  // the data (at most 4 bytes) is packed into the tag
  };

  std::uint32_t word(std::string_view bytes, std::size_t at) const {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v |= std::uint32_t{static_cast<unsigned char>(bytes[at + (little_ ? i : 3 - i)])} << (8 * i);
    }
    return v;
  }

  Tag tag(std::string_view bytes, std::size_t at) const {
    const std::uint32_t first = word(bytes, at);
    if ((first >> 16) != 0) return {first & 0xFFFFu, first >> 16, true};
    return {first, word(bytes, at + 4), false};
  }

  [[noreturn]] void damaged(std::size_t variable_at, const std::string& what) const {
    throw FileError(file_, "damaged: the variable at byte " + std::to_string(variable_at) + " " + what);
  }

  // A variable: array flags (its class), dimensions, name, then sub-elements. matio reads the
  // first three at fixed places whatever their tags say (16 bytes of flags; dimensions only
  // when their tag says miINT32, otherwise none; then the name's tag), and allocates what the
  // dimensions and the name's tag declare before reading them; so the same places are read
  // here, the same way, and every declared size is held to the bytes of the variable. matio
  // also allocates per element of the dimensions (data, cells, struct fields) before reading
  // them; each takes at least a byte of the variable (sparse matrices excepted: they store
  // only non-zeros), each cell or field value at least its 8-byte tag.
  void matrix(std::string_view bytes, std::size_t variable_at, int depth) const {
    constexpr std::uint32_t mi_int8 = 1, mi_int32 = 5, array_flags_type = 6;
    constexpr std::uint32_t cell = 1, structure = 2, object = 3, sparse = 5, last_array_class = 15;
    if (bytes.empty()) return;  // an empty cell or field value
    if (bytes.size() < 24) {
      damaged(variable_at, "has a variable of " + std::to_string(bytes.size()) +
                               " bytes, too short for its array flags and dimensions");
    }
    const Tag flags = tag(bytes, 0);
    if (flags.small || flags.type != array_flags_type || flags.length != 8) {
      damaged(variable_at, "has no valid array flags element");
    }
    const std::uint32_t array_class = word(bytes, 8) & 0xFFu;
    const bool has_dims = word(bytes, 16) == mi_int32;
    if (!has_dims && array_class >= 1 && array_class <= last_array_class) {
      damaged(variable_at, "has no valid dimensions element");
    }
    std::size_t pos = 24;
    std::uint64_t count = 1;
    if (has_dims) {
      const std::uint64_t length = word(bytes, 20);
      if (length % 4 != 0 || length > bytes.size() - 24) damaged(variable_at, "has no valid dimensions element");
      const std::size_t rank = static_cast<std::size_t>(length / 4);
      for (std::size_t k = 0; k < rank; ++k) {
        const std::uint64_t d = word(bytes, 24 + 4 * k);
        if (array_class != sparse && (d > 0x7FFFFFFFu || (d != 0 && count > bytes.size() / d))) {
          damaged(variable_at, "declares dimensions that its " + std::to_string(bytes.size()) + " bytes cannot hold");
        }
        count *= d;
      }
      pos += 4 * rank + (rank % 2) * 4;
    }
    // The name, then (objects) the class name: miINT8 elements, or packed into their tags.
    // matio hands names on as C strings, so a NUL inside one would cut it short (a name
    // "X<NUL>junk" would be read as X): refused.
    const auto refuse_nul = [&](const char* what, std::size_t start, std::uint64_t length) {
      for (std::uint64_t k = 0; k < length; ++k) {
        if (bytes[start + k] == 0) {
          damaged(variable_at, std::string("has a ") + what + " of " + std::to_string(length) +
                                   " bytes with a NUL byte at offset " + std::to_string(k));
        }
      }
    };
    const auto skip_text = [&](const char* what) {
      if (pos > bytes.size() || bytes.size() - pos < 8) damaged(variable_at, std::string("has no ") + what + " element");
      const std::uint32_t head = word(bytes, pos);
      if (head == mi_int8) {
        const std::uint64_t length = word(bytes, pos + 4);
        if (length > bytes.size() - pos - 8) {
          damaged(variable_at, std::string("has a ") + what + " of " + std::to_string(length) + " bytes where only " +
                                   std::to_string(bytes.size() - pos - 8) + " remain");
        }
        refuse_nul(what, pos + 8, length);
        pos += 8 + static_cast<std::size_t>((length + 7) / 8 * 8);
      } else {
        // Packed: the length in the tag's upper half, up to 4 bytes of text after it.
        if ((head & 0xFFFFu) == mi_int8) refuse_nul(what, pos + 4, std::min<std::uint64_t>(head >> 16, 4));
        pos += 8;
      }
    };
    skip_text("name");
    if (array_class == cell && count > bytes.size() / 8) {
      damaged(variable_at, "declares " + std::to_string(count) + " cells that its " + std::to_string(bytes.size()) +
                               " bytes cannot hold");
    }
    if (array_class == structure || array_class == object) {
      if (array_class == object) skip_text("class name");
      // Field name length (packed miINT32), then the names, each that long: matio allocates
      // a value per field and element before reading any.
      if (pos > bytes.size() || bytes.size() - pos < 16) damaged(variable_at, "has no field names");
      const Tag name_length = tag(bytes, pos);
      const std::uint64_t field_name_length = word(bytes, pos + 4);
      if (!name_length.small || name_length.type != mi_int32 || field_name_length == 0) {
        damaged(variable_at, "has no valid field name length");
      }
      const Tag names = tag(bytes, pos + 8);
      if (names.small || names.type != mi_int8 || names.length > bytes.size() - pos - 16) {
        damaged(variable_at, "has no valid field names element");
      }
      const std::uint64_t fields = names.length / field_name_length;
      if (fields != 0 && count > bytes.size() / 8 / fields) {
        damaged(variable_at, "declares " + std::to_string(count) + " elements of " + std::to_string(fields) +
                                 " fields that its " + std::to_string(bytes.size()) + " bytes cannot hold");
      }
    }
    elements(bytes, variable_at, depth);
  }

  // The sub-elements of a variable's (or a decompressed element's) content.
  void elements(std::string_view bytes, std::size_t variable_at, int depth) const {
    if (depth > max_depth) damaged(variable_at, "nests more than " + std::to_string(max_depth) + " levels deep");
    std::size_t pos = 0;
    while (bytes.size() - pos >= 8) {
      const auto [type, length, small] = tag(bytes, pos);
      if (small && length > 4) damaged(variable_at, "has a packed element of " + std::to_string(length) + " bytes");
      if (length > bytes.size() - pos - 8) {
        damaged(variable_at, "has an element declaring " + std::to_string(length) + " bytes where only " +
                                 std::to_string(bytes.size() - pos - 8) + " remain");
      }
      if (!small && type == mi_matrix) matrix(bytes.substr(pos + 8, length), variable_at, depth + 1);
      const std::uint64_t padded = small ? 0 : (length + 7) / 8 * 8;
      pos += static_cast<std::size_t>(std::min<std::uint64_t>(8 + padded, bytes.size() - pos));
    }
  }

  // Stops with FileError as soon as the output passes inflate_limit(compressed.size()).
  std::string inflated(std::string_view compressed, std::size_t variable_at) const {
    const std::uint64_t limit = mat_inflate_limit(compressed.size());
    z_stream z{};
    if (inflateInit(&z) != Z_OK) damaged(variable_at, "cannot be decompressed (zlib failed to start)");
    std::string out;
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(limit, 4 * std::uint64_t{compressed.size()})));
    std::array<char, 16384> chunk{};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = static_cast<uInt>(compressed.size());
    int status = Z_OK;
    while (status == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      status = inflate(&z, Z_NO_FLUSH);
      const std::size_t produced = chunk.size() - z.avail_out;
      if (out.size() + produced > limit) {
        inflateEnd(&z);
        damaged(variable_at, "is compressed (" + std::to_string(compressed.size()) +
                                 " bytes) and decompresses to more than " + std::to_string(limit) +
                                 " bytes, the limit for a compressed variable (max(64 MiB, 8 x its compressed size))");
      }
      if (out.size() + produced > out.capacity()) {  // grow, but never past the limit
        out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(limit, 2 * std::uint64_t{out.capacity()} + produced)));
      }
      out.append(chunk.data(), produced);
      if (status == Z_BUF_ERROR && z.avail_in == 0) break;
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END && status != Z_BUF_ERROR) {
      damaged(variable_at, "is compressed but not a valid zlib stream");
    }
    return out;
  }

  const fs::path& file_;
  bool little_;
};

void check_mat5_framing(const fs::path& file, std::uintmax_t size) {
  const std::string bytes = detail::read_input_file(file);
  if (bytes.size() < 128) {
    throw FileError(file, "truncated: " + std::to_string(size) + " bytes, shorter than a MAT 5 header");
  }
  const bool little = bytes[126] == 'I' && bytes[127] == 'M';
  if (!little && !(bytes[126] == 'M' && bytes[127] == 'I')) {
    throw FileError(file, "not a valid MAT 5 file (bad byte-order mark)");
  }
  Mat5Checker(file, little).top_level(bytes);
}

// MAT 5 and 7.3 files start with a 128-byte header ending in a version (0x0100 or 0x0200)
// and a byte-order mark "IM" or "MI"; matio reads anything else as MAT 4.
bool has_mat5_header(const fs::path& file, std::uintmax_t size) {
  if (size < 128) return false;
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 128> header{};
  if (!in.read(reinterpret_cast<char*>(header.data()), header.size())) return false;
  const bool little = header[126] == 'I' && header[127] == 'M';
  const bool big = header[126] == 'M' && header[127] == 'I';
  const unsigned version = little ? header[124] | header[125] << 8 : header[124] << 8 | header[125];
  return (little || big) && (version == 0x0100 || version == 0x0200);
}

// matio trusts a MAT 4 file's headers: it allocates a declared name length or matrix size
// before noticing that the file is far shorter (a 100-byte file can make it allocate 2 GB),
// so the framing is checked first. Each variable is a 20-byte header of five int32 (type
// MOPT, rows, columns, imaginary flag, name length, in the byte order M gives), the name,
// then rows * columns elements of type P, twice when there is an imaginary part.
void check_mat4_framing(const fs::path& file, std::uintmax_t size) {
  static constexpr std::array<std::uintmax_t, 6> element_size{8, 4, 4, 2, 2, 1};
  std::ifstream in(file, std::ios::binary);
  std::uintmax_t pos = 0;
  for (int index = 1; pos < size; ++index) {
    const std::string which = "variable " + std::to_string(index) + " (at byte " + std::to_string(pos) + ")";
    const std::string bad = index == 1 ? "not a MAT file (no MAT 5 header, and not a valid MAT 4 variable: "
                                       : "damaged MAT 4 file (";
    std::array<unsigned char, 20> header{};
    if (size - pos < header.size() || !in.read(reinterpret_cast<char*>(header.data()), header.size())) {
      if (index == 1) throw FileError(file, bad + "shorter than a variable header)");
      throw FileError(file, "truncated: " + std::to_string(size - pos) + " stray bytes after the last complete variable");
    }
    auto word = [&header](int k, bool swap) {
      std::uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= std::uint32_t{header[4 * k + (swap ? 3 - i : i)]} << (8 * i);
      return v;
    };
    bool swap = false;
    std::uint32_t type = word(0, false);
    if (type > 4052) {
      swap = true;
      type = word(0, true);
    }
    if (type > 1052 || type / 100 % 10 != 0 || type / 10 % 10 > 5 || type % 10 > 2) {
      throw FileError(file, bad + which + " has type code " + std::to_string(static_cast<std::int32_t>(word(0, false))) + ")");
    }
    const auto rows = static_cast<std::int32_t>(word(1, swap));
    const auto cols = static_cast<std::int32_t>(word(2, swap));
    const auto imaginary = static_cast<std::int32_t>(word(3, swap));
    const auto name_length = static_cast<std::int32_t>(word(4, swap));
    if (rows < 0 || cols < 0 || (imaginary != 0 && imaginary != 1) || name_length < 1) {
      throw FileError(file, bad + which + " declares " + std::to_string(rows) + "x" + std::to_string(cols) +
                                ", imaginary flag " + std::to_string(imaginary) + ", name length " +
                                std::to_string(name_length) + ")");
    }
    const std::uintmax_t remaining = size - pos - header.size();
    const std::uintmax_t elements = std::uintmax_t(rows) * std::uintmax_t(cols);
    const std::uintmax_t bytes_per_element = element_size[type / 10 % 10] * (imaginary != 0 ? 2 : 1);
    if (std::uintmax_t(name_length) > remaining || elements > (remaining - name_length) / bytes_per_element) {
      throw FileError(file, "truncated: " + which + " declares a " + std::to_string(name_length) + "-byte name and " +
                                std::to_string(rows) + "x" + std::to_string(cols) + (imaginary != 0 ? " complex" : "") +
                                " elements but only " + std::to_string(remaining) + " bytes follow its header");
    }
    pos += header.size() + name_length + elements * bytes_per_element;
    in.seekg(static_cast<std::streamoff>(pos));
  }
}

// HDF5 (under matio, for MAT 7.3 files) prints its whole error stack to stderr when a call
// fails: a damaged file gave 15-213 lines before xgrad's own one-line error. While a MAT file
// is read its automatic printing is off; the caller's setting is put back afterwards. (With a
// non-thread-safe HDF5 the setting is process-wide: reading MAT files from two threads at
// once may print or not, never change what is read.)
class HdfQuiet {
 public:
  HdfQuiet() {
    if (H5Eget_auto2(H5E_DEFAULT, &function_, &data_) >= 0) {
      saved_ = true;
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
  }
  ~HdfQuiet() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, function_, data_);
  }
  HdfQuiet(const HdfQuiet&) = delete;
  HdfQuiet& operator=(const HdfQuiet&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
  bool saved_ = false;
};

MatFile open_mat(const fs::path& file) {
  const std::uintmax_t size = detail::check_input_file(file);
  if (!has_mat5_header(file, size)) check_mat4_framing(file, size);
  MatFile mat(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw FileError(file, "not a MAT file (matio cannot open it)");
  if (Mat_GetVersion(mat.get()) == MAT_FT_MAT5) check_mat5_framing(file, size);
  if (Mat_GetVersion(mat.get()) == MAT_FT_MAT4) check_mat4_framing(file, size);
  return mat;
}

std::vector<std::string> variable_names(mat_t* mat) {
  std::vector<std::string> names;
  Mat_Rewind(mat);
  while (MatVar var{Mat_VarReadNextInfo(mat)}) names.emplace_back(var->name ? var->name : "(unnamed)");
  Mat_Rewind(mat);
  return names;
}

template <class T>
void convert(const void* data, std::size_t rows, std::size_t cols, Matrix& out) {
  const T* values = static_cast<const T*>(data);
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i < rows; ++i) out(i, j) = static_cast<double>(values[i + j * rows]);
  }
}

// The header of variable `name` (no data read), checked: it exists, is a real 2-D numeric
// matrix that is not empty, and its size is one the file can hold.
MatVar checked_info(mat_t* mat, const fs::path& file, const std::string& name) {
  const std::string variable = "variable '" + name + "'";
  MatVar info{Mat_VarReadInfo(mat, name.c_str())};
  if (!info) {
    const std::vector<std::string> names = variable_names(mat);
    if (names.empty()) throw FileError(file, "no " + variable + ": no variables could be read (not a MAT file, or a damaged one)");
    std::string list;
    for (const auto& n : names) {
      if (!list.empty()) list += ", ";
      list += n;
    }
    throw FileError(file, "no " + variable + " (the file has: " + list + ")");
  }
  if (info->class_type == MAT_C_EMPTY) throw FileError(file, variable + " is empty");
  if (!is_numeric(info->class_type)) {
    const std::string kind = class_name(info->class_type);
    const bool vowel = std::string_view("aeiou").find(kind[0]) != std::string_view::npos;
    throw FileError(file, variable + " is " + (vowel ? "an " : "a ") + kind + ", not a numeric matrix");
  }
  if (info->isComplex) throw FileError(file, variable + " is complex (" + class_name(info->class_type) + "); expected real numbers");
  if (info->rank != 2) {
    throw FileError(file, variable + " is " + std::to_string(info->rank) + "-D (" + dims_text(*info) +
                              "); expected a 2-D matrix");
  }

  // Deflate expands at most 1032:1, so no file holds more elements than that many times its
  // size; matio would allocate whatever the dimensions say.
  std::error_code ec;
  const std::uintmax_t limit = 1032 * (fs::file_size(file, ec) + 1);
  std::uintmax_t elements = 1;
  for (int k = 0; k < info->rank; ++k) {
    if (info->dims[k] != 0 && elements > limit / info->dims[k]) {
      throw FileError(file, variable + " declares " + dims_text(*info) + " elements, more than the file can hold (damaged file?)");
    }
    elements *= info->dims[k];
  }
  if (info->dims[0] == 0 || info->dims[1] == 0) throw FileError(file, variable + " is empty (" + dims_text(*info) + ")");
  return info;
}

Matrix read_variable(mat_t* mat, const fs::path& file, const std::string& name) {
  const std::string variable = "variable '" + name + "'";
  checked_info(mat, file, name);
  MatVar var{Mat_VarRead(mat, name.c_str())};
  if (!var) throw FileError(file, "cannot read " + variable + " (corrupt file?)");
  if (var->rank != 2) throw FileError(file, variable + " changed rank while being read (corrupt file?)");
  const std::size_t rows = var->dims[0];
  const std::size_t cols = var->dims[1];
  if (rows == 0 || cols == 0) throw FileError(file, variable + " is empty (" + dims_text(*var) + ")");
  const std::size_t element_size = Mat_SizeOf(var->data_type);
  if (element_size == 0 || rows > std::numeric_limits<std::size_t>::max() / cols / element_size) {
    throw FileError(file, variable + " has an unusable size " + dims_text(*var) + " (corrupt file?)");
  }
  if (var->data == nullptr || var->nbytes < rows * cols * element_size) {
    throw FileError(file, "cannot read the data of " + variable + " (corrupt file?)");
  }

  Matrix out({rows, cols});
  switch (var->data_type) {
    case MAT_T_DOUBLE: convert<double>(var->data, rows, cols, out); break;
    case MAT_T_SINGLE: convert<float>(var->data, rows, cols, out); break;
    case MAT_T_INT8: convert<std::int8_t>(var->data, rows, cols, out); break;
    case MAT_T_UINT8: convert<std::uint8_t>(var->data, rows, cols, out); break;
    case MAT_T_INT16: convert<std::int16_t>(var->data, rows, cols, out); break;
    case MAT_T_UINT16: convert<std::uint16_t>(var->data, rows, cols, out); break;
    case MAT_T_INT32: convert<std::int32_t>(var->data, rows, cols, out); break;
    case MAT_T_UINT32: convert<std::uint32_t>(var->data, rows, cols, out); break;
    case MAT_T_INT64: convert<std::int64_t>(var->data, rows, cols, out); break;
    case MAT_T_UINT64: convert<std::uint64_t>(var->data, rows, cols, out); break;
    default:
      throw FileError(file, variable + " holds data of matio type " + std::to_string(static_cast<int>(var->data_type)) +
                                ", not a number type");
  }
  return out;
}

template <class T>
void convert_rows(const std::vector<char>& buffer, std::size_t rows, std::size_t cols, Matrix& out) {
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i < rows; ++i) {
      T value;
      std::memcpy(&value, buffer.data() + (i + j * rows) * sizeof(T), sizeof(T));
      out(i, j) = static_cast<double>(value);
    }
  }
}

// Rows first .. first + count - 1 of variable `name`, as read_variable gives them, through
// matio's hyperslab read (Mat_VarReadData): only those rows' data is converted and kept.
Matrix read_variable_rows(mat_t* mat, const fs::path& file, const std::string& name, std::size_t first,
                          std::size_t count) {
  const std::string variable = "variable '" + name + "'";
  MatVar info = checked_info(mat, file, name);
  const std::size_t rows = info->dims[0];
  const std::size_t cols = info->dims[1];
  if (first > rows || count > rows - first) {
    throw FileError(file, variable + ": rows " + std::to_string(first) + " + " + std::to_string(count) +
                              " asked for, but it has " + std::to_string(rows));
  }
  Matrix out({count, cols});
  if (count == 0) return out;
  const std::size_t element_size = Mat_SizeOfClass(info->class_type);
  if (element_size == 0 || count > std::numeric_limits<std::size_t>::max() / cols / element_size ||
      count > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      cols > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      first > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw FileError(file, variable + " has an unusable size " + dims_text(*info) + " for a share read");
  }
  std::vector<char> buffer(count * cols * element_size);
  int start[2] = {static_cast<int>(first), 0};
  int stride[2] = {1, 1};
  int edge[2] = {static_cast<int>(count), static_cast<int>(cols)};
  if (Mat_VarReadData(mat, info.get(), buffer.data(), start, stride, edge) != 0) {
    throw FileError(file, "cannot read rows " + std::to_string(first) + " + " + std::to_string(count) + " of " +
                              variable + " (corrupt file?)");
  }
  switch (info->class_type) {
    case MAT_C_DOUBLE: convert_rows<double>(buffer, count, cols, out); break;
    case MAT_C_SINGLE: convert_rows<float>(buffer, count, cols, out); break;
    case MAT_C_INT8: convert_rows<std::int8_t>(buffer, count, cols, out); break;
    case MAT_C_UINT8: convert_rows<std::uint8_t>(buffer, count, cols, out); break;
    case MAT_C_INT16: convert_rows<std::int16_t>(buffer, count, cols, out); break;
    case MAT_C_UINT16: convert_rows<std::uint16_t>(buffer, count, cols, out); break;
    case MAT_C_INT32: convert_rows<std::int32_t>(buffer, count, cols, out); break;
    case MAT_C_UINT32: convert_rows<std::uint32_t>(buffer, count, cols, out); break;
    case MAT_C_INT64: convert_rows<std::int64_t>(buffer, count, cols, out); break;
    case MAT_C_UINT64: convert_rows<std::uint64_t>(buffer, count, cols, out); break;
    default: throw FileError(file, variable + " is " + class_name(info->class_type) + ", not a numeric matrix");
  }
  return out;
}

Dataset read_dataset(mat_t* mat, const fs::path& file, const std::string& x_name, const std::string& y_name,
                     const LabelRule& labels) {
  Dataset data{xt::transpose(read_variable(mat, file, x_name)), xt::transpose(read_variable(mat, file, y_name))};
  try {
    validate_dataset(data, file.string() + ": " + x_name + "/" + y_name, labels);
  } catch (const FileError&) {
    throw;
  } catch (const InputError& e) {
    throw FileError(e.what());
  }
  return data;
}

}  // namespace

Matrix load_mat_variable(const fs::path& file, const std::string& name) {
  const HdfQuiet quiet;
  MatFile mat = open_mat(file);
  return read_variable(mat.get(), file, name);
}

Dataset load_mat_dataset(const fs::path& file, const std::string& x_name, const std::string& y_name,
                         const LabelRule& labels) {
  const HdfQuiet quiet;
  MatFile mat = open_mat(file);
  return read_dataset(mat.get(), file, x_name, y_name, labels);
}

MatShape mat_variable_shape(const fs::path& file, const std::string& name) {
  const HdfQuiet quiet;
  MatFile mat = open_mat(file);
  const MatVar info = checked_info(mat.get(), file, name);
  return {info->dims[0], info->dims[1]};
}

Matrix load_mat_rows(const fs::path& file, const std::string& name, std::size_t first, std::size_t count) {
  const HdfQuiet quiet;
  MatFile mat = open_mat(file);
  return read_variable_rows(mat.get(), file, name, first, count);
}

TrainTest load_mat_train_test(const fs::path& file, const std::string& x_train, const std::string& y_train,
                              const std::string& x_test, const std::string& y_test, const LabelRule& labels) {
  const HdfQuiet quiet;
  MatFile mat = open_mat(file);
  TrainTest sets{read_dataset(mat.get(), file, x_train, y_train, labels),
                 read_dataset(mat.get(), file, x_test, y_test, labels)};
  if (sets.train.features() != sets.test.features()) {
    throw FileError(file, "the training set (" + x_train + ") has " + std::to_string(sets.train.features()) +
                              " features but the test set (" + x_test + ") has " + std::to_string(sets.test.features()));
  }
  return sets;
}

}  // namespace xgrad

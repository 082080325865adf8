#include "xgrad/mat_file.hpp"

#include <matio.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

#include "input_file.hpp"
#include "xgrad/error.hpp"

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

[[noreturn]] void fail(const fs::path& file, const std::string& problem) {
  throw FileError(file.string() + ": " + problem);
}

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

// matio reads a truncated v5 file without complaint (the missing part comes back as zeros),
// so the top-level framing is checked first: after the 128-byte header the file is a
// sequence of elements, each an 8-byte tag (type, byte count) and that many bytes.
void check_mat5_framing(const fs::path& file, std::uintmax_t size) {
  std::ifstream in(file, std::ios::binary);
  std::array<unsigned char, 128> header{};
  if (!in.read(reinterpret_cast<char*>(header.data()), header.size())) {
    fail(file, "truncated: " + std::to_string(size) + " bytes, shorter than a MAT 5 header");
  }
  const bool little = header[126] == 'I' && header[127] == 'M';
  if (!little && !(header[126] == 'M' && header[127] == 'I')) {
    fail(file, "not a valid MAT 5 file (bad byte-order mark)");
  }
  auto word = [little](const unsigned char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{p[little ? i : 3 - i]} << (8 * i);
    return v;
  };
  std::uintmax_t pos = header.size();
  while (pos < size) {
    const std::uintmax_t remaining = size - pos;
    std::array<unsigned char, 8> tag{};
    if (remaining < tag.size() || !in.read(reinterpret_cast<char*>(tag.data()), tag.size())) {
      fail(file, "truncated: " + std::to_string(remaining) + " stray bytes after the last complete variable");
    }
    const std::uint32_t type = word(tag.data());
    const bool small_element = (type >> 16) != 0;
    const std::uintmax_t length = small_element ? 0 : word(tag.data() + 4);
    if (length > remaining - tag.size()) {
      fail(file, "truncated: the element at byte " + std::to_string(pos) + " declares " +
                     std::to_string(length) + " bytes but the file ends " +
                     std::to_string(remaining - tag.size()) + " bytes after its tag");
    }
    pos += tag.size() + length;
    in.seekg(static_cast<std::streamoff>(pos));
  }
}

MatFile open_mat(const fs::path& file) {
  const std::uintmax_t size = detail::check_input_file(file);
  MatFile mat(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
  if (!mat) fail(file, "not a MAT file (matio cannot open it)");
  if (Mat_GetVersion(mat.get()) == MAT_FT_MAT5) check_mat5_framing(file, size);
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

Matrix read_variable(mat_t* mat, const fs::path& file, const std::string& name) {
  const std::string variable = "variable '" + name + "'";
  MatVar info{Mat_VarReadInfo(mat, name.c_str())};
  if (!info) {
    const std::vector<std::string> names = variable_names(mat);
    if (names.empty()) fail(file, "no " + variable + ": no variables could be read (not a MAT file, or a damaged one)");
    std::string list;
    for (const auto& n : names) {
      if (!list.empty()) list += ", ";
      list += n;
    }
    fail(file, "no " + variable + " (the file has: " + list + ")");
  }
  if (info->class_type == MAT_C_EMPTY) fail(file, variable + " is empty");
  if (!is_numeric(info->class_type)) {
    const std::string kind = class_name(info->class_type);
    const bool vowel = std::string_view("aeiou").find(kind[0]) != std::string_view::npos;
    fail(file, variable + " is " + (vowel ? "an " : "a ") + kind + ", not a numeric matrix");
  }
  if (info->isComplex) fail(file, variable + " is complex (" + class_name(info->class_type) + "); expected real numbers");
  if (info->rank != 2) {
    fail(file, variable + " is " + std::to_string(info->rank) + "-D (" + dims_text(*info) +
                   "); expected a 2-D matrix");
  }

  MatVar var{Mat_VarRead(mat, name.c_str())};
  if (!var) fail(file, "cannot read " + variable + " (corrupt file?)");
  if (var->rank != 2) fail(file, variable + " changed rank while being read (corrupt file?)");
  const std::size_t rows = var->dims[0];
  const std::size_t cols = var->dims[1];
  if (rows == 0 || cols == 0) fail(file, variable + " is empty (" + dims_text(*var) + ")");
  const std::size_t element_size = Mat_SizeOf(var->data_type);
  if (element_size == 0 || rows > std::numeric_limits<std::size_t>::max() / cols / element_size) {
    fail(file, variable + " has an unusable size " + dims_text(*var) + " (corrupt file?)");
  }
  if (var->data == nullptr || var->nbytes < rows * cols * element_size) {
    fail(file, "cannot read the data of " + variable + " (corrupt file?)");
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
      fail(file, variable + " holds data of matio type " + std::to_string(static_cast<int>(var->data_type)) +
                     ", not a number type");
  }
  return out;
}

Dataset read_dataset(mat_t* mat, const fs::path& file, const std::string& x_name, const std::string& y_name) {
  Dataset data{xt::transpose(read_variable(mat, file, x_name)), xt::transpose(read_variable(mat, file, y_name))};
  try {
    validate_dataset(data, file.string() + ": " + x_name + "/" + y_name);
  } catch (const FileError&) {
    throw;
  } catch (const InputError& e) {
    throw FileError(e.what());
  }
  return data;
}

}  // namespace

Matrix load_mat_variable(const fs::path& file, const std::string& name) {
  MatFile mat = open_mat(file);
  return read_variable(mat.get(), file, name);
}

Dataset load_mat_dataset(const fs::path& file, const std::string& x_name, const std::string& y_name) {
  MatFile mat = open_mat(file);
  return read_dataset(mat.get(), file, x_name, y_name);
}

TrainTest load_mat_train_test(const fs::path& file, const std::string& x_train, const std::string& y_train,
                              const std::string& x_test, const std::string& y_test) {
  MatFile mat = open_mat(file);
  TrainTest sets{read_dataset(mat.get(), file, x_train, y_train), read_dataset(mat.get(), file, x_test, y_test)};
  if (sets.train.features() != sets.test.features()) {
    fail(file, "the training set (" + x_train + ") has " + std::to_string(sets.train.features()) +
                   " features but the test set (" + x_test + ") has " + std::to_string(sets.test.features()));
  }
  return sets;
}

}  // namespace xgrad

#define BOOST_TEST_MODULE data_files
#include <boost/test/unit_test.hpp>

#include <matio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "expect_error.hpp"
#include "reference.hpp"
#include "temp_folder.hpp"
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/io/csv.hpp>
#include <xgrad/core/dataset.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>

namespace fs = std::filesystem;
using xgrad::Dataset;
using xgrad::FileError;
using xgrad::InputError;
using xgrad::Matrix;
using xgrad::testing::check_same_bits;
using xgrad::testing::expect_error;
using xgrad::testing::expect_file_error;
using xgrad::testing::needs_shared;
using xgrad::testing::same_bits;
using xgrad::testing::shared_file;

namespace {

// A fresh folder under the system temp folder, removed with everything in it.
struct Scratch : xgrad::testing::TempFolder {
  Scratch() : TempFolder("xgrad-data-files-") {}
};

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Position-weighted sum of the bit patterns, C order, modulo 2^64: an exact fingerprint that
// the same formula in numpy reproduces.
std::uint64_t fingerprint(const Matrix& m) {
  std::uint64_t sum = 0;
  std::uint64_t position = 1;
  for (const double v : m) sum += position++ * std::bit_cast<std::uint64_t>(v);
  return sum;
}

// ---- .npy images built by hand ----

template <class T>
std::string raw(const std::vector<T>& values, bool big_endian = false) {
  std::string out;
  for (const T v : values) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    if (big_endian) std::reverse(bytes, bytes + sizeof(T));
    out.append(bytes, sizeof(T));
  }
  return out;
}

// Magic, version, little-endian header length, `dict` padded with spaces and a newline so
// that the data starts at a multiple of `align`.
std::string npy_image(const std::string& dict, const std::string& data, int major = 1, std::size_t align = 64) {
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t preamble = 8 + length_bytes;
  std::string header = dict;
  while ((preamble + header.size() + 1) % align != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

// ---- zip reading, independent of the library's writer ----

std::uint32_t crc32_bitwise(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char b : bytes) {
    crc ^= static_cast<unsigned char>(b);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint32_t le(const std::string& s, std::size_t at, int bytes) {
  BOOST_TEST_REQUIRE(at + bytes <= s.size());
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint32_t{static_cast<unsigned char>(s[at + i])} << (8 * i);
  return v;
}

struct ZipEntry {
  std::string name;
  std::string data;
};

// Parses a stored (uncompressed) zip through its central directory, checking every field
// numpy's zipfile relies on.
std::vector<ZipEntry> read_stored_zip(const std::string& zip) {
  BOOST_TEST_REQUIRE(zip.size() >= 22u);
  const std::size_t end = zip.size() - 22;
  BOOST_TEST_REQUIRE(le(zip, end, 4) == 0x06054b50u);
  const std::size_t count = le(zip, end + 10, 2);
  BOOST_TEST(le(zip, end + 8, 2) == count);
  const std::size_t directory_size = le(zip, end + 12, 4);
  std::size_t at = le(zip, end + 16, 4);
  BOOST_TEST_REQUIRE(at + directory_size == end);
  std::vector<ZipEntry> entries;
  for (std::size_t k = 0; k < count; ++k) {
    BOOST_TEST_REQUIRE(le(zip, at, 4) == 0x02014b50u);
    BOOST_TEST(le(zip, at + 10, 2) == 0u);  // stored
    const std::uint32_t crc = le(zip, at + 16, 4);
    const std::size_t size = le(zip, at + 20, 4);
    BOOST_TEST(le(zip, at + 24, 4) == size);
    const std::size_t name_size = le(zip, at + 28, 2);
    const std::size_t local = le(zip, at + 42, 4);
    const std::string name = zip.substr(at + 46, name_size);
    at += 46 + name_size + le(zip, at + 30, 2) + le(zip, at + 32, 2);

    BOOST_TEST_REQUIRE(le(zip, local, 4) == 0x04034b50u);
    BOOST_TEST(le(zip, local + 8, 2) == 0u);
    BOOST_TEST(le(zip, local + 14, 4) == crc);
    BOOST_TEST(le(zip, local + 18, 4) == size);
    BOOST_TEST(le(zip, local + 22, 4) == size);
    BOOST_TEST(zip.substr(local + 30, name_size) == name);
    const std::size_t data_at = local + 30 + name_size + le(zip, local + 28, 2);
    BOOST_TEST_REQUIRE(data_at + size <= zip.size());
    ZipEntry entry{name, zip.substr(data_at, size)};
    BOOST_TEST(crc32_bitwise(entry.data) == crc, name << ": CRC");
    entries.push_back(std::move(entry));
  }
  return entries;
}

// ---- .mat files written with matio ----

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct MatVarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatPtr = std::unique_ptr<mat_t, MatCloser>;
using MatVarPtr = std::unique_ptr<matvar_t, MatVarFreer>;

// Variables for the round trip; data is column-major as MATLAB stores it.
struct MatSamples {
  std::vector<double> d = {1.0, 4.0, -0.0, 5.0, 1e-308, 6.5};                       // 2x3 double
  std::vector<std::int32_t> i32 = {2147483647, -2147483647 - 1, 0, -7, 42, 1};  // 3x2 int32
  std::vector<std::uint8_t> logical = {1, 0, 0, 1};                              // 1x4 logical
  std::vector<float> single = {0.1f, -2.5f, 3.0f, 1e-30f};                       // 2x2 single
  std::vector<std::uint16_t> u16 = {65535, 0, 7};                                // 3x1 uint16
};

void add(mat_t* mat, matvar_t* var, matio_compression compression) {
  MatVarPtr owned(var);
  BOOST_TEST_REQUIRE(var != nullptr);
  BOOST_TEST_REQUIRE(Mat_VarWrite(mat, var, compression) == 0);
}

void write_numeric_mat(const fs::path& path, mat_ft version, matio_compression compression, MatSamples& s) {
  MatPtr mat(Mat_CreateVer(path.c_str(), nullptr, version));
  BOOST_TEST_REQUIRE(mat != nullptr);
  const int copy = MAT_F_DONT_COPY_DATA;
  size_t d_dims[2] = {2, 3};
  add(mat.get(), Mat_VarCreate("D", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, d_dims, s.d.data(), copy), compression);
  size_t i_dims[2] = {3, 2};
  add(mat.get(), Mat_VarCreate("I", MAT_C_INT32, MAT_T_INT32, 2, i_dims, s.i32.data(), copy), compression);
  size_t s_dims[2] = {2, 2};
  add(mat.get(), Mat_VarCreate("S", MAT_C_SINGLE, MAT_T_SINGLE, 2, s_dims, s.single.data(), copy),
      compression);
  size_t u_dims[2] = {3, 1};
  add(mat.get(), Mat_VarCreate("U", MAT_C_UINT16, MAT_T_UINT16, 2, u_dims, s.u16.data(), copy), compression);
  if (version != MAT_FT_MAT4) {
    size_t l_dims[2] = {1, 4};
    add(mat.get(),
        Mat_VarCreate("L", MAT_C_UINT8, MAT_T_UINT8, 2, l_dims, s.logical.data(), copy | MAT_F_LOGICAL),
        compression);
  }
}

void check_numeric_mat(const fs::path& path, bool has_logical) {
  check_same_bits(xgrad::load_mat_variable(path, "D"), Matrix{{1.0, -0.0, 1e-308}, {4.0, 5.0, 6.5}},
                  path.string() + " D");
  check_same_bits(xgrad::load_mat_variable(path, "I"),
                  Matrix{{2147483647.0, -7.0}, {-2147483648.0, 42.0}, {0.0, 1.0}}, path.string() + " I");
  check_same_bits(xgrad::load_mat_variable(path, "S"),
                  Matrix{{double(0.1f), 3.0}, {-2.5, double(1e-30f)}}, path.string() + " S");
  check_same_bits(xgrad::load_mat_variable(path, "U"), Matrix{{65535.0}, {0.0}, {7.0}}, path.string() + " U");
  if (has_logical) {
    check_same_bits(xgrad::load_mat_variable(path, "L"), Matrix{{1.0, 0.0, 0.0, 1.0}}, path.string() + " L");
  }
}

// A v5 file holding one variable of every kind load_mat_variable must refuse, plus a valid
// data set pair (Xok, yok) and an invalid one (Xok, ybad).
void write_bad_variables_mat(const fs::path& path) {
  MatPtr mat(Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5));
  BOOST_TEST_REQUIRE(mat != nullptr);
  const int copy = MAT_F_DONT_COPY_DATA;
  std::vector<double> cube(24, 1.0);
  size_t cube_dims[3] = {2, 3, 4};
  add(mat.get(), Mat_VarCreate("T", MAT_C_DOUBLE, MAT_T_DOUBLE, 3, cube_dims, cube.data(), copy),
      MAT_COMPRESSION_NONE);
  char text[] = "hello";
  size_t text_dims[2] = {1, 5};
  add(mat.get(), Mat_VarCreate("C", MAT_C_CHAR, MAT_T_UINT8, 2, text_dims, text, copy), MAT_COMPRESSION_NONE);

  const char* fields[] = {"a", nullptr};
  size_t one[2] = {1, 1};
  matvar_t* record = Mat_VarCreateStruct2("St", 2, one, fields);
  BOOST_TEST_REQUIRE(record != nullptr);
  double value = 3.0;
  Mat_VarSetStructFieldByName(record, "a", 0,
                              Mat_VarCreate("a", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, one, &value, copy));
  add(mat.get(), record, MAT_COMPRESSION_NONE);

  std::vector<double> re = {1.0, 2.0};
  std::vector<double> im = {0.5, -0.5};
  mat_complex_split_t split{re.data(), im.data()};
  size_t pair_dims[2] = {1, 2};
  add(mat.get(),
      Mat_VarCreate("Z", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, pair_dims, &split, copy | MAT_F_COMPLEX),
      MAT_COMPRESSION_NONE);

  size_t empty_dims[2] = {0, 0};
  add(mat.get(), Mat_VarCreate("E", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, empty_dims, nullptr, 0),
      MAT_COMPRESSION_NONE);

  std::vector<double> x = {0.5, -1.0, 2.0, 1.5, 0.0, 3.0};  // 3 examples x 2 features
  size_t x_dims[2] = {3, 2};
  add(mat.get(), Mat_VarCreate("Xok", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, x_dims, x.data(), copy),
      MAT_COMPRESSION_ZLIB);
  std::vector<std::uint8_t> y = {1, 0, 1};
  std::vector<double> y_bad = {1.0, 0.5, 0.0};
  size_t y_dims[2] = {3, 1};
  add(mat.get(), Mat_VarCreate("yok", MAT_C_UINT8, MAT_T_UINT8, 2, y_dims, y.data(), copy),
      MAT_COMPRESSION_NONE);
  add(mat.get(), Mat_VarCreate("ybad", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, y_dims, y_bad.data(), copy),
      MAT_COMPRESSION_NONE);
}

}  // namespace

// ===================================================================== football.mat

BOOST_AUTO_TEST_CASE(football_loads_as_scipy_shows_it, *needs_shared("data/football.mat")) {
  const fs::path path = *shared_file("data/football.mat");
  const xgrad::TrainTest sets = xgrad::load_mat_train_test(path);
  const Dataset& train = sets.train;
  const Dataset& test = sets.test;
  BOOST_TEST(xgrad::shape_string(train.X) == "2x211");
  BOOST_TEST(xgrad::shape_string(train.Y) == "1x211");
  BOOST_TEST(xgrad::shape_string(test.X) == "2x200");
  BOOST_TEST(xgrad::shape_string(test.Y) == "1x200");
  BOOST_TEST(xt::all(xt::equal(train.Y, 0.0) || xt::equal(train.Y, 1.0)));
  BOOST_TEST(xt::all(xt::equal(test.Y, 0.0) || xt::equal(test.Y, 1.0)));
  BOOST_TEST(xt::sum(train.Y)() == 106.0);
  BOOST_TEST(xt::sum(test.Y)() == 87.0);

  // Values as scipy.io.loadmat(...)['X'].T etc. print them (repr, so exact).
  BOOST_TEST(same_bits(train.X(0, 0), -0.158986));
  BOOST_TEST(same_bits(train.X(1, 0), 0.423977));
  BOOST_TEST(same_bits(train.X(1, 100), 0.353801));
  BOOST_TEST(same_bits(train.X(0, 210), -0.153111));
  BOOST_TEST(same_bits(train.X(1, 210), 0.184503));
  BOOST_TEST(same_bits(test.X(0, 0), -0.3530623458334412));
  BOOST_TEST(same_bits(test.X(1, 2), -0.7535241916534504));
  BOOST_TEST(same_bits(test.X(0, 150), 0.03336896921626242));
  BOOST_TEST(same_bits(test.X(1, 199), -0.42941272913886863));
  BOOST_TEST(train.Y(0, 0) == 1.0);
  BOOST_TEST(train.Y(0, 210) == 0.0);
  BOOST_TEST(test.Y(0, 1) == 1.0);
  // Every element: sum((i + 1) * bits(x_i)) mod 2^64 over the transposed matrices, from numpy.
  BOOST_TEST(fingerprint(train.X) == 0xbb32d1c6e9806164u);
  BOOST_TEST(fingerprint(test.X) == 0xea6538bf8333f11bu);
}

BOOST_AUTO_TEST_CASE(football_variables_and_pairs_load_separately, *needs_shared("data/football.mat")) {
  const fs::path path = *shared_file("data/football.mat");
  const Matrix y = xgrad::load_mat_variable(path, "y");  // stored as uint8 data
  BOOST_TEST(xgrad::shape_string(y) == "211x1");
  const Dataset test = xgrad::load_mat_dataset(path, "Xval", "yval");
  BOOST_TEST(test.examples() == 200u);
  BOOST_TEST(test.features() == 2u);
}

BOOST_AUTO_TEST_CASE(football_errors_name_what_is_there, *needs_shared("data/football.mat")) {
  const fs::path path = *shared_file("data/football.mat");
  expect_file_error([&] { xgrad::load_mat_variable(path, "theta"); }, path,
                    {"no variable 'theta'", "the file has: X, y, yval, Xval"});
  expect_file_error([&] { xgrad::load_mat_dataset(path, "X", "yval"); }, path,
                    {"X/yval", "X has 211 examples", "Y has 200"});
}

BOOST_AUTO_TEST_CASE(truncated_football_is_refused_not_zero_filled, *needs_shared("data/football.mat")) {
  // matio alone returns zeros for the missing part of a compressed variable.
  Scratch scratch;
  const std::string bytes = read_bytes(*shared_file("data/football.mat"));
  for (const std::size_t keep : {std::size_t{2000}, std::size_t{5000}, bytes.size() - 3}) {
    const fs::path path = scratch.write("cut.mat", bytes.substr(0, keep));
    expect_file_error([&] { xgrad::load_mat_train_test(path); }, path, {"truncated"});
  }
}

// ===================================================================== .mat via matio

BOOST_AUTO_TEST_CASE(mat_numeric_classes_round_trip_in_every_format) {
  Scratch scratch;
  MatSamples samples;
  const fs::path v5 = scratch.dir / "v5.mat";
  const fs::path v5z = scratch.dir / "v5z.mat";
  const fs::path v73 = scratch.dir / "v73.mat";
  const fs::path v4 = scratch.dir / "v4.mat";
  write_numeric_mat(v5, MAT_FT_MAT5, MAT_COMPRESSION_NONE, samples);
  write_numeric_mat(v5z, MAT_FT_MAT5, MAT_COMPRESSION_ZLIB, samples);
  write_numeric_mat(v73, MAT_FT_MAT73, MAT_COMPRESSION_NONE, samples);
  write_numeric_mat(v4, MAT_FT_MAT4, MAT_COMPRESSION_NONE, samples);
  check_numeric_mat(v5, true);
  check_numeric_mat(v5z, true);
  check_numeric_mat(v73, true);
  check_numeric_mat(v4, false);
  // A run of rows read apart (matio's hyperslab read: a data-parallel process's share) is the
  // whole read's, bit for bit, in every format and class.
  for (const auto& [path, logical] : {std::pair{v5, true}, {v5z, true}, {v73, true}, {v4, false}}) {
    for (const std::string name : {"D", "I", "S", "U", "L"}) {
      if (name == "L" && !logical) continue;
      const Matrix whole = xgrad::load_mat_variable(path, name);
      const xgrad::MatShape shape = xgrad::mat_variable_shape(path, name);
      BOOST_TEST((shape.rows == whole.shape(0) && shape.columns == whole.shape(1)), path.string() << " " << name);
      for (std::size_t first = 0; first <= whole.shape(0); ++first) {
        for (std::size_t count = 0; first + count <= whole.shape(0); ++count) {
          const Matrix rows = xgrad::load_mat_rows(path, name, first, count);
          Matrix expected({count, whole.shape(1)});
          for (std::size_t i = 0; i < count; ++i) {
            for (std::size_t j = 0; j < whole.shape(1); ++j) expected(i, j) = whole(first + i, j);
          }
          check_same_bits(rows, expected, path.string() + " " + name + " rows " + std::to_string(first) + " + " +
                                              std::to_string(count));
        }
      }
      expect_file_error([&] { xgrad::load_mat_rows(path, name, whole.shape(0), 1); }, path, {"asked for"});
    }
  }
}

BOOST_AUTO_TEST_CASE(a_mat_variable_name_with_a_nul_byte_is_refused) {
  // matio hands names on as C strings: "X<NUL>junk" would be found as X.
  Scratch scratch;
  const fs::path path = scratch.dir / "nul.mat";
  {
    MatSamples samples;
    MatPtr mat(Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5));
    BOOST_TEST_REQUIRE(mat != nullptr);
    size_t dims[2] = {2, 3};
    add(mat.get(), Mat_VarCreate("XQjunk", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, samples.d.data(), MAT_F_DONT_COPY_DATA),
        MAT_COMPRESSION_NONE);
  }
  std::string bytes = read_bytes(path);
  const std::size_t q = bytes.find("XQjunk");
  BOOST_TEST_REQUIRE(q != std::string::npos);
  bytes[q + 1] = '\0';
  const fs::path patched = scratch.write("nul_name.mat", bytes);
  expect_file_error([&] { xgrad::load_mat_variable(patched, "X"); }, patched, {"name of 6 bytes with a NUL byte at offset 1"});
}

BOOST_AUTO_TEST_CASE(a_damaged_mat73_file_prints_nothing_of_hdf5_on_stderr) {
  // HDF5 prints its error stack on stderr by itself; xgrad's error is the only word.
  Scratch scratch;
  MatSamples samples;
  const fs::path whole = scratch.dir / "v73.mat";
  write_numeric_mat(whole, MAT_FT_MAT73, MAT_COMPRESSION_NONE, samples);
  const std::string bytes = read_bytes(whole);
  const fs::path cut = scratch.write("cut73.mat", bytes.substr(0, bytes.size() / 2));
  const fs::path captured = scratch.dir / "stderr.txt";
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int file = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  BOOST_TEST_REQUIRE((saved >= 0 && file >= 0));
  ::dup2(file, STDERR_FILENO);
  std::string error;
  try {
    xgrad::load_mat_variable(cut, "D");
  } catch (const xgrad::FileError& e) {
    error = e.what();
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  BOOST_TEST(error.starts_with(cut.string() + ": "), error);
  BOOST_TEST(read_bytes(captured).empty(), read_bytes(captured));
}

BOOST_AUTO_TEST_CASE(mat_dataset_transposes_and_validates) {
  Scratch scratch;
  const fs::path path = scratch.dir / "set.mat";
  write_bad_variables_mat(path);
  const Dataset data = xgrad::load_mat_dataset(path, "Xok", "yok");
  check_same_bits(data.X, Matrix{{0.5, -1.0, 2.0}, {1.5, 0.0, 3.0}}, "X");
  check_same_bits(data.Y, Matrix{{1.0, 0.0, 1.0}}, "Y");
  expect_file_error([&] { xgrad::load_mat_dataset(path, "Xok", "ybad"); }, path,
                    {"Xok/ybad", "label Y(0, 1) = 0.5 is not 0 or 1"});
  expect_file_error([&] { xgrad::load_mat_train_test(path, "Xok", "yok", "Xok", "C"); }, path,
                    {"'C' is a char array"});
}

BOOST_AUTO_TEST_CASE(mat_refuses_variables_that_are_not_real_2d_numeric_matrices) {
  Scratch scratch;
  const fs::path path = scratch.dir / "bad.mat";
  write_bad_variables_mat(path);
  auto load = [&](const char* name) { return [&path, name] { xgrad::load_mat_variable(path, name); }; };
  expect_file_error(load("T"), path, {"variable 'T' is 3-D (2x3x4)", "expected a 2-D matrix"});
  expect_file_error(load("C"), path, {"variable 'C' is a char array, not a numeric matrix"});
  expect_file_error(load("St"), path, {"variable 'St' is a struct, not a numeric matrix"});
  expect_file_error(load("Z"), path, {"variable 'Z' is complex"});
  expect_file_error(load("E"), path, {"variable 'E' is empty"});
  expect_file_error(load("nope"), path,
                    {"no variable 'nope'", "(the file has: T, C, St, Z, E, Xok, yok, ybad)"});
}

BOOST_AUTO_TEST_CASE(mat_refuses_files_that_are_not_mat_files) {
  Scratch scratch;
  const fs::path missing = scratch.dir / "missing.mat";
  expect_file_error([&] { xgrad::load_mat_variable(missing, "X"); }, missing, {"no such file"});
  expect_file_error([&] { xgrad::load_mat_variable(scratch.dir, "X"); }, scratch.dir, {"is a directory"});
  const fs::path empty = scratch.write("empty.mat", "");
  expect_file_error([&] { xgrad::load_mat_variable(empty, "X"); }, empty, {"empty file"});
  const fs::path text = scratch.write("text.mat", "x,y\n1,0\n2,1\n");
  expect_file_error([&] { xgrad::load_mat_variable(text, "X"); }, text, {"not a MAT file"});
  std::string garbage(4096, '\0');
  std::mt19937 bits(7);
  for (char& c : garbage) c = static_cast<char>(bits() & 0xFF);
  const fs::path noise = scratch.write("noise.mat", garbage);
  expect_file_error([&] { xgrad::load_mat_dataset(noise, "X", "y"); }, noise, {"not a MAT file"});
  const fs::path npy = scratch.dir / "m.npy";
  xgrad::save_npy(npy, Matrix{{1.0}});
  expect_file_error([&] { xgrad::load_mat_variable(npy, "X"); }, npy, {"not a MAT file"});
}

// ===================================================================== .npy

BOOST_AUTO_TEST_CASE(npy_round_trip_is_bit_exact) {
  Scratch scratch;
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double big = std::numeric_limits<double>::max();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Matrix> cases = {
      Matrix{{42.0}},
      Matrix{{-0.0}},
      Matrix{{1e-308, -0.0, 0.0, tiny, -tiny, big, -big, inf, -inf, 1.0 + std::numeric_limits<double>::epsilon(), std::numbers::pi}},
      Matrix{{1.0}, {2.0}, {3.0}},
      Matrix({0, 3}),
  };
  std::mt19937_64 bits(2024);
  Matrix random({7, 13});
  for (double& v : random) {
    do v = std::bit_cast<double>(bits()); while (std::isnan(v));
  }
  cases.push_back(random);
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const fs::path path = scratch.dir / ("case" + std::to_string(k) + ".npy");
    xgrad::save_npy(path, cases[k]);
    check_same_bits(xgrad::load_npy(path), cases[k], path.string());
    const std::string bytes = read_bytes(path);
    BOOST_TEST(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
    const std::size_t header = le(bytes, 8, 2);
    BOOST_TEST((10 + header) % 64 == 0u);
    BOOST_TEST(bytes.substr(10, header).find("'descr': '<f8', 'fortran_order': False") != std::string::npos);
  }
  // Overwriting replaces the content and leaves no temporary files behind.
  const fs::path path = scratch.dir / "case0.npy";
  xgrad::save_npy(path, Matrix{{1.0, 2.0}});
  check_same_bits(xgrad::load_npy(path), Matrix{{1.0, 2.0}}, "overwritten");
  for (const auto& name : scratch.entries()) BOOST_TEST(name.find(".tmp") == std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(npy_reads_every_supported_dtype_and_order) {
  Scratch scratch;
  auto load = [&](const std::string& dict_text, const std::string& data, int major = 1) {
    return xgrad::load_npy(scratch.write("t.npy", npy_image(dict_text, data, major)));
  };
  const Matrix expected{{1.0, -2.0, 3.0}, {4.0, 5.0, -6.0}};
  check_same_bits(load(dict("<f8", false, "(2, 3)"), raw<double>({1, -2, 3, 4, 5, -6})), expected, "<f8 C");
  check_same_bits(load(dict("<f8", true, "(2, 3)"), raw<double>({1, 4, -2, 5, 3, -6})), expected, "<f8 F");
  check_same_bits(load(dict(">f8", false, "(2, 3)"), raw<double>({1, -2, 3, 4, 5, -6}, true)), expected,
                  ">f8 C");
  check_same_bits(load(dict("<f4", false, "(2, 3)"), raw<float>({1, -2, 3, 4, 5, -6})), expected, "<f4");
  check_same_bits(load(dict("<i8", true, "(2, 3)"), raw<std::int64_t>({1, 4, -2, 5, 3, -6})), expected, "<i8 F");
  check_same_bits(load(dict("<i4", false, "(2, 3)"), raw<std::int32_t>({1, -2, 3, 4, 5, -6})), expected, "<i4");
  check_same_bits(load(dict(">i4", false, "(2, 3)"), raw<std::int32_t>({1, -2, 3, 4, 5, -6}, true)), expected,
                  ">i4");
  check_same_bits(load(dict("|b1", false, "(4,)"), std::string("\x01\x00\x00\x01", 4)),
                  Matrix{{1.0, 0.0, 0.0, 1.0}}, "|b1 1-D");
  check_same_bits(load(dict("<f8", false, "(3,)"), raw<double>({0.5, 0.25, 0.125})), Matrix{{0.5, 0.25, 0.125}},
                  "1-D becomes one row");
  check_same_bits(load(dict("<f8", false, "(2, 1)"), raw<double>({7, 8}), 2), Matrix{{7.0}, {8.0}}, "v2.0");
  check_same_bits(load("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<f8\"}", raw<double>({7, 8}), 3),
                  Matrix{{7.0, 8.0}}, "v3.0, keys reordered, double quotes");
  check_same_bits(load(dict("<f8", false, "(0, 2)"), ""), Matrix({0, 2}), "no rows");
}

BOOST_AUTO_TEST_CASE(npy_header_length_byte_0x80_and_above_is_read_unsigned) {
  Scratch scratch;
  const std::string image = npy_image(dict("<f8", false, "(1, 2)"), raw<double>({3.5, -1.0}), 1, 256);
  BOOST_TEST_REQUIRE(static_cast<unsigned char>(image[8]) == 0xF6u);  // header length 246
  check_same_bits(xgrad::load_npy(scratch.write("long_header.npy", image)), Matrix{{3.5, -1.0}}, "0xF6");
}

BOOST_AUTO_TEST_CASE(npy_refuses_missing_empty_and_foreign_files) {
  Scratch scratch;
  const fs::path missing = scratch.dir / "missing.npy";
  expect_file_error([&] { xgrad::load_npy(missing); }, missing, {"no such file"});
  expect_file_error([&] { xgrad::load_npy(scratch.dir); }, scratch.dir, {"is a directory, not a file"});
  const fs::path empty = scratch.write("empty.npy", "");
  expect_file_error([&] { xgrad::load_npy(empty); }, empty, {"empty file"});
  const fs::path garbage = scratch.write("garbage.npy", "\x01\x02\x03 not numpy at all \xff\xfe");
  expect_file_error([&] { xgrad::load_npy(garbage); }, garbage, {"not a .npy file (bad magic string"});
  std::string image = npy_image(dict("<f8", false, "(1,)"), raw<double>({1}));
  image[5] = 'X';
  const fs::path magic = scratch.write("magic.npy", image);
  expect_file_error([&] { xgrad::load_npy(magic); }, magic, {"bad magic string", "found \"\\x93NUMPX\""});
  const fs::path stub = scratch.write("stub.npy", "\x93NUMPY\x01");
  expect_file_error([&] { xgrad::load_npy(stub); }, stub, {"truncated", "too short for a .npy header"});
  image = npy_image(dict("<f8", false, "(1,)"), raw<double>({1}));
  image[6] = 9;
  const fs::path version = scratch.write("version.npy", image);
  expect_file_error([&] { xgrad::load_npy(version); }, version, {"unsupported .npy format version 9.0"});
  const fs::path csv = scratch.write("data.csv", "1,2\n3,4\n");
  expect_file_error([&] { xgrad::load_npy(csv); }, csv, {"bad magic string"});
}

BOOST_AUTO_TEST_CASE(npy_refuses_truncated_and_oversized_data) {
  Scratch scratch;
  const std::string full = npy_image(dict("<f8", false, "(3, 4)"), raw<double>(std::vector<double>(12, 1.0)));
  const fs::path cut = scratch.write("data.npy", full.substr(0, full.size() - 56));
  expect_file_error([&] { xgrad::load_npy(cut); }, cut,
                    {"truncated: header declares 3x4 float64 (96 bytes of data) but the file has 40"});
  const fs::path extra = scratch.write("extra.npy", full + "junk");
  expect_file_error([&] { xgrad::load_npy(extra); }, extra,
                    {"trailing bytes after the data", "96 bytes of data) but the file has 100"});
  const fs::path header_cut = scratch.write("header_cut.npy", full.substr(0, 40));
  expect_file_error([&] { xgrad::load_npy(header_cut); }, header_cut,
                    {"truncated header", "says 118 bytes but only 30 follow"});
  const fs::path bools = scratch.write("bools.npy", npy_image(dict("|b1", false, "(3,)"), std::string("\x01\x02\x00", 3)));
  expect_file_error([&] { xgrad::load_npy(bools); }, bools, {"bool element 1 holds byte value 2"});
}

BOOST_AUTO_TEST_CASE(npy_refuses_huge_and_unsupported_shapes_without_allocating) {
  Scratch scratch;
  auto expect = [&](const std::string& shape, const std::string& problem) {
    const fs::path path = scratch.write("shape.npy", npy_image(dict("<f8", false, shape), raw<double>({1, 2})));
    expect_file_error([&] { xgrad::load_npy(path); }, path, {problem});
  };
  expect("(100000000, 100000000)",
         "header declares 100000000x100000000 float64 (80000000000000000 bytes of data) but the file has 16");
  expect("(4294967296, 4294967296)", "declared shape 4294967296x4294967296 float64 overflows");
  expect("(99999999999999999999999, 1)", "shape entry is too large");
  expect("(2, 3, 4)", "3-D array (shape 2x3x4); expected a 1-D or 2-D array");
  expect("()", "0-D (scalar) array");
  expect("(2)", "a 1-D shape is written (n,)");
  expect("(-2, 1)", "expected a non-negative integer");
}

BOOST_AUTO_TEST_CASE(npy_refuses_unsupported_dtypes) {
  Scratch scratch;
  for (const std::string descr : {"<c16", "|O", "<U3", "<f2", "|u1", "<M8[ns]"}) {
    const fs::path path = scratch.write("dtype.npy", npy_image(dict(descr, false, "(1,)"), std::string(16, '\0')));
    expect_file_error([&] { xgrad::load_npy(path); }, path,
                      {"unsupported dtype '" + descr + "'", "supported: float64, float32, int64, int32, bool"});
  }
  const fs::path structured =
      scratch.write("structured.npy",
                    npy_image("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", raw<double>({1})));
  expect_file_error([&] { xgrad::load_npy(structured); }, structured, {"structured dtype"});
}

BOOST_AUTO_TEST_CASE(npy_refuses_bad_header_dicts) {
  Scratch scratch;
  auto expect = [&](const std::string& dict_text, const std::string& problem) {
    const fs::path path = scratch.write("header.npy", npy_image(dict_text, raw<double>({1})));
    expect_file_error([&] { xgrad::load_npy(path); }, path, {"bad header dict", problem});
  };
  expect("{'descr': '<f8', 'fortran_order': False}", "missing key 'shape'");
  expect("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "expected a string, True, False");
  expect("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 'y'}", "unexpected key 'x'");
  expect("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'");
  expect("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "expected a string, True, False or a tuple");
  expect("{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,)}", "'fortran_order' is not True or False");
  expect("{'descr': 8, 'fortran_order': False, 'shape': (1,)}", "expected a string");
  expect("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", "a list value");
  expect("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}'");
  expect("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} trailing", "unexpected text after the dict");
  expect("['descr', '<f8']", "expected '{'");
  expect("{'descr: '<f8'}", "expected ':'");
}

// ===================================================================== .npz

BOOST_AUTO_TEST_CASE(npz_is_a_stored_zip_of_npy_entries) {
  Scratch scratch;
  const Matrix w1{{1.0, -2.0, 3.5}, {1e-308, -0.0, 7.0}};
  const Matrix b1{{0.25}, {-0.5}};
  const Matrix scalar{{42.0}};
  const fs::path path = scratch.dir / "params.npz";
  xgrad::save_npz(path, {{"W1", w1}, {"b1", b1}, {"cost", scalar}});
  const std::string zip = read_bytes(path);
  BOOST_TEST(zip.substr(0, 4) == "PK\x03\x04");
  const std::vector<ZipEntry> entries = read_stored_zip(zip);
  BOOST_TEST_REQUIRE(entries.size() == 3u);
  const std::vector<std::pair<std::string, Matrix>> expected = {{"W1.npy", w1}, {"b1.npy", b1}, {"cost.npy", scalar}};
  for (std::size_t k = 0; k < entries.size(); ++k) {
    BOOST_TEST(entries[k].name == expected[k].first);
    const fs::path entry = scratch.write("entry.npy", entries[k].data);
    check_same_bits(xgrad::load_npy(entry), expected[k].second, entries[k].name);
  }
  // Same arrays, same bytes (fixed timestamps).
  const fs::path again = scratch.dir / "again.npz";
  xgrad::save_npz(again, {{"W1", w1}, {"b1", b1}, {"cost", scalar}});
  BOOST_TEST(read_bytes(again) == zip);

  const fs::path empty = scratch.dir / "empty.npz";
  xgrad::save_npz(empty, {});
  BOOST_TEST(read_stored_zip(read_bytes(empty)).empty());
}

BOOST_AUTO_TEST_CASE(npz_refuses_bad_names_and_leaves_the_old_file) {
  Scratch scratch;
  const fs::path path = scratch.dir / "params.npz";
  xgrad::save_npz(path, {{"W1", Matrix{{1.0}}}});
  const std::string before = read_bytes(path);
  expect_file_error([&] { xgrad::save_npz(path, {{"W1", Matrix{{1.0}}}, {"W1", Matrix{{2.0}}}}); }, path,
                    {"array name 'W1' appears twice"});
  expect_file_error([&] { xgrad::save_npz(path, {{"", Matrix{{1.0}}}}); }, path, {"an array name is empty"});
  expect_file_error([&] { xgrad::save_npz(path, {{"a/b", Matrix{{1.0}}}}); }, path, {"'a/b' contains '/'"});
  BOOST_TEST(read_bytes(path) == before);
  BOOST_TEST(scratch.entries() == std::vector<std::string>{"params.npz"});
}

BOOST_AUTO_TEST_CASE(failed_writes_leave_nothing_behind) {
  Scratch scratch;
  const fs::path no_folder = scratch.dir / "no" / "such" / "folder.npy";
  expect_file_error([&] { xgrad::save_npy(no_folder, Matrix{{1.0}}); }, no_folder,
                    {"cannot write", "No such file or directory"});
  const fs::path folder = scratch.dir / "taken";
  fs::create_directory(folder);
  expect_file_error([&] { xgrad::save_npy(folder, Matrix{{1.0}}); }, folder, {"cannot write", "directory"});
  expect_file_error([&] { xgrad::save_npz(folder, {{"a", Matrix{{1.0}}}}); }, folder, {"cannot write"});
  BOOST_TEST(scratch.entries() == std::vector<std::string>{"taken"});
  BOOST_TEST(fs::is_empty(folder));
}

// ===================================================================== .csv

BOOST_AUTO_TEST_CASE(csv_reads_numbers_with_optional_header) {
  Scratch scratch;
  const fs::path plain = scratch.write("plain.csv", "1,2.5\n-3e2, +4 \n0.1,-0\n\n  \n");
  check_same_bits(xgrad::load_csv(plain), Matrix{{1.0, 2.5}, {-300.0, 4.0}, {0.1, -0.0}}, "plain");
  const fs::path headed = scratch.write("headed.csv", "\xEF\xBB\xBFx1, x2 ,label\r\n0.5,1,1\r\n-1,2,0\r\n");
  check_same_bits(xgrad::load_csv(headed), Matrix{{0.5, 1.0, 1.0}, {-1.0, 2.0, 0.0}}, "headed");
  const fs::path single = scratch.write("single.csv", "5\n6\n");
  check_same_bits(xgrad::load_csv(single), Matrix{{5.0}, {6.0}}, "single column");
  const fs::path no_newline = scratch.write("no_newline.csv", "1,2");
  check_same_bits(xgrad::load_csv(no_newline), Matrix{{1.0, 2.0}}, "no final newline");
}

BOOST_AUTO_TEST_CASE(csv_dataset_puts_examples_in_columns) {
  Scratch scratch;
  const fs::path path = scratch.write("set.csv", "a,b,label\n0.5,1.5,1\n-1,2,0\n3,4,1\n");
  const Dataset data = xgrad::load_csv_dataset(path);
  check_same_bits(data.X, Matrix{{0.5, -1.0, 3.0}, {1.5, 2.0, 4.0}}, "X");
  check_same_bits(data.Y, Matrix{{1.0, 0.0, 1.0}}, "Y");
}

BOOST_AUTO_TEST_CASE(csv_errors_name_line_and_field) {
  Scratch scratch;
  auto expect = [&](const std::string& name, const std::string& text, const std::string& problem,
                    bool dataset = false) {
    const fs::path path = scratch.write(name, text);
    if (dataset) {
      expect_file_error([&] { xgrad::load_csv_dataset(path); }, path, {problem});
    } else {
      expect_file_error([&] { xgrad::load_csv(path); }, path, {problem});
    }
  };
  expect("data.csv", "x,y\n1,2\n3,abc\n", "data.csv:3: field 2 'abc' is not a number");
  expect("data.csv", "1,2\n3,4\n5,6\n7,8,9\n", "data.csv:4: 3 fields, expected 2");
  expect("data.csv", "x,y,z\n1,2\n", "data.csv:2: 2 fields, expected 3");
  expect("data.csv", "1,2\n3\n", "data.csv:2: 1 field, expected 2");
  expect("data.csv", "1,x\n", "data.csv:1: field 2 'x' is not a number");
  expect("data.csv", "1,2\n3,nan\n", "data.csv:2: field 2 'nan' is NaN");
  expect("data.csv", "1,2\n-inf,4\n", "data.csv:2: field 1 '-inf' is infinite");
  expect("data.csv", "1,2\n1e999,4\n", "data.csv:2: field 1 '1e999' is out of the range of a double");
  expect("data.csv", "1,,3\n", "data.csv:1: field 2 is empty");
  expect("data.csv", "1,2\n\n3,4\n", "data.csv:2: blank line before the end of the data");
  expect("data.csv", "\n1,2\n", "data.csv:1: blank line");
  expect("data.csv", "1,2 3\n", "field 2 '2 3' is not a number");
  expect("data.csv", "0x10,1\n", "field 1 '0x10' is not a number");
  expect("empty.csv", "", "empty.csv: empty file");
  expect("blank.csv", "\n \n", "blank.csv: no data (only blank lines)");
  expect("header.csv", "x,y\n", "header.csv: no data rows after the header line");
  expect("set.csv", "1,0\n2,2\n", "set.csv:2: label 2 (field 2) is not 0 or 1", true);
  expect("set.csv", "h1,h2,h3\n1,2,1\n2,3,0.5\n", "set.csv:3: label 0.5 (field 3) is not 0 or 1", true);
  expect("set.csv", "1\n0\n", "set.csv: 1 column; a data set needs at least one feature column", true);
  expect("set.csv", "1,nan,1\n", "set.csv:1: field 2 'nan' is NaN", true);

  const fs::path missing = scratch.dir / "missing.csv";
  expect_file_error([&] { xgrad::load_csv(missing); }, missing, {"no such file"});
  expect_file_error([&] { xgrad::load_csv_dataset(scratch.dir); }, scratch.dir, {"is a directory"});
}

// A header of 100001 names, then 80000 one-field lines (800 KB): the table it would declare
// is 8 billion numbers (64 GB). The field counts are checked before anything is allocated.
BOOST_AUTO_TEST_CASE(csv_memory_is_bounded_by_the_file_and_the_limits) {
  Scratch scratch;
  std::string header = "c0";
  for (int k = 1; k <= 100000; ++k) header += ",c" + std::to_string(k);
  std::string wide = header + "\n";
  for (int k = 0; k < 80000; ++k) wide += "1\n";
  const fs::path file = scratch.write("wide.csv", wide);
  const std::string outcome = xgrad::testing::in_child(
      [&] {
        try {
          xgrad::load_csv(file);
        } catch (const FileError& e) {
          return std::string("FileError: ") + e.what();
        }
        return std::string("no error");
      },
      std::size_t{100} << 20);
  BOOST_TEST(outcome == "FileError: " + file.string() + ":2: 1 field, expected 100001 (as on line 1)");

  std::string too_wide = "1";
  for (std::size_t k = 1; k <= xgrad::csv_max_columns; ++k) too_wide += ",1";
  expect_file_error([&] { xgrad::load_csv(scratch.write("too_wide.csv", too_wide + "\n")); },
                    scratch.dir / "too_wide.csv", {":1: 1048577 fields, more than the limit of 1048576 columns"});
}

// One compressed variable of 12 million zeros (96 MB declared, about 100 KB in the file):
// past the limit for a compressed element, refused while decompressing, before matio
// allocates what it declares.
BOOST_AUTO_TEST_CASE(mat_compressed_variable_past_the_inflate_limit) {
  BOOST_TEST(xgrad::mat_inflate_limit(1000) == std::uint64_t{64} << 20);
  BOOST_TEST(xgrad::mat_inflate_limit(std::uint64_t{100} << 20) == std::uint64_t{800} << 20);
  Scratch scratch;
  const fs::path file = scratch.dir / "bomb.mat";
  {
    std::vector<double> zeros(std::size_t{12} << 20, 0.0);
    MatPtr mat(Mat_CreateVer(file.c_str(), nullptr, MAT_FT_MAT5));
    BOOST_TEST_REQUIRE(mat != nullptr);
    std::size_t dims[2] = {zeros.size(), 1};
    add(mat.get(), Mat_VarCreate("X", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, zeros.data(), MAT_F_DONT_COPY_DATA),
        MAT_COMPRESSION_ZLIB);
  }
  BOOST_TEST_REQUIRE(fs::file_size(file) < (std::uintmax_t{1} << 20));
  const std::string outcome = xgrad::testing::in_child(
      [&] {
        try {
          xgrad::load_mat_variable(file, "X");
        } catch (const FileError& e) {
          return std::string("FileError: ") + e.what();
        }
        return std::string("no error");
      },
      std::size_t{160} << 20);
  BOOST_TEST(outcome.starts_with("FileError: " + file.string() + ": damaged: the variable at byte 128 is compressed ("),
             outcome);
  BOOST_TEST(outcome.find("decompresses to more than 67108864 bytes, the limit for a compressed variable") !=
                 std::string::npos,
             outcome);
}

// ===================================================================== atomic writes
// Only regular files or new names are replaced; links, FIFOs, devices and folders are
// refused; any legal name works; several files go all or nothing; a file-size limit or an
// interruption leaves the old files whole and no temporary file.

namespace {

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_symbolic_link_is_refused_and_left_as_it_was) {
  Scratch s;
  const fs::path target = s.write("target.json", "old");
  fs::create_symlink(target, s.dir / "link.json");
  expect_error<xgrad::FileError>([&] { xgrad::write_file_atomically(s.dir / "link.json", "new"); },
                                 {"link.json", "symbolic link", "only regular files are replaced"});
  BOOST_TEST(fs::is_symlink(fs::symlink_status(s.dir / "link.json")));
  BOOST_TEST(read_bytes(target) == "old");
  BOOST_TEST(s.entries() == (std::vector<std::string>{"link.json", "target.json"}));
  expect_error<xgrad::FileError>([&] { xgrad::check_writable(s.dir / "link.json"); }, {"symbolic link"});
  // A dangling link too: creating its target is not ours to decide.
  fs::create_symlink(s.dir / "nowhere", s.dir / "dangling");
  expect_error<xgrad::FileError>([&] { xgrad::write_file_atomically(s.dir / "dangling", "new"); }, {"symbolic link"});
  BOOST_TEST(!fs::exists(s.dir / "nowhere"));
}

BOOST_AUTO_TEST_CASE(a_fifo_and_a_device_are_refused) {
  Scratch s;
  BOOST_TEST_REQUIRE(::mkfifo((s.dir / "pipe").c_str(), 0600) == 0);
  expect_error<xgrad::FileError>([&] { xgrad::write_file_atomically(s.dir / "pipe", "new"); }, {"pipe", "FIFO"});
  BOOST_TEST(fs::is_fifo(s.dir / "pipe"));
  BOOST_TEST(s.entries() == (std::vector<std::string>{"pipe"}));
  // Only checked (check_writable creates nothing beside a refused target).
  expect_error<xgrad::FileError>([] { xgrad::check_writable("/dev/null"); }, {"/dev/null", "character device"});
  BOOST_TEST(fs::is_character_file("/dev/null"));
  expect_error<xgrad::FileError>([&] { xgrad::write_file_atomically(s.dir, "new"); }, {"folder"});
}

BOOST_AUTO_TEST_CASE(a_name_of_255_bytes_works_and_leaves_no_temporary_file) {
  Scratch s;
  for (std::size_t length : {245u, 255u}) {
    const std::string name(length, 'n');
    xgrad::write_file_atomically(s.dir / name, "first");
    xgrad::write_file_atomically(s.dir / name, "second");
    BOOST_TEST(read_bytes(s.dir / name) == "second");
    xgrad::check_writable(s.dir / name);
  }
  BOOST_TEST(s.entries() == (std::vector<std::string>{std::string(245, 'n'), std::string(255, 'n')}));
}

BOOST_AUTO_TEST_CASE(check_writable_names_a_missing_folder_and_creates_nothing) {
  Scratch s;
  expect_error<xgrad::FileError>([&] { xgrad::check_writable(s.dir / "missing" / "r.json"); },
                                 {"missing", "does not exist"});
  xgrad::check_writable(s.dir / "new.json");
  BOOST_TEST(s.entries().empty());
}

BOOST_AUTO_TEST_CASE(several_files_are_all_replaced_or_none) {
  Scratch s;
  const fs::path folder = s.dir / "params";
  fs::create_directory(folder);
  std::ofstream(folder / "a.npy") << "old a";
  std::ofstream(folder / "b.npy") << "old b";
  fs::create_directory(folder / "c.npy");  // the third target cannot be replaced
  const std::vector<xgrad::FileImage> files = {{folder / "a.npy", "new a"}, {folder / "b.npy", "new b"},
                                        {folder / "c.npy", "new c"}};
  expect_error<xgrad::FileError>([&] { xgrad::write_files_atomically(files); }, {"c.npy", "folder"});
  BOOST_TEST(read_bytes(folder / "a.npy") == "old a");
  BOOST_TEST(read_bytes(folder / "b.npy") == "old b");
  BOOST_TEST(names_in(folder) == (std::vector<std::string>{"a.npy", "b.npy", "c.npy"}));

  fs::remove(folder / "c.npy");
  xgrad::write_files_atomically(files);
  BOOST_TEST(read_bytes(folder / "a.npy") == "new a");
  BOOST_TEST(read_bytes(folder / "c.npy") == "new c");
  BOOST_TEST(names_in(folder) == (std::vector<std::string>{"a.npy", "b.npy", "c.npy"}));

  expect_error<xgrad::InputError>(
      [&] { xgrad::write_files_atomically(std::vector<xgrad::FileImage>{{folder / "a.npy", "1"}, {folder / "./a.npy", "2"}}); },
      {"a.npy", "twice"});
}

BOOST_AUTO_TEST_CASE(a_file_size_limit_is_reported_and_kills_nothing) {
  Scratch s;
  const fs::path target = s.write("r.json", "old");
  const std::string outcome = xgrad::testing::in_child(
      [&] {
        try {
          xgrad::write_file_atomically(target, std::string(100000, 'x'));
        } catch (const xgrad::WriteError& e) {
          return std::string("WriteError: ") + e.what();
        }
        return std::string("no error");
      },
      std::nullopt, 4096);
  BOOST_TEST(outcome.starts_with("WriteError: "), outcome);
  BOOST_TEST(outcome.find("r.json") != std::string::npos, outcome);
  BOOST_TEST(outcome.find("File too large") != std::string::npos, outcome);
  BOOST_TEST(read_bytes(target) == "old");
  BOOST_TEST(s.entries() == (std::vector<std::string>{"r.json"}));
}

BOOST_AUTO_TEST_CASE(an_interrupted_write_removes_its_temporary_files) {
  Scratch s;
  const fs::path a = s.write("a.npy", "old a");
  const std::string outcome = xgrad::testing::in_child([&] {
    xgrad::interrupt_file_writes();  // as a signal handler does; lasts for the process
    try {
      xgrad::write_files_atomically(std::vector<xgrad::FileImage>{{a, "new a"}, {s.dir / "b.npy", "new b"}});
    } catch (const xgrad::Interrupted& e) {
      return std::string("Interrupted: ") + e.what();
    }
    return std::string("no error");
  });
  BOOST_TEST(outcome.starts_with("Interrupted: "), outcome);
  BOOST_TEST(read_bytes(a) == "old a");
  BOOST_TEST(s.entries() == (std::vector<std::string>{"a.npy"}));
  BOOST_TEST(!xgrad::file_writes_in_progress());
}

// ===================================================================== validate_dataset

BOOST_AUTO_TEST_CASE(validate_dataset_accepts_a_valid_set) {
  Dataset data{Matrix{{0.5, -1.0, 3.0}, {1.5, 2.0, 4.0}}, Matrix{{1.0, 0.0, -0.0}}};
  BOOST_CHECK_NO_THROW(xgrad::validate_dataset(data, "training set"));
}

BOOST_AUTO_TEST_CASE(validate_dataset_names_the_problem) {
  auto expect = [](Dataset data, const std::string& problem) {
    expect_error<InputError>([&] { xgrad::validate_dataset(data, "training set"); },
                             {"training set: ", problem});
  };
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  expect({Matrix{{1.0, 2.0}}, Matrix{{1.0, 0.0, 1.0}}}, "X has 2 examples (columns) but Y has 3 labels");
  expect({Matrix({2, 0}), Matrix({1, 0})}, "no examples (X is 2x0)");
  expect({Matrix({0, 3}), Matrix{{1.0, 0.0, 1.0}}}, "no features (X is 0x3)");
  expect({Matrix{{1.0, 2.0}}, Matrix{{1.0, 0.0}, {0.0, 1.0}}}, "Y must be one row of labels, but it is 2x2");
  expect({Matrix{{1.0, 2.0, 3.0}, {4.0, nan, 6.0}}, Matrix{{1.0, 0.0, 1.0}}}, "X(1, 1) is nan");
  expect({Matrix{{1.0, 2.0, 3.0}, {4.0, 5.0, -inf}}, Matrix{{1.0, 0.0, 1.0}}}, "X(1, 2) is -inf");
  expect({Matrix{{1.0, 2.0}}, Matrix{{1.0, inf}}}, "Y(0, 1) is inf");
  expect({Matrix{{1.0, 2.0, 3.0}}, Matrix{{1.0, 0.0, 0.5}}}, "label Y(0, 2) = 0.5 is not 0 or 1");
  expect({Matrix{{1.0, 2.0}}, Matrix{{2.0, 0.0}}}, "label Y(0, 0) = 2 is not 0 or 1");
}

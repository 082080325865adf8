// xgrad::load_dataset: the reader is picked by the extension, each file's problems are
// attributed to that file (DatasetFileError::file()), and the sets come back as written.
#define BOOST_TEST_MODULE load_dataset
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include "reference.hpp"
#include <xgrad/io/csv.hpp>
#include <xgrad/io/load_dataset.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>

namespace fs = std::filesystem;
using xgrad::DataFormat;
using xgrad::DatasetFileError;
using xgrad::DatasetFiles;
using xgrad::LoadedDataset;
using xgrad::Matrix;

namespace {

struct Scratch {
  fs::path root;
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "xgrad_load_dataset_XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path operator/(const std::string& name) const { return root / name; }
};

// X (3, 4): X(i, j) = 10 i + j; Y (1, 4) = 0 1 1 0.
Matrix features() {
  Matrix X({3, 4});
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 4; ++j) X(i, j) = 10.0 * static_cast<double>(i) + static_cast<double>(j);
  }
  return X;
}
Matrix labels() { return Matrix({{0.0, 1.0, 1.0, 0.0}}); }

// Two features, two examples, for a test set: (0.5, -1), (2, 3) labelled 1, 0.
Matrix test_features() { return Matrix({{0.5, 2.0}, {-1.0, 3.0}}); }
Matrix test_labels() { return Matrix({{1.0, 0.0}}); }

void write_text(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

// The rows of features()/labels() as a .csv (one example per row, label last).
void write_csv(const fs::path& file) {
  write_text(file, "a,b,c,label\n0,10,20,0\n1,11,21,1\n2,12,22,1\n3,13,23,0\n");
}

// True when `e` is about `file` and its message names `part`.
std::function<bool(const DatasetFileError&)> about(const fs::path& file, const std::string& part) {
  return [file, part](const DatasetFileError& e) {
    BOOST_TEST(e.file() == file);
    BOOST_TEST(std::string(e.what()).find(part) != std::string::npos, e.what());
    return e.file() == file;
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_extension_picks_the_format) {
  BOOST_TEST((xgrad::data_format("a/b.mat") == DataFormat::mat));
  BOOST_TEST((xgrad::data_format("b.npy") == DataFormat::npy));
  BOOST_TEST((xgrad::data_format("b.npz") == DataFormat::npz));
  BOOST_TEST((xgrad::data_format("b.tar.csv") == DataFormat::csv));
  for (const char* name : {"data.txt", "data", "data.NPY", "folder/", "csv"}) {
    BOOST_CHECK_EXCEPTION(xgrad::data_format(name), xgrad::FileError, [name](const xgrad::FileError& e) {
      const std::string message = e.what();
      return message.starts_with(name) && message.find("not a .mat, .npy, .npz or .csv file") != std::string::npos;
    });
  }
  BOOST_TEST(xgrad::needs_labels_file(DataFormat::npy));
  BOOST_TEST(!xgrad::needs_labels_file(DataFormat::csv));
  BOOST_TEST(xgrad::has_variable_names(DataFormat::mat));
  BOOST_TEST(!xgrad::has_variable_names(DataFormat::npz));
}

BOOST_AUTO_TEST_CASE(an_unknown_extension_is_an_error_about_that_file) {
  Scratch s;
  write_csv(s / "data.txt");
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "data.txt"), DatasetFileError, about(s / "data.txt", "not a .mat"));
}

BOOST_AUTO_TEST_CASE(csv_rows_become_columns) {
  Scratch s;
  write_csv(s / "train.csv");
  const LoadedDataset d = xgrad::load_dataset(s / "train.csv");
  BOOST_TEST((d.train.X == features()));
  BOOST_TEST((d.train.Y == labels()));
  BOOST_TEST(!d.test.has_value());
}

BOOST_AUTO_TEST_CASE(npy_features_with_a_labels_file) {
  Scratch s;
  xgrad::save_npy(s / "X.npy", features());
  xgrad::save_npy(s / "Y.npy", labels());
  DatasetFiles files;
  files.data = s / "X.npy";
  files.labels = s / "Y.npy";
  const LoadedDataset d = xgrad::load_dataset(files);
  BOOST_TEST((d.train.X == features()));
  BOOST_TEST((d.train.Y == labels()));
  BOOST_TEST(!d.test.has_value());

  // Without its labels; labels given to a .csv; a damaged labels file.
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "X.npy"), DatasetFileError, about(s / "X.npy", "second .npy file"));
  write_csv(s / "train.csv");
  files.data = s / "train.csv";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError, about(s / "Y.npy", "applies to .npy features only"));
  write_text(s / "bad.npy", "\x93NUMPY");
  files.data = s / "X.npy";
  files.labels = s / "bad.npy";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError, about(s / "bad.npy", "bad.npy"));
  // Labels that do not fit the features: the pair is named, the features file is at fault.
  xgrad::save_npy(s / "Y3.npy", Matrix({{0.0, 1.0, 1.0}}));
  files.labels = s / "Y3.npy";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError,
                        about(s / "X.npy", "X has 4 examples (columns) but Y has 3 labels"));
}

BOOST_AUTO_TEST_CASE(npz_holds_the_course_names_and_an_optional_test_set) {
  Scratch s;
  xgrad::save_npz(s / "both.npz", {{"train_X", features()}, {"train_Y", labels()},
                                   {"test_X", Matrix({{0.5, 2.0}, {-1.0, 3.0}, {7.0, 8.0}})}, {"test_Y", test_labels()}});
  const LoadedDataset both = xgrad::load_dataset(s / "both.npz");
  BOOST_TEST((both.train.X == features()));
  BOOST_TEST((both.train.Y == labels()));
  BOOST_TEST_REQUIRE(both.test.has_value());
  BOOST_TEST(both.test->examples() == 2u);
  BOOST_TEST((both.test->Y == test_labels()));

  xgrad::save_npz(s / "train.npz", {{"train_Y", labels()}, {"train_X", features()}});
  const LoadedDataset train = xgrad::load_dataset(s / "train.npz");
  BOOST_TEST((train.train.X == features()));
  BOOST_TEST(!train.test.has_value());

  xgrad::save_npz(s / "odd.npz", {{"train_X", features()}, {"train_Y", labels()}, {"test_x", test_features()}});
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "odd.npz"), DatasetFileError, about(s / "odd.npz", "'test_x'"));
  xgrad::save_npz(s / "half.npz", {{"train_X", features()}, {"train_Y", labels()}, {"test_X", test_features()}});
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "half.npz"), DatasetFileError, about(s / "half.npz", "test_X without test_Y"));
  xgrad::save_npz(s / "no_y.npz", {{"train_X", features()}});
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "no_y.npz"), DatasetFileError, about(s / "no_y.npz", "no array 'train_Y'"));
  xgrad::save_npz(s / "nan.npz", {{"train_X", Matrix({{0.0, std::nan("")}})}, {"train_Y", Matrix({{0.0, 1.0}})}});
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(s / "nan.npz"), DatasetFileError, about(s / "nan.npz", "X(0, 1) is nan"));
}

BOOST_AUTO_TEST_CASE(a_separate_test_set_is_read_by_its_own_extension) {
  Scratch s;
  write_csv(s / "train.csv");
  xgrad::save_npy(s / "TX.npy", Matrix({{0.5, 2.0}, {-1.0, 3.0}, {7.0, 8.0}}));
  xgrad::save_npy(s / "TY.npy", test_labels());
  DatasetFiles files;
  files.data = s / "train.csv";
  files.test_data = s / "TX.npy";
  files.test_labels = s / "TY.npy";
  const LoadedDataset d = xgrad::load_dataset(files);
  BOOST_TEST((d.train.X == features()));
  BOOST_TEST_REQUIRE(d.test.has_value());
  BOOST_TEST((d.test->X == Matrix({{0.5, 2.0}, {-1.0, 3.0}, {7.0, 8.0}})));
  BOOST_TEST((d.test->Y == test_labels()));

  // 2 test features against 3 training features.
  xgrad::save_npy(s / "TX2.npy", test_features());
  files.test_data = s / "TX2.npy";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError,
                        about(s / "TX2.npy", "the test set has 2 features but the training set"));
  // Test labels without test data.
  files.test_data.reset();
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError, about(s / "TY.npy", "without test data"));
  // A test set for data that holds one already.
  xgrad::save_npz(s / "both.npz", {{"train_X", test_features()}, {"train_Y", test_labels()},
                                   {"test_X", test_features()}, {"test_Y", test_labels()}});
  files.data = s / "both.npz";
  files.test_data = s / "TX2.npy";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError, about(s / "TX2.npy", "holds one already"));
}

BOOST_AUTO_TEST_CASE(mat_reads_the_course_variables_or_the_named_ones,
                     *xgrad::testing::needs_shared("data/football.mat")) {
  const fs::path football = *xgrad::testing::shared_file("data/football.mat");
  // The notes: 211 training examples (X, y) and 200 test examples (Xval, yval), 2 features.
  const LoadedDataset d = xgrad::load_dataset(football);
  BOOST_TEST(d.train.examples() == 211u);
  BOOST_TEST(d.train.features() == 2u);
  BOOST_TEST_REQUIRE(d.test.has_value());
  BOOST_TEST(d.test->examples() == 200u);

  DatasetFiles swapped;
  swapped.data = football;
  swapped.mat_variables = {"Xval", "yval", "X", "y"};
  const LoadedDataset s = xgrad::load_dataset(swapped);
  BOOST_TEST(s.train.examples() == 200u);
  BOOST_TEST((s.train.X == d.test->X));
  BOOST_TEST((s.test->Y == d.train.Y));

  swapped.mat_variables = {"Z", "yval", "X", "y"};
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(swapped), DatasetFileError, about(football, "no variable 'Z'"));
}

// The labels' contract follows the loss: 0/1 by default, class indices 0..k-1, any finite
// target; a label outside it is named with its file, place and value.
BOOST_AUTO_TEST_CASE(labels_follow_the_label_rule_in_every_format) {
  Scratch s;
  write_text(s / "three.csv", "a,b,label\n0,1,0\n1,2,2\n2,3,1\n3,4,2\n");
  const Matrix classes({{0.0, 2.0, 1.0, 2.0}});
  DatasetFiles files;
  files.data = s / "three.csv";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError,
                        about(s / "three.csv", ":3: label 2 (field 3) is not 0 or 1"));
  files.label_rule = xgrad::LabelRule::class_indices(3);
  BOOST_TEST((xgrad::load_dataset(files).train.Y == classes));
  files.label_rule = xgrad::LabelRule::class_indices(2);
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError,
                        about(s / "three.csv", ":3: label 2 (field 3) is not a class index 0..1"));
  files.label_rule = xgrad::LabelRule::targets();
  BOOST_TEST((xgrad::load_dataset(files).train.Y == classes));

  // .npz (and .npy pairs, .mat: the same validate_dataset) with the class-index rule.
  xgrad::save_npz(s / "three.npz", {{"train_X", features()}, {"train_Y", classes}});
  files.data = s / "three.npz";
  files.label_rule = xgrad::LabelRule::class_indices(3);
  BOOST_TEST((xgrad::load_dataset(files).train.Y == classes));
  xgrad::save_npz(s / "half.npz", {{"train_X", features()}, {"train_Y", Matrix({{0.0, 1.5, 1.0, 2.0}})}});
  files.data = s / "half.npz";
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset(files), DatasetFileError,
                        about(s / "half.npz", "label Y(0, 1) = 1.5 is not a class index 0..2 (example 1)"));
  files.label_rule = xgrad::LabelRule::targets();
  BOOST_TEST(xgrad::load_dataset(files).train.Y(0, 1) == 1.5);

  BOOST_CHECK_THROW(xgrad::LabelRule::class_indices(1), xgrad::InputError);
  BOOST_TEST(!xgrad::LabelRule::targets().accepts(std::nan("")));
  BOOST_TEST(!xgrad::LabelRule::class_indices(3).accepts(-1.0));
  BOOST_TEST(!xgrad::LabelRule::class_indices(3).accepts(3.0));
  BOOST_TEST(xgrad::LabelRule::class_indices(3).accepts(2.0));
}

namespace {

DatasetFiles files_of(const fs::path& data) {
  DatasetFiles files;
  files.data = data;
  return files;
}

// A .npy image of (rows, cols) values v(i, j) with dtype `descr`, in C or Fortran order.
template <class T>
std::string npy_bytes(std::size_t rows, std::size_t cols, const std::string& descr, bool fortran,
                      const std::function<T(std::size_t, std::size_t)>& v) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  header += std::string(63 - (10 + header.size()) % 64, ' ') + "\n";
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  for (std::size_t a = 0; a < (fortran ? cols : rows); ++a) {
    for (std::size_t b = 0; b < (fortran ? rows : cols); ++b) {
      const T value = fortran ? v(b, a) : v(a, b);
      out.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
  }
  return out;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Matrix columns(const Matrix& m, std::size_t first, std::size_t count) {
  Matrix out({m.shape(0), count});
  for (std::size_t i = 0; i < m.shape(0); ++i) {
    for (std::size_t j = 0; j < count; ++j) out(i, j) = m(i, first + j);
  }
  return out;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.shape() == b.shape() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Every run of columns of each set of `files`, read apart, is the whole read's, bit for bit.
void check_every_share(const DatasetFiles& files) {
  const LoadedDataset whole = xgrad::load_dataset(files);
  const xgrad::DatasetShape shape = xgrad::dataset_shape(files);
  BOOST_TEST(shape.features == whole.train.features());
  BOOST_TEST(shape.train_examples == whole.train.examples());
  BOOST_TEST(shape.test_examples.has_value() == whole.test.has_value());
  for (const auto part : {xgrad::DataPart::train, xgrad::DataPart::test}) {
    if (part == xgrad::DataPart::test && !whole.test) continue;
    const xgrad::Dataset& set = part == xgrad::DataPart::train ? whole.train : *whole.test;
    const std::size_t m = set.examples();
    for (const auto& [first, count] : {std::pair<std::size_t, std::size_t>{0, m}, {0, 1}, {1, m - 1}, {m / 2, m - m / 2},
                                       {m - 1, 1}, {m, 0}}) {
      const xgrad::Dataset share = xgrad::load_dataset_columns(files, part, first, count);
      BOOST_TEST(same_bits(share.X, columns(set.X, first, count)), files.data << " X columns " << first << " + " << count);
      BOOST_TEST(same_bits(share.Y, columns(set.Y, first, count)), files.data << " Y columns " << first << " + " << count);
    }
    BOOST_CHECK_EXCEPTION(xgrad::load_dataset_columns(files, part, m - 1, 2), DatasetFileError,
                          [](const DatasetFileError& e) {
                            return std::string(e.what()).find("asked for") != std::string::npos;
                          });
  }
}

}  // namespace

// What one process of a data-parallel run reads: columns of a set, the same bits as the
// whole read, in every format and layout (.npy C and Fortran order, float32 and int64, 1-D
// labels; .npz; .csv and .mat, which are read whole).
BOOST_AUTO_TEST_CASE(a_share_of_the_columns_is_the_whole_reads_bit_for_bit) {
  Scratch s;
  const auto x = [](std::size_t i, std::size_t j) { return std::sin(static_cast<double>(7 * i + 13 * j)); };
  const auto y = [](std::size_t, std::size_t j) { return static_cast<double>((j * j) % 3 == 1); };
  write_bytes(s / "C.npy", npy_bytes<double>(3, 37, "<f8", false, x));
  write_bytes(s / "F.npy", npy_bytes<double>(3, 37, "<f8", true, x));
  write_bytes(s / "F4.npy", npy_bytes<float>(3, 37, "<f4", true, [&](std::size_t i, std::size_t j) {
                return static_cast<float>(x(i, j));
              }));
  write_bytes(s / "Y.npy", npy_bytes<std::int64_t>(1, 37, "<i8", false, [&](std::size_t i, std::size_t j) {
                return static_cast<std::int64_t>(y(i, j));
              }));
  std::string one_d = npy_bytes<double>(1, 37, "<f8", false, y);
  const std::string shape_2d = "(1, 37)";
  one_d.replace(one_d.find(shape_2d), shape_2d.size(), "(37,)  ");
  write_bytes(s / "Y1.npy", one_d);
  write_bytes(s / "TX.npy", npy_bytes<double>(3, 11, "<f8", false, x));
  write_bytes(s / "TY.npy", npy_bytes<double>(1, 11, "<f8", false, y));
  for (const char* features : {"C.npy", "F.npy", "F4.npy"}) {
    for (const char* labels_file : {"Y.npy", "Y1.npy"}) {
      DatasetFiles files;
      files.data = s / features;
      files.labels = s / labels_file;
      files.test_data = s / "TX.npy";
      files.test_labels = s / "TY.npy";
      check_every_share(files);
    }
  }
  xgrad::save_npz(s / "d.npz", {{"train_X", xgrad::load_npy(s / "F.npy")}, {"train_Y", xgrad::load_npy(s / "Y.npy")},
                                {"test_X", xgrad::load_npy(s / "TX.npy")}, {"test_Y", xgrad::load_npy(s / "TY.npy")}});
  check_every_share(files_of(s / "d.npz"));
  write_csv(s / "d.csv");
  DatasetFiles csv = files_of(s / "d.csv");
  csv.test_data = s / "TX.npy";
  csv.test_labels = s / "TY.npy";
  check_every_share(csv);
  if (const auto football = xgrad::testing::shared_file("data/football.mat")) check_every_share(files_of(*football));
}

// The pieces read apart are checked as the whole: a file shorter than its header says fails
// on its header (every process, before any data), an .npz entry likewise, and a bad label in
// the columns read is named.
BOOST_AUTO_TEST_CASE(a_share_read_checks_the_file_as_the_whole_read_does) {
  Scratch s;
  const auto x = [](std::size_t i, std::size_t j) { return static_cast<double>(i + j); };
  const std::string bytes = npy_bytes<double>(2, 40, "<f8", false, x);
  write_bytes(s / "short.npy", bytes.substr(0, bytes.size() - 8));
  write_bytes(s / "Y.npy", npy_bytes<double>(1, 40, "<f8", false, [](std::size_t, std::size_t j) {
                return j == 33 ? 2.0 : 0.0;
              }));
  write_bytes(s / "X.npy", bytes);
  DatasetFiles files = files_of(s / "short.npy");
  files.labels = s / "Y.npy";
  BOOST_CHECK_EXCEPTION(xgrad::dataset_shape(files), DatasetFileError, about(s / "short.npy", "truncated"));
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset_columns(files, xgrad::DataPart::train, 0, 1), DatasetFileError,
                        about(s / "short.npy", "truncated"));
  files.data = s / "X.npy";
  BOOST_TEST(xgrad::load_dataset_columns(files, xgrad::DataPart::train, 0, 33).examples() == 33u);
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset_columns(files, xgrad::DataPart::train, 30, 10), DatasetFileError,
                        about(s / "X.npy", "columns 30 to 39"));
  BOOST_CHECK_EXCEPTION(xgrad::load_dataset_columns(files, xgrad::DataPart::test, 0, 1), DatasetFileError,
                        about(s / "X.npy", "no test set"));

  xgrad::save_npz(s / "d.npz", {{"train_X", xgrad::load_npy(s / "X.npy")}, {"train_Y", Matrix({1, 40}, 0.0)}});
  std::string archive;
  {
    std::ifstream in(s / "d.npz", std::ios::binary);
    archive.assign(std::istreambuf_iterator<char>(in), {});
  }
  // train_X's header claims more columns than its entry holds.
  const std::size_t shape_at = archive.find("(2, 40)");
  BOOST_TEST_REQUIRE(shape_at != std::string::npos);
  archive.replace(shape_at, 7, "(2, 41)");
  write_bytes(s / "bad.npz", archive);
  BOOST_CHECK_EXCEPTION(xgrad::dataset_shape(files_of(s / "bad.npz")), DatasetFileError,
                        about(s / "bad.npz", "truncated"));
  BOOST_CHECK_THROW(xgrad::load_npz_columns(s / "d.npz", "nope", 0, 1), xgrad::FileError);
  BOOST_TEST(same_bits(xgrad::load_npz_columns(s / "d.npz", "train_X", 5, 3), columns(xgrad::load_npy(s / "X.npy"), 5, 3)));
}

// A .csv share: every line's field count is checked by every reader, but a row's numbers and
// label only by the reader of that row, which names its line.
BOOST_AUTO_TEST_CASE(a_csv_share_parses_its_rows_only) {
  Scratch s;
  write_text(s / "d.csv", "a,b,label\n0,1,0\n2,3,1\n4,oops,1\n6,7,2\n8,9,0\n");
  const xgrad::CsvShape shape = xgrad::csv_shape(s / "d.csv");
  BOOST_TEST(shape.rows == 5u);
  BOOST_TEST(shape.columns == 3u);
  const xgrad::Dataset first_two = xgrad::load_csv_dataset_rows(s / "d.csv", xgrad::LabelRule{}, 0, 2);
  BOOST_TEST(same_bits(first_two.X, Matrix({{0.0, 2.0}, {1.0, 3.0}})));
  BOOST_TEST(same_bits(first_two.Y, Matrix({{0.0, 1.0}})));
  BOOST_TEST(xgrad::load_csv_dataset_rows(s / "d.csv", xgrad::LabelRule{}, 4, 1).X(1, 0) == 9.0);
  BOOST_CHECK_EXCEPTION(xgrad::load_csv_dataset_rows(s / "d.csv", xgrad::LabelRule{}, 2, 1), xgrad::FileError,
                        [](const xgrad::FileError& e) {
                          return std::string(e.what()).find("d.csv:4: field 2 'oops' is not a number") !=
                                 std::string::npos;
                        });
  BOOST_CHECK_EXCEPTION(xgrad::load_csv_dataset_rows(s / "d.csv", xgrad::LabelRule{}, 3, 1), xgrad::FileError,
                        [](const xgrad::FileError& e) {
                          return std::string(e.what()).find("d.csv:5: label 2 (field 3) is not") != std::string::npos;
                        });
  write_text(s / "ragged.csv", "0,1,0\n2,3,1\n4,5\n");
  BOOST_CHECK_EXCEPTION(xgrad::load_csv_dataset_rows(s / "ragged.csv", xgrad::LabelRule{}, 0, 1), xgrad::FileError,
                        [](const xgrad::FileError& e) {
                          return std::string(e.what()).find("ragged.csv:3: 2 fields, expected 3") != std::string::npos;
                        });
}

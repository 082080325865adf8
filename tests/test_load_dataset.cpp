// xgrad::load_dataset: the reader is picked by the extension, each file's problems are
// attributed to that file (DatasetFileError::file()), and the sets come back as written.
#define BOOST_TEST_MODULE load_dataset
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "reference.hpp"
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

/// @file
/// One entry point for labelled data files: load_dataset(path, ...) picks the reader from the
/// file's extension (.mat, .npy, .npz, .csv), reads a training set and, where the files hold
/// one, a test set, and says which file a problem is in.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/error.hpp>

namespace xgrad {

/// The kinds of data file load_dataset reads, and what each holds:
///   mat  MATLAB file, the course's layout: training X (m, features), y (m, 1) and test
///        Xval, yval, under variable names that can be changed (MatVariables); both sets.
///   npy  one numpy array, the features X (features, m); its labels (1, m) are a second .npy
///        file (DatasetFiles::labels). No test set.
///   npz  numpy archive with arrays named as the course's variables: train_X (features, m),
///        train_Y (1, m) and, optionally, test_X and test_Y (both or neither); no other names.
///   csv  one example per row: the features, then the label (load_csv_dataset). No test set.
/// Labels are one row, one per example: 0/1 by default; DatasetFiles::label_rule says when they
/// are class indices 0..k-1 (softmax) or any finite targets (mean squared error).
enum class DataFormat { mat, npy, npz, csv };

/// "mat", "npy", "npz", "csv".
std::string to_string(DataFormat format);

/// The format `file`'s extension names (".mat", ".npy", ".npz", ".csv", exactly, lower case).
/// Throws FileError "<path>: not a .mat, .npy, .npz or .csv file (the extension picks the
/// reader)" for any other extension or none.
DataFormat data_format(const std::filesystem::path& file);

/// What a format needs or allows beside the file itself:
bool needs_labels_file(DataFormat format);   ///< npy: the labels are a second file
bool has_variable_names(DataFormat format);  ///< mat: MatVariables name both of its sets

/// The variables a .mat file's sets are read from; the defaults are the course's football.mat.
struct MatVariables {
  std::string x_train = "X";  ///< training features
  std::string y_train = "y";  ///< training labels
  std::string x_test = "Xval";  ///< test features
  std::string y_test = "yval";  ///< test labels
};

/// The files of a data set. Each file is read by its own extension, so a .csv training set
/// may have a .npy test set.
struct DatasetFiles {
  std::filesystem::path data;                         ///< the training set (and a .mat/.npz's test set)
  std::optional<std::filesystem::path> labels;        ///< required for .npy data, else absent
  std::optional<std::filesystem::path> test_data;     ///< a separate test set, for data without one
  std::optional<std::filesystem::path> test_labels;   ///< required for a .npy test_data, else absent
  MatVariables mat_variables;                         ///< used for .mat files only
  LabelRule label_rule;                               ///< what every set's labels must be (0/1 by default)
};

/// What load_dataset returns: the training set and, when the files have one, a test set.
struct LoadedDataset {
  Dataset train;  ///< the training set
  std::optional<Dataset> test;  ///< from the data file (.mat, an .npz with test_X) or test_data
};

/// A problem in one of the files load_dataset reads. file() is that file, as given in
/// DatasetFiles (data, labels, test_data or test_labels); what() starts with its path, or,
/// for a features file with a labels file, with "<features path> with labels <labels path>".
class DatasetFileError : public FileError {
 public:
  /// `message` is the whole what(); `file` the file it concerns.
  DatasetFileError(const std::string& message, std::filesystem::path file);
  /// The file the problem is in, as given in DatasetFiles.
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

/// Reads the data set `files` names, each file by its extension (data_format).
/// Ensures: train, and test when present, are valid (validate_dataset with files.label_rule)
/// and have the same number of features.
/// Throws DatasetFileError naming the file at fault (file()):
///   a reader's error: an unknown extension, FileError of load_mat_train_test, load_npy,
///   load_npz or load_csv_dataset; a features file and its labels that do not make a valid
///   data set; a label that does not satisfy label_rule (file, example and value named); an .npz without train_X/train_Y, with only one of test_X/test_Y or with
///   another name; a test set whose feature count differs from the training set's;
///   files that do not fit the formats: labels missing for .npy data (data or test_data) or
///   given for another format (labels or test_labels), test_labels without test_data,
///   test_data given for data that holds a test set (.mat, or an .npz with test_X) or that
///   itself holds one.
LoadedDataset load_dataset(const DatasetFiles& files);

/// load_dataset({.data = file}): a .mat, .npz or .csv file.
LoadedDataset load_dataset(const std::filesystem::path& file);

/// The two sets of a data set's files.
enum class DataPart {
  train,  ///< the training set (DatasetFiles::data)
  test,   ///< the test set (DatasetFiles::test_data, or the one a .mat or .npz data file holds)
};

/// The sizes of a data set's sets, as load_dataset(files) would give them.
struct DatasetShape {
  std::size_t features = 0;        ///< rows of X
  std::size_t train_examples = 0;  ///< columns of the training set
  std::optional<std::size_t> test_examples;  ///< columns of the test set, when there is one
};

/// The sizes of the sets `files` name, with load_dataset's checks on the files' structure
/// (formats, which files go together, array and variable names, shapes that agree), made on
/// what the formats allow to read apart: .npy and .npz files are read up to their headers and
/// their archive directory, .mat files up to their variables' headers (after the MAT reader's
/// check of the file's framing), .csv files line by line without parsing a number (csv_shape).
/// The values (numbers, labels) are checked by load_dataset_columns, on the columns it reads.
/// Throws DatasetFileError as load_dataset does for these problems.
DatasetShape dataset_shape(const DatasetFiles& files);

/// Columns first .. first + count - 1 of load_dataset(files).train (DataPart::train) or of its
/// .test, bit for bit: what one process of a data-parallel run holds. What is read: of .npy
/// files (features and labels) and .npz archives, the headers, the archive's directory and
/// those columns' bytes only (load_npy_columns, load_npz_columns; an .npz entry's CRC is not
/// checked); of .mat files, those rows of the course-layout variables (load_mat_rows: matio's
/// hyperslab read, after the framing check); of .csv files, the whole text, whose lines are
/// counted and checked, but only those rows' numbers are parsed (load_csv_dataset_rows: a
/// row's place in the file is known only by reading every row before it).
/// Ensures: the columns are checked as load_dataset checks a set (validate_dataset with
/// files.label_rule: finite, labels that satisfy the rule), under the source "<file> columns
/// F to L" ("<file> rows F to L" for .csv); count 0 gives X (features, 0) and Y (1, 0).
/// Throws DatasetFileError as dataset_shape, for the columns read, when the part has no set
/// ("... has no test set"), or when first + count is past the set's examples.
Dataset load_dataset_columns(const DatasetFiles& files, DataPart part, std::size_t first, std::size_t count);

}  // namespace xgrad

// Where the train and gradcheck commands get their data: the course's circles, generated
// circles, or data files read by xgrad::load_dataset, chosen by the Data flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <xgrad/core/dataset.hpp>
#include <xgrad/io/load_dataset.hpp>

namespace xgrad::cli {

struct LoadedData {
  Dataset train;
  std::optional<Dataset> test;  // absent for a .csv/.npy without --test-data
  std::string description;      // one line: where the data came from and its sizes
};

// The Data flags' values: --dataset, --samples, --noise, --data-seed, --data, --labels,
// --test-data, --test-labels, --x-train, --y-train, --x-test, --y-test.
struct DataFlags {
  std::string dataset;  // "circles" or empty
  std::size_t samples = 300;
  double noise = 0.05;
  std::uint64_t data_seed = 1;
  std::string data, labels, test_data, test_labels;  // empty: not given
  MatVariables mat_variables;                        // the course's X, y, Xval, yval

  // Declares the flags in the Data group of `command`, bound to the fields above, with the
  // exclusions that need no file (--data excludes --dataset; --samples, --noise and
  // --data-seed need --dataset; the file flags need --data; --test-labels needs --test-data).
  void declare(CLI::App& command);

  // Reads the data the flags name; without --dataset or --data, the course's circles.
  // Ensures: both sets valid (validate_dataset with `label_rule`: what the model's loss
  // reads) with the same number of features.
  // Throws InputError naming the flag: flags that do not fit the file's format (--labels
  // without a .npy, --x-train without a .mat, ...), a .npy without its labels, a file that
  // cannot be read or does not hold a valid data set ("--data: <message>", "--labels: ...").
  LoadedData load(const LabelRule& label_rule = LabelRule{}) const;

  // The sizes of the sets load() gives, reading as little as the formats allow (the headers
  // of .npy and .npz files; generated circles are not generated), and load()'s description.
  // Throws as load() does for the flags and the files' structure.
  DatasetShape shape(const LabelRule& label_rule = LabelRule{}) const;
  std::string description(const DatasetShape& shape) const;

  // Columns first .. first + count - 1 of load()'s training set (DataPart::train) or test set,
  // bit for bit, reading or generating as little else as the sources allow
  // (load_dataset_columns, make_circles_columns). Throws as load() does.
  Dataset columns(const LabelRule& label_rule, DataPart part, std::size_t first, std::size_t count) const;

 private:
  DatasetFiles files(const LabelRule& label_rule) const;  // the flags' files, checked against their formats
  CLI::Option* labels_flag_ = nullptr;
  CLI::Option* test_data_flag_ = nullptr;
  CLI::Option* test_labels_flag_ = nullptr;
  std::vector<CLI::Option*> mat_variable_flags_;
  CLI::Option* dataset_flag_ = nullptr;
  CLI::Option* data_flag_ = nullptr;
};

}  // namespace xgrad::cli

#include <xgrad/io/load_dataset.hpp>

#include <utility>
#include <vector>

#include <xgrad/io/csv.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>

namespace fs = std::filesystem;

namespace xgrad {

namespace {

constexpr DataFormat all_formats[] = {DataFormat::mat, DataFormat::npy, DataFormat::npz, DataFormat::csv};

// Runs `read`, turning any FileError or InputError it throws into a DatasetFileError about `file`.
template <class Read>
auto reading(const fs::path& file, Read&& read) {
  try {
    return read();
  } catch (const DatasetFileError&) {
    throw;
  } catch (const InputError& e) {
    throw DatasetFileError(e.what(), file);
  }
}

// Features (features, m) in one .npy file, labels (1, m) in another.
Dataset npy_pair(const fs::path& x_file, const fs::path& y_file, const LabelRule& labels) {
  Dataset d;
  d.X = reading(x_file, [&] { return load_npy(x_file); });
  d.Y = reading(y_file, [&] { return load_npy(y_file); });
  reading(x_file, [&] { validate_dataset(d, x_file.string() + " with labels " + y_file.string(), labels); });
  return d;
}

// train_X, train_Y and optionally test_X, test_Y, in the .npy layout.
LoadedDataset npz_sets(const fs::path& file, const LabelRule& labels) {
  const char* const names[] = {"train_X", "train_Y", "test_X", "test_Y"};
  std::optional<Matrix> arrays[4];
  for (auto& [name, matrix] : load_npz(file)) {
    std::size_t k = 0;
    while (k < 4 && name != names[k]) ++k;
    if (k == 4) {
      throw FileError(file, "array '" + name +
                                "' is not one of train_X, train_Y, test_X, test_Y (the names a data set .npz uses)");
    }
    arrays[k] = std::move(matrix);
  }
  for (std::size_t k = 0; k < 2; ++k) {
    if (!arrays[k]) throw FileError(file, std::string("no array '") + names[k] + "' (a data set .npz holds train_X and train_Y)");
  }
  if (arrays[2].has_value() != arrays[3].has_value()) {
    throw FileError(file, std::string(arrays[2] ? "test_X without test_Y" : "test_Y without test_X") +
                              " (give both or neither)");
  }
  LoadedDataset sets{{std::move(*arrays[0]), std::move(*arrays[1])}, std::nullopt};
  validate_dataset(sets.train, file.string() + ": train_X/train_Y", labels);
  if (arrays[2]) {
    sets.test = Dataset{std::move(*arrays[2]), std::move(*arrays[3])};
    validate_dataset(*sets.test, file.string() + ": test_X/test_Y", labels);
  }
  return sets;
}

// One file (and its labels file for .npy), read by its extension.
LoadedDataset read_sets(const fs::path& file, const std::optional<fs::path>& labels, const MatVariables& names,
                        const LabelRule& rule) {
  const DataFormat format = reading(file, [&] { return data_format(file); });
  if (needs_labels_file(format) && !labels) {
    throw DatasetFileError(file.string() + ": a ." + to_string(format) +
                           " file holds the features X (features, m) only; its labels (1, m) are a second .npy file",
                           file);
  }
  if (!needs_labels_file(format) && labels) {
    throw DatasetFileError(labels->string() + ": a labels file applies to .npy features only, not to ." +
                               to_string(format) + " data (" + file.string() + ")",
                           *labels);
  }
  return reading(file, [&]() -> LoadedDataset {
    switch (format) {
      case DataFormat::mat: {
        TrainTest tt = load_mat_train_test(file, names.x_train, names.y_train, names.x_test, names.y_test, rule);
        return {std::move(tt.train), std::move(tt.test)};
      }
      case DataFormat::npy: return {npy_pair(file, *labels, rule), std::nullopt};
      case DataFormat::npz: return npz_sets(file, rule);
      case DataFormat::csv: return {load_csv_dataset(file, rule), std::nullopt};
    }
    throw InputError(file.string() + ": unknown data format");
  });
}

}  // namespace

DatasetFileError::DatasetFileError(const std::string& message, fs::path file)
    : FileError(message), file_(std::move(file)) {}

std::string to_string(DataFormat format) {
  switch (format) {
    case DataFormat::mat: return "mat";
    case DataFormat::npy: return "npy";
    case DataFormat::npz: return "npz";
    case DataFormat::csv: return "csv";
  }
  return "?";
}

DataFormat data_format(const fs::path& file) {
  const std::string extension = file.extension().string();  // ".npy" or empty
  for (DataFormat format : all_formats) {
    if (!extension.empty() && extension.substr(1) == to_string(format)) return format;
  }
  throw FileError(file, "not a .mat, .npy, .npz or .csv file (the extension picks the reader)");
}

bool needs_labels_file(DataFormat format) { return format == DataFormat::npy; }
bool has_variable_names(DataFormat format) { return format == DataFormat::mat; }

LoadedDataset load_dataset(const DatasetFiles& files) {
  if (files.test_labels && !files.test_data) {
    throw DatasetFileError(files.test_labels->string() + ": test labels without test data (DatasetFiles::test_data)",
                           *files.test_labels);
  }
  LoadedDataset sets = read_sets(files.data, files.labels, files.mat_variables, files.label_rule);
  if (!files.test_data) return sets;
  if (sets.test) {
    throw DatasetFileError(files.test_data->string() + ": a separate test set, but " + files.data.string() +
                               " holds one already",
                           *files.test_data);
  }
  LoadedDataset test = read_sets(*files.test_data, files.test_labels, files.mat_variables, files.label_rule);
  if (test.test) {
    throw DatasetFileError(files.test_data->string() + ": holds a training and a test set; as test data it "
                           "must hold one set (.npy or .csv)", *files.test_data);
  }
  sets.test = std::move(test.train);
  if (sets.test->features() != sets.train.features()) {
    throw DatasetFileError(files.test_data->string() + ": the test set has " + std::to_string(sets.test->features()) +
                           " features but the training set (" + files.data.string() + ") has " +
                           std::to_string(sets.train.features()), *files.test_data);
  }
  return sets;
}

LoadedDataset load_dataset(const fs::path& file) {
  DatasetFiles files;
  files.data = file;
  return load_dataset(files);
}

}  // namespace xgrad

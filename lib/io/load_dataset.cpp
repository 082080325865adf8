#include <xgrad/io/load_dataset.hpp>

#include <utility>
#include <vector>

#include <xtensor/xmanipulation.hpp>

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

// The format of `file` (by its extension), checked against whether a labels file was given:
// .npy features need one, every other format holds its labels itself.
DataFormat format_with_labels(const fs::path& file, const std::optional<fs::path>& labels) {
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
  return format;
}

// One file (and its labels file for .npy), read by its extension.
LoadedDataset read_sets(const fs::path& file, const std::optional<fs::path>& labels, const MatVariables& names,
                        const LabelRule& rule) {
  const DataFormat format = format_with_labels(file, labels);
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

// The data files and the separate test data, read whole (LoadedDataset) or up to their
// headers (HeaderSets) by `read(file, labels)`, with the checks both share: test labels need
// test data; a separate test set needs data without one and must itself hold one set of
// features(train) features, the training set's number.
template <class Sets, class Read, class Features>
Sets with_test_data(const DatasetFiles& files, Read read, Features features) {
  if (files.test_labels && !files.test_data) {
    throw DatasetFileError(files.test_labels->string() + ": test labels without test data (DatasetFiles::test_data)",
                           *files.test_labels);
  }
  Sets sets = read(files.data, files.labels);
  if (!files.test_data) return sets;
  if (sets.test) {
    throw DatasetFileError(files.test_data->string() + ": a separate test set, but " + files.data.string() +
                               " holds one already",
                           *files.test_data);
  }
  Sets test = read(*files.test_data, files.test_labels);
  if (test.test) {
    throw DatasetFileError(files.test_data->string() + ": holds a training and a test set; as test data it "
                           "must hold one set (.npy or .csv)", *files.test_data);
  }
  if (features(test.train) != features(sets.train)) {
    throw DatasetFileError(files.test_data->string() + ": the test set has " + std::to_string(features(test.train)) +
                           " features but the training set (" + files.data.string() + ") has " +
                           std::to_string(features(sets.train)), *files.test_data);
  }
  sets.test = std::move(test.train);
  return sets;
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
  return with_test_data<LoadedDataset>(
      files,
      [&](const fs::path& file, const std::optional<fs::path>& labels) {
        return read_sets(file, labels, files.mat_variables, files.label_rule);
      },
      [](const Dataset& set) { return set.features(); });
}

LoadedDataset load_dataset(const fs::path& file) {
  DatasetFiles files;
  files.data = file;
  return load_dataset(files);
}

namespace {


std::string shape_text(const NpyShape& s) {
  std::string text = "(";
  text += std::to_string(s.rows);
  text += ", ";
  text += std::to_string(s.columns);
  text += ")";
  return text;
}

// validate_dataset's checks on the shapes of X and Y, from their headers.
void check_shapes(const NpyShape& x, const NpyShape& y, const std::string& source, const fs::path& file) {
  std::string problem;
  if (x.columns == 0) {
    problem = "no examples (X is " + shape_text(x) + ")";
  } else if (x.rows == 0) {
    problem = "no features (X is " + shape_text(x) + ")";
  } else if (y.rows != 1) {
    problem = "Y must be one row of labels, but it is " + shape_text(y);
  } else if (y.columns != x.columns) {
    problem = "X has " + std::to_string(x.columns) + " examples (columns) but Y has " + std::to_string(y.columns) +
              " labels (X is " + shape_text(x) + ", Y is " + shape_text(y) + ")";
  }
  if (!problem.empty()) throw DatasetFileError(source + ": " + problem, file);
}

// One set of .npy or .npz files, located and its shape checked from the headers.
struct SetHeaders {
  fs::path file;                       // the features (npy) or the archive (npz)
  std::optional<fs::path> labels;      // npy: the labels file
  std::string x_name, y_name;          // npz: the arrays
  NpyShape x;                          // its X's shape
  std::string source;                  // for validate_dataset's messages
  bool mat = false;                    // x_name and y_name are (m, features) and (m, 1) MAT variables
  bool csv = false;                    // one example per row, the label last
};

struct HeaderSets {
  SetHeaders train;
  std::optional<SetHeaders> test;
};

// read_sets, up to the headers, for a .npy or .npz file.
HeaderSets header_sets(const fs::path& file, const std::optional<fs::path>& labels, const MatVariables& variables,
                       const LabelRule& rule) {
  const DataFormat format = format_with_labels(file, labels);
  HeaderSets sets;
  if (format == DataFormat::csv) {
    const CsvShape shape = reading(file, [&] { return csv_shape(file); });
    if (shape.columns < 2) {
      throw DatasetFileError(file.string() + ": " + std::to_string(shape.columns) +
                                 " column; a data set needs at least one feature column and a label (" +
                                 rule.requirement() + ") in the last column",
                             file);
    }
    sets.train = SetHeaders{file, std::nullopt, "", "", NpyShape{shape.columns - 1, shape.rows}, file.string(), false,
                            true};
    return sets;
  }
  if (format == DataFormat::mat) {
    // load_mat_train_test's checks, on the variables' headers; MAT's (m, features) read as (features, m).
    auto shape_of = [&](const std::string& name) {
      const MatShape s = reading(file, [&] { return mat_variable_shape(file, name); });
      return NpyShape{s.columns, s.rows};
    };
    auto set_of = [&](const std::string& x_name, const std::string& y_name) {
      const NpyShape x = shape_of(x_name);
      const NpyShape y = shape_of(y_name);
      const std::string source = file.string() + ": " + x_name + "/" + y_name;
      check_shapes(x, y, source, file);
      return SetHeaders{file, std::nullopt, x_name, y_name, x, source, true};
    };
    sets.train = set_of(variables.x_train, variables.y_train);
    sets.test = set_of(variables.x_test, variables.y_test);
    if (sets.train.x.rows != sets.test->x.rows) {
      throw DatasetFileError(file.string() + ": the training set (" + variables.x_train + ") has " +
                                 std::to_string(sets.train.x.rows) + " features but the test set (" + variables.x_test +
                                 ") has " + std::to_string(sets.test->x.rows),
                             file);
    }
    return sets;
  }
  if (format == DataFormat::npy) {
    const NpyShape x = reading(file, [&] { return npy_shape(file); });
    const NpyShape y = reading(*labels, [&] { return npy_shape(*labels); });
    const std::string source = file.string() + " with labels " + labels->string();
    check_shapes(x, y, source, file);
    sets.train = {file, labels, "", "", x, source};
    return sets;
  }
  const char* const names[] = {"train_X", "train_Y", "test_X", "test_Y"};
  std::optional<NpyShape> shapes[4];
  reading(file, [&] {
    for (auto& [name, shape] : npz_shapes(file)) {
      std::size_t k = 0;
      while (k < 4 && name != names[k]) ++k;
      if (k == 4) {
        throw FileError(file, "array '" + name +
                                  "' is not one of train_X, train_Y, test_X, test_Y (the names a data set .npz uses)");
      }
      shapes[k] = shape;
    }
    for (std::size_t k = 0; k < 2; ++k) {
      if (!shapes[k]) throw FileError(file, std::string("no array '") + names[k] + "' (a data set .npz holds train_X and train_Y)");
    }
    if (shapes[2].has_value() != shapes[3].has_value()) {
      throw FileError(file, std::string(shapes[2] ? "test_X without test_Y" : "test_Y without test_X") +
                                " (give both or neither)");
    }
  });
  check_shapes(*shapes[0], *shapes[1], file.string() + ": train_X/train_Y", file);
  sets.train = {file, std::nullopt, "train_X", "train_Y", *shapes[0], file.string() + ": train_X/train_Y"};
  if (shapes[2]) {
    check_shapes(*shapes[2], *shapes[3], file.string() + ": test_X/test_Y", file);
    sets.test = SetHeaders{file, std::nullopt, "test_X", "test_Y", *shapes[2], file.string() + ": test_X/test_Y"};
  }
  return sets;
}

// load_dataset's structure checks for files that are all .npy or .npz, on their headers.
HeaderSets header_dataset(const DatasetFiles& files) {
  return with_test_data<HeaderSets>(
      files,
      [&](const fs::path& file, const std::optional<fs::path>& labels) {
        return header_sets(file, labels, files.mat_variables, files.label_rule);
      },
      [](const SetHeaders& set) { return set.x.rows; });
}

void check_range(const fs::path& file, DataPart part, std::size_t examples, std::size_t first, std::size_t count) {
  if (first > examples || count > examples - first) {
    throw DatasetFileError(file.string() + ": columns " + std::to_string(first) + " + " + std::to_string(count) +
                               " asked for, but its " + (part == DataPart::train ? "training" : "test") +
                               " set has " + std::to_string(examples) + " examples",
                           file);
  }
}

[[noreturn]] void no_test_set(const DatasetFiles& files) {
  throw DatasetFileError(files.data.string() + " has no test set (give one with DatasetFiles::test_data)", files.data);
}

}  // namespace

DatasetShape dataset_shape(const DatasetFiles& files) {
  const HeaderSets sets = header_dataset(files);
  DatasetShape shape;
  shape.features = sets.train.x.rows;
  shape.train_examples = sets.train.x.columns;
  if (sets.test) shape.test_examples = sets.test->x.columns;
  return shape;
}

Dataset load_dataset_columns(const DatasetFiles& files, DataPart part, std::size_t first, std::size_t count) {
  const HeaderSets sets = header_dataset(files);
  if (part == DataPart::test && !sets.test) no_test_set(files);
  const SetHeaders& set = part == DataPart::train ? sets.train : *sets.test;
  check_range(set.file, part, set.x.columns, first, count);
  if (set.csv) {  // checked as it is read
    return reading(set.file, [&] { return load_csv_dataset_rows(set.file, files.label_rule, first, count); });
  }
  Dataset share;
  if (set.mat) {
    share.X = xt::transpose(reading(set.file, [&] { return load_mat_rows(set.file, set.x_name, first, count); }));
    share.Y = xt::transpose(reading(set.file, [&] { return load_mat_rows(set.file, set.y_name, first, count); }));
  } else if (set.labels) {
    share.X = reading(set.file, [&] { return load_npy_columns(set.file, first, count); });
    share.Y = reading(*set.labels, [&] { return load_npy_columns(*set.labels, first, count); });
  } else {
    share.X = reading(set.file, [&] { return load_npz_columns(set.file, set.x_name, first, count); });
    share.Y = reading(set.file, [&] { return load_npz_columns(set.file, set.y_name, first, count); });
  }
  if (count > 0) {
    reading(set.file, [&] {
      validate_dataset(share, set.source + " columns " + std::to_string(first) + " to " + std::to_string(first + count - 1),
                       files.label_rule);
    });
  }
  return share;
}

}  // namespace xgrad

#include "data_source.hpp"

#include <vector>

#include <xtensor/xview.hpp>

#include "course.hpp"
#include "flag_checks.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad::cli {

namespace {

LoadedData generated_circles(std::size_t n, double noise, std::uint64_t seed) {
  RandomState train_rng(seed);
  RandomState test_rng(seed + 1);
  LoadedData data{make_circles(n, noise, train_rng), make_circles(n / 3, noise, test_rng), ""};
  data.description = "circles (make_circles, noise " + format_double(noise) + "): " + std::to_string(n) +
                     " training examples from seed " + std::to_string(seed) + ", " + std::to_string(n / 3) +
                     " test from seed " + std::to_string(seed + 1);
  return data;
}

// The format of the file a flag names (a FileError about an unknown extension names the flag).
DataFormat format_of(const std::string& flag, const std::string& file) {
  try {
    return data_format(file);
  } catch (const FileError& e) {
    throw InputError(flag + ": " + e.what());
  }
}

}  // namespace

void DataFlags::declare(CLI::App& command) {
  const std::string group = "Data (default: the course's circles, 300 training and 100 test examples)";
  auto add = [&](const std::string& name, auto& field, const std::string& type, const std::string& help) {
    return command.add_option(name, field, help)->type_name(type)->group(group);
  };
  auto add_file = [&](const std::string& name, std::string& field, const std::string& help) {
    return add(name, field, "FILE", help)->check(file_name());
  };
  dataset_flag_ = add("--dataset", dataset, "NAME",
                      "Generate the data: 'circles' (scikit-learn's make_circles): N samples from seed K for "
                      "training, N/3 samples from seed K+1 for testing.")
                      ->check(one_of({"circles"}));
  CLI::Option* generated = dataset_flag_;
  add("--samples", samples, "N", "Training examples for --dataset circles (default 300; at least 6).")
      ->check(whole_number(6))
      ->needs(generated);
  add("--noise", noise, "S", "Gaussian noise for --dataset circles (default 0.05).")
      ->check(non_negative_number())
      ->needs(generated);
  // seed + 1 seeds the test set, so the largest seed is one less than numpy's.
  add("--data-seed", data_seed, "K", "Seed for --dataset circles (default 1).")
      ->check(seed_number(4294967294u))
      ->needs(generated);
  CLI::Option* file = add_file("--data", data,
                          "Read the data from FILE, by its extension: .mat (training X, y and test Xval, yval, each "
                          "one example per row), .npy (X of shape (features, m); labels from --labels), .npz "
                          "(train_X (features, m), train_Y (1, m) and optionally test_X, test_Y) or .csv (one example "
                          "per row: the features, then the label). Labels are 0/1, class indices 0..k-1 with --loss "
                          "softmax_cross_entropy (k output units), any finite targets with --loss mean_squared_error.")
                          ->excludes(generated);
  data_flag_ = file;
  labels_flag_ = add_file("--labels", labels, "The labels (1, m) of a .npy --data file.")->needs(file);
  CLI::Option* test = add_file("--test-data", test_data,
                          "Test set for .csv, .npy or .npz data without one (without it, only the training accuracy "
                          "is reported); read by its extension as --data.")
                          ->needs(file);
  test_data_flag_ = test;
  test_labels_flag_ = add_file("--test-labels", test_labels, "The labels of a .npy --test-data file.")->needs(test);
  mat_variable_flags_ = {
      add("--x-train", mat_variables.x_train, "NAME", "Variable of a .mat file holding the training features (default X).")
          ->needs(file),
      add("--y-train", mat_variables.y_train, "NAME", "... the training labels (default y).")->needs(file),
      add("--x-test", mat_variables.x_test, "NAME", "... the test features (default Xval).")->needs(file),
      add("--y-test", mat_variables.y_test, "NAME", "... the test labels (default yval).")->needs(file),
  };
}

namespace {

// Runs `read` on the data files, naming the flag of the file a DatasetFileError is about.
template <class Read>
auto naming_flags(const DatasetFiles& files, Read&& read) {
  try {
    return read();
  } catch (const DatasetFileError& e) {
    const std::pair<const std::optional<std::filesystem::path>&, const char*> roles[] = {
        {files.labels, "--labels"}, {files.test_data, "--test-data"}, {files.test_labels, "--test-labels"}};
    std::string flag = "--data";
    for (const auto& [path, name] : roles) {
      if (path && *path == e.file() && e.file() != files.data) flag = name;
    }
    throw InputError(flag + ": " + e.what());
  }
}

LoadedData course_circles_data() {
  TrainTest tt = models::course_circles();
  return {std::move(tt.train), std::move(tt.test),
          "the course's circles (make_circles, noise 0.05): 300 training examples from seed 1, 100 test from "
          "seed 2"};
}

}  // namespace

DatasetFiles DataFlags::files(const LabelRule& label_rule) const {
  // Which flags the file formats take.
  const DataFormat format = format_of("--data", data);
  if (!has_variable_names(format)) {
    for (CLI::Option* flag : mat_variable_flags_) {
      if (flag->count() > 0) throw InputError(flag->get_name() + " applies to .mat data only");
    }
  }
  if (needs_labels_file(format) && labels.empty()) {
    throw InputError("--data " + data + ": a .npy file holds X (features, m) only; give its labels with --labels Y.npy");
  }
  if (!needs_labels_file(format) && labels_flag_->count() > 0) throw InputError("--labels applies to .npy data only");
  if (has_variable_names(format) && test_data_flag_->count() > 0) {
    throw InputError("--test-data does not apply to .mat data (name the test variables with --x-test/--y-test)");
  }
  if (!test_data.empty()) {
    const bool npy_test = needs_labels_file(format_of("--test-data", test_data));
    if (npy_test && test_labels.empty()) throw InputError("--test-data: give the test labels with --test-labels Y.npy");
    if (!npy_test && test_labels_flag_->count() > 0) throw InputError("--test-labels applies to .npy test data only");
  }
  DatasetFiles files;
  files.data = data;
  files.mat_variables = mat_variables;
  files.label_rule = label_rule;
  if (!labels.empty()) files.labels = labels;
  if (!test_data.empty()) files.test_data = test_data;
  if (!test_labels.empty()) files.test_labels = test_labels;
  return files;
}

std::string DataFlags::description(const DatasetShape& shape) const {
  if (data.empty() && !dataset.empty()) {
    return "circles (make_circles, noise " + format_double(noise) + "): " + std::to_string(samples) +
           " training examples from seed " + std::to_string(data_seed) + ", " + std::to_string(samples / 3) +
           " test from seed " + std::to_string(data_seed + 1);
  }
  if (data.empty()) return course_circles_data().description;
  std::string text = data + (labels.empty() ? "" : " with labels " + labels) + " for training (" +
                     std::to_string(shape.train_examples) + " examples, " + std::to_string(shape.features) +
                     " features)";
  if (shape.test_examples) {
    text += ", " + (test_data.empty() ? std::string("its test set") : test_data) + " for testing (" +
            std::to_string(*shape.test_examples) + " examples)";
  }
  return text;
}

DatasetShape DataFlags::shape(const LabelRule& label_rule) const {
  DatasetShape shape;
  if (data.empty()) {
    if (dataset.empty()) {
      const LoadedData circles = course_circles_data();
      return {circles.train.features(), circles.train.examples(), circles.test->examples()};
    }
    return {2, samples, samples / 3};
  }
  const DatasetFiles named = files(label_rule);
  return naming_flags(named, [&] { return dataset_shape(named); });
}

Dataset DataFlags::columns(const LabelRule& label_rule, DataPart part, std::size_t first, std::size_t count) const {
  if (data.empty()) {
    if (dataset.empty()) {
      const LoadedData circles = course_circles_data();
      const Dataset& set = part == DataPart::train ? circles.train : *circles.test;
      if (first > set.examples() || count > set.examples() - first) {
        throw InputError("the course's circles: columns " + std::to_string(first) + " + " + std::to_string(count) +
                         " asked for, but the set has " + std::to_string(set.examples()));
      }
      Dataset out{xt::view(set.X, xt::all(), xt::range(first, first + count)),
                  xt::view(set.Y, xt::all(), xt::range(first, first + count))};
      return out;
    }
    const bool train = part == DataPart::train;
    RandomState rng(train ? data_seed : data_seed + 1);
    return make_circles_columns(train ? samples : samples / 3, noise, rng, first, count);
  }
  const DatasetFiles named = files(label_rule);
  return naming_flags(named, [&] { return load_dataset_columns(named, part, first, count); });
}

LoadedData DataFlags::load(const LabelRule& label_rule) const {
  if (data.empty()) {
    LoadedData circles = dataset.empty() ? course_circles_data() : generated_circles(samples, noise, data_seed);
    // 0/1 labels: binary, class indices of 2 or more classes, and targets alike.
    validate_dataset(circles.train, "the circles", label_rule);
    return circles;
  }
  const DatasetFiles named = files(label_rule);
  LoadedDataset sets = naming_flags(named, [&] { return load_dataset(named); });
  LoadedData loaded{std::move(sets.train), std::move(sets.test), ""};
  DatasetShape shape{loaded.train.features(), loaded.train.examples(), std::nullopt};
  if (loaded.test) shape.test_examples = loaded.test->examples();
  loaded.description = description(shape);
  return loaded;
}

}  // namespace xgrad::cli

#include "data_source.hpp"

#include <filesystem>

#include "course.hpp"
#include <xgrad/numpy/circles.hpp>
#include <xgrad/io/csv.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

namespace {

constexpr std::size_t default_samples = 300;
constexpr double default_noise = 0.05;
constexpr std::uint64_t default_data_seed = 1;

const char* const circle_flags[] = {"--samples", "--noise", "--data-seed"};
const char* const mat_flags[] = {"--x-train", "--y-train", "--x-test", "--y-test"};

std::string examples(const Dataset& d) {
  return std::to_string(d.examples()) + " examples, " + std::to_string(d.features()) + " features";
}

// Runs `load`, prefixing a FileError with the flag that named the file.
template <class F>
auto from_file(std::string_view flag, F&& load) {
  try {
    return load();
  } catch (const FileError& e) {
    throw InputError(std::string(flag) + ": " + e.what());
  }
}

LoadedData generated_circles(const Args& args) {
  const std::size_t n = args.count("--samples", default_samples, 6);
  const double noise = args.non_negative("--noise", default_noise);
  const std::uint64_t seed = args.seed("--data-seed", default_data_seed, 4294967294u);
  RandomState train_rng(seed);
  RandomState test_rng(seed + 1);
  LoadedData data{make_circles(n, noise, train_rng), make_circles(n / 3, noise, test_rng), ""};
  data.description = "circles (make_circles, noise " + format_double(noise) + "): " + std::to_string(n) +
                     " training examples from seed " + std::to_string(seed) + ", " + std::to_string(n / 3) +
                     " test from seed " + std::to_string(seed + 1);
  return data;
}

LoadedData mat_data(const Args& args, const std::string& file) {
  const std::string xs = args.text("--x-train", "X"), ys = args.text("--y-train", "y");
  const std::string xt = args.text("--x-test", "Xval"), yt = args.text("--y-test", "yval");
  TrainTest tt = from_file("--data", [&] { return load_mat_train_test(file, xs, ys, xt, yt); });
  LoadedData data{std::move(tt.train), std::move(tt.test), ""};
  data.description = file + ": " + xs + "/" + ys + " for training (" + examples(data.train) + "), " + xt + "/" +
                     yt + " for testing (" + std::to_string(data.test->examples()) + " examples)";
  return data;
}

Dataset npy_pair(std::string_view x_flag, const std::string& x_file, std::string_view y_flag,
                 const std::string& y_file) {
  Dataset d;
  d.X = from_file(x_flag, [&] { return load_npy(x_file); });
  d.Y = from_file(y_flag, [&] { return load_npy(y_file); });
  try {
    validate_dataset(d, x_file + " with labels " + y_file);
  } catch (const InputError& e) {
    throw InputError(std::string(x_flag) + ": " + e.what());
  }
  return d;
}

LoadedData npy_data(const Args& args, const std::string& file) {
  const auto labels = args.text("--labels");
  if (!labels) throw InputError("--data " + file + ": a .npy file holds X (features, m) only; give its labels with --labels Y.npy");
  LoadedData data{npy_pair("--data", file, "--labels", *labels), std::nullopt, ""};
  data.description = file + " with labels " + *labels + " for training (" + examples(data.train) + ")";
  const auto test = args.text("--test-data"), test_labels = args.text("--test-labels");
  if (test.has_value() != test_labels.has_value()) {
    throw InputError(test ? "--test-data: give the test labels with --test-labels Y.npy"
                          : "--test-labels: give the test features with --test-data X.npy");
  }
  if (test) {
    data.test = npy_pair("--test-data", *test, "--test-labels", *test_labels);
    data.description += ", " + *test + " for testing (" + std::to_string(data.test->examples()) + " examples)";
  }
  return data;
}

LoadedData csv_data(const Args& args, const std::string& file) {
  args.forbid("--test-labels", "applies to .npy data (a .csv holds its labels in the last column)");
  LoadedData data{from_file("--data", [&] { return load_csv_dataset(file); }), std::nullopt, ""};
  data.description = file + " for training (" + examples(data.train) + ")";
  if (const auto test = args.text("--test-data")) {
    data.test = from_file("--test-data", [&] { return load_csv_dataset(*test); });
    data.description += ", " + *test + " for testing (" + std::to_string(data.test->examples()) + " examples)";
  }
  return data;
}

LoadedData file_data(const Args& args, const std::string& file) {
  for (const char* f : circle_flags) args.forbid(f, "applies to --dataset circles, not to --data");
  const std::string ext = std::filesystem::path(file).extension().string();
  if (ext != ".mat") {
    for (const char* f : mat_flags) args.forbid(f, "applies to .mat data only");
  }
  if (ext != ".npy") args.forbid("--labels", "applies to .npy data only");
  if (ext == ".mat") {
    args.forbid("--test-data", "does not apply to .mat data (name the test variables with --x-test/--y-test)");
    args.forbid("--test-labels", "applies to .npy data only");
    return mat_data(args, file);
  }
  if (ext == ".npy") return npy_data(args, file);
  if (ext == ".csv") return csv_data(args, file);
  throw InputError("--data: '" + file + "' is not a .mat, .npy or .csv file");
}

}  // namespace

FlagGroup data_flags() {
  return {"Data (default: the course's circles, 300 training and 100 test examples)",
          {
              {"--dataset", "NAME", "Generate the data: 'circles' (scikit-learn's make_circles): N samples from seed K for training, N/3 samples from seed K+1 for testing."},
              {"--samples", "N", "Training examples for --dataset circles (default 300; at least 6)."},
              {"--noise", "S", "Gaussian noise for --dataset circles (default 0.05)."},
              {"--data-seed", "K", "Seed for --dataset circles (default 1)."},
              {"--data", "FILE", "Read the data from FILE: .mat (training X, y and test Xval, yval, each one example per row), .npy (X of shape (features, m); labels from --labels) or .csv (one example per row: the features, then a 0/1 label)."},
              {"--labels", "FILE", "The labels (1, m) of a .npy --data file."},
              {"--test-data", "FILE", "Test set for .csv or .npy data (without it, only the training accuracy is reported)."},
              {"--test-labels", "FILE", "The labels of a .npy --test-data file."},
              {"--x-train", "NAME", "Variable of a .mat file holding the training features (default X)."},
              {"--y-train", "NAME", "... the training labels (default y)."},
              {"--x-test", "NAME", "... the test features (default Xval)."},
              {"--y-test", "NAME", "... the test labels (default yval)."},
          }};
}

LoadedData load_data(const Args& args) {
  LoadedData data;
  if (args.has("--data")) {
    args.forbid("--dataset", "cannot be combined with --data");
    data = file_data(args, *args.text("--data"));
  } else {
    for (const char* f : {"--labels", "--test-data", "--test-labels", "--x-train", "--y-train", "--x-test", "--y-test"}) {
      args.forbid(f, "applies to --data FILE only");
    }
    if (args.has("--dataset")) {
      args.choice("--dataset", "circles", {"circles"});
      data = generated_circles(args);
    } else {
      for (const char* f : circle_flags) args.forbid(f, "needs --dataset circles");
      TrainTest tt = models::course_circles();
      data = {std::move(tt.train), std::move(tt.test),
              "the course's circles (make_circles, noise 0.05): 300 training examples from seed 1, 100 test from seed 2"};
    }
  }
  if (data.test && data.test->features() != data.train.features()) {
    throw InputError("the training set has " + std::to_string(data.train.features()) + " features but the test set has " +
                     std::to_string(data.test->features()));
  }
  return data;
}

}  // namespace xgrad::cli

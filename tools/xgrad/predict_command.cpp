// xgrad predict: a saved run's model (--checkpoint file) applied to new data.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "flag_checks.hpp"
#include "output_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/io/csv.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/run_checkpoint.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

namespace {

const char* const description =
    "Applies the model of a checkpoint (xgrad train --checkpoint FILE) to the examples of --data: prints, or writes "
    "to --out, one prediction per example (0/1 for sigmoid cross-entropy, the class index for softmax "
    "cross-entropy, the outputs for mean squared error; the probabilities with --probabilities).";

struct PredictSettings {
  std::string model, data, out;
  bool probabilities = false;

  void declare(CLI::App& command) {
    command.add_option("--model", model, "The checkpoint written by xgrad train --checkpoint.")
        ->type_name("FILE")->required()->check(file_name());
    command.add_option("--data", data,
                       "The examples: .npy of shape (features, m), or .csv with one example per row (the features; "
                       "a last label column, as xgrad train reads, is ignored).")
        ->type_name("FILE")->required()->check(file_name());
    command.add_option("--out", out, "Write the predictions to FILE instead of printing them: .npy (outputs, m) or "
                                     ".csv (one row per example), written atomically.")
        ->type_name("FILE")
        ->check(checked_by([](const std::string& f) {
          const std::string ext = std::filesystem::path(f).extension().string();
          if (ext != ".npy" && ext != ".csv") throw InputError(std::string("'") + f + "' must end in .npy or .csv");
          check_output_file(f);
        }));
    command.add_flag("--probabilities", probabilities,
                     "Write the model's probabilities (sigmoid or softmax, one row per output) instead of classes.");
  }
};

// X (features, m) from a .npy or .csv file, for a model of `inputs` features.
Matrix read_examples(const std::string& file, std::size_t inputs) {
  const std::string ext = std::filesystem::path(file).extension().string();
  Matrix X;
  try {
    if (ext == ".npy") {
      X = load_npy(file);
    } else if (ext == ".csv") {
      const Matrix rows = load_csv(file);
      if (rows.shape(1) != inputs && rows.shape(1) != inputs + 1) {
        throw InputError(file + ": " + std::to_string(rows.shape(1)) + " columns, but the model takes " +
                         std::to_string(inputs) + " features (and a label column may follow)");
      }
      X = Matrix({inputs, rows.shape(0)});
      for (std::size_t j = 0; j < rows.shape(0); ++j) {
        for (std::size_t i = 0; i < inputs; ++i) X(i, j) = rows(j, i);
      }
    } else {
      throw InputError(std::string("'") + file + "' must end in .npy or .csv");
    }
  } catch (const InputError& e) {
    throw InputError(std::string("--data: ") + e.what());
  }
  if (X.shape(0) != inputs) {
    throw InputError("--data: " + file + " holds " + shape_string(X) + " but the model takes " +
                     std::to_string(inputs) + " features (rows)");
  }
  return X;
}

std::string csv_text(const Matrix& predictions) {
  std::string text;
  for (std::size_t j = 0; j < predictions.shape(1); ++j) {
    for (std::size_t i = 0; i < predictions.shape(0); ++i) {
      if (i > 0) text += ',';
      text += python_float_repr(predictions(i, j));
    }
    text += '\n';
  }
  return text;
}

int run_predict(const PredictSettings& settings) {
  std::unique_ptr<Model> model;
  try {
    model = load_model(settings.model);
  } catch (const InputError& e) {
    throw InputError(std::string("--model: ") + e.what());
  }
  const Matrix X = read_examples(settings.data, model->spec().inputs);
  const Matrix predictions = settings.probabilities ? predict_probabilities(*model, X) : predict(*model, X);
  if (settings.out.empty()) {
    std::cout << csv_text(predictions);
    return 0;
  }
  if (std::filesystem::path(settings.out).extension() == ".npy") {
    save_npy(settings.out, predictions);
  } else {
    write_file_atomically(settings.out, csv_text(predictions));
  }
  std::cout << "wrote " << predictions.shape(1) << " predictions (" << model->spec().describe() << ") to "
            << settings.out << '\n';
  return 0;
}

}  // namespace

CommandRun add_predict_command(CLI::App& program) {
  auto settings = std::make_shared<PredictSettings>();
  settings->declare(*program.add_subcommand("predict", description));
  return [settings] { return run_predict(*settings); };
}

}  // namespace xgrad::cli

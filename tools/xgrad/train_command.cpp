// xgrad train: one model, every knob on the command line.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "commands.hpp"
#include "data_source.hpp"
#include "flag_checks.hpp"
#include "gnuplot.hpp"
#include "model_flags.hpp"
#include "output_file.hpp"
#include "parameter_file.hpp"
#include "plots.hpp"
#include "progress.hpp"
#include "training_flags.hpp"
#include "training_run.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad::cli {

namespace {

const char* const description =
    "Trains a fully connected model (per-layer activations; sigmoid or softmax cross-entropy, or mean squared "
    "error) by full-batch gradient descent, or on mini-batches with momentum or Adam, prints the cost every "
    "--print-every iterations or epochs (the notes' \"Cost after iteration i: c\" lines; \"epoch\" with mini-batches), then the training and "
    "test accuracy. Without flags it is the notes' He-initialization run on the course's circles.";

// Everything the flags set.
struct TrainSettings {
  DataFlags data;
  ModelFlags model;
  TrainingFlags training;
  std::string json, save, plots;  // empty: not asked for

  void declare(CLI::App& command) {
    data.declare(command);
    model.declare(command);
    training.declare(command);
    const std::string output = "Output";
    command.add_option("--json", json, "Write the settings (model, training, optimizer, the xgrad version and the BLAS "
                                       "kernel and threads), recorded costs (per iteration, or per epoch with "
                                       "mini-batches), accuracies and predictions as JSON.")
        ->type_name("FILE")->check(checked_by([](const std::string& f) { check_output_file(f); }))->group(output);
    command.add_option("--save", save, "Write the trained parameters (fc1.W, fc1.b, ...) for numpy: FILE.npz (\".npz\" "
                                       "appended if missing), or FILE/NAME.npy each when FILE ends with '/'.")
        ->type_name("FILE")->check(checked_by(check_parameter_destination))->group(output);
    command.add_option("--plots", plots, "Write the cost curve and, for 2-feature data and a sigmoid cross-entropy, "
                                         "the decision boundary: gnuplot data, script and PNGs.")
        ->type_name("DIR")->check(checked_by([](const std::string& f) { check_output_folder(f); }))->group(output);
    command.get_help_ptr()->group(output);
  }
};

void draw_plots(const std::filesystem::path& folder, Model& model, const LoadedData& data,
                const TrainOptions& options, const RunOutcome& outcome) {
  make_output_folder("--plots", folder);
  std::optional<DecisionGrid> grid;
  if (model.spec().loss != Loss::sigmoid_cross_entropy) {
    std::cout << "plots: no decision boundary for " << to_string(model.spec().loss)
              << " (it is drawn for sigmoid cross-entropy)\n";
  } else if (data.train.features() == 2) {
    grid = decision_grid(model, data.train.X);
    // gnuplot draws an image of at least 2 x 2 points: features so large that +-1 vanishes in
    // rounding (1e17) leave a one-point axis.
    if (grid->xs.size() < 2 || grid->ys.size() < 2) {
      grid.reset();
      std::cout << "plots: no decision boundary: the features' range is too narrow for their size to make a grid\n";
    }
  } else {
    std::cout << "plots: no decision boundary for " << data.train.features() << "-feature data (it needs 2)\n";
  }
  const PlotFiles files = write_plot_files(
      folder, {"train", "xgrad train", options.learning_rate, outcome.result.costs, grid ? &*grid : nullptr, &data.train});
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) {
    std::cout << "plots: gnuplot not found on PATH: wrote the data and " << files.script.string()
              << " but no PNGs (install gnuplot-nox)\n";
  } else if (const auto failure = run_gnuplot(*gnuplot, files.script, files.pngs)) {
    throw RunError("--plots: gnuplot failed on " + files.script.string() + ": " + *failure +
                   " (the plot data and script are written; no PNG was left)");
  } else {
    for (const auto& png : files.pngs) std::cout << "wrote " << png.string() << '\n';
  }
}

// The run's outputs, checked for collisions before any work.
std::vector<OutputTarget> outputs_of(const TrainSettings& settings) {
  std::vector<OutputTarget> outputs;
  if (!settings.json.empty()) outputs.push_back({"--json", settings.json});
  if (!settings.save.empty()) {
    outputs.push_back({"--save", parameter_destination(settings.save), is_folder_target(settings.save)});
  }
  if (!settings.plots.empty()) outputs.push_back({"--plots", settings.plots, true});
  return outputs;
}

int run_train(const TrainSettings& settings) {
  check_distinct_outputs(outputs_of(settings));
  settings.training.check_decay();
  TrainOptions options = settings.training.options;
  options.stop_on_non_finite = true;
  const std::unique_ptr<Optimizer> optimizer = settings.training.make_optimizer();
  const LoadedData data = settings.data.load(settings.model.label_rule());
  Model model(settings.model.spec(data.train.features()));
  model.feed(data.train.X, data.train.Y);  // a spec that does not fit the data fails before any output
  options.validate();
  if (!settings.save.empty()) check_parameter_files(settings.save, model.graph());

  const bool plain = settings.training.optimizer == OptimizerKind::gd;
  std::cout << "data: " << data.description << "\nmodel: " << model.spec().describe() << "\ntraining: "
            << options.describe() << (plain ? "" : ", " + optimizer->describe()) << '\n';
  Progress progress(std::cout, stdout_is_terminal());
  options.log = &progress.log();
  options.progress = progress.callback("training");
  const RunOutcome outcome = run_training(model, data.train, data.test, options, *optimizer);
  progress.clear();
  if (!outcome.train_accuracy) {
    std::cout << "final cost: " << format_double(outcome.result.final_cost) << " (mean squared error: no accuracy)\n";
  } else {
    std::cout << "train accuracy: " << format_double(*outcome.train_accuracy) << '\n';
    if (outcome.test_accuracy) {
      std::cout << "test accuracy: " << format_double(*outcome.test_accuracy) << '\n';
    } else {
      std::cout << "test accuracy: no test set (give one with --test-data)\n";
    }
  }
  if (!settings.json.empty()) {
    JsonReport report = run_report(model.spec(), options, *optimizer, data.description, outcome);
    if (!settings.model.layers_text.empty()) report.set_setting("layers_flag", settings.model.layers_text);
    report.write(settings.json);
    std::cout << "wrote " << settings.json << '\n';
  }
  if (!settings.save.empty()) {
    const std::filesystem::path saved = save_parameters(settings.save, model.graph());
    std::cout << "saved the parameters to " << saved.string() << '\n';
  }
  if (!settings.plots.empty()) draw_plots(settings.plots, model, data, options, outcome);
  return 0;
}

}  // namespace

CommandRun add_train_command(CLI::App& program) {
  auto settings = std::make_shared<TrainSettings>();
  settings->declare(*program.add_subcommand("train", description));
  return [settings] { return run_train(*settings); };
}

}  // namespace xgrad::cli

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
#include "json_report.hpp"
#include "model_flags.hpp"
#include "output_file.hpp"
#include "parameter_file.hpp"
#include "plots.hpp"
#include "progress.hpp"
#include "training_run.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad::cli {

namespace {

const char* const description =
    "Trains a fully connected binary classifier by full-batch gradient descent, prints the cost every "
    "--print-every iterations (the notes' \"Cost after iteration i: c\" lines), then the training and test "
    "accuracy. Without flags it is the notes' He-initialization run on the course's circles.";

// The defaults of the Training flags: the notes' He run.
TrainOptions notes_training() {
  TrainOptions options;
  options.learning_rate = 0.01;
  options.iterations = 15000;
  options.print_every = 1000;
  options.record_every = 1000;
  return options;
}

// Everything the flags set.
struct TrainSettings {
  DataFlags data;
  ModelFlags model;
  TrainOptions options = notes_training();
  std::string json, save, plots;  // empty: not asked for

  void declare(CLI::App& command) {
    data.declare(command);
    model.declare(command);
    const std::string training = "Training", output = "Output";
    command.add_option("--lr", options.learning_rate, "Learning rate (default 0.01).")
        ->type_name("RATE")->check(positive_number())->group(training);
    command.add_option("--iterations", options.iterations, "Gradient-descent steps (default 15000).")
        ->type_name("N")->check(whole_number(1))->group(training);
    command.add_option("--print-every", options.print_every, "Print the cost every N iterations (default 1000; 0: never).")
        ->type_name("N")->check(whole_number(0))->group(training);
    command.add_option("--record-every", options.record_every,
                       "Record the cost for --json and --plots every N iterations (default 1000).")
        ->type_name("N")->check(whole_number(1))->group(training);
    command.add_option("--json", json, "Write the settings (with the xgrad version and the BLAS kernel and threads), "
                                       "recorded costs, accuracies and predictions as JSON.")
        ->type_name("FILE")->check(checked_by([](const std::string& f) { check_output_file(f); }))->group(output);
    command.add_option("--save", save, "Write the trained parameters (fc1.W, fc1.b, ...) for numpy: FILE.npz (\".npz\" "
                                       "appended if missing), or FILE/NAME.npy each when FILE ends with '/'.")
        ->type_name("FILE")->check(checked_by(check_parameter_destination))->group(output);
    command.add_option("--plots", plots, "Write the cost curve and, for 2-feature data, the decision boundary: gnuplot "
                                         "data, script and PNGs.")
        ->type_name("DIR")->check(checked_by([](const std::string& f) { check_output_folder(f); }))->group(output);
    command.get_help_ptr()->group(output);
  }
};

void draw_plots(const std::filesystem::path& folder, Model& model, const LoadedData& data,
                const TrainOptions& options, const RunOutcome& outcome) {
  make_output_folder("--plots", folder);
  std::optional<DecisionGrid> grid;
  if (data.train.features() == 2) {
    grid = decision_grid(model, data.train.X);
  } else {
    std::cout << "plots: no decision boundary for " << data.train.features() << "-feature data (it needs 2)\n";
  }
  const PlotFiles files = write_plot_files(
      folder, {"train", "xgrad train", options.learning_rate, outcome.result.costs, grid ? &*grid : nullptr, &data.train});
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) {
    std::cout << "plots: gnuplot not found on PATH: wrote the data and " << files.script.string()
              << " but no PNGs (install gnuplot-nox)\n";
  } else if (const auto failure = run_gnuplot(*gnuplot, files.script)) {
    std::cout << "plots: gnuplot failed on " << files.script.string() << ": " << *failure << '\n';
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
  TrainOptions options = settings.options;
  options.stop_on_non_finite = true;
  const LoadedData data = settings.data.load();
  Model model(settings.model.spec(data.train.features()));
  model.feed(data.train.X, data.train.Y);  // a spec that does not fit the data fails before any output
  if (!settings.save.empty()) check_parameter_files(settings.save, model.graph());

  std::cout << "data: " << data.description << "\nmodel: " << model.spec().describe() << "\ntraining: "
            << options.iterations << " iterations at learning rate " << format_double(options.learning_rate) << '\n';
  Progress progress(std::cout, stdout_is_terminal());
  options.log = &progress.log();
  options.progress = progress.callback("training");
  const RunOutcome outcome = run_training(model, data.train, data.test, options);
  progress.clear();
  std::cout << "train accuracy: " << format_double(outcome.train_accuracy) << '\n';
  if (outcome.test_accuracy) {
    std::cout << "test accuracy: " << format_double(*outcome.test_accuracy) << '\n';
  } else {
    std::cout << "test accuracy: no test set (give one with --test-data)\n";
  }
  if (!settings.json.empty()) {
    write_json(settings.json, run_report(model.spec(), options, data.description, outcome));
    std::cout << "wrote " << settings.json << '\n';
  }
  if (!settings.save.empty()) {
    std::cout << "saved the parameters to " << save_parameters(settings.save, model.graph()).string() << '\n';
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

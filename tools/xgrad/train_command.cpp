// xgrad train: one model, every knob on the command line.
#include <filesystem>
#include <iostream>
#include <optional>

#include "args.hpp"
#include "commands.hpp"
#include "data_source.hpp"
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

const char* const usage = "xgrad train [flags]";
const char* const description =
    "Trains a fully connected binary classifier by full-batch gradient descent, prints the cost every "
    "--print-every iterations (the notes' \"Cost after iteration i: c\" lines), then the training and test "
    "accuracy. Without flags it is the notes' He-initialization run on the course's circles.";

std::vector<FlagGroup> train_flags() {
  return {data_flags(),
          model_flags(),
          {"Training",
           {
               {"--lr", "RATE", "Learning rate (default 0.01)."},
               {"--iterations", "N", "Gradient-descent steps (default 15000)."},
               {"--print-every", "N", "Print the cost every N iterations (default 1000; 0: never)."},
               {"--record-every", "N", "Record the cost for --json and --plots every N iterations (default 1000)."},
           }},
          {"Output",
           {
               {"--json", "FILE", "Write the settings, recorded costs, accuracies and predictions as JSON."},
               {"--save", "FILE", "Write the trained parameters (fc1.W, fc1.b, ...) for numpy: FILE.npz (\".npz\" appended if missing), or FILE/NAME.npy each when FILE ends with '/'."},
               {"--plots", "DIR", "Write the cost curve and, for 2-feature data, the decision boundary: gnuplot data, script and PNGs."},
               {"--help", "", "Show this help."},
           }}};
}

void check_plot_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (std::filesystem::exists(folder, ec) && !std::filesystem::is_directory(folder, ec)) {
    throw InputError("--plots: '" + folder.string() + "' exists and is not a folder");
  }
}

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

}  // namespace

int train_command(const std::vector<std::string>& words) {
  const auto groups = train_flags();
  if (wants_help(words)) {
    std::cout << help_text(usage, description, groups);
    return 0;
  }
  const Args args(words, groups);
  TrainOptions options;
  options.learning_rate = args.positive("--lr", 0.01);
  options.iterations = args.count("--iterations", 15000);
  options.print_every = args.count("--print-every", 1000, 0);
  options.record_every = args.count("--record-every", 1000);
  options.stop_on_non_finite = true;
  const auto json = args.text("--json");
  if (json) check_output_file("--json", *json);
  const auto save = args.text("--save");
  if (save) check_parameter_destination(*save);
  const auto plots = args.text("--plots");
  if (plots) check_plot_folder(*plots);
  const LoadedData data = load_data(args);
  Model model(read_model_spec(args, data.train.features()));
  model.feed(data.train.X, data.train.Y);  // a spec that does not fit the data fails before any output

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
  if (json) {
    write_json(*json, run_report(model.spec(), options, data.description, outcome));
    std::cout << "wrote " << *json << '\n';
  }
  if (save) std::cout << "saved the parameters to " << save_parameters(*save, model.graph()).string() << '\n';
  if (plots) draw_plots(*plots, model, data, options, outcome);
  return 0;
}

}  // namespace xgrad::cli

// xgrad train: one model, every knob on the command line.
#include <chrono>
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
#include "run_flags.hpp"
#include "training_flags.hpp"
#include "training_run.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/train/run_checkpoint.hpp>
#if XGRAD_HAS_MPI
#include <xgrad/parallel/data_parallel.hpp>
#endif

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
  RunFlags run;
  std::string json, save, plots;  // empty: not asked for

  void declare(CLI::App& command) {
    data.declare(command);
    model.declare(command);
    training.declare(command);
    run.declare(command, training.decay_rate_flag);
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
  draw_with_gnuplot(files.script, files.pngs);
}

// The run's outputs, checked for collisions before any work.
std::vector<OutputTarget> outputs_of(const TrainSettings& settings) {
  std::vector<OutputTarget> outputs;
  if (!settings.json.empty()) outputs.push_back({"--json", settings.json});
  if (!settings.save.empty()) {
    outputs.push_back({"--save", parameter_destination(settings.save), is_folder_target(settings.save)});
  }
  if (!settings.plots.empty()) outputs.push_back({"--plots", settings.plots, true});
  if (!settings.run.checkpoint.empty()) outputs.push_back({"--checkpoint", settings.run.checkpoint});
  return outputs;
}

// The run a --resume checkpoint holds, checked against the flags: the same model, learning
// rate, mini-batch size, shuffle seed, schedule and optimizer, or InputError naming the difference.
Trainer resumed_run(const std::string& file, const ModelSpec& flags_spec, TrainerOptions options,
                    std::unique_ptr<Optimizer> optimizer, const Dataset& train) {
  Checkpoint checkpoint;
  try {
    checkpoint = load_checkpoint(file);
  } catch (const InputError& e) {
    throw InputError(std::string("--resume: ") + e.what());
  }
  const std::string prefix = "--resume " + file + ": the checkpoint's ";
  auto differ = [&](const std::string& what, const std::string& saved, const std::string& flags) {
    if (saved != flags) throw InputError(prefix + what + " is " + saved + " but the flags give " + flags);
  };
  differ("model", checkpoint.model->spec().describe(), flags_spec.describe());
  differ("learning rate (--lr)", format_double(checkpoint.training.learning_rate),
         format_double(options.training.learning_rate));
  differ("mini-batch size (--mini-batch-size)", std::to_string(checkpoint.training.mini_batch_size),
         std::to_string(options.training.mini_batch_size));
  differ("shuffle seed (--shuffle-seed)", std::to_string(checkpoint.training.shuffle_seed),
         std::to_string(options.training.shuffle_seed));
  differ("schedule (--schedule, --decay-rate)", checkpoint.schedule.text(), options.effective_schedule().text());
  differ("optimizer", make_optimizer(checkpoint.optimizer)->describe(), optimizer->describe());
  return resume(std::move(checkpoint), train, std::move(options), std::move(optimizer));
}

// What a finished run writes, in this order: the JSON report (`report`, built when --json
// is given), the parameters (--save) and the plots (--plots), each said on stdout.
void write_outputs(const TrainSettings& settings, std::optional<JsonReport>& report, Model& model,
                   const LoadedData& data, const TrainOptions& options, const RunOutcome& outcome) {
  if (report) {
    if (!settings.model.layers_text.empty()) report->set_setting("layers_flag", settings.model.layers_text);
    report->write(settings.json);
    std::cout << "wrote " << settings.json << '\n';
  }
  if (!settings.save.empty()) {
    const std::filesystem::path saved = save_parameters(settings.save, model.graph());
    std::cout << "saved the parameters to " << saved.string() << '\n';
  }
  if (!settings.plots.empty()) draw_plots(settings.plots, model, data, options, outcome);
}

// The run's closing lines: train and test accuracy, or the final cost of a regression.
void print_accuracies(const RunOutcome& outcome) {
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
}

int run_train(const TrainSettings& settings) {
  check_distinct_outputs(outputs_of(settings));
  settings.training.check_decay();
  TrainerOptions run_options;
  run_options.training = settings.training.options;
  TrainOptions& options = run_options.training;
  options.stop_on_non_finite = true;
  run_options.schedule = settings.run.parsed_schedule();
  std::unique_ptr<Optimizer> optimizer = settings.training.make_optimizer();
  const LabelRule label_rule = settings.model.label_rule();
  const LoadedData data = settings.data.load(label_rule);
  const ModelSpec spec = settings.model.spec(data.train.features());
  settings.run.apply(run_options, label_rule, data.train.features());
  options.validate();
  run_options.validate();

  Progress progress(std::cout, stdout_is_terminal());
  options.log = &progress.log();
  options.progress = progress.callback("training");
  auto saving = std::make_shared<const Trainer*>(nullptr);
  if (!settings.run.checkpoint.empty() && settings.run.checkpoint_every > 0) {
    const std::string file = settings.run.checkpoint;
    run_options.callbacks.push_back({[saving, file](const EpochReport&) {
                                       save_checkpoint(file, **saving);
                                       return Decision::proceed;
                                     },
                                     settings.run.checkpoint_every, false, "checkpoint"});
  }

  std::optional<Trainer> trainer;
  if (!settings.run.resume.empty()) {
    trainer.emplace(resumed_run(settings.run.resume, spec, run_options, std::move(optimizer), data.train));
  } else {
    auto model = std::make_unique<Model>(spec);
    model->feed(data.train.X, data.train.Y);  // a spec that does not fit the data fails before any output
    optimizer->start(model->graph().parameters());
    trainer.emplace(std::move(model), std::move(optimizer), data.train, run_options, TrainerState{});
  }
  if (!settings.save.empty()) check_parameter_files(settings.save, trainer->model().graph());
  *saving = &*trainer;

  const bool plain = settings.training.optimizer == OptimizerKind::gd;
  std::cout << "data: " << data.description << "\nmodel: " << spec.describe() << "\ntraining: "
            << options.describe() << (plain ? "" : ", " + trainer->optimizer().describe());
  if (run_options.schedule) std::cout << ", " << run_options.schedule->describe(options.steps_name());
  std::cout << '\n';
  if (!settings.run.validation_data.empty() || settings.run.validation_split > 0.0) {
    std::cout << "validation: "
              << (settings.run.validation_data.empty()
                      ? "the last " + format_double(settings.run.validation_split) + " of the training examples"
                      : settings.run.validation_data)
              << ", every " << run_options.validation.every << " " << options.steps_name();
    if (run_options.early_stopping.enabled()) {
      std::cout << "; early stopping after " << run_options.early_stopping.patience
                << " validations without an improvement of more than "
                << format_double(run_options.early_stopping.min_delta)
                << (run_options.early_stopping.restore_best ? ", restoring the best parameters" : "");
    }
    std::cout << '\n';
  }
  if (!settings.run.resume.empty()) {
    std::cout << "resumed from " << settings.run.resume << " after " << trainer->epoch() << " "
              << options.steps_name() << " (" << trainer->step() << " steps)\n";
  }

  Model& model = trainer->model();
  RunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  const RunSummary summary = trainer->run(options.uses_mini_batches() ? options.epochs : options.iterations);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.clear();
  for (const HistoryRecord& h : trainer->history()) outcome.result.costs.push_back({h.epoch, h.cost});
  outcome.result.final_cost = summary.final_cost;
  if (summary.reason != StopReason::completed) std::cout << summary.message << '\n';
  if (!settings.run.checkpoint.empty()) {
    save_checkpoint(settings.run.checkpoint, *trainer);
    std::cout << "wrote the checkpoint " << settings.run.checkpoint << " after " << trainer->epoch() << " "
              << options.steps_name() << '\n';
  }
  const bool classes = spec.loss != Loss::mean_squared_error;
  outcome.train_predictions = predict(model, data.train.X);
  if (classes) outcome.train_accuracy = accuracy(outcome.train_predictions, data.train.Y);
  if (data.test) {
    outcome.test_predictions = predict(model, data.test->X);
    if (classes) outcome.test_accuracy = accuracy(*outcome.test_predictions, data.test->Y);
  }
  if (summary.last_validation) {
    std::cout << "validation cost: " << format_double(summary.last_validation->cost);
    if (summary.last_validation->accuracy) {
      std::cout << ", validation accuracy: " << format_double(*summary.last_validation->accuracy);
    }
    std::cout << '\n';
  }
  print_accuracies(outcome);
  std::optional<JsonReport> report;
  if (!settings.json.empty()) {
    report = run_report(model.spec(), options, trainer->optimizer(), data.description, outcome);
    report->set_run(*trainer, summary);
  }
  write_outputs(settings, report, model, data, options, outcome);
  return 0;
}

#if XGRAD_HAS_MPI
// `mpirun -np N xgrad train ...`: every process loads the data and trains on its share of the
// columns (parallel::train: the bits of one process); rank 0 alone prints, predicts and writes
// --json (which records the processes), --save and --plots, after training, so that a run
// that fails or is killed leaves every output file as it was.
int run_train_shared(const TrainSettings& settings, const Processes& processes) {
  auto refuse = [](bool given, const std::string& flag) {
    if (given) {
      throw InputError(flag + " is not supported under mpirun yet (data-parallel training runs the full batch or "
                       "mini-batches with --lr, --decay-rate, --optimizer; docs/distributed.md)");
    }
  };
  refuse(!settings.run.resume.empty(), "--resume");
  refuse(!settings.run.checkpoint.empty(), "--checkpoint");
  refuse(!settings.run.validation_data.empty() || settings.run.validation_split > 0.0, "validation");
  refuse(!settings.run.early_stopping.empty(), "--early-stopping");
  refuse(!settings.run.schedule.empty(), "--schedule");
  check_distinct_outputs(outputs_of(settings));
  settings.training.check_decay();
  TrainOptions options = settings.training.options;
  options.stop_on_non_finite = true;
  std::unique_ptr<Optimizer> optimizer = settings.training.make_optimizer();
  const LabelRule label_rule = settings.model.label_rule();
  const LoadedData data = settings.data.load(label_rule);
  const ModelSpec spec = settings.model.spec(data.train.features());
  options.validate();
  Model model(spec);
  if (!settings.save.empty()) check_parameter_files(settings.save, model.graph());
  const bool root = processes.is_root();

  const bool plain = settings.training.optimizer == OptimizerKind::gd;
  std::cout << "data: " << data.description << "\nmodel: " << spec.describe() << "\ntraining: "
            << options.describe() << (plain ? "" : ", " + optimizer->describe()) << "\nprocesses: "
            << processes.size() << " (data-parallel over MPI, each with its share of the "
            << data.train.examples() << " columns)\n";
  Progress progress(std::cout, false);  // Open MPI hands every rank a terminal: no bar
  options.log = &progress.log();
  options.progress = progress.callback("training");
  const auto share = parallel::take_share(
      data.train, parallel::column_share(data.train.examples(), model.graph().tile_columns(), processes.rank(),
                                         processes.size()));
  RunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  outcome.result = parallel::train(processes, model, share, options, *optimizer);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.clear();
  if (!root) return 0;  // rank 0 has the whole data set and the same parameters: it reports

  const bool classes = spec.loss != Loss::mean_squared_error;
  outcome.train_predictions = predict(model, data.train.X);
  if (classes) outcome.train_accuracy = accuracy(outcome.train_predictions, data.train.Y);
  if (data.test) {
    outcome.test_predictions = predict(model, data.test->X);
    if (classes) outcome.test_accuracy = accuracy(*outcome.test_predictions, data.test->Y);
  }
  print_accuracies(outcome);
  std::optional<JsonReport> report;
  if (!settings.json.empty()) {
    report = run_report(model.spec(), options, *optimizer, data.description, outcome);
    report->set_setting("processes", static_cast<double>(processes.size()));
  }
  write_outputs(settings, report, model, data, options, outcome);
  return 0;
}
#endif

}  // namespace

CommandRun add_train_command(CLI::App& program, const Processes* processes) {
  auto settings = std::make_shared<TrainSettings>();
  settings->declare(*program.add_subcommand("train", description));
  return [settings, processes] {
#if XGRAD_HAS_MPI
    if (processes != nullptr) return run_train_shared(*settings, *processes);
#else
    (void)processes;
#endif
    return run_train(*settings);
  };
}

}  // namespace xgrad::cli

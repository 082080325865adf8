// xgrad train: one model, every knob on the command line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
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
#include <xtensor/xbuilder.hpp>
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

// The checkpoint --resume names, checked against the flags: the same model, learning rate,
// mini-batch size, shuffle seed, schedule and optimizer, or InputError naming the difference.
Checkpoint checked_checkpoint(const std::string& file, const ModelSpec& flags_spec, const TrainerOptions& options,
                              const Optimizer& optimizer) {
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
  differ("optimizer", make_optimizer(checkpoint.optimizer)->describe(), optimizer.describe());
  return checkpoint;
}

// The run that checkpoint holds, continued on `train`.
Trainer resumed_run(const std::string& file, const ModelSpec& flags_spec, TrainerOptions options,
                    std::unique_ptr<Optimizer> optimizer, const Dataset& train) {
  Checkpoint checkpoint = checked_checkpoint(file, flags_spec, options, *optimizer);
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

// The run's opening lines after data, model and training: what is validated and when (with
// early stopping), and where a resumed run starts.
void print_validation_and_resume(const TrainSettings& settings, const TrainerOptions& run_options, bool validating,
                                 const Trainer& trainer) {
  const TrainOptions& options = run_options.training;
  if (validating) {
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
    std::cout << "resumed from " << settings.run.resume << " after " << trainer.epoch() << " "
              << options.steps_name() << " (" << trainer.step() << " steps)\n";
  }
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
  print_validation_and_resume(settings, run_options,
                              !settings.run.validation_data.empty() || settings.run.validation_split > 0.0, *trainer);

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
// Runs `read` on every process; a problem on any of them (InputError: a flag, a file, a
// share) becomes one CollectiveError on every process ("process R of N: ...", or the message
// alone when every process found the same), printed once by rank 0, so that a file one process cannot read stops them all at once.
template <class T, class Read>
T on_every_process(const Processes& processes, Read&& read) {
  T value{};
  std::string problem;
  try {
    value = read();
  } catch (const InputError& e) {
    problem = e.what();
  }
  const std::vector<std::string> problems = processes.all_gather(problem);
  if (std::all_of(problems.begin(), problems.end(), [&](const std::string& p) { return p == problems[0]; })) {
    if (!problems[0].empty()) throw parallel::CollectiveError(problems[0]);  // alike everywhere: said once, as is
    return value;
  }
  for (std::size_t r = 0; r < problems.size(); ++r) {
    if (!problems[r].empty()) {
      throw parallel::CollectiveError("process " + std::to_string(r) + " of " + std::to_string(problems.size()) +
                                      ": " + problems[r]);
    }
  }
  return value;
}

// One row-major matrix's columns on every process, put together on every process in rank order.
Matrix gather_columns(const Processes& processes, const Matrix& mine, std::size_t rows) {
  const std::vector<std::uint64_t> counts = processes.all_gather(static_cast<std::uint64_t>(mine.shape(1)));
  std::size_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  Matrix all({rows, total});
  std::vector<double> row;
  std::vector<double> gathered;
  for (std::size_t i = 0; i < rows; ++i) {
    row.assign(mine.data() + i * mine.shape(1), mine.data() + (i + 1) * mine.shape(1));
    processes.all_gather(row, gathered);
    std::copy(gathered.begin(), gathered.end(), all.data() + i * total);
  }
  return all;
}

// Predictions of this process's columns, gathered in column order, and the count of those equal to the labels.
struct SharedPredictions {
  Matrix predictions;
  std::uint64_t same = 0;
  std::uint64_t entries = 0;
};

SharedPredictions shared_predictions(const Processes& processes, Model& model, const std::vector<const Dataset*>& parts) {
  SharedPredictions out;
  const std::size_t rows = model.spec().loss == Loss::softmax_cross_entropy ? 1 : model.spec().layers.back().units;
  std::vector<Matrix> gathered;
  std::uint64_t same = 0;
  std::uint64_t entries = 0;
  for (const Dataset* part : parts) {
    Matrix mine = part->examples() > 0 ? predict(model, part->X) : Matrix({rows, std::size_t{0}});
    for (std::size_t k = 0; k < part->Y.size() && mine.size() == part->Y.size(); ++k) {
      same += mine.data()[k] == part->Y.data()[k] ? 1 : 0;
    }
    entries += part->Y.size();
    gathered.push_back(gather_columns(processes, mine, rows));
  }
  for (const std::uint64_t s : processes.all_gather(same)) out.same += s;
  for (const std::uint64_t e : processes.all_gather(entries)) out.entries += e;
  std::size_t total = 0;
  for (const Matrix& g : gathered) total += g.shape(1);
  out.predictions = Matrix({rows, total});
  for (std::size_t i = 0, at = 0; i < rows; ++i, at = 0) {
    for (const Matrix& g : gathered) {
      std::copy(g.data() + i * g.shape(1), g.data() + (i + 1) * g.shape(1), out.predictions.data() + i * total + at);
      at += g.shape(1);
    }
  }
  return out;
}

// `mpirun -np N xgrad train ...`: each process reads (or generates) only its share of the
// columns of every set, and the run is the one-process Trainer's with data-parallel passes
// (parallel::shared_passes: the bits of one process): validation, early stopping, the
// schedule, checkpoints and --resume included. Rank 0 alone prints and writes --json (which
// records the processes), --save, --plots and the checkpoints, after training or atomically,
// so that a run that fails or is killed leaves every output file as it was.
int run_train_shared(const TrainSettings& settings, const Processes& processes) {
  check_distinct_outputs(outputs_of(settings));
  settings.training.check_decay();
  TrainerOptions run_options;
  run_options.training = settings.training.options;
  TrainOptions& options = run_options.training;
  options.stop_on_non_finite = true;
  run_options.schedule = settings.run.parsed_schedule();
  std::unique_ptr<Optimizer> optimizer = settings.training.make_optimizer();
  const LabelRule label_rule = settings.model.label_rule();
  const DatasetShape shape = on_every_process<DatasetShape>(processes, [&] { return settings.data.shape(label_rule); });
  {  // every process must see the same data set (the same files, or copies of them)
    auto sizes = [](const DatasetShape& d) {
      return std::to_string(d.train_examples) + " training examples of " + std::to_string(d.features) + " features" +
             (d.test_examples ? " and " + std::to_string(*d.test_examples) + " test examples" : std::string());
    };
    const std::vector<std::string> all = processes.all_gather(sizes(shape));
    for (std::size_t r = 1; r < all.size(); ++r) {
      if (all[r] != all[0]) {
        throw parallel::CollectiveError("process " + std::to_string(r) + " of " + std::to_string(all.size()) +
                                        ": its data has " + all[r] + ", but process 0's has " + all[0] +
                                        " (every process must read the same data set)");
      }
    }
  }
  const ModelSpec spec = settings.model.spec(shape.features);
  settings.run.apply(run_options, label_rule, shape.features, false);
  const std::optional<DatasetFiles> validation_files = settings.run.validation_files(label_rule);
  options.validate();
  run_options.validate();
  const bool root = processes.is_root();
  const std::size_t rank = processes.rank();
  const std::size_t size = processes.size();

  // The shares: the training columns in whole tiles of the model's graph, the validation and
  // test columns in whole tiles of the evaluation pass (what makes their sums the same bits).
  Model layout(spec);
  const std::size_t columns = layout.graph().tile_columns();
  const std::size_t evaluation_columns = evaluation_tile_columns(layout);
  const std::size_t m = shape.train_examples;
  std::size_t held = 0;
  if (run_options.validation.split > 0.0) {
    held = static_cast<std::size_t>(std::floor(run_options.validation.split * static_cast<double>(m)));
    if (held == 0 || held >= m) {
      throw InputError("validation: a split of " + format_double(run_options.validation.split) + " of " +
                       std::to_string(m) + " examples holds out " + std::to_string(held) +
                       " (at least 1 on each side is needed)");
    }
  }
  const std::size_t m_train = m - held;
  const parallel::ColumnShare train_share = parallel::column_share(m_train, columns, rank, size);
  const Dataset train = on_every_process<Dataset>(processes, [&] {
    return settings.data.columns(label_rule, DataPart::train, train_share.first, train_share.count);
  });
  parallel::ShareSpan validation_span;
  Dataset validation;
  if (held > 0) {
    const parallel::ColumnShare share = parallel::column_share(held, evaluation_columns, rank, size);
    validation = on_every_process<Dataset>(processes, [&] {
      return settings.data.columns(label_rule, DataPart::train, m_train + share.first, share.count);
    });
    validation_span = {share.first, held};
  } else if (validation_files) {
    const DatasetShape validation_shape = on_every_process<DatasetShape>(processes, [&] {
      try {
        const DatasetShape s = dataset_shape(*validation_files);
        if (s.features != shape.features) {
          throw InputError("the validation set has " + std::to_string(s.features) + " features but the training set " +
                           std::to_string(shape.features));
        }
        return s;
      } catch (const InputError& e) {
        throw InputError(std::string("--validation-data: ") + e.what());
      }
    });
    const parallel::ColumnShare share =
        parallel::column_share(validation_shape.train_examples, evaluation_columns, rank, size);
    validation = on_every_process<Dataset>(processes, [&] {
      try {
        return load_dataset_columns(*validation_files, DataPart::train, share.first, share.count);
      } catch (const InputError& e) {
        throw InputError(std::string("--validation-data: ") + e.what());
      }
    });
    validation_span = {share.first, validation_shape.train_examples};
  }
  if (validation_span.examples > 0) {
    run_options.validation.split = 0.0;
    run_options.validation.data = std::move(validation);
  }
  std::optional<Dataset> test;
  if (shape.test_examples) {
    const parallel::ColumnShare share = parallel::column_share(*shape.test_examples, evaluation_columns, rank, size);
    test = on_every_process<Dataset>(processes, [&] {
      return settings.data.columns(label_rule, DataPart::test, share.first, share.count);
    });
  }
  run_options.passes = parallel::shared_passes(processes, {train_share.first, m_train}, validation_span);

  Progress progress(std::cout, false);  // Open MPI hands every rank a terminal: no bar
  options.log = &progress.log();
  options.progress = progress.callback("training");
  auto saving = std::make_shared<const Trainer*>(nullptr);
  if (!settings.run.checkpoint.empty() && settings.run.checkpoint_every > 0) {
    const std::string file = settings.run.checkpoint;
    run_options.callbacks.push_back({[saving, file, root](const EpochReport&) {
                                       if (root) save_checkpoint(file, **saving);  // every process has the same run
                                       return Decision::proceed;
                                     },
                                     settings.run.checkpoint_every, false, "checkpoint"});
  }
  std::optional<Trainer> trainer;
  if (!settings.run.resume.empty()) {
    // Every process reads the checkpoint; a problem on any of them stops them all, said once.
    Checkpoint checkpoint = on_every_process<Checkpoint>(
        processes, [&] { return checked_checkpoint(settings.run.resume, spec, run_options, *optimizer); });
    trainer.emplace(resume(std::move(checkpoint), train, run_options, std::move(optimizer)));
    // Every process read the checkpoint (at the same path): the runs must be the same one.
    parallel::require_same_settings(processes, "resumed after epoch " + std::to_string(trainer->epoch()) + ", step " +
                                                   std::to_string(trainer->step()) + ", " +
                                                   std::to_string(trainer->history().size()) + " history records");
  } else {
    auto model = std::make_unique<Model>(spec);
    optimizer->start(model->graph().parameters());
    trainer.emplace(std::move(model), std::move(optimizer), train, run_options, TrainerState{});
  }
  if (!settings.save.empty()) check_parameter_files(settings.save, trainer->model().graph());
  *saving = &*trainer;

  const bool plain = settings.training.optimizer == OptimizerKind::gd;
  std::cout << "data: " << settings.data.description(shape) << "\nmodel: " << spec.describe() << "\ntraining: "
            << options.describe() << (plain ? "" : ", " + trainer->optimizer().describe());
  if (run_options.schedule) std::cout << ", " << run_options.schedule->describe(options.steps_name());
  std::cout << "\nprocesses: " << size << " (data-parallel over MPI, each with its share of the " << m
            << " columns)\n";
  print_validation_and_resume(settings, run_options, validation_span.examples > 0, *trainer);

  Model& model = trainer->model();
  RunOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  const RunSummary summary = trainer->run(options.uses_mini_batches() ? options.epochs : options.iterations);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.clear();
  for (const HistoryRecord& h : trainer->history()) outcome.result.costs.push_back({h.epoch, h.cost});
  outcome.result.final_cost = summary.final_cost;
  if (summary.reason != StopReason::completed) std::cout << summary.message << '\n';
  if (!settings.run.checkpoint.empty() && root) {
    save_checkpoint(settings.run.checkpoint, *trainer);
    std::cout << "wrote the checkpoint " << settings.run.checkpoint << " after " << trainer->epoch() << " "
              << options.steps_name() << '\n';
  }

  // Predictions: every process its columns (the training set's, then a split's validation
  // columns: the whole training file, as one process predicts it), gathered in column order.
  const bool classes = spec.loss != Loss::mean_squared_error;
  std::vector<const Dataset*> train_parts{&train};
  if (held > 0) train_parts.push_back(&*run_options.validation.data);
  const SharedPredictions train_predicted = shared_predictions(processes, model, train_parts);
  outcome.train_predictions = train_predicted.predictions;
  if (classes) outcome.train_accuracy = static_cast<double>(train_predicted.same) / static_cast<double>(train_predicted.entries);
  if (test) {
    const SharedPredictions test_predicted = shared_predictions(processes, model, {&*test});
    outcome.test_predictions = test_predicted.predictions;
    if (classes) outcome.test_accuracy = static_cast<double>(test_predicted.same) / static_cast<double>(test_predicted.entries);
  }
  // --plots draws the whole training set: rank 0 gathers it.
  std::optional<LoadedData> plotted;
  if (!settings.plots.empty()) {
    LoadedData whole;
    Dataset all_train{gather_columns(processes, train.X, shape.features), gather_columns(processes, train.Y, 1)};
    if (held > 0) {
      const Dataset& v = *run_options.validation.data;
      Dataset all_validation{gather_columns(processes, v.X, shape.features), gather_columns(processes, v.Y, 1)};
      whole.train = Dataset{xt::concatenate(xt::xtuple(all_train.X, all_validation.X), 1),
                            xt::concatenate(xt::xtuple(all_train.Y, all_validation.Y), 1)};
    } else {
      whole.train = std::move(all_train);
    }
    plotted = std::move(whole);
  }
  if (!root) return 0;

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
    report = run_report(model.spec(), options, trainer->optimizer(), settings.data.description(shape), outcome);
    report->set_run(*trainer, summary);
    report->set_setting("processes", static_cast<double>(size));
  }
  write_outputs(settings, report, model, plotted ? *plotted : LoadedData{}, options, outcome);
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

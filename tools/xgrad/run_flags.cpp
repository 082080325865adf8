#include "run_flags.hpp"

#include "flag_checks.hpp"
#include "output_file.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/io/load_dataset.hpp>

namespace xgrad::cli {

EarlyStopping parse_early_stopping(const std::string& text) {
  const std::size_t colon = text.find(':');
  const std::string patience = text.substr(0, colon);
  std::uint64_t n = 0;
  if (!parses_as_whole(patience, n) || n == 0) {
    throw InputError("the patience '" + patience + "' in '" + text +
                     "' is not a whole number >= 1 (give PATIENCE[:MIN_DELTA], e.g. 5 or 5:0.001)");
  }
  EarlyStopping e;
  e.patience = static_cast<std::size_t>(n);
  if (colon != std::string::npos) {
    const std::string delta = text.substr(colon + 1);
    double d = 0.0;
    if (!parses_as_finite(delta, d) || d < 0.0) {
      throw InputError("the minimum improvement '" + delta + "' in '" + text +
                       "' is not a finite number >= 0");
    }
    e.min_delta = d;
  }
  return e;
}

void RunFlags::declare(CLI::App& command, CLI::Option* decay_rate) {
  const std::string group = "Run";
  CLI::Option* data =
      command.add_option("--validation-data", validation_data,
                         "A validation set, read as --data is (.csv with the label last, .npz, .mat, or .npy with "
                         "--validation-labels): its cost and accuracy are computed every --validation-every epochs, "
                         "printed after the cost lines, and written to --json.")
          ->type_name("FILE")->check(file_name())->group(group);
  command.add_option("--validation-labels", validation_labels, "The labels (1, m) of a .npy --validation-data file.")
      ->type_name("FILE")->check(file_name())->needs(data)->group(group);
  CLI::Option* split =
      command.add_option("--validation-split", validation_split,
                         "Hold out the last fraction F of the training examples (before any shuffle) for validation, "
                         "0 < F < 1.")
          ->type_name("F")
          ->check(checked_by([](const std::string& v) {
            double f = 0.0;
            if (!parses_as_finite(v, f) || !(f > 0.0 && f < 1.0)) {
              throw InputError("expected a number between 0 and 1 (exclusive), got '" + v + "'");
            }
          }))
          ->excludes(data)->group(group);
  validation_every_flag_ =
      command.add_option("--validation-every", validation_every,
                         "Validate after epoch e when e is a multiple of N, and after the last (default 1 with "
                         "mini-batches, 100 in full batch, where every iteration counts).")
          ->type_name("N")->check(whole_number(1))->group(group);
  CLI::Option* early =
      command.add_option("--early-stopping", early_stopping,
                         "Stop when the validation cost has not fallen by more than MIN_DELTA (default 0) in PATIENCE "
                         "validations in a row; the output says when and why. Needs validation.")
          ->type_name("PATIENCE[:MIN_DELTA]")
          ->check(checked_by([](const std::string& v) { parse_early_stopping(v); }))
          ->group(group);
  command.add_flag("--restore-best", restore_best,
                   "When early stopping stops the run, put back the parameters of the best validation.")
      ->needs(early)->group(group);
  CLI::Option* schedule_flag =
      command.add_option("--schedule", schedule,
                         "Learning-rate schedule over epochs e (iterations in full batch): constant, "
                         "inverse_time:RATE[:INTERVAL] (lr / (1 + RATE floor(e / INTERVAL)), the course's decay), "
                         "step:FACTOR:INTERVAL (lr FACTOR^floor(e / INTERVAL)), exponential:FACTOR[:INTERVAL] "
                         "(lr FACTOR^(e / INTERVAL)) or cosine:PERIOD[:FINAL] (from lr down to FINAL lr at e = PERIOD).")
          ->type_name("SPEC")
          ->check(checked_by([](const std::string& v) { LearningRateSchedule::parse(v); }))
          ->group(group);
  if (decay_rate != nullptr) schedule_flag->excludes(decay_rate);
  CLI::Option* checkpoint_flag =
      command.add_option("--checkpoint", checkpoint,
                         "Write the whole run (model, parameters, optimizer state, counters, schedule, history) to "
                         "FILE (.npz), atomically, every --checkpoint-every epochs and at the end; continue it with "
                         "--resume FILE.")
          ->type_name("FILE")->check(checked_by([](const std::string& f) { check_output_file(f); }))->group(group);
  command.add_option("--checkpoint-every", checkpoint_every, "Epochs (full batch: iterations) between checkpoints.")
      ->type_name("N")->check(whole_number(1))->needs(checkpoint_flag)->group(group);
  command.add_option("--resume", resume,
                     "Continue the run a --checkpoint FILE holds: give the same model and training flags (they are "
                     "checked against the file); --iterations / --epochs count the epochs to run now.")
      ->type_name("FILE")->check(file_name())->group(group);
  (void)split;
}

std::optional<LearningRateSchedule> RunFlags::parsed_schedule() const {
  if (schedule.empty()) return std::nullopt;
  try {
    return LearningRateSchedule::parse(schedule);
  } catch (const InputError& e) {
    throw InputError(std::string("--schedule: ") + e.what());
  }
}

std::optional<DatasetFiles> RunFlags::validation_files(const LabelRule& label_rule) const {
  if (validation_data.empty()) return std::nullopt;
  DatasetFiles files;
  files.data = validation_data;
  if (!validation_labels.empty()) files.labels = validation_labels;
  files.label_rule = label_rule;
  try {
    const DataFormat format = data_format(validation_data);
    if (needs_labels_file(format) && validation_labels.empty()) {
      throw InputError("a .npy file holds X only; give its labels with --validation-labels Y.npy");
    }
    if (!needs_labels_file(format) && !validation_labels.empty()) {
      throw InputError("--validation-labels applies to .npy validation data only");
    }
  } catch (const InputError& e) {
    throw InputError(std::string("--validation-data: ") + e.what());
  }
  return files;
}

void RunFlags::apply(TrainerOptions& options, const LabelRule& label_rule, std::size_t features,
                     bool read_validation_data) const {
  if (const std::optional<DatasetFiles> files = validation_files(label_rule); files && read_validation_data) {
    try {
      LoadedDataset sets = load_dataset(*files);
      if (sets.train.features() != features) {
        throw InputError("the validation set has " + std::to_string(sets.train.features()) +
                         " features but the training set " + std::to_string(features));
      }
      options.validation.data = std::move(sets.train);
    } catch (const InputError& e) {
      throw InputError(std::string("--validation-data: ") + e.what());
    }
  }
  options.validation.split = validation_split;
  const bool validating = !validation_data.empty() || validation_split > 0.0;
  if (validation_every_flag_ != nullptr && validation_every_flag_->count() > 0 && !validating) {
    throw InputError("--validation-every: give --validation-data or --validation-split");
  }
  options.validation.every =
      validation_every > 0 ? validation_every : (options.training.uses_mini_batches() ? 1 : 100);
  if (!early_stopping.empty()) {
    if (!validating) throw InputError("--early-stopping needs --validation-data or --validation-split");
    try {
      options.early_stopping = parse_early_stopping(early_stopping);
    } catch (const InputError& e) {
      throw InputError(std::string("--early-stopping: ") + e.what());
    }
    options.early_stopping.restore_best = restore_best;
  }
}

}  // namespace xgrad::cli

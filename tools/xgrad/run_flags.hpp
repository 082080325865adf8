// The Run flags of xgrad train: validation (--validation-data FILE [--validation-labels FILE]
// or --validation-split F, --validation-every N), early stopping (--early-stopping
// PATIENCE[:MIN_DELTA], --restore-best), the learning-rate schedule (--schedule SPEC), and
// the run's checkpoint (--checkpoint FILE, --checkpoint-every N, --resume FILE).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <xgrad/core/dataset.hpp>
#include <xgrad/io/load_dataset.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/trainer.hpp>

namespace xgrad::cli {

struct RunFlags {
  std::string validation_data, validation_labels;  // empty: not given
  double validation_split = 0.0;
  std::size_t validation_every = 0;  // 0: the default (1 epoch with mini-batches, else 100 iterations)
  std::string early_stopping;        // "PATIENCE[:MIN_DELTA]", empty: off
  bool restore_best = false;
  std::string schedule;  // LearningRateSchedule text, empty: --decay-rate's (or constant)
  std::string checkpoint, resume;
  std::size_t checkpoint_every = 0;  // 0: at the end only

  // Declares the flags in group "Run" of `command`, with the exclusions CLI11 can check
  // (--validation-data and --validation-split exclude each other; --validation-labels needs
  // --validation-data; --validation-every needs one of them; --restore-best needs
  // --early-stopping; --checkpoint-every needs --checkpoint; --schedule excludes
  // --decay-rate, which `decay_rate` is). `this` must outlive the parse.
  void declare(CLI::App& command, CLI::Option* decay_rate);

  // The schedule --schedule names, if given. InputError "--schedule: ..." otherwise.
  std::optional<LearningRateSchedule> parsed_schedule() const;
  // Validation and early stopping as the flags say, for a model whose data files carry
  // labels by `label_rule`; reads --validation-data. InputError naming the flag.
  // read_validation_data false: --validation-data is left for the caller (validation_files;
  // options.validation.data stays empty), as a data-parallel run reads its share of it.
  void apply(TrainerOptions& options, const LabelRule& label_rule, std::size_t features,
             bool read_validation_data = true) const;
  // --validation-data (and --validation-labels) as DatasetFiles, checked against the format;
  // none without --validation-data. InputError "--validation-data: ..." otherwise.
  std::optional<DatasetFiles> validation_files(const LabelRule& label_rule) const;

 private:
  CLI::Option* validation_every_flag_ = nullptr;
};

// "5" -> {5, 0}, "5:0.001" -> {5, 0.001}. InputError naming the bad part otherwise.
EarlyStopping parse_early_stopping(const std::string& text);

}  // namespace xgrad::cli

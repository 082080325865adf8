// The --json report of a training run, in the layout of the course's reference figures
// (seed_expected.json): settings, costs, train/test accuracy and predictions.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "training_run.hpp"
#include <xgrad/train/model.hpp>
#include <xgrad/train/train.hpp>

namespace xgrad::cli {

// {"settings": {"layers": [2, 10, 5, 1], "init": "he", ..., "data": "...", and build_info():
//               "xgrad_version", "blas_kernel", "blas_config", "blas_threads"},
//  "cost_iterations": [0, 1000, ...], "costs": [...], "final_cost": c,
//  "train_accuracy": a, "test_accuracy": a or null,
//  "train_predictions": [[0, 1, ...]], "test_predictions": [[...]] or null}
// Numbers are dumped so that they read back to the same double.
nlohmann::ordered_json run_report(const ModelSpec& spec, const TrainOptions& options, const std::string& data,
                          const RunOutcome& outcome);

// Writes `report` (2-space indented) atomically. Throws FileError.
void write_json(const std::filesystem::path& file, const nlohmann::ordered_json& report);

}  // namespace xgrad::cli

#include "json_report.hpp"

#include "build_info.hpp"
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace {

nlohmann::ordered_json rows_of(const Matrix& m) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < m.shape(0); ++i) {
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (std::size_t j = 0; j < m.shape(1); ++j) row.push_back(static_cast<int>(m(i, j)));
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::ordered_json settings_of(const ModelSpec& spec, const TrainOptions& options, const std::string& data) {
  nlohmann::ordered_json s;
  s["data"] = data;
  s["model"] = spec.describe();
  s["layers"] = spec.dims();
  s["hidden_activation"] = spec.layers.size() > 1 ? to_string(spec.layers.front().activation) : "none";
  s["init"] = to_string(spec.init.kind);
  s["init_seed"] = spec.init.seed;
  if (spec.init.kind == InitKind::random) s["init_scale"] = spec.init.scale;
  s["lambd"] = spec.lambda;
  s["keep_prob"] = spec.layers.size() > 1 ? spec.layers.front().keep_prob : 1.0;
  s["dropout_masks"] = spec.dropout_masks == MaskPolicy::replay ? "replay" : "fresh";
  s["dropout_seed"] = spec.dropout_seed;
  s["learning_rate"] = options.learning_rate;
  s["iterations"] = options.iterations;
  s["costs_every"] = options.record_every;
  s.update(build_info());
  return s;
}

}  // namespace

nlohmann::ordered_json run_report(const ModelSpec& spec, const TrainOptions& options, const std::string& data,
                          const RunOutcome& outcome) {
  nlohmann::ordered_json report;
  report["settings"] = settings_of(spec, options, data);
  nlohmann::ordered_json iterations = nlohmann::ordered_json::array(), costs = nlohmann::ordered_json::array();
  for (const CostRecord& r : outcome.result.costs) {
    iterations.push_back(r.iteration);
    costs.push_back(r.cost);
  }
  report["cost_iterations"] = std::move(iterations);
  report["costs"] = std::move(costs);
  report["final_cost"] = outcome.result.final_cost;
  report["train_accuracy"] = outcome.train_accuracy;
  report["test_accuracy"] = outcome.test_accuracy ? nlohmann::ordered_json(*outcome.test_accuracy) : nlohmann::ordered_json();
  report["train_predictions"] = rows_of(outcome.train_predictions);
  report["test_predictions"] = outcome.test_predictions ? rows_of(*outcome.test_predictions) : nlohmann::ordered_json();
  report["seconds"] = outcome.seconds;
  return report;
}

void write_json(const std::filesystem::path& file, const nlohmann::ordered_json& report) {
  // Text that is not UTF-8 (a Latin-1 file name in "data") is written with U+FFFD in its place.
  write_file_atomically(file, report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

}  // namespace xgrad::cli

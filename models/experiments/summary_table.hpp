// The experiments command's summary table.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "training_run.hpp"

namespace xgrad::cli {

struct SummaryRow {
  std::string key;    // "init_he"
  std::string title;  // "He initialization"
  bool in_notes = true;
  std::optional<RunOutcome> outcome;  // empty when the run failed
  std::string failure;                // why, when it failed
};

// One line per row: experiment (marked "*" when beyond the notes), train accuracy, test
// accuracy, final cost, seconds, title; or "FAILED: <why>". A footnote explains "*".
void print_summary(std::ostream& out, const std::vector<SummaryRow>& rows);

}  // namespace xgrad::cli

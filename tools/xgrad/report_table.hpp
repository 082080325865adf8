// The table `xgrad report` prints and writes: one row per run, the columns
//   run, status, <each swept flag>, final_cost, best_cost, train_accuracy,
//   validation_accuracy, test_accuracy, seconds
// where an accuracy column is present only when some run has that accuracy.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sweep_results.hpp"

namespace xgrad::cli {

struct ReportColumn {
  std::string name;
  bool setting = false;  // a swept flag's column (text that may be numbers)
};

class ReportTable {
 public:
  // The columns of `results` (see the top), the rows in the results' order.
  explicit ReportTable(SweepResults results);

  const std::vector<ReportColumn>& columns() const { return columns_; }
  const std::vector<RunResult>& runs() const { return results_.runs; }
  const std::vector<AxisInfo>& axes() const { return results_.axes; }

  // A run's value in a column: a number (NaN for a non-finite cost) or text; nothing when the
  // run has none there.
  std::optional<double> number(const RunResult& run, const std::string& column) const;
  std::optional<std::string> text(const RunResult& run, const std::string& column) const;

  // Sorts the rows by `column` (stable): numbers by value, settings numerically when both
  // values are numbers (else as text), runs without a value last either way. Throws
  // InputError "--sort: no column 'X' (the columns: ...)".
  void sort_by(const std::string& column, bool descending);

  // The table for people: aligned columns, costs to 6 significant digits, accuracies to 4
  // decimals, seconds to 2; "-" where a run has no value. Then one line per run that did
  // not finish: "failed NAME: error".
  void print(std::ostream& out) const;

  // Every column plus "problem", numbers to the last digit (the shortest text that reads back
  // to the same double); empty where there is none. RFC 4180 quoting.
  std::string csv() const;

  // {"xgrad_version", "columns": [...], "runs": [{"run", "status", "settings": {...},
  //   "final_cost", ..., "problem"}]}; null where a run has no value.
  std::string json() const;

 private:
  SweepResults results_;
  std::vector<ReportColumn> columns_;
};

}  // namespace xgrad::cli

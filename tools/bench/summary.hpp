// Google Benchmark's console output, then a Markdown summary of the runs: the table the
// docs/performance.md quotes, and each target met or missed.
#pragma once

#include <iosfwd>
#include <vector>

#include <benchmark/benchmark.h>

namespace bench {

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal.
  SummaryReporter();
  void ReportRuns(const std::vector<Run>& runs) override;
  void print_summary(std::ostream& out) const;

 private:
  // The machine (CPU, OpenBLAS core, its one-thread peaks) and whether the run was quiet,
  // judged by the run's own calibration: the FMA peak at the start and at the end, the spread
  // of each one's repetitions, and what a second thread gave (threads/calibration).
  void print_machine(std::ostream& out) const;
  // The FMA peak of the run (machine/fma_peak), 0 when it did not run.
  double fma_peak() const;
  // The peer/ series (peer_series.hpp): their table, and the goals against numpy
  // and PyTorch at m = 300 000 (lines of the target list).
  void print_peer_table(std::ostream& out) const;
  void print_peer_goals(std::ostream& out) const;
  std::vector<Run> runs_;
};

}  // namespace bench

// Google Benchmark's console output, then a Markdown summary of the runs: the table the
// README's "Performance" section quotes, and each target met or missed.
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
  std::vector<Run> runs_;
};

}  // namespace bench

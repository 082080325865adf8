// The plots of a sweep (xgrad report --plots DIR), as gnuplot data and one script:
//   costs.png            every finished run's cost curve, overlaid (a key when 12 runs or fewer)
//   METRIC_vs_FLAG.png   the metric of every finished run against each swept flag: a log x axis
//                        where the sweep drew or spaced that flag on a log scale, the values as
//                        labels where they are not numbers (init=zeros,he)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report_table.hpp"

namespace xgrad::cli {

struct SweepPlotFiles {
  std::filesystem::path script;             // DIR/report.gp
  std::vector<std::filesystem::path> pngs;  // what the script draws
};

// Writes the data files and DIR/report.gp (DIR must exist). `metric` is one of the table's
// number columns. Throws what write_file_atomically throws.
SweepPlotFiles write_sweep_plots(const std::filesystem::path& folder, const ReportTable& table, const std::string& metric);

}  // namespace xgrad::cli

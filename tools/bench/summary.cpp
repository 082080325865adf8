#include "summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <string>

#include <unistd.h>

#include "machine.hpp"
#include <xgrad/core/threads.hpp>

namespace bench {

namespace {

using Run = benchmark::BenchmarkReporter::Run;

double counter(const Run& run, const char* name) {
  const auto it = run.counters.find(name);
  return it == run.counters.end() ? 0.0 : it->second.value;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

// "21.4 µs", "3.52 ms", "1.21 s"
std::string duration(double ms) {
  if (ms < 1.0) return fixed(ms * 1e3, ms < 0.1 ? 2 : 1) + " µs";
  if (ms < 1000.0) return fixed(ms, ms < 10 ? 2 : 1) + " ms";
  return fixed(ms / 1e3, 2) + " s";
}

// "0.048", "7.2", "504"
std::string megabytes(double mb) { return fixed(mb, mb < 1.0 ? 3 : mb < 100.0 ? 1 : 0); }

std::string verdict(bool met) { return met ? "met" : "MISSED"; }

}  // namespace

SummaryReporter::SummaryReporter()
    : benchmark::ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& r : runs) {
    // A peer that failed its check stays, to be named in the summary.
    if (r.run_type == Run::RT_Iteration && (!r.error_occurred || starts_with(r.benchmark_name(), "peer/"))) {
      runs_.push_back(r);
    }
  }
}

double SummaryReporter::fma_peak() const {
  for (const Run& r : runs_) {
    if (r.benchmark_name().rfind("machine/fma_peak", 0) == 0 && r.benchmark_name().find("_end") == std::string::npos) {
      return counter(r, "gflops");
    }
  }
  return 0.0;
}

void SummaryReporter::print_machine(std::ostream& out) const {
  const Run* start = nullptr;
  const Run* end = nullptr;
  const Run* dgemm = nullptr;
  const Run* calibration = nullptr;
  for (const Run& r : runs_) {
    const std::string name = r.benchmark_name();
    if (starts_with(name, "machine/fma_peak_end")) {
      end = &r;
    } else if (starts_with(name, "machine/fma_peak")) {
      start = &r;
    } else if (starts_with(name, "machine/dgemm_peak")) {
      dgemm = &r;
    } else if (starts_with(name, "threads/calibration")) {
      calibration = &r;
    }
  }
  out << "Machine: " << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " CPUs online; OpenBLAS core "
      << xgrad::blas_kernel() << " (" << xgrad::blas_config() << ")\n";
  if (start != nullptr) {
    out << "- arithmetic peak, one thread (" << start->report_label << "): " << fixed(counter(*start, "gflops"), 1)
        << " GFlop/s";
    if (dgemm != nullptr) {
      out << "; dgemm (" << dgemm->report_label << "): " << fixed(counter(*dgemm, "gflops"), 1) << " GFlop/s ("
          << fixed(100.0 * counter(*dgemm, "gflops") / counter(*start, "gflops"), 0) << "% of the peak)";
    }
    out << "\n";
  }
  // The run's own calibration: a quiet machine repeats pure arithmetic within a few percent,
  // gives the same peak at the end as at the start, and a second thread doubles it.
  std::vector<std::string> signs;
  for (const Run* r : {start, end}) {
    if (r == nullptr) continue;
    const double spread = counter(*r, "gflops_median") / counter(*r, "gflops");
    if (spread < 0.9) {
      signs.push_back(r->benchmark_name().substr(0, r->benchmark_name().find('/', 8)) + ": median repetition at " +
                      fixed(100.0 * spread, 0) + "% of the best");
    }
  }
  if (start != nullptr && end != nullptr) {
    const double drift = counter(*end, "gflops") / counter(*start, "gflops");
    if (std::abs(drift - 1.0) > 0.1) {
      signs.push_back("the peak at the end was " + fixed(100.0 * drift, 0) + "% of the one at the start");
    }
  }
  if (calibration != nullptr && ::sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
    const double speedup = counter(*calibration, "speedup");
    if (speedup < 1.8) signs.push_back("a second thread gave " + fixed(speedup, 2) + "x, not 2x");
  }
  std::string load;
  if (std::ifstream loadavg("/proc/loadavg"); loadavg) std::getline(loadavg, load);
  if (start == nullptr && calibration == nullptr) {
    out << "- run: not judged (machine/fma_peak and threads/calibration did not run)";
  } else if (signs.empty()) {
    out << "- run: quiet by its own calibration (the peak repeated within 10%, the same at the end";
    if (calibration != nullptr) out << ", a second thread gave " << fixed(counter(*calibration, "speedup"), 2) << "x";
    out << ")";
  } else {
    out << "- run: LOADED by its own calibration, its times are slower and noisier than this machine's: ";
    for (std::size_t i = 0; i < signs.size(); ++i) out << (i > 0 ? "; " : "") << signs[i];
  }
  out << " (load average at the end: " << load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1))
      << ")\n";
}

void SummaryReporter::print_summary(std::ostream& out) const {
  out << "\nSummary: medians of alternating runs within this process, one thread unless said.\n\n";
  print_machine(out);
  const double peak = fma_peak();
  out << "\n| network | m | graph step | hand-written loops | graph / hand | hand + BLAS | graph / (hand + BLAS) "
         "| allocations / step | graph GFlop/s | share of peak | MB per step: buffers, data |\n"
      << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  const Run* step_300 = nullptr;
  const Run* step_300k = nullptr;
  double most_allocations = 0.0;
  for (const Run& r : runs_) {
    const std::string name = r.benchmark_name();
    if (!starts_with(name, "step/")) continue;
    const std::string label = r.report_label;
    const auto space = label.find(' ');
    out << "| " << label.substr(0, space) << " | " << label.substr(space + 3) << " | "
        << duration(counter(r, "graph_ms")) << " | " << duration(counter(r, "hand_ms")) << " | "
        << fixed(counter(r, "ratio"), 2) << " | " << duration(counter(r, "hand_blas_ms")) << " | "
        << fixed(counter(r, "ratio_blas"), 2) << " | " << fixed(counter(r, "allocs_per_step"), 0) << " | "
        << fixed(counter(r, "gflops"), 2) << " | "
        << (peak > 0.0 ? fixed(100.0 * counter(r, "gflops") / peak, 1) + "%" : std::string("n/a")) << " | "
        << megabytes(counter(r, "buffer_MB")) << ", " << megabytes(counter(r, "data_MB")) << " |\n";
    most_allocations = std::max(most_allocations, counter(r, "allocs_per_step"));
    if (label == "2-10-5-1 m=300") step_300 = &r;
    if (label == "2-10-5-1 m=300000") step_300k = &r;
  }
  out << "\n";
  for (const Run& r : runs_) {
    const std::string name = r.benchmark_name();
    if (starts_with(name, "gradcheck/")) {
      out << "- gradient check (" << r.report_label << "): graph " << duration(counter(r, "graph_ms"))
          << ", by hand " << duration(counter(r, "hand_ms")) << ", ratio " << fixed(counter(r, "ratio"), 2)
          << " (difference " << counter(r, "difference") << " vs " << counter(r, "hand_difference") << ")\n";
    } else if (starts_with(name, "allocations/")) {
      out << "- allocations per step, " << r.report_label << ": " << fixed(counter(r, "allocs_per_step"), 0)
          << "\n";
      most_allocations = std::max(most_allocations, counter(r, "allocs_per_step"));
    }
  }
  print_peer_table(out);
  out << "\nTargets:\n";
  if (step_300 != nullptr) {
    const double ratio = counter(*step_300, "ratio");
    out << "- graph / hand-written <= 1.0 at m = 300: " << fixed(ratio, 2) << " " << verdict(ratio <= 1.0) << "\n";
  }
  if (step_300k != nullptr) {
    const double ratio = counter(*step_300k, "ratio");
    out << "- graph / hand-written <= 1.2 at m = 300000: " << fixed(ratio, 2) << " " << verdict(ratio <= 1.2)
        << "\n";
  }
  for (const Run& r : runs_) {
    const std::string name = r.benchmark_name();
    if (starts_with(name, "threads/") && !starts_with(name, "threads/calibration")) {
      const double speedup = counter(r, "speedup");
      const double speedup_default = counter(r, "speedup_default");
      out << "- threads (" << r.report_label << "): 1 thread " << duration(counter(r, "t1_ms")) << ", 2 threads "
          << duration(counter(r, "t2_ms")) << " (" << fixed(speedup, 2) << "x), default ("
          << fixed(counter(r, "default_threads"), 0) << ") " << duration(counter(r, "tdefault_ms")) << " ("
          << fixed(speedup_default, 2) << "x); default never slower than 1 thread "
          << (speedup_default >= 1.0 ? "met" : speedup_default >= 0.97 ? "met within the noise (3%)" : "MISSED")
          << "; 2 threads >= 1.6x at m = 300000 "
          << (r.report_label.ends_with("m=300000") ? verdict(speedup >= 1.6) : std::string("(n/a at this m)"))
          << "\n";
      for (const Run& c : runs_) {
        if (starts_with(c.benchmark_name(), "threads/calibration")) {
          out << "  (the machine itself, same run: pure arithmetic split over 2 threads ran "
              << fixed(counter(c, "speedup"), 2) << "x as fast as on 1)\n";
        }
      }
    } else if (starts_with(name, "peak_memory/")) {
      // Goal: the peak does not grow with the hidden activations: above the libraries, no
      // more than twice the data (the caller's copy and the graph's) plus the tile buffers.
      const double net = counter(r, "peak_MB") - counter(r, "baseline_MB");
      const double data_and_tiles = counter(r, "dataset_MB") + counter(r, "buffers_MB");
      out << "- peak memory does not grow with the activations (" << r.report_label << "): peak "
          << fixed(counter(r, "peak_MB"), 0) << " MB, of which " << fixed(counter(r, "baseline_MB"), 0)
          << " MB before any data; the caller's data set " << fixed(counter(r, "dataset_MB"), 0)
          << " MB, the graph's data and tile buffers " << fixed(counter(r, "buffers_MB"), 0)
          << " MB; run whole, the activations and gradients would be " << fixed(counter(r, "untiled_MB"), 0)
          << " MB: net peak / (data + tiles) = " << fixed(net / data_and_tiles, 2) << "x "
          << verdict(net <= 1.5 * data_and_tiles) << "\n";
    } else if (starts_with(name, "evaluate_peak_memory/")) {
      // Goal: evaluation holds the data plus one tile (and a copy of the parameters).
      const double net = counter(r, "net_peak_MB");
      const double held = counter(r, "dataset_MB") + 2.0 * counter(r, "parameters_MB");
      out << "- evaluate holds the data plus one tile (" << r.report_label << "): peak "
          << fixed(counter(r, "peak_MB"), 0) << " MB, " << fixed(net, 0) << " MB above the libraries; the data "
          << fixed(counter(r, "dataset_MB"), 0) << " MB, the parameters " << fixed(counter(r, "parameters_MB"), 1)
          << " MB; run whole, the activations would be " << fixed(counter(r, "untiled_MB"), 0) << " MB "
          << verdict(net <= 1.5 * held + 16.0) << "\n";
    } else if (starts_with(name, "handloop/")) {
      out << "- graph / handloop_he (" << r.report_label << "): " << duration(counter(r, "graph_ms")) << " vs "
          << duration(counter(r, "handloop_ms")) << " = " << fixed(counter(r, "ratio"), 2);
      const double peak = fma_peak();
      if (peak > 0.0) {
        out << "; graph " << fixed(counter(r, "gflops"), 2) << " GFlop/s (" << fixed(100.0 * counter(r, "gflops") / peak, 1)
            << "% of peak), handloop_he " << fixed(counter(r, "handloop_gflops"), 2) << " GFlop/s";
      }
      const bool goal_300 = r.report_label.starts_with("2-10-5-1 m=300,");
      const bool goal_300k = r.report_label.starts_with("2-10-5-1 m=300000,");
      if (goal_300) out << "; goal <= 0.8 " << verdict(counter(r, "ratio") <= 0.8);
      if (goal_300k) out << "; goal <= 0.4 on one thread " << verdict(counter(r, "ratio") <= 0.4);
      out << "\n";
    }
  }
  print_peer_goals(out);
  out << "- zero allocations per steady-state step: at most " << fixed(most_allocations, 0) << " "
      << verdict(most_allocations == 0.0) << "\n";
}

void SummaryReporter::print_peer_table(std::ostream& out) const {
  bool any = false;
  for (const Run& r : runs_) {
    if (!starts_with(r.benchmark_name(), "peer/")) continue;
    if (!any) {
      out << "\nPeers (2-10-5-1, each program's own timer around its loop, best of three, one thread; xgrad "
             "as train() runs it, in the same benchmark):\n\n"
          << "| peer | m | peer step | xgrad step | xgrad / peer | first cost, relative difference |\n"
          << "|---|---:|---:|---:|---:|---:|\n";
      any = true;
    }
    if (r.error_occurred) {
      out << "| " << r.benchmark_name() << " | | FAILED: " << r.error_message << " | | | |\n";
      continue;
    }
    // label: "TITLE m=M, N steps"
    const std::string label = r.report_label;
    const auto m_at = label.find(" m=");
    const auto comma = label.find(',', m_at);
    char diff[32];
    std::snprintf(diff, sizeof diff, "%.1e", counter(r, "first_cost_rel_diff"));
    out << "| " << label.substr(0, m_at) << " | " << label.substr(m_at + 3, comma - m_at - 3) << " | "
        << duration(counter(r, "peer_ms")) << " | " << duration(counter(r, "graph_ms")) << " | "
        << fixed(counter(r, "ratio"), 2) << " | " << diff << " |\n";
  }
}

void SummaryReporter::print_peer_goals(std::ostream& out) const {
  for (const Run& r : runs_) {
    const std::string name = r.benchmark_name();
    for (const char* peer : {"numpy", "pytorch"}) {
      if (!r.error_occurred && starts_with(name, ("peer/" + std::string(peer) + "/2-10-5-1/m:300000/").c_str())) {
        const double ratio = counter(r, "ratio");
        out << "- graph / " << peer << " <= 0.5 at m = 300000 (at least 2x): " << fixed(ratio, 2) << " "
            << verdict(ratio <= 0.5) << "\n";
      }
    }
  }
}

}  // namespace bench

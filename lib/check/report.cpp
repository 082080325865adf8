// CheckReport: verdict, summaries and the printed table.
#include <xgrad/check/gradcheck.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "accumulator.hpp"
#include <xgrad/core/format.hpp>

namespace xgrad {

double CheckReport::difference() const { return CheckAccumulator::overall(*this); }

std::string CheckReport::unjudgeable() const {
  std::size_t judged = 0;
  for (const EntryCheck& e : entries) {
    if (!std::isfinite(e.analytic) || !std::isfinite(e.numeric)) {
      return "a gradient is not finite (" + std::string(std::isfinite(e.analytic) ? "numeric" : "analytic") + " " +
             (e.node.empty() ? "" : e.node + " ") + e.block + " entry (" + std::to_string(e.row) + ", " +
             std::to_string(e.col) + ") is " + format_double(std::isfinite(e.analytic) ? e.numeric : e.analytic) +
             ")";
    }
    judged += e.kink ? 0 : 1;
  }
  if (entries.empty()) return "nothing was checked (no entries)";
  if (judged == 0) return "no entry could be judged (every one is at a kink)";
  if (!std::isfinite(difference())) return "the difference is " + format_double(difference());
  return "";
}

bool CheckReport::passed() const {
  if (!findings.empty()) return false;
  for (const PathCheck& p : paths) {
    if (!p.ok) return false;
  }
  if (!unjudgeable().empty()) return false;
  for (const BlockCheck& b : blocks) {
    if (!b.ok()) return false;
  }
  return difference() <= options.threshold;
}

std::vector<std::string> CheckReport::wrong_blocks() const {
  std::vector<std::string> names;
  for (const BlockCheck& b : blocks) {
    if (!b.ok()) names.push_back(b.node.empty() ? b.block : b.node + "/" + b.block);
  }
  return names;
}

double CheckReport::detection_floor() const {
  double floor = 0.0;
  for (const BlockCheck& b : blocks) floor = std::max(floor, b.detection_floor);
  return floor;
}

void CheckReport::merge(const CheckReport& other) {
  blocks.insert(blocks.end(), other.blocks.begin(), other.blocks.end());
  entries.insert(entries.end(), other.entries.begin(), other.entries.end());
  findings.insert(findings.end(), other.findings.begin(), other.findings.end());
  paths.insert(paths.end(), other.paths.begin(), other.paths.end());
  CheckAccumulator::merge_sums(*this, other);
}

namespace {

std::string sci(double v, int precision = 3) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(precision) << v;
  return s.str();
}

std::string g10(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return s.str();
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string method(const CheckOptions& o) {
  std::string text = o.stencil == Stencil::central6
                         ? "6th-order central differences (h, 2h, 3h each side)"
                         : "2nd-order central differences";
  text += o.relative_step ? ", h = " + sci(o.step, 1) + " x max(1, |x|)" : ", h = " + sci(o.step, 1);
  return text;
}

void print_mode(std::ostream& out, const CheckReport& r) {
  out << "mode: " << r.mode() << ", " << method(r.options);
  if (r.mode() == "fast") {
    out << "; per block " << r.options.directions << " random directions (g.u vs dJ/dt along u) and "
        << r.options.sampled_entries << " sampled entries";
  }
  out << '\n';
  if (r.detection_floor() > 0.0) {
    out << "detection floor: a relative error above " << sci(r.detection_floor(), 1)
        << " in the most sensitive entry of every block is caught\n";
  }
  double worst_ratio = 0.0;
  const BlockCheck* worst = nullptr;
  for (const BlockCheck& b : r.blocks) {
    if (!b.fast || b.gradient_norm <= 0.0) continue;
    const double ratio = b.undetected_norm / b.gradient_norm;
    if (worst == nullptr || ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = &b;
    }
  }
  if (worst != nullptr) {
    out << "fast-mode bound: a block's gradient error e goes unnoticed with probability <= "
        << sci(kMissProbability, 0) << " once |e| >= " << sci(worst_ratio, 1)
        << " x |g| (worst block: " << (worst->node.empty() ? "" : worst->node + "/") << worst->block
        << ", |e| >= " << sci(worst->undetected_norm, 2) << ")\n";
  }
}

std::string entry_label(const EntryCheck& e) {
  std::string label = e.node.empty() ? "" : e.node + " ";
  label += e.block;
  if (e.direction) return label + " along u" + std::to_string(e.row);
  std::ostringstream at;
  at << label << '(' << e.row << ',' << e.col << ')';
  return at.str();
}

}  // namespace

std::string CheckReport::to_string() const {
  std::ostringstream out;
  const double diff = difference();
  std::size_t failing = 0, kinks = 0;
  for (const EntryCheck& e : entries) {
    failing += e.failed ? 1 : 0;
    kinks += e.kink ? 1 : 0;
  }
  // A structural problem leads: it is the reason, whatever the numbers below say.
  if (!findings.empty()) {
    out << "gradient check FAILED: " << findings.front().node << ": " << findings.front().problem;
    if (findings.size() > 1) out << " (and " << findings.size() - 1 << " more problem" << (findings.size() > 2 ? "s" : "") << " below)";
    out << '\n';
    out << "numeric comparison: difference " << sci(diff);
  } else {
    out << "gradient check " << (passed() ? "PASSED" : "FAILED") << ": difference " << sci(diff);
  }
  out
      << (diff <= options.threshold ? " <= " : std::isnan(diff) ? " vs " : " > ") << "threshold " << sci(options.threshold, 1)
      << ", step " << sci(options.step, 1) << "; " << entries.size() << " entries, " << failing
      << " wrong, " << kinks << " at kinks\n";
  print_mode(out, *this);
  if (const std::string reason = unjudgeable(); !reason.empty()) out << "not passed: " << reason << '\n';
  const auto wrong = wrong_blocks();
  if (!wrong.empty()) {
    out << "wrong blocks:";
    for (const auto& w : wrong) out << ' ' << w;
    out << '\n';
  } else if (diff > options.threshold && findings.empty()) {
    out << "every entry agrees within tolerance: the difference is round-off in the difference "
           "quotient (try a larger step)\n";
  }
  if (!blocks.empty()) {
    std::size_t wn = 4, wb = 5;
    for (const BlockCheck& b : blocks) {
      wn = std::max(wn, b.node.size());
      wb = std::max(wb, b.block.size());
    }
    out << "  " << pad("node", wn) << "  " << pad("block", wb)
        << "  entries  difference  max abs err  max rel err  wrong  kinks  verdict\n";
    for (const BlockCheck& b : blocks) {
      out << "  " << pad(b.node, wn) << "  " << pad(b.block, wb) << "  " << std::setw(7)
          << b.entries << "  " << std::setw(10) << sci(b.difference, 2) << "  " << std::setw(11)
          << sci(b.max_abs_error, 2) << "  " << std::setw(11) << sci(b.max_rel_error, 2) << "  "
          << std::setw(5) << b.failures << "  " << std::setw(5) << b.kinks << "  "
          << (b.ok() ? "ok" : "WRONG");
      if (b.fast) {
        out << "  (fast: " << b.directions << " directions + " << b.sampled << " of " << b.size
            << " entries)";
      }
      out << '\n';
    }
  }
  std::vector<const EntryCheck*> worst;
  for (const EntryCheck& e : entries) worst.push_back(&e);
  std::stable_sort(worst.begin(), worst.end(), [](const EntryCheck* a, const EntryCheck* b) {
    if (a->failed != b->failed) return a->failed;
    if (a->kink != b->kink) return b->kink;
    return a->rel_error > b->rel_error;
  });
  if (worst.size() > options.worst) worst.resize(options.worst);
  if (!worst.empty()) {
    out << "worst entries:\n";
    for (const EntryCheck* e : worst) {
      out << "  " << entry_label(*e) << "  analytic " << g10(e->analytic) << "  numeric "
          << g10(e->numeric) << "  abs err " << sci(e->abs_error, 2) << "  rel err "
          << sci(e->rel_error, 2);
      if (e->failed) out << "  WRONG (tolerance " << sci(e->tolerance, 1) << ")";
      if (e->kink) out << "  kink" << (e->kink_at.empty() ? "" : " at " + e->kink_at);
      out << '\n';
    }
  }
  if (!paths.empty()) {
    std::size_t wp = 4, wb = 5;
    for (const PathCheck& p : paths) {
      wp = std::max(wp, p.path.size());
      wb = std::max(wb, p.block.size());
    }
    out << "training paths against the plain forward + backward:\n";
    out << "  " << pad("path", wp) << "  " << pad("block", wb) << "  difference  max abs err  verdict\n";
    for (const PathCheck& p : paths) {
      out << "  " << pad(p.path, wp) << "  " << pad(p.block, wb) << "  " << std::setw(10) << sci(p.difference, 2) << "  "
          << std::setw(11) << sci(p.max_abs_error, 2) << "  " << (p.ok ? "ok" : "WRONG") << '\n';
    }
  }
  for (const Finding& f : findings) out << "problem: " << f.node << ": " << f.problem << '\n';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const CheckReport& report) {
  return out << report.to_string();
}

}  // namespace xgrad

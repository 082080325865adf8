#include "accumulator.hpp"

#include <algorithm>
#include <cmath>

namespace xgrad {

BlockCheck& CheckAccumulator::begin_block(std::string node, std::string block) {
  BlockCheck block_check;
  block_check.node = std::move(node);
  block_check.block = std::move(block);
  report_.blocks.push_back(std::move(block_check));
  sq_diff_ = sq_a_ = sq_n_ = 0.0;
  return report_.blocks.back();
}

bool CheckAccumulator::add(std::size_t row, std::size_t col, double analytic, double numeric,
                           double estimate_error, bool kink, std::string kink_at, bool direction) {
  const CheckOptions& o = report_.options;
  BlockCheck& b = report_.blocks.back();
  EntryCheck e;
  e.node = b.node;
  e.block = b.block;
  e.row = row;
  e.col = col;
  e.analytic = analytic;
  e.numeric = numeric;
  e.abs_error = std::abs(analytic - numeric);
  const double scale = std::max(std::abs(analytic), std::abs(numeric));
  e.rel_error = scale > 0.0 ? e.abs_error / scale : 0.0;
  e.tolerance = o.atol + o.rtol * scale + estimate_error;
  e.kink = kink;
  e.kink_at = std::move(kink_at);
  e.direction = direction;
  e.failed = !kink && !(e.abs_error <= e.tolerance);
  ++b.entries;
  ++done_;
  if (o.progress) o.progress(done_, std::max(done_, planned_));
  if (kink) {
    ++b.kinks;
  } else {
    const double d = analytic - numeric;
    sq_diff_ += d * d;
    sq_a_ += analytic * analytic;
    sq_n_ += numeric * numeric;
    report_.sum_sq_diff_ += d * d;
    report_.sum_sq_analytic_ += analytic * analytic;
    report_.sum_sq_numeric_ += numeric * numeric;
    b.max_abs_error = std::max(b.max_abs_error, e.abs_error);
    b.max_rel_error = std::max(b.max_rel_error, e.rel_error);
    b.difference = difference(sq_diff_, sq_a_, sq_n_);
    if (scale > 0.0) {
      const double floor = e.tolerance / scale;
      b.detection_floor = b.detection_floor == 0.0 ? floor : std::min(b.detection_floor, floor);
    }
  }
  if (e.failed) ++b.failures;
  const bool failed = e.failed;
  report_.entries.push_back(std::move(e));
  return failed;
}

void CheckAccumulator::find(std::string node, std::string problem) {
  report_.findings.push_back(Finding{std::move(node), std::move(problem)});
}

double CheckAccumulator::difference(double sq_diff, double sq_a, double sq_n) {
  const double denominator = std::sqrt(sq_a) + std::sqrt(sq_n);
  return denominator > 0.0 ? std::sqrt(sq_diff) / denominator : 0.0;
}

void CheckAccumulator::merge_sums(CheckReport& into, const CheckReport& from) {
  into.sum_sq_diff_ += from.sum_sq_diff_;
  into.sum_sq_analytic_ += from.sum_sq_analytic_;
  into.sum_sq_numeric_ += from.sum_sq_numeric_;
  if (from.mode_ == "fast") into.mode_ = "fast";
}

double CheckAccumulator::overall(const CheckReport& r) {
  return difference(r.sum_sq_diff_, r.sum_sq_analytic_, r.sum_sq_numeric_);
}

}  // namespace xgrad

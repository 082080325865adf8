// CheckAccumulator: builds a CheckReport's blocks and entries, judges each comparison against
// its tolerance, and keeps the running sums behind the notes' difference. Private to lib/check.
#pragma once

#include <cstddef>
#include <string>

#include <xgrad/check/gradcheck.hpp>

namespace xgrad {

class CheckAccumulator {
 public:
  explicit CheckAccumulator(CheckReport& report) : report_(report) {}

  const CheckOptions& options() const { return report_.options; }
  void set_mode(std::string mode) { report_.mode_ = std::move(mode); }

  // Starts a block; add() and the fast-mode fields go to it until the next begin_block.
  BlockCheck& begin_block(std::string node, std::string block);
  BlockCheck& block() { return report_.blocks.back(); }

  // One comparison. `estimate_error` is the error the numeric estimate itself carries
  // (stencil.hpp); the entry fails when |analytic - numeric| > atol + rtol * scale +
  // estimate_error. A kink entry is recorded but not judged. Returns whether it failed.
  bool add(std::size_t row, std::size_t col, double analytic, double numeric, double estimate_error,
           bool kink, std::string kink_at = {}, bool direction = false);

  void find(std::string node, std::string problem);

  // The entries and directions the check plans (for options().progress, called by add()).
  void set_planned(std::size_t planned) { planned_ = planned; }

  // The notes' ||a - n|| / (||a|| + ||n||) from sums of squares (0 when both are zero).
  static double difference(double sq_diff, double sq_a, double sq_n);
  static void merge_sums(CheckReport& into, const CheckReport& from);
  static double overall(const CheckReport& r);

 private:
  CheckReport& report_;
  double sq_diff_ = 0.0, sq_a_ = 0.0, sq_n_ = 0.0;
  std::size_t done_ = 0, planned_ = 0;
};

}  // namespace xgrad

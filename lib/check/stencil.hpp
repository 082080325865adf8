// Finite-difference arithmetic: the stencils' points and weights, each estimate's own error,
// and the step an entry gets. Private to lib/check.
#pragma once

#include <span>
#include <string>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/node.hpp>

namespace xgrad {

// The function at one point: f, a magnitude that bounds its round-off (max(|f|, the sum of
// |terms| when f is a sum of terms that may cancel), and the kink crossed between the base
// point and this one ("" when none; a kink makes the estimate unjudgeable).
struct Sample {
  double f = 0.0;
  double magnitude = 0.0;
  std::string kink;
};

// A derivative estimate and the error it carries (truncation + round-off).
struct Estimate {
  double derivative = 0.0;
  double error = 0.0;
};

// Offsets of the stencil's points in units of h, in evaluation order: central2 {+1, -1};
// central6 {+1, -1, +2, -2, +3, -3}.
std::span<const int> stencil_offsets(Stencil stencil);
// The largest |offset|: 1 or 3.
int stencil_reach(Stencil stencil);

// samples[i] is f at x + stencil_offsets(stencil)[i] * h; base is f at x.
// central2: (f+ - f-) / 2h, error 10 eps (|f+| + |f-|) / 2h (xgrad 0.1's rule, bit for bit).
// central6: D6, error 2 |D6 - D4| + 16 (sum |w_i| / 60h) max(eps M, |6th difference| / 30),
// M the largest magnitude among the points.
Estimate estimate(Stencil stencil, std::span<const Sample> samples, const Sample& base, double h);

// How far x may move and stay in its domain (infinity for real).
double domain_room(InputDomain domain, double x);

// The step for an entry at x: step (x max(1, |x|) with relative_step), shrunk so that
// x +- reach * h stays at most 3/4 of the way to the domain's boundary.
double entry_step(const CheckOptions& options, double x, double room);

}  // namespace xgrad

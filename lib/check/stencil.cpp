#include "stencil.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace xgrad {

namespace {

constexpr std::array<int, 2> kCentral2 = {1, -1};
constexpr std::array<int, 6> kCentral6 = {1, -1, 2, -2, 3, -3};
constexpr double kEps = std::numeric_limits<double>::epsilon();

}  // namespace

std::span<const int> stencil_offsets(Stencil stencil) {
  if (stencil == Stencil::central2) return kCentral2;
  return kCentral6;
}

int stencil_reach(Stencil stencil) { return stencil == Stencil::central2 ? 1 : 3; }

Estimate estimate(Stencil stencil, std::span<const Sample> s, const Sample& base, double h) {
  if (stencil == Stencil::central2) {
    const double f_plus = s[0].f, f_minus = s[1].f;
    const double roundoff = kEps * (std::abs(f_plus) + std::abs(f_minus)) / (2.0 * h);
    return {(f_plus - f_minus) / (2.0 * h), 10.0 * roundoff};
  }
  const double p1 = s[0].f, m1 = s[1].f, p2 = s[2].f, m2 = s[3].f, p3 = s[4].f, m3 = s[5].f;
  const double d6 = ((p3 - m3) - 9.0 * (p2 - m2) + 45.0 * (p1 - m1)) / (60.0 * h);
  const double d4 = (8.0 * (p1 - m1) - (p2 - m2)) / (12.0 * h);
  // 6th difference through the 7 points: h^6 f^(6) (negligible) + noise of size ~30 sigma.
  const double sixth = (p3 + m3) - 6.0 * (p2 + m2) + 15.0 * (p1 + m1) - 20.0 * base.f;
  double magnitude = base.magnitude;
  for (const Sample& x : s) magnitude = std::max(magnitude, x.magnitude);
  const double noise = std::max(kEps * magnitude, std::abs(sixth) / 30.0);
  const double weights = (1.0 + 9.0 + 45.0) * 2.0 / 60.0;  // sum |w_i| of D6, in units of 1/h
  return {d6, 2.0 * std::abs(d6 - d4) + 16.0 * weights * noise / h};
}

double domain_room(InputDomain domain, double x) {
  switch (domain) {
    case InputDomain::positive: return x;
    case InputDomain::probability: return std::min(x, 1.0 - x);
    default: return std::numeric_limits<double>::infinity();
  }
}

double entry_step(const CheckOptions& options, double x, double room) {
  double h = options.relative_step ? options.step * std::max(1.0, std::abs(x)) : options.step;
  const double reach = stencil_reach(options.stencil);
  if (reach * h > 0.75 * room) h = 0.75 * room / reach;
  return h;
}

}  // namespace xgrad

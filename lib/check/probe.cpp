#include "probe.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>

namespace xgrad {

bool runs_fast(const CheckOptions& options, std::size_t entries) {
  switch (options.mode) {
    case CheckMode::full: return false;
    case CheckMode::fast: return true;
    case CheckMode::automatic: return entries > options.full_limit;
  }
  return false;
}

namespace {

// Evaluates f at each stencil point, `place(offset)` having set the values there.
template <class Place>
std::array<Sample, 6> sample_stencil(Stencil stencil, const Place& place, const Evaluate& evaluate,
                                     bool& kink, std::string& kink_at) {
  std::array<Sample, 6> samples;
  const auto offsets = stencil_offsets(stencil);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    place(offsets[i]);
    samples[i] = evaluate();
    if (!kink && !samples[i].kink.empty()) {
      kink = true;
      kink_at = samples[i].kink;
    }
  }
  return samples;
}

struct DirectionResult {
  bool kink = false;
  double tolerance = 0.0;
};

DirectionResult probe_direction(CheckAccumulator& acc, const BlockProbe& b, const Matrix& u,
                                std::size_t number, const Evaluate& evaluate, const Sample& base) {
  const CheckOptions& o = acc.options();
  Matrix& values = *b.values;
  const Matrix saved = values;
  const std::size_t n = values.size();
  long double dot = 0.0L, sq_u = 0.0L, sq_x = 0.0L;
  for (std::size_t k = 0; k < n; ++k) {
    dot += static_cast<long double>(b.analytic->data()[k]) * u.data()[k];
    sq_u += static_cast<long double>(u.data()[k]) * u.data()[k];
    sq_x += static_cast<long double>(saved.data()[k]) * saved.data()[k];
  }
  const double rms = std::sqrt(static_cast<double>(sq_x) / static_cast<double>(n));
  double t = (o.relative_step ? o.step * std::max(1.0, rms) : o.step) / std::sqrt(static_cast<double>(sq_u));
  const double reach = stencil_reach(o.stencil);
  for (std::size_t k = 0; k < n; ++k) {
    const double room = domain_room(b.domain, saved.data()[k]);
    const double uk = std::abs(u.data()[k]);
    if (uk > 0.0 && reach * t * uk > 0.75 * room) t = 0.75 * room / (reach * uk);
  }
  bool kink = false;
  std::string kink_at;
  const auto place = [&](int offset) {
    const double step = offset * t;
    for (std::size_t k = 0; k < n; ++k) values.data()[k] = saved.data()[k] + step * u.data()[k];
  };
  const auto samples = sample_stencil(o.stencil, place, evaluate, kink, kink_at);
  std::copy(saved.data(), saved.data() + n, values.data());
  const Estimate e = estimate(o.stencil, samples, base, t);
  acc.add(number, 0, static_cast<double>(dot), e.derivative, e.error, kink, kink_at, true);
  return {kink, kink ? 0.0 : e.error + o.atol + o.rtol * std::max(std::abs(static_cast<double>(dot)),
                                                                     std::abs(e.derivative))};
}

void probe_fast(CheckAccumulator& acc, const BlockProbe& b, const Evaluate& evaluate, const Sample& base,
                RandomState& rng) {
  const CheckOptions& o = acc.options();
  const Matrix& values = *b.values;
  const std::size_t n = values.size();
  BlockCheck& block = acc.block();
  block.fast = true;
  block.size = n;
  std::size_t judged = 0;
  double tau = 0.0;
  for (std::size_t draw = 0; judged < o.directions && draw < 3 * o.directions; ++draw) {
    const Matrix u = rng.randn(values.shape(0), values.shape(1));
    const DirectionResult r = probe_direction(acc, b, u, draw + 1, evaluate, base);
    if (r.kink) continue;
    ++judged;
    tau = std::max(tau, r.tolerance);
  }
  std::set<std::size_t> picked;
  while (picked.size() < std::min(o.sampled_entries, n)) {
    picked.insert(static_cast<std::size_t>(rng.random_interval(n - 1)));
  }
  const std::size_t cols = values.shape(1);
  for (std::size_t k : picked) {
    probe_entry(acc, *b.values, k, b.analytic->data()[k], b.domain, evaluate, base, k / cols, k % cols);
  }
  double sq_g = 0.0;
  for (double g : *b.analytic) sq_g += g * g;
  BlockCheck& done = acc.block();
  done.directions = judged;
  done.sampled = picked.size();
  done.gradient_norm = std::sqrt(sq_g);
  done.undetected_norm = judged == 0 ? std::numeric_limits<double>::infinity()
                                     : std::sqrt(2.0 / std::numbers::pi) * tau /
                                           std::pow(kMissProbability, 1.0 / static_cast<double>(judged));
}

}  // namespace

bool probe_entry(CheckAccumulator& acc, Matrix& values, std::size_t k, double analytic,
                 InputDomain domain, const Evaluate& evaluate, const Sample& base, std::size_t row,
                 std::size_t col) {
  const CheckOptions& o = acc.options();
  double& x = values.data()[k];
  const double original = x;
  const double h = entry_step(o, original, domain_room(domain, original));
  bool kink = false;
  std::string kink_at;
  const auto samples = sample_stencil(
      o.stencil, [&](int offset) { x = original + offset * h; }, evaluate, kink, kink_at);
  x = original;
  const Estimate e = estimate(o.stencil, samples, base, h);
  return acc.add(row, col, analytic, e.derivative, e.error, kink, kink_at);
}

std::size_t planned_checks(const CheckOptions& options, std::size_t entries, bool fast) {
  const std::size_t per_block = options.sampled_entries + options.directions;
  return fast && entries > per_block ? per_block : entries;
}

void probe_block(CheckAccumulator& acc, const BlockProbe& b, bool fast, const Evaluate& evaluate,
                 const Sample& base, RandomState& rng) {
  acc.begin_block(b.node, b.block);
  const Matrix& values = *b.values;
  const CheckOptions& o = acc.options();
  if (fast && values.size() > o.sampled_entries + o.directions) {
    probe_fast(acc, b, evaluate, base, rng);
    return;
  }
  const std::size_t cols = values.shape(1);
  for (std::size_t k = 0; k < values.size(); ++k) {
    probe_entry(acc, *b.values, k, b.analytic->data()[k], b.domain, evaluate, base, k / cols, k % cols);
  }
}

}  // namespace xgrad

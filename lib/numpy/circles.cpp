#include <xgrad/numpy/circles.hpp>

#include <cmath>
#include <numbers>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>

namespace xgrad {


Dataset make_circles(std::size_t n_samples, double noise, RandomState& rng, double factor,
                     bool shuffle) {
  return make_circles_columns(n_samples, noise, rng, 0, n_samples, factor, shuffle);
}

Dataset make_circles_columns(std::size_t n_samples, double noise, RandomState& rng, std::size_t first,
                             std::size_t count, double factor, bool shuffle) {
  if (n_samples < 2) {
    throw InputError("make_circles: n_samples is " + std::to_string(n_samples) +
                     ", needs at least 2");
  }
  if (!(noise >= 0.0 && std::isfinite(noise))) {
    throw InputError("make_circles: noise is " + format_double(noise) +
                     ", must be a finite number >= 0");
  }
  if (!(factor >= 0.0 && factor < 1.0)) {
    throw InputError("make_circles: factor is " + format_double(factor) +
                     ", must be in [0, 1)");
  }
  if (first > n_samples || count > n_samples - first) {
    throw InputError("make_circles: columns " + std::to_string(first) + " + " + std::to_string(count) +
                     " asked for, but n_samples is " + std::to_string(n_samples));
  }
  const std::size_t n_out = n_samples / 2;
  const std::size_t n_in = n_samples - n_out;
  // np.linspace(0, 2 * pi, n, endpoint=False)[i] = i * step + 0 for either circle, then sklearn's
  // row `source` (before the shuffle): the outer circle's n_out points, then the inner's.
  const double step_out = (2.0 * std::numbers::pi - 0.0) / static_cast<double>(n_out);
  const double step_in = (2.0 * std::numbers::pi - 0.0) / static_cast<double>(n_in);
  auto point = [&](std::size_t source, double& x, double& y, double& label) {
    if (source < n_out) {
      const double angle = static_cast<double>(source) * step_out + 0.0;
      x = std::cos(angle);
      y = std::sin(angle);
      label = 0.0;
    } else {
      const double angle = static_cast<double>(source - n_out) * step_in + 0.0;
      x = std::cos(angle) * factor;
      y = std::sin(angle) * factor;
      label = 1.0;
    }
  };

  std::vector<std::size_t> order(n_samples);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) rng.shuffle(std::span<std::size_t>(order));

  for (std::size_t i = 0; i < first; ++i) {  // the noise of the columns before the share
    rng.normal(0.0, noise);
    rng.normal(0.0, noise);
  }
  Dataset data{Matrix({2, count}), Matrix({1, count})};
  for (std::size_t j = 0; j < count; ++j) {
    double x = 0.0, y = 0.0, label = 0.0;
    point(order[first + j], x, y, label);
    data.X(0, j) = x + rng.normal(0.0, noise);
    data.X(1, j) = y + rng.normal(0.0, noise);
    data.Y(0, j) = label;
  }
  return data;
}

}  // namespace xgrad

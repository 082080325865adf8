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

namespace {

// np.linspace(0, 2 * pi, count, endpoint=False): start + i * step.
std::vector<double> angles(std::size_t count) {
  const double step = (2.0 * std::numbers::pi - 0.0) / static_cast<double>(count);
  std::vector<double> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<double>(i) * step + 0.0;
  return out;
}

}  // namespace

Dataset make_circles(std::size_t n_samples, double noise, RandomState& rng, double factor,
                     bool shuffle) {
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
  const std::size_t n_out = n_samples / 2;
  const std::size_t n_in = n_samples - n_out;

  // (n_samples, 2) in sklearn's row order before the shuffle.
  std::vector<double> x(n_samples);
  std::vector<double> y(n_samples);
  std::vector<double> label(n_samples);
  const std::vector<double> outer = angles(n_out);
  for (std::size_t i = 0; i < n_out; ++i) {
    x[i] = std::cos(outer[i]);
    y[i] = std::sin(outer[i]);
    label[i] = 0.0;
  }
  const std::vector<double> inner = angles(n_in);
  for (std::size_t i = 0; i < n_in; ++i) {
    x[n_out + i] = std::cos(inner[i]) * factor;
    y[n_out + i] = std::sin(inner[i]) * factor;
    label[n_out + i] = 1.0;
  }

  std::vector<std::size_t> order(n_samples);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) rng.shuffle(std::span<std::size_t>(order));

  Dataset data{Matrix({2, n_samples}), Matrix({1, n_samples})};
  for (std::size_t i = 0; i < n_samples; ++i) {
    const std::size_t source = order[i];
    data.X(0, i) = x[source] + rng.normal(0.0, noise);
    data.X(1, i) = y[source] + rng.normal(0.0, noise);
    data.Y(0, i) = label[source];
  }
  return data;
}

}  // namespace xgrad

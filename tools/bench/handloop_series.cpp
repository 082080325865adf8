#include "handloop_series.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

#include "child_program.hpp"
#include "workload.hpp"
#include <xgrad/train/train.hpp>

namespace bench {

void write_handloop_input(const std::string& path, std::size_t m) {
  const xgrad::Dataset data = circles(m);
  xgrad::Model model(he_spec({2, 10, 5, 1}));
  std::ofstream out(path);
  out.precision(17);
  out << m << '\n';
  for (double v : data.X) out << v << ' ';
  out << '\n';
  for (double v : data.Y) out << static_cast<int>(v) << ' ';
  out << '\n';
  for (const auto& [W, b] : parameters_of(model)) {
    for (double v : W) out << v << ' ';
    out << '\n';
  }
}

std::optional<double> run_handloop(const std::string& program, std::size_t iterations, const std::string& file) {
  const std::optional<ChildRun> run = run_timed_child(shell_quote(program), iterations, file);
  if (!run) return std::nullopt;
  return run->us_per_iter;
}

std::size_t series_iterations(std::size_t m) { return std::clamp<std::size_t>(6'000'000 / m, 3, 20'000); }

GraphSteps time_graph_steps(std::size_t m, std::size_t iterations) {
  Workload w({2, 10, 5, 1}, m, false);
  xgrad::GradientDescent descent;
  GraphSteps result;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < iterations; ++i) {
    const double cost = xgrad::train_step(w.model.graph(), descent, learning_rate, i % 1000 == 0);
    if (i == 0) result.first_cost = cost;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.seconds_per_step = seconds / static_cast<double>(iterations);
  return result;
}

}  // namespace bench

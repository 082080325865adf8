// The yardstick series: ../shared/bench/handloop_he.cpp (the course's He run as one naive
// fused C++ loop, built by Meson when ../shared is present) against the graph's step, on
// the same circles and the same He weights, which the series writes into the loop's input
// file. Each program times its own loop; the series takes the best of three of each.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace bench {

// Writes handloop_he's input for make_circles(m) and the He draws of he_spec({2,10,5,1})
// (format in the loop's header) to `path`.
void write_handloop_input(const std::string& path, std::size_t m);

// Runs `program ITERATIONS FILE` and returns its us_per_iter; empty when it fails.
std::optional<double> run_handloop(const std::string& program, std::size_t iterations, const std::string& file);

// How many steps a series against a child program times at m: about 6e6 example-steps,
// between 3 and 20 000.
std::size_t series_iterations(std::size_t m);

// The graph's side of such a series: a fresh Workload({2,10,5,1}, m) runs `iterations`
// steps with gradient descent at learning_rate, as train() runs them (the cost only on every
// 1000th step). Ensures: seconds per step over the whole loop, and the first step's cost
// (the cost at the initial weights, which the child programs print as first_cost).
struct GraphSteps {
  double seconds_per_step = 0.0;
  double first_cost = 0.0;
};
GraphSteps time_graph_steps(std::size_t m, std::size_t iterations);

}  // namespace bench

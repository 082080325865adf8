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

}  // namespace bench

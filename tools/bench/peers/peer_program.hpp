// What the bench's C++ peer programs (peer_libtorch, peer_dlib) share: their command line,
// their input file and their one line of output, the same as ../shared/bench/handloop_he's,
// so that the bench runs every peer the way it runs the hand-fused loop.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bench::peer {

// The course's He workload in handloop_he's input format: m; X as 2 rows of m (row-major);
// Y as m 0/1 labels; then W1 (10x2), W2 (5x10), W3 (1x5) row-major. The biases start at
// zero (the course's He initialization), so the file does not hold them.
struct Input {
  std::size_t m = 0;
  std::vector<double> X;                   // 2 x m
  std::vector<double> Y;                   // 1 x m, each 0 or 1
  std::vector<std::vector<double>> W;      // W[l] is dims[l+1] x dims[l], row-major
};

// The network every peer builds: [2, 10, 5, 1], ReLU hidden layers, sigmoid output.
inline const std::vector<std::size_t> dims{2, 10, 5, 1};

// The course's He run.
inline constexpr double learning_rate = 0.01;

// `PROGRAM ITERATIONS FILE`: the iteration count (at least 1) and the input, read and
// checked: throws std::runtime_error naming the file and the problem (missing, too few
// numbers, trailing numbers, a label that is neither 0 nor 1) or the bad argument.
struct Arguments {
  std::size_t iterations = 0;
  Input input;
};
Arguments parse_arguments(int argc, char** argv);

// Prints {"first_cost": ..., "last_cost": ..., "seconds": ..., "us_per_iter": ...} on one
// line of stdout, as handloop_he does; first_cost is the cost at the initial weights.
void print_result(double first_cost, double last_cost, double seconds, std::size_t iterations);

// Runs `body`, printing a thrown exception's message to stderr: main's exit status.
int report_errors(int (*body)(const Arguments&), int argc, char** argv);

}  // namespace bench::peer

// The generic numeric gradient checker.
//
// Three entry points, one report:
//  - check_node(node): one node, ours or a user's. Upstream gradient R random, scalar
//    f = sum(value * R); every input entry and every parameter entry perturbed by +-step
//    (central differences) and compared with the node's backward. Plus structural checks:
//    forward writes every value entry and is deterministic; backward adds into gradients
//    rather than overwriting them and writes every entry it should; a zero upstream
//    gradient gives zero gradients; perturbed values are restored exactly.
//  - check_graph(graph) / check_nodes(graph): the whole model's loss against its
//    parameters' gradients from Graph::backward, and every node of the graph in turn.
//  - check_function(theta, J, gradient): any function of named parameter blocks with a
//    hand-written gradient (the notes' forward_propagation_n / backward_propagation_n).
//
// Randomness is frozen while checking (random streams are pinned, so dropout masks hold
// still); a step that straddles a node's declared kink (ReLU at 0) is reported as a kink,
// not as a failure. The report says where: node, parameter block, entry, analytic, numeric,
// absolute and relative error, the notes' difference ||g - g~|| / (||g|| + ||g~||) overall
// and per block, and which blocks are wrong.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <xgrad/core/graph.hpp>
#include <xgrad/core/node.hpp>
#include <xgrad/core/tensor.hpp>

namespace xgrad {

struct CheckOptions {
  // Central-difference step. Truncation error grows as step^2, round-off as noise(J)/step;
  // a cost evaluated through log and exp carries noise near 1e-14, so 1e-5 balances the two
  // (on the notes' N-D case a correct backprop gives 9e-10, against 1.2e-7 at the notes' 1e-7).
  double step = 1e-5;
  // An entry fails when |analytic - numeric| > atol + rtol * max(|analytic|, |numeric|)
  // + the round-off the difference quotient itself carries.
  double rtol = 1e-5;
  double atol = 1e-8;
  // The notes' verdict: the overall difference must not exceed this.
  double threshold = 1e-7;
  // check_node: examples in the random inputs it makes for a node that has none yet.
  std::size_t batch = 3;
  // Seed of the random upstream gradient, inputs and gradient pre-fills.
  std::uint64_t seed = 0;
  // Rows in the report's table of worst entries.
  std::size_t worst = 10;

  // The notes' exact setting: epsilon 1e-7, threshold 1e-7. (With it even a correct
  // backprop lands just above the threshold: round-off in J(theta+eps) - J(theta-eps).)
  static CheckOptions course();

  // Throws InputError naming the field and its value: step <= 0 or not finite, rtol, atol or
  // threshold < 0 or not finite, batch == 0. Every check_* entry point calls it first.
  void validate() const;
};

// One checked entry.
struct EntryCheck {
  std::string node;   // node name ("" for check_function)
  std::string block;  // parameter name, or "input 0 (x)"
  std::size_t row = 0;
  std::size_t col = 0;
  double analytic = 0.0;
  double numeric = 0.0;
  double abs_error = 0.0;
  double rel_error = 0.0;
  bool kink = false;    // the +-step straddled a non-differentiable point: not judged
  bool failed = false;
  std::string kink_at;  // which node's kink, for whole-graph checks
};

// One parameter block (or node input).
struct BlockCheck {
  std::string node;
  std::string block;
  std::size_t entries = 0;
  double difference = 0.0;  // the notes' metric over this block's judged entries
  double max_abs_error = 0.0;
  double max_rel_error = 0.0;
  std::size_t failures = 0;
  std::size_t kinks = 0;
  bool ok() const { return failures == 0; }
};

// A structural problem found outside the entry comparison.
struct Finding {
  std::string node;
  std::string problem;
};

class CheckReport {
 public:
  // No finding, no failing entry, and difference() <= threshold.
  bool passed() const;
  explicit operator bool() const { return passed(); }

  // The notes' difference over every judged (non-kink) entry.
  double difference() const;
  // "W2", "fc1.b", "relu1/input 0 (x)"... of the blocks with failing entries.
  std::vector<std::string> wrong_blocks() const;
  std::string to_string() const;

  // Appends another report's blocks, entries and findings (check_nodes uses it).
  void merge(const CheckReport& other);

  CheckOptions options;
  std::vector<BlockCheck> blocks;
  std::vector<EntryCheck> entries;  // every checked entry
  std::vector<Finding> findings;

 private:
  double sum_sq_diff_ = 0.0, sum_sq_analytic_ = 0.0, sum_sq_numeric_ = 0.0;
  friend class CheckAccumulator;
};

std::ostream& operator<<(std::ostream& out, const CheckReport& report);

// Checks one node. If the node has not been sized yet (batch() == 0), its inputs must be
// Input nodes: they are sized to options.batch and filled with random values (labels
// inputs with 0/1); otherwise the inputs' current values are used (run the graph forward
// first). Every gradient, value and random stream the check touches is put back.
CheckReport check_node(Node& node, const CheckOptions& options = {});

// check_node for every non-input node of a graph that has been fed data, one report.
CheckReport check_nodes(Graph& graph, const CheckOptions& options = {});

// The graph's loss against every parameter (train mode, random streams pinned).
// Requires a loss node and fed data. Leaves parameter values as they were.
CheckReport check_graph(Graph& graph, const CheckOptions& options = {});

// Named parameter blocks for check_function.
struct NamedMatrix {
  std::string name;
  Matrix value;
};
using Blocks = std::vector<NamedMatrix>;

// Checks a hand-written gradient of any scalar function of named blocks. gradient(theta)
// must return one matrix per block, of the block's shape, in the same order (InputError
// otherwise); its names are free ("dW1" for "W1"), the report uses theta's. Entries are perturbed one at a time as theta + eps / theta - eps and the
// difference quotient is (J+ - J-) / (2 eps), exactly as the notes' gradient_check_n.
CheckReport check_function(const Blocks& theta, const std::function<double(const Blocks&)>& cost,
                           const std::function<Blocks(const Blocks&)>& gradient,
                           const CheckOptions& options = {});

}  // namespace xgrad

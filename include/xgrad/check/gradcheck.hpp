/// @file
/// The generic numeric gradient checker.
///
/// Three entry points, one report:
///  - check_node(node): one node, ours or a user's. Upstream gradient R random, scalar
///    f = sum(value * R); every input entry and every parameter entry perturbed (a 6th-order
///    central-difference stencil by default) and compared with the node's backward. Plus structural checks:
///    forward writes every value entry and is deterministic; backward adds into gradients
///    rather than overwriting them and writes every entry it should; a zero upstream
///    gradient gives zero gradients; perturbed values are restored exactly.
///  - check_graph(graph) / check_nodes(graph): the whole model's loss against its
///    parameters' gradients from Graph::backward, and every node of the graph in turn.
///  - check_function(theta, J, gradient): any function of named parameter blocks with a
///    hand-written gradient (the notes' forward_propagation_n / backward_propagation_n).
///
/// What runs is what was checked: training runs Graph::forward_backward, which may cut a batch
/// into column tiles (batch() a tile's width, examples() the whole batch's), run tiles on worker
/// copies (clone_for_worker) on other threads and switch a loss's value off (value_wanted()).
/// check_node and check_nodes run every such hook a node declares beside the plain pass, in
/// full and fast mode alike (check_hooks runs only these); check_graph runs the whole model's
/// forward_backward in small tiles on 1 and 2 threads against forward() + backward().
///
/// Randomness is frozen while checking (random streams are pinned, so dropout masks hold
/// still); a step that straddles a node's declared kink (ReLU at 0) is reported as a kink,
/// not as a failure. The report says where: node, parameter block, entry, analytic, numeric,
/// absolute and relative error, the notes' difference ||g - g~|| / (||g|| + ||g~||) overall
/// and per block, which blocks are wrong, which mode ran and the detection floor reached.
///
/// Full mode compares every entry. Fast mode (large models: CheckMode::automatic switches
/// above full_limit entries) compares, per block, a few random directional derivatives
/// g.u with dJ(theta + t u)/dt (PyTorch gradcheck's fast_mode idea) and a few sampled
/// entries, and states how large a wrong block's error can be and still go unnoticed.
///
/// Sources: lib/check/ — options, report (printing), accumulator (sums and tolerances),
/// stencil (difference arithmetic), probe (full/fast over one block), node_check,
/// hook_check (the scheduling hooks), graph_check, path_check (the training paths),
/// function_check, training_step (the train-time guard, training_step.hpp). The node
/// contract hook by hook, and what each check costs: docs/checker.md.
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

/// How the numeric derivative is taken.
enum class Stencil {
  /// (f(x+h) - f(x-h)) / 2h: the notes' formula. Error ~ h^2 f'''/6 + round-off eps |f| / h.
  central2,
  /// (f(x+3h) - 9f(x+2h) + 45f(x+h) - 45f(x-h) + 9f(x-2h) - f(x-3h)) / 60h (de Levie; Stan
  /// Math's checker). Truncation ~ h^6 f^(7) / 140, far below round-off at h = 1e-4. The
  /// 4th-order estimate from the same points and the 6th difference through f(x) measure each
  /// entry's own error, which sets its tolerance.
  central6,
};

/// Which entries are compared.
enum class CheckMode {
  automatic,  ///< full when the check has at most CheckOptions::full_limit entries, else fast
  full,       ///< every entry of every block
  fast,       ///< per block: `directions` random directional checks + `sampled_entries` entries
};

/// How a gradient check runs: the stencil and step, the tolerances, the mode and its sampling.
struct CheckOptions {
  Stencil stencil = Stencil::central6;  ///< How the numeric derivative is taken (6th order by default)
  /// Step h. With relative_step an entry x is perturbed by h = step * max(1, |x|) (a
  /// directional check by step * max(1, rms of the block) / |u|); h is shrunk further so that
  /// every stencil point stays inside the input's domain (positive, probability).
  double step = 1e-4;
  bool relative_step = true;  ///< step scaled by max(1, |x|) per entry; false: the same absolute step everywhere
  /// An entry fails when |analytic - numeric| > atol + rtol * max(|analytic|, |numeric|)
  /// + the error the numeric estimate itself carries: central2 10 eps (|f+| + |f-|) / 2h;
  /// central6 2 |D6 - D4| + 16 x the stencil's round-off, from max(eps |f|, the measured 6th
  /// difference / 30). The report states the smallest relative error it could see
  /// (CheckReport::detection_floor()).
  double rtol = 1e-9;
  double atol = 0.0;  ///< absolute tolerance of an entry, added to the relative one (see rtol)
  /// The notes' verdict: the overall difference must not exceed this.
  double threshold = 1e-7;
  /// check_node: examples in the random inputs it makes for a node that has none yet.
  std::size_t batch = 3;
  /// Seed of the random upstream gradient, inputs, gradient pre-fills, directions and samples.
  std::uint64_t seed = 0;
  /// Rows in the report's table of worst entries.
  std::size_t worst = 10;
  /// Full or fast (see CheckMode) and the fast mode's effort per block.
  CheckMode mode = CheckMode::automatic;
  std::size_t full_limit = 20000;  ///< CheckMode::automatic runs the full check up to this many entries, fast above
  std::size_t directions = 4;  ///< fast mode: random directional derivatives compared per block
  std::size_t sampled_entries = 8;  ///< fast mode: entries per block checked one by one
  /// Called after every checked entry (or direction) with the number done so far and the
  /// number planned for this check_* call's blocks (check_nodes: for the node being checked),
  /// so that a long check can show its progress and an estimate of the time left. Empty: not
  /// called. Not part of validate() and not printed.
  std::function<void(std::size_t done, std::size_t planned)> progress;

  /// The notes' exact setting: central2, epsilon 1e-7 (absolute), threshold 1e-7, rtol 1e-5,
  /// atol 1e-8, every entry. (With it even a correct backprop lands just above the threshold:
  /// round-off in J(theta+eps) - J(theta-eps).)
  static CheckOptions course();
  /// xgrad 0.1's default: central2 at an absolute step of 1e-5, rtol 1e-5, atol 1e-8.
  static CheckOptions second_order();

  /// Throws InputError naming the field and its value: step <= 0 or >= 1 (or NaN), rtol, atol or
  /// threshold < 0 or not finite, batch == 0, directions == 0. Every check_* entry point
  /// calls it first.
  void validate() const;
};

/// One checked entry (or, in fast mode, one direction).
struct EntryCheck {
  std::string node;   ///< node name ("" for check_function and check_graph)
  std::string block;  ///< parameter name, or "input 0 (x)"
  std::size_t row = 0;  ///< entry's row in its block
  std::size_t col = 0;  ///< entry's column in its block
  double analytic = 0.0;  ///< the gradient backward produced
  double numeric = 0.0;  ///< the stencil's estimate of it
  double abs_error = 0.0;  ///< |analytic - numeric|
  double rel_error = 0.0;  ///< abs_error / max(|analytic|, |numeric|) (0 when both are 0)
  bool kink = false;    ///< the stencil straddled a non-differentiable point: not judged
  bool failed = false;  ///< abs_error exceeded tolerance
  std::string kink_at;  ///< which node's kink, for whole-graph checks
  double tolerance = 0.0;  ///< the abs_error this entry was allowed
  bool direction = false;  ///< fast mode: g.u against dJ(theta + t u)/dt; row = direction number
};

/// The probability of a miss that BlockCheck::undetected_norm refers to.
inline constexpr double kMissProbability = 1e-6;

/// One parameter block (or node input).
struct BlockCheck {
  std::string node;  ///< the node it concerns
  std::string block;  ///< parameter name, or "input 0 (x)"
  std::size_t entries = 0;  ///< entries and directions checked
  double difference = 0.0;  ///< the notes' metric over this block's judged entries
  double max_abs_error = 0.0;  ///< largest abs_error of the block's judged entries
  double max_rel_error = 0.0;  ///< largest rel_error of the block's judged entries
  std::size_t failures = 0;  ///< entries (and directions) that failed
  std::size_t kinks = 0;  ///< entries not judged because the stencil straddled a kink
  /// min over judged entries with a nonzero gradient of tolerance / max(|analytic|, |numeric|):
  /// the smallest relative error in this block's most sensitive entry that is caught.
  double detection_floor = 0.0;
  /// Fast mode: the block's size, the entries checked one by one, the directions judged.
  bool fast = false;
  std::size_t size = 0;  ///< fast mode: entries in the block
  std::size_t sampled = 0;  ///< fast mode: entries checked one by one
  std::size_t directions = 0;  ///< fast mode: directions judged
  /// Fast mode: an analytic gradient wrong by an error vector e with |e| >= undetected_norm
  /// passes every directional check with probability <= kMissProbability. (u ~ N(0, I), so
  /// e.u ~ N(0, |e|^2): one direction misses with probability <= sqrt(2/pi) tau / |e|, tau its
  /// tolerance; k directions with <= (sqrt(2/pi) tau_max / |e|)^k.) gradient_norm is |g|.
  double undetected_norm = 0.0;
  double gradient_norm = 0.0;  ///< |g|, the norm of the block's analytic gradient
  bool ok() const { return failures == 0; }  ///< no failing entry in the block
};

/// A structural problem found outside the entry comparison. A scheduling hook's problem
/// starts with the hook: "mean_over_columns(): tile shares add up to 3.000x the whole-batch
/// loss (...)".
struct Finding {
  std::string node;  ///< the node it concerns
  std::string problem;  ///< what is wrong, in a sentence
};

/// check_graph: one parameter block (or "loss") after a training pass on one of the paths
/// Graph::forward_backward takes, against the plain forward(Mode::train) + backward().
struct PathCheck {
  std::string path;   ///< "tiles of 11 columns, 2 threads", "value switched off", ...
  std::string block;  ///< parameter name, or "loss"
  double difference = 0.0;    ///< ||path - plain|| / (||path|| + ||plain||) over the block
  double max_abs_error = 0.0;  ///< largest abs_error of the block's judged entries
  bool ok = true;             ///< difference <= kPathTolerance (and finite)
};

/// The largest PathCheck::difference that is round-off (tiles add the same terms in another
/// order).
inline constexpr double kPathTolerance = 1e-9;

/// The outcome of a gradient check: per-block and per-entry results, structural findings and
/// the overall verdict (passed()).
class CheckReport {
 public:
  /// No finding, no failing entry, something judged, every number finite, and
  /// difference() <= threshold. A check of zero entries, or one whose gradients or difference
  /// are NaN or infinite, never passes: see unjudgeable().
  bool passed() const;
  /// Why the check cannot pass whatever its tolerances: "nothing was checked (no entries)",
  /// "no entry could be judged (every one is at a kink)", "a gradient is not finite (...)", "the
  /// difference is nan"; "" when it can be judged. to_string() prints it.
  std::string unjudgeable() const;
  explicit operator bool() const { return passed(); }  ///< passed()

  /// The notes' difference over every judged (non-kink) entry.
  double difference() const;
  /// "W2", "fc1.b", "relu1/input 0 (x)"... of the blocks with failing entries.
  std::vector<std::string> wrong_blocks() const;
  /// Max over blocks of BlockCheck::detection_floor: a relative error above it in the most
  /// sensitive entry of every block is caught.
  double detection_floor() const;
  /// "full" or "fast": what ran (what CheckMode::automatic resolved to).
  const std::string& mode() const { return mode_; }
  /// A human-readable summary: the verdict (a finding first, when there is one), the
  /// difference, the failing blocks and entries, and unjudgeable() when not empty.
  std::string to_string() const;

  /// Appends another report's blocks, entries and findings (check_nodes uses it).
  void merge(const CheckReport& other);

  CheckOptions options;  ///< the options the check ran with
  std::vector<BlockCheck> blocks;  ///< one per parameter block or node input, in the order checked
  std::vector<EntryCheck> entries;  ///< every checked entry
  std::vector<Finding> findings;  ///< structural problems (overwritten gradients, non-determinism, ...)
  std::vector<PathCheck> paths;  ///< check_graph's training paths (empty elsewhere)

 private:
  double sum_sq_diff_ = 0.0, sum_sq_analytic_ = 0.0, sum_sq_numeric_ = 0.0;
  std::string mode_ = "full";
  friend class CheckAccumulator;
};

/// Writes report.to_string() to `out`.
std::ostream& operator<<(std::ostream& out, const CheckReport& report);

/// Checks one node. Every scheduling hook it declares is run as Graph::forward_backward runs
/// it and compared with the plain pass, whatever the mode and the batch (a batch of fewer than
/// 3 columns is made up for it by the input domains):
///  - column_separable() and mean_over_columns(): the node on 3 column tiles (batch() the
///    tile's width, examples() the whole batch's): values and input gradients column for
///    column, parameter gradients and a mean's loss shares summed over the tiles, all within
///    round-off of the whole batch's. column_separable() also on sampled columns run alone.
///  - a scalar node (any loss): a pass with the value switched off (set_value_wanted(false),
///    value pre-filled with NaN) after a pass on other inputs gives the same gradients.
///  - clone_for_worker(): the copy reads the inputs and parameters it was given, gives the
///    original's bits on the same inputs, shares no buffer with it (forward of one between
///    forward and backward of the other, on other inputs), and the two run at the same time on
///    two threads on different columns give what each gives alone. (The copy is never sized
///    smaller than the original before they run together, and the threads run only after the
///    interleaved passes found nothing: a shared buffer is caught without writing past it.
///    When no second thread can be started, or an address-space limit leaves no room for a
///    second BLAS buffer, that round runs interleaved on the calling thread instead.)
/// Each problem is a finding that names the hook and the numbers.
/// If the node has not been sized yet (batch() == 0), its inputs must be
/// Input nodes: they are sized to options.batch and filled according to the node's
/// input_domain (real in (-1, 1), probability in (0.05, 0.95), positive in (0.5, 2), 0/1
/// labels, one-hot columns); otherwise the inputs' current values are used (run the graph
/// forward first). Only differentiable domains are perturbed, never across the domain's
/// boundary. An input node read twice (Add({&x, &x})) is one block, "input 0,1 (x)", whose
/// gradient is the sum of both uses. A non-finite value produced by forward is a finding
/// naming the entry and the input values behind it. A node that declares column_separable()
/// has its input entries checked one column at a time (and the claim itself is checked).
/// Every gradient, value, requires_grad flag and random stream the check touches is put back.
CheckReport check_node(Node& node, const CheckOptions& options = {});

/// Only the scheduling hooks of check_node (above), without numeric derivatives: the findings
/// (empty when every hook the node declares behaves as on the plain path). Inputs as check_node
/// (an unsized node gets random inputs of options.batch examples); everything touched is put
/// back. Cheap: a few dozen forward and backward passes of the node.
std::vector<Finding> check_hooks(Node& node, const CheckOptions& options = {});

/// check_node for every non-input node of a graph that has been fed data, one report; plus,
/// for every node, that its forward does not move when a graph parameter it does not declare
/// moves (a finding naming the node, the parameter and the nodes that declare it).
CheckReport check_nodes(Graph& graph, const CheckOptions& options = {});

/// The graph's loss against every parameter (train mode, random streams pinned). Blocks are
/// named by the parameter ("fc1.W"); a graph parameter no node declares is a finding.
/// Then the paths training takes (report.paths): forward_backward with the value switched off
/// and, when the graph is tileable and has at least 2 examples, in tiles of about a third of
/// the batch on 1 and on 2 threads (xgrad::set_threads, put back after), each parameter
/// block's gradient and the loss against the plain forward + backward; a block off by more
/// than kPathTolerance is a finding naming the path and the block.
/// Requires a loss node and fed data. Leaves parameter values (and the graph's tile width and
/// xgrad's thread setting) as they were.
CheckReport check_graph(Graph& graph, const CheckOptions& options = {});

/// Named parameter blocks for check_function.
struct NamedMatrix {
  std::string name;  ///< the block's name, used in the report
  Matrix value;  ///< the block's values
};
/// The blocks of check_function's theta, in order.
using Blocks = std::vector<NamedMatrix>;

/// Checks a hand-written gradient of any scalar function of named blocks. gradient(theta)
/// must return one matrix per block, of the block's shape, in the same order (InputError
/// otherwise); its names are free ("dW1" for "W1"), the report uses theta's. Entries are
/// perturbed one at a time; with Stencil::central2 and an absolute step the quotient is
/// (J(theta + eps) - J(theta - eps)) / (2 eps), exactly as the notes' gradient_check_n.
CheckReport check_function(const Blocks& theta, const std::function<double(const Blocks&)>& cost,
                           const std::function<Blocks(const Blocks&)>& gradient,
                           const CheckOptions& options = {});

}  // namespace xgrad

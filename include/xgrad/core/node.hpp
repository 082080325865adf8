/// @file
/// The node contract. A node computes value = f(inputs, parameters) in forward and, in
/// backward, adds J^T grad into its inputs' and parameters' gradients.
///
/// How to write a node (ours and users' alike; see docs/nodes.md):
///  - resize(batch) is the only place that allocates: call Node::resize(batch) for value and
///    grad, then size any buffers of your own (resize_keeping_spare, tensor.hpp, keeps the
///    previous size too, so that a last, smaller mini-batch or tile allocates only once).
///  - forward(mode) writes every entry of value() from the inputs' value(); it keeps what
///    backward needs (sigmoid keeps its output, dropout its mask).
///  - backward() reads grad() (dLoss/dvalue) and ADDS into input->grad() for each input with
///    input->requires_grad(), and into each parameter's grad. Never overwrite: a value read
///    by two nodes gets both contributions. Skip inputs that do not require a gradient.
///  - Matmuls through xgrad::gemm with transpose flags and beta = 1 to accumulate; element-wise
///    writes through xt::noalias or plain loops over preallocated buffers.
///  - kinks() lists the input values where f is not differentiable (ReLU: 0), so a gradient
///    checker reports a step across one as a kink, not a failure.
/// check_node() in gradcheck.hpp verifies all of this for any node in one call. The
/// scheduling hooks (column tiles, worker copies, a sum split around the tiles) are apart,
/// in the opt-in interface Schedulable below: a node needs none of them to be correct.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/core/parameter.hpp>
#include <xgrad/core/tensor.hpp>

namespace xgrad {

class RandomStream;

/// A forward pass for training (dropout draws its masks) or for evaluation (dropout passes
/// its input through).
enum class Mode { train, eval };

/// What values an input takes; a checker fills inputs of a node under test accordingly.
enum class InputDomain {
  real,         ///< any real number; differentiated
  probability,  ///< a number in (0, 1); differentiated
  labels,       ///< independent 0/1 labels; not differentiated
  one_hot,      ///< one-hot columns (exactly one 1 per column); not differentiated
  positive,     ///< a number > 0 (log, sqrt, ...); differentiated
};

/// Whether a checker perturbs inputs of this domain (labels are data, not variables).
constexpr bool is_differentiable(InputDomain domain) {
  return domain == InputDomain::real || domain == InputDomain::probability || domain == InputDomain::positive;
}

/// A point where the node's function of input `input` is not differentiable.
struct Kink {
  std::size_t input;  ///< which input (index into inputs())
  double at;  ///< the input value where the derivative jumps (ReLU: 0)
};

/// The base class of every node, built-in or a user's: a value computed from inputs in
/// forward and gradients added into the inputs in backward (the contract at the top of this
/// file). Created through Graph::add, which owns it.
class Node {
 public:
  /// rows: the number of rows of value(); value has batch columns (see columns()).
  Node(std::string name, std::vector<Node*> inputs, std::size_t rows);
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// A short, stable name of the node's type ("linear", "relu", ...).
  virtual std::string_view kind() const = 0;

  /// Sizes value() and grad() (rows x columns(batch)) and any buffers of the node's own.
  virtual void resize(std::size_t batch);
  /// Writes every entry of value() from the inputs' value() (and the parameters), keeping what
  /// backward needs. Must not allocate.
  virtual void forward(Mode mode) = 0;
  /// Reads grad() and ADDS J^T grad() into the grad() of every input with requires_grad()
  /// and into the grad of every parameter. Never overwrites; must not allocate.
  virtual void backward() = 0;

  /// The parameters this node reads, in a stable order.
  virtual std::vector<Parameter*> parameters() const { return {}; }
  /// The input values where the function is not differentiable (ReLU: 0); none by default.
  virtual std::vector<Kink> kinks() const { return {}; }
  /// What values input `input` takes (real by default); the checker fills and perturbs it
  /// accordingly.
  virtual InputDomain input_domain(std::size_t /*input*/) const { return InputDomain::real; }
  /// The stream this node draws from in train mode, if any (dropout).
  virtual RandomStream* random_stream() const { return nullptr; }

  /// Columns of value for a batch: batch, or 1 for scalar nodes such as losses.
  virtual std::size_t columns(std::size_t batch) const { return batch; }

  /// @name Set by the graph
  /// State Graph and the gradient checker set before a pass; a node reads it, never sets it.
  ///@{

  /// A scalar node whose value is not read may skip computing it in forward (the cost's
  /// logarithms) when this is false; backward must not depend on it. Graph sets it for a
  /// training pass whose loss nobody reads (Graph::forward_backward(false)); true otherwise.
  bool value_wanted() const { return value_wanted_; }
  /// Set by Graph before a pass (see value_wanted()).
  void set_value_wanted(bool wanted) { value_wanted_ = wanted; }
  /// Examples of the whole batch, the m a mean over examples divides by: batch(), or more
  /// while Graph runs the batch in column tiles (it calls set_examples after resize).
  std::size_t examples() const { return examples_; }
  /// Set by Graph (see examples()).
  void set_examples(std::size_t examples) { examples_ = examples; }
  ///@}

  /// The node's name, unique in its graph ("fc1", "relu1").
  const std::string& name() const { return name_; }
  /// The nodes this one reads, in the order given to the constructor.
  std::span<Node* const> inputs() const { return inputs_; }
  /// Rows of value() and grad().
  std::size_t rows() const { return rows_; }
  /// Columns of this pass: the batch, or the width of the tile being run.
  std::size_t batch() const { return batch_; }

  /// The node's output, rows() x columns(batch()).
  Matrix& value() { return value_; }
  /// The node's output, read-only.
  const Matrix& value() const { return value_; }
  /// dLoss/dvalue, the shape of value(); backward reads it, the nodes after this one add into it.
  Matrix& grad() { return grad_; }
  /// dLoss/dvalue, read-only.
  const Matrix& grad() const { return grad_; }

  /// Whether backward must produce this node's input gradient; set by Graph (and by the
  /// gradient checker, which wants every input gradient).
  bool requires_grad() const { return requires_grad_; }
  /// Set by Graph and by the gradient checker (see requires_grad()).
  void set_requires_grad(bool required) { requires_grad_ = required; }

 protected:
  /// "fc2: " + message, as InputError.
  [[noreturn]] void fail(const std::string& message) const;

  Matrix value_;  ///< what value() returns: forward writes it
  Matrix grad_;  ///< what grad() returns: backward reads it

 private:
  std::string name_;
  std::vector<Node*> inputs_;
  std::size_t rows_;
  std::size_t batch_ = 0;
  std::size_t examples_ = 0;
  bool requires_grad_ = false;
  bool value_wanted_ = true;
  Matrix spare_value_;  ///< value_ and grad_ of the previous batch size (resize_keeping_spare)
  Matrix spare_grad_;
};

/// The scheduling hooks, an opt-in interface apart from the node's math: how Graph may run a
/// node in column tiles, on worker threads, or as a sum it can split around the tiles
/// (Graph::forward_backward). A node needs none of them to be correct: a node that does not
/// derive from Schedulable runs on the whole batch, on one thread. A node opts in by deriving
/// from it as well as from Node (`class MyNode : public xgrad::Node, public
/// xgrad::Schedulable`) and overriding the hooks it means; Graph and the checker find them
/// through scheduling_hooks(node). Each hook a node declares is verified by the checker
/// (check_node, docs/checker.md), and the helpers declare them for the nodes written through
/// them: Elementwise<F> (column_separable, clone_for_worker) and MeanLoss
/// (mean_over_columns, clone_for_worker).
class Schedulable {
 public:
  /// True when column j of value depends only on column j of every input (and on the
  /// parameters), for any batch size, with no random draws: a gradient checker may then
  /// check input entries on one column at a time (after resize(1)). It verifies the claim.
  /// Graph also runs a batch of such nodes in column tiles (Graph::forward_backward). An
  /// element-wise node written as Elementwise<F> (its math alone) gets this and its copy.
  virtual bool column_separable() const { return false; }
  /// True for a scalar (1x1) node whose value is a sum over columns j of a term that depends
  /// only on column j of every input, divided by examples(), and whose backward adds into
  /// input column j from column j's term alone (a loss that is a mean over examples). Graph
  /// may then run it on a tile of columns: its value is that tile's share of the mean (the
  /// tile's sum divided by the whole batch's examples()), and the shares add up to the loss.
  /// A loss derived from MeanLoss (written as its terms alone) gets this and the division.
  virtual bool mean_over_columns() const { return false; }
  /// True for a node whose value is the sum of its inputs' values and whose backward adds
  /// grad() into each input's grad() without reading any value (Add). A loss that is such a
  /// sum of mean_over_columns() nodes and scalar nodes without inputs (L2Penalty) still runs
  /// in column tiles: Graph runs its backward before the tiles and its forward after them.
  virtual bool sums_inputs() const { return false; }
  /// A copy of this node for another thread: a new node of the same kind and settings that
  /// reads `inputs` (one per inputs(), same rows, in order) instead of inputs(), and
  /// `parameters` (one per parameters(), same shapes, in order) instead of parameters(), with
  /// buffers of its own (unsized: resize before use). It must share nothing this node or the
  /// copy writes, so that the two can run forward and backward at the same time on different
  /// column tiles. Graph asks for such copies of its column_separable() and
  /// mean_over_columns() nodes to run tiles on several threads (xgrad::set_threads); nullptr
  /// (the default) says the node has none, and such a graph runs its tiles on one thread.
  /// The copy should derive from Schedulable too and declare the same hooks (the checker
  /// verifies it). Allocates (once per worker thread, on the first pass that uses it).
  virtual std::unique_ptr<Node> clone_for_worker(std::vector<Node*> /*inputs*/,
                                                 std::span<Parameter* const> /*parameters*/) const {
    return nullptr;
  }

 protected:
  Schedulable() = default;  ///< only as a base of a node
  Schedulable(const Schedulable&) = default;  ///< with the node
  Schedulable& operator=(const Schedulable&) = default;  ///< with the node
  ~Schedulable() = default;  ///< a node is destroyed as a Node, never as its hooks
};

/// The node's scheduling hooks: the node itself when it derives from Schedulable, else hooks
/// that all give the defaults (not separable, no mean, no sum, no copy). Constant time.
const Schedulable& scheduling_hooks(const Node& node);

}  // namespace xgrad

/// @file
/// Graph: a static computation graph, built once and run many times.
///
/// Nodes are kept in insertion order, which must be topological (a node's inputs are added
/// before it; add() checks). Buffers are sized by resize(batch) and reused: after that,
/// forward + backward + an SGD update allocate nothing.
///
/// Column tiles (forward_backward): when every per-example node is column_separable() and
/// the loss is a mean over columns, a training pass over a wide batch runs forward and
/// backward over one tile of columns at a time, so that the activations of a tile stay in
/// cache and the memory does not grow with the batch beyond the fed data. Tiles run on up to
/// xgrad::threads() threads (core/threads.hpp) when every node in them has a
/// clone_for_worker(); the bits do not depend on the thread count. How such a pass is
/// scheduled is not Graph's business: Graph delegates it to a private executor.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include <xgrad/core/node.hpp>
#include <xgrad/core/input.hpp>
#include <xgrad/core/parameter.hpp>
#include <xgrad/core/random_stream.hpp>
#include <xgrad/core/tile_exchange.hpp>

namespace xgrad {

namespace detail {
class TiledExecutor;  ///< lib/core/tiled_executor.hpp: how forward_backward is scheduled
}

/// A static computation graph: owns its nodes, parameters and random streams, runs forward
/// and backward over a fed batch (see the file description for ordering and tiling).
class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  /// Creates a placeholder of `rows` rows. Names must be unique among nodes.
  Input& input(std::string name, std::size_t rows);

  /// Creates a parameter owned by the graph (its address stays valid). Names must be unique.
  Parameter& parameter(std::string name, Matrix initial);

  /// Adds a node constructed from args; every input of it must already be in this graph.
  template <class N, class... Args>
  N& add(Args&&... args) {
    auto node = std::make_unique<N>(std::forward<Args>(args)...);
    N& ref = *node;
    Input* input = nullptr;
    if constexpr (std::is_same_v<N, Input>) input = &ref;  // the graph's own placeholders
    adopt(std::move(node), input);
    return ref;
  }

  /// A random stream owned by the graph (for dropout nodes). Every stream a node of the
  /// graph draws from (owned or not) gets begin_pass() before each train-mode forward pass.
  RandomStream& random_stream(std::uint64_t seed, MaskPolicy policy);

  /// The scalar (1x1) node backward starts from.
  void set_loss(Node& loss);
  /// The node set by set_loss; throws InputError when none was set.
  Node& loss() const;

  /// Sizes every node's buffers for `batch` examples (no-op when unchanged). Two sizes in
  /// turn (full mini-batches and a smaller last one) allocate only the first time. When
  /// forward_backward will tile the batch, the nodes other than inputs are sized for one
  /// tile only; forward() or backward() size them for the whole batch when they run.
  /// Requires 1 <= batch and every node's rows x batch doubles addressable (InputError naming
  /// the node otherwise, checked before any arithmetic that could overflow, tiled or not).
  /// Throws MemoryError naming the node and the bytes when a buffer cannot be allocated, here
  /// or when a later forward(), backward(), forward_backward() or add() sizes the nodes (for
  /// the whole batch, a tile or a narrower last tile); the graph then needs feed() or
  /// resize() again before it runs.
  void resize(std::size_t batch);
  /// The batch the buffers are sized for (the last resize or feed); 0 before any.
  std::size_t batch() const { return batch_; }

  /// Resizes to data.shape(1) if needed, then copies data into the input: input.value() is
  /// the fed data right after, and after any pass (also a tiled one), until the next feed.
  void feed(Input& input, const Matrix& data);

  /// Runs every node's forward in order (train mode starts a pass on each random stream),
  /// on the whole fed batch; with `last`, stops after that node (the nodes after it, such
  /// as a loss whose labels were not fed, are not run).
  void forward(Mode mode, const Node* last = nullptr);
  /// Zeroes every gradient, seeds dLoss/dLoss = 1 and runs backward in reverse order over
  /// the nodes that require a gradient.
  void backward();
  /// Zeroes the gradient of every node that requires one and of every parameter.
  void zero_grad();

  /// The loss node's value (0, 0) after a pass; throws InputError when no loss is set.
  double loss_value() const;

  /// One training pass over the fed batch: the loss, and dLoss/dp in every parameter's grad,
  /// the bits of forward(Mode::train) then backward() when the graph is not tiled.
  /// Tiled when tileable() and the batch is wider than tile_columns(): each tile of columns
  /// runs forward, its share of the loss and backward, and the tiles' gradients and loss
  /// shares are added in tile order. The tiles may run on up to xgrad::threads() threads
  /// (core/threads.hpp) when every node in them has a Schedulable::clone_for_worker() copy; the bits
  /// depend neither on xgrad's thread count nor on OpenBLAS's. docs/architecture.md says how
  /// the pass is scheduled. Otherwise (one tile, or not tileable) exactly forward() and
  /// backward(), on the calling thread. loss_wanted == false returns NaN and lets losses skip
  /// their logarithms.
  /// When a node throws in a tile (on any thread), the tiles not yet started are skipped and
  /// the exception of the first tile (in tile order) that threw reaches the caller; the graph
  /// stays usable (gradients unspecified until the next pass).
  /// After a tiled pass, the inputs' value() is the whole fed batch; other nodes' values and
  /// gradients hold the last tile only (forward() brings back the whole batch). Allocates
  /// nothing once it has run on a batch of this size with this thread setting (the first
  /// tiled pass sizes the tile buffers, starts the helper threads and makes their copies of
  /// the nodes).
  double forward_backward(bool loss_wanted = true);

  /// One training pass over this process's share of a batch that several processes share
  /// (data-parallel training; xgrad/parallel/data_parallel.hpp drives it over MPI): the fed
  /// batch is tiles exchange.first_tile() ... of the whole batch of exchange.examples()
  /// columns (nothing need be fed when !exchange.holds_columns()). Runs those tiles as
  /// forward_backward does (threads, the per-tile sums), the means dividing by the whole
  /// batch's m; hands the tiles' sums to exchange.all_tiles and adds every tile of the whole
  /// batch in tile order, after the scalar part (L2Penalty), exactly as forward_backward on
  /// one process adds them. Ensures: the loss (NaN when !loss_wanted) and every parameter's
  /// grad hold the bits forward_backward gives on one process fed the whole batch, whatever
  /// the number of processes and threads. Requires tileable() and exchange.examples() >
  /// tile_columns() (one tile is a plain forward_backward on one process), and a fed batch
  /// of whole tiles inside the batch (only the batch's last tile may be narrower);
  /// InputError naming the problem otherwise. Afterwards the graph is as after a tiled
  /// forward_backward (forward() brings back the fed batch). Allocates nothing once it has
  /// run with these sizes (the exchange may).
  double forward_backward_share(TileExchange& exchange, bool loss_wanted = true);

  /// Whether forward_backward can tile this graph: every node with a column per example is
  /// an Input or column_separable(); the loss is a mean_over_columns() node or a sums_inputs() node (Add) of such
  /// nodes and of scalar nodes without inputs (L2Penalty); mean nodes read only per-example
  /// nodes; no other scalar node.
  bool tileable();
  /// Columns per tile: set_tile_columns(n) with n >= 1, or by default a width at which one
  /// tile's values and gradients take about 256 KiB (at least 512, at most 16384 columns).
  std::size_t tile_columns();
  /// 0 restores the default.
  void set_tile_columns(std::size_t columns) { tile_columns_ = columns; }
  /// What set_tile_columns set: 0 for the default (so that a caller can put it back).
  std::size_t tile_columns_setting() const { return tile_columns_; }

  std::span<Node* const> nodes() const { return order_; }  ///< every node, in graph (topological) order
  std::span<Parameter* const> parameters() const { return parameter_order_; }  ///< every parameter, in creation order
  std::span<RandomStream* const> random_streams() const { return stream_order_; }  ///< the streams the nodes draw from
  /// By name, in constant expected time (building a graph is linear in its node count).
  Node* find(const std::string& name) const;
  /// The parameter named `name`, or nullptr (constant expected time).
  Parameter* find_parameter(const std::string& name) const;
  /// The nodes whose parameters() list p, in graph order (empty: no node declares it).
  std::vector<Node*> declaring_nodes(const Parameter& p) const;

 private:
  friend class detail::TiledExecutor;  // sizes the nodes, runs forward and backward, reads the lists

  /// `input`: the node itself when it is an Input (fed, and loaded tile by tile), else nullptr.
  void adopt(std::unique_ptr<Node> node, Input* input);
  bool owns(const Node* node) const;
  /// The bytes of node's rows x batch doubles; InputError naming the node when they exceed
  /// the addressable memory (checked before multiplying).
  static std::size_t buffer_bytes(const Node& node, std::size_t batch);
  /// node.resize(batch), a failed allocation reported as MemoryError naming the node.
  static void resize_node(Node& node, std::size_t batch);
  /// Every node resized to `columns` (resize_node) and told the batch's `examples`; on a
  /// failure, forget_batch() and rethrow.
  void size_nodes(std::size_t columns, std::size_t examples);
  /// After a failed sizing: the inputs hold their own data again and batch() is 0.
  void forget_batch();

  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Node*> order_;
  std::vector<std::unique_ptr<Parameter>> parameters_;
  std::vector<Parameter*> parameter_order_;
  std::vector<std::unique_ptr<RandomStream>> streams_;
  std::vector<RandomStream*> stream_order_;
  /// Indexes over the lists above, so that add() does not scan them.
  std::unordered_map<std::string, Node*> node_by_name_;
  std::unordered_map<std::string, Parameter*> parameter_by_name_;
  std::unordered_set<const Node*> node_set_;
  std::unordered_set<const Node*> input_set_;  ///< the Input nodes
  std::unordered_set<const Parameter*> parameter_set_;
  std::unordered_set<const RandomStream*> stream_set_;
  Node* loss_ = nullptr;
  std::size_t batch_ = 0;
  std::size_t tile_columns_ = 0;
  /// The tiled, threaded pass (lib/core/tiled_executor.hpp): the tile plan, the inputs'
  /// whole batches while the nodes are sized for tiles, the worker copies and slots. Last,
  /// so that it goes first (its copies of the nodes before the nodes).
  std::unique_ptr<detail::TiledExecutor> executor_;
};

}  // namespace xgrad

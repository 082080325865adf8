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
/// clone_for_worker(); the bits do not depend on the thread count.
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
struct TileLane;     ///< lib/core/tile_workers.hpp
struct TileWorkers;
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
  /// as forward(Mode::train) then backward() compute them. Tiled when tileable() and the
  /// batch is wider than tile_columns(): each tile runs forward, its share of the loss and
  /// backward, its parameter gradients going to a buffer of its own; the calling thread then
  /// adds the tiles' gradients and loss shares in tile order. The tiles run on up to
  /// xgrad::threads() threads (the calling thread, which always runs the last tile, and
  /// helpers from a persistent pool, each with its own copy of the nodes from
  /// Node::clone_for_worker) when every node in them has such a copy; on the calling thread
  /// alone otherwise. The bits do not depend on either thread count: OpenBLAS is held to one
  /// thread during a tiled pass and set back after, and the additions are in tile order
  /// whoever ran the tile. Helpers that did not make a pass faster than the calling thread
  /// alone would have been (a loaded machine) sit out the graph's next 1, 2, 4, ... 64
  /// passes (speed only). Otherwise (one tile, or not tileable) exactly forward() and
  /// backward(), on the calling thread. loss_wanted == false returns NaN and lets losses skip
  /// their logarithms.
  /// When a node throws in a tile (on any thread), the tiles not yet started are skipped and
  /// the exception of the first tile (in tile order) that threw reaches the caller; the graph
  /// stays usable (gradients unspecified until the next pass).
  /// After a tiled pass, the inputs' value() is the whole fed batch; other nodes' values and
  /// gradients hold the last tile only (forward() brings back the whole batch). Allocates nothing once it has run
  /// on a batch of this size with this thread setting (the first tiled pass sizes the tile
  /// buffers, starts the helper threads and makes their copies of the nodes).
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
  /// `input`: the node itself when it is an Input (fed, and loaded tile by tile), else nullptr.
  void adopt(std::unique_ptr<Node> node, Input* input);
  bool owns(const Node* node) const;
  static void check_buffer_size(const Node& node, std::size_t batch);
  /// node.resize(batch), a failed allocation reported as MemoryError naming the node.
  static void resize_node(Node& node, std::size_t batch);
  void plan_tiles();
  /// Every node resized to `columns` (resize_node) and told the batch's `examples`; on a
  /// failure, forget_batch() and rethrow.
  void size_nodes(std::size_t columns, std::size_t examples);
  /// After a failed sizing: the inputs hold their own data again and batch() is 0.
  void forget_batch();
  void enter_tiles(std::size_t columns);
  void leave_tiles();
  /// While the nodes are sized for tiles (tiled_) and no pass runs, the inputs show the
  /// whole fed batch in value() (show_inputs); the tiled pass and the sizing code work on the
  /// inputs' tile buffers with the whole batch held in plan_ (hide_inputs). Both swap, O(1).
  void hide_inputs();
  void show_inputs();
  void set_values_wanted(bool wanted);
  double tiled_pass(std::size_t columns, bool loss_wanted);
  /// The pass of forward_backward_share once the checks are done.
  double shared_pass(std::size_t columns, TileExchange& exchange, bool loss_wanted);
  /// graph_tiles.cpp: the tiles of a tiled pass, on the threads there are, the means dividing
  /// by `examples`. With `packed` (forward_backward_share), each tile's sums are copied there
  /// in tile order instead of being added (TileExchange's layout).
  void run_tiles(std::size_t columns, std::size_t examples, double* packed = nullptr);
  /// Doubles of one tile's sums: the parameters' elements, then one per mean node.
  std::size_t doubles_per_tile() const;
  detail::TileWorkers& tile_workers(std::size_t lanes);
  void prepare_lanes(detail::TileWorkers& workers, std::size_t lanes, std::size_t columns, std::size_t examples);
  /// A lane's inputs and tile nodes resized to `columns` (resize_node: MemoryError on a failed
  /// allocation) and told the batch's `examples`.
  static void size_lane(detail::TileLane& lane, std::size_t columns, std::size_t examples);

  /// The tile plan (plan_tiles), made again after nodes or the loss change.
  struct TilePlan {
    bool valid = false;
    bool tileable = false;
    std::size_t bytes_per_column = 0;
    std::vector<Input*> inputs;        ///< every Input, in graph order
    std::vector<Node*> tile_nodes;     ///< per-example and mean nodes, in graph order
    std::vector<Node*> means;          ///< the mean_over_columns() nodes, in graph order
    std::vector<Node*> once;           ///< scalar nodes without inputs (run once per pass)
    std::vector<Node*> scalars;        ///< every scalar node
    std::vector<double> mean_totals;   ///< one per mean node
    std::vector<Matrix> whole_inputs;  ///< an Input's whole batch while tiles run
    std::unique_ptr<detail::TileWorkers> workers;  ///< copies of the nodes for threads, slots
  };
  TilePlan plan_;
  bool tiled_ = false;  ///< nodes are sized for tiles and the inputs' data are in plan_
  bool inputs_shown_ = false;  ///< tiled_, and the inputs' value() holds the whole batch (plan_ their tile buffers)
  std::size_t tile_columns_ = 0;

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
};

}  // namespace xgrad

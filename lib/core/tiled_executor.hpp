// TiledExecutor: how a Graph's training pass is scheduled (private to the library). Graph
// keeps the graph (nodes, order, feed, forward, backward, parameters) and delegates
// forward_backward and forward_backward_share here.
//
// A pass over a wide batch runs in column tiles: forward and backward over one tile of
// columns at a time, so that a tile's activations stay in cache and the memory does not grow
// with the batch beyond the fed data. The plan (plan()) says whether the graph can be tiled:
// every per-example node an Input or column_separable(), the loss a mean_over_columns() node
// or a sums_inputs() node of such means and of scalar nodes without inputs.
//
// While the graph's nodes are sized for tiles (holds_inputs()), each Input's whole batch is
// kept here and the Input's own buffer is a tile buffer; outside a pass the two are swapped
// back, so that Input::value() shows the whole fed batch to the user (show_inputs /
// hide_inputs, O(1) each).
//
// Threads (tile_threads.cpp): the tiles run on up to xgrad::threads() threads, the calling
// thread and helpers from the process's persistent pool, each helper on its own copy of the
// tile nodes (Schedulable::clone_for_worker) when every node gives one. OpenBLAS is held to one
// thread during the pass. Each tile's parameter gradients and loss shares wait in a slot
// until the calling thread adds them, in tile order, so the bits do not depend on the thread
// counts. Helpers that did not make a pass faster than the calling thread alone would have
// been (a loaded machine) sit out the next 1, 2, 4, ... 64 passes (speed only).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <xgrad/core/graph.hpp>

namespace xgrad::detail {

struct TileLane;  // tile_workers.hpp
struct TileWorkers;

class TiledExecutor {
 public:
  explicit TiledExecutor(Graph& graph);
  ~TiledExecutor();
  TiledExecutor(const TiledExecutor&) = delete;
  TiledExecutor& operator=(const TiledExecutor&) = delete;

  /// The graph's nodes or loss changed: back to whole-batch sizing (leave()), plan again
  /// when next asked.
  void invalidate();

  /// Whether the graph can be tiled (see the file description); plans first when needed.
  bool tileable();
  /// The default tile width: about 256 KiB of one tile's values and gradients, rounded down
  /// to a multiple of 64, at least 512 and at most 16384 columns.
  std::size_t default_tile_columns();

  /// The nodes sized for tiles of `columns` (the inputs keep the graph's whole batch here);
  /// InputError or MemoryError (after Graph::forget_batch) when a buffer cannot be had.
  void enter(std::size_t columns);
  /// The nodes sized for the whole batch again, the inputs holding their data (no-op when
  /// not tiled).
  void leave();
  /// After a failed sizing: the inputs hold their own buffers again, nothing is tiled.
  void forget();
  /// Whether the inputs' whole batches are held here (the nodes are sized for tiles).
  bool holds_inputs() const { return tiled_; }
  /// Copies data into the whole batch of `input` (holds_inputs() only). InputError naming
  /// the shapes when data has not input.rows() rows and the batch's columns.
  void feed(Input& input, const Matrix& data);

  /// Graph::forward_backward once the graph's checks are done: tiled when tileable() and the
  /// batch is wider than `columns`, else the graph's forward(Mode::train) and backward().
  double forward_backward(std::size_t columns, bool loss_wanted);
  /// Graph::forward_backward_share once its checks are done (tileable, several tiles, the fed
  /// share a run of whole tiles).
  double forward_backward_share(std::size_t columns, TileExchange& exchange, bool loss_wanted);

 private:
  void plan();
  /// Exchanges every Input's buffer with its whole batch held here (O(1) each).
  void swap_inputs();
  void hide_inputs();
  void show_inputs();
  /// show_inputs() however the enclosing scope ends (a node or a check may throw).
  struct ShowInputsAtExit {
    TiledExecutor& executor;
    ~ShowInputsAtExit() { executor.show_inputs(); }
  };
  void set_values_wanted(bool wanted);
  /// The scalar part of a pass (run first, as backward() runs it: the root passes its
  /// gradient to the means and to the input-less terms), gradients zeroed and seeded.
  void begin_scalar_part();
  /// The means' values from their tile sums, the root's value; the loss or NaN.
  double end_scalar_part(bool loss_wanted);
  double tiled_pass(std::size_t columns, bool loss_wanted);
  double shared_pass(std::size_t columns, TileExchange& exchange, bool loss_wanted);

  // tile_threads.cpp: the tiles of a pass, on the threads there are, the means dividing by
  // `examples`. With `packed` (a shared pass), each tile's sums are copied there in tile
  // order instead of being added (TileExchange's layout).
  void run_tiles(std::size_t columns, std::size_t examples, double* packed = nullptr);
  /// Doubles of one tile's sums: the parameters' elements, then one per mean node.
  std::size_t doubles_per_tile() const;
  TileWorkers& tile_workers(std::size_t lanes);
  void prepare_lanes(TileWorkers& workers, std::size_t lanes, std::size_t columns, std::size_t examples);
  /// A lane's inputs and tile nodes resized to `columns` (MemoryError on a failed
  /// allocation) and told the batch's `examples`.
  static void size_lane(TileLane& lane, std::size_t columns, std::size_t examples);

  Graph& graph_;

  // The plan (plan()), made again after nodes or the loss change.
  bool planned_ = false;
  bool tileable_ = false;
  bool root_is_mean_ = false;         // the loss is itself a mean_over_columns() node
  std::size_t bytes_per_column_ = 0;
  std::vector<Input*> inputs_;        // every Input, in graph order
  std::vector<Node*> tile_nodes_;     // per-example and mean nodes, in graph order
  std::vector<Node*> means_;          // the mean_over_columns() nodes, in graph order
  std::vector<Node*> once_;           // scalar nodes without inputs (run once per pass)
  std::vector<Node*> scalars_;        // every scalar node
  std::vector<double> mean_totals_;   // one per mean node
  std::vector<Matrix> whole_inputs_;  // an Input's whole batch while the nodes are sized for tiles
  std::unique_ptr<TileWorkers> workers_;  // copies of the nodes for threads, slots

  bool tiled_ = false;         // nodes are sized for tiles and the inputs' data are in whole_inputs_
  bool inputs_shown_ = false;  // tiled_, and the inputs' value() holds the whole batch
};

}  // namespace xgrad::detail

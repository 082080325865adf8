// What the tiled executor keeps for running tiles on several threads (private to the
// library; TiledExecutor::run_tiles in tile_threads.cpp uses it): one lane of nodes per thread and a
// ring of slots where finished tiles wait to be added in tile order.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include <xgrad/core/node.hpp>
#include <xgrad/core/parameter.hpp>
#include <xgrad/core/input.hpp>

namespace xgrad::detail {

// The nodes one thread runs its tiles on: the graph's own (lane 0, the calling thread) or a
// helper's copies of them (Schedulable::clone_for_worker) with parameters of their own, whose
// values are copied from the graph's at each pass and whose gradients are the lane's.
struct TileLane {
  std::vector<std::unique_ptr<Node>> owned_nodes;            // a helper's copies
  std::vector<std::unique_ptr<Parameter>> owned_parameters;  // and their parameters
  std::vector<Input*> inputs;          // parallel to the graph's inputs
  std::vector<Node*> tile_nodes;       // parallel to the graph's tile nodes (graph order)
  std::vector<Node*> means;            // parallel to the graph's mean_over_columns() nodes
  std::vector<Parameter*> parameters;  // parallel to Graph::parameters()
};

// One finished tile: its parameter gradients and loss shares, until they are added.
struct TileSlot {
  std::vector<Matrix> grads;   // parallel to Graph::parameters()
  std::vector<double> shares;  // parallel to the graph's mean nodes
  // 1 + the index of the tile last finished (or skipped) in this slot during this pass;
  // 0 at the start of a pass. Written by the thread that ran the tile.
  std::atomic<std::size_t> done{0};
};

struct TileWorkers {
  bool cloneable = true;        // every node of a tile gave a copy (else lanes[0] only)
  std::vector<TileLane> lanes;  // lanes[0]: the graph's own nodes and parameters
  // Parallel to a lane's tile_nodes: whether the node is a mean_over_columns() node (its
  // gradient is the root's seed, which a tile does not zero).
  std::vector<char> is_mean;
  std::vector<Matrix> totals;   // parallel to Graph::parameters(): the sums while tiles run
  std::unique_ptr<TileSlot[]> slots;
  std::size_t slot_count = 0;
  // Staying out of the way: after a pass on several threads that was not faster than the
  // calling thread alone would have been, the next `solo_passes` passes run on the calling
  // thread alone; `backoff` (1, 2, 4, ... 64) is how many the next such pass buys.
  std::vector<double> packed;   // forward_backward_share: this process's tiles' sums, in tile order
  std::size_t solo_passes = 0;
  std::size_t backoff = 1;
};

}  // namespace xgrad::detail

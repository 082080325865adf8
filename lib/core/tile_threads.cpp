// TiledExecutor's tiles on several threads: the tiles of a batch, each run forward and
// backward on some thread's lane of nodes, its parameter gradients and loss shares left in a
// slot; the calling thread adds the slots in tile order, so that the bits do not depend on
// which thread ran which tile or on how many threads there were.
#include "core/tiled_executor.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <unordered_map>

#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>

#include "core/tile_workers.hpp"
#include "core/worker_pool.hpp"

namespace xgrad::detail {

namespace {

// How many tiles may wait to be added: on one thread, a few; on several, as many as fit in
// slot_budget bytes (at most max_slots, at least slots_per_lane per thread), so that a thread
// the OS pauses in the middle of a tile holds the others up only when they are that many
// tiles ahead of it.
constexpr std::size_t slots_per_lane = 4;
constexpr std::size_t max_slots = 256;
constexpr std::size_t slot_budget = std::size_t{1} << 20;

// A pass on several threads that took more than this fraction of the calling thread's time
// per tile times the tiles did not help; then up to max_backoff passes run on one thread.
constexpr double helpful_fraction = 0.9;
constexpr std::size_t max_backoff = 64;

std::size_t slots_wanted(std::size_t lanes, std::size_t doubles_per_slot) {
  if (lanes <= 1) return slots_per_lane;
  const std::size_t fit = slot_budget / (sizeof(double) * std::max<std::size_t>(doubles_per_slot, 1));
  return std::max(slots_per_lane * lanes, std::min(max_slots, fit));
}

// A helper's lane: copies of `own`'s nodes and parameters. False when a node has no copy.
bool copy_lane(const TileLane& own, TileLane& copy) {
  std::unordered_map<const Node*, Node*> node_copies;
  std::unordered_map<const Parameter*, Parameter*> parameter_copies;
  for (const Parameter* p : own.parameters) {
    auto q = std::make_unique<Parameter>(Parameter{p->name, p->value, xt::zeros<double>(p->grad.shape())});
    parameter_copies[p] = q.get();
    copy.parameters.push_back(q.get());
    copy.owned_parameters.push_back(std::move(q));
  }
  for (const Input* in : own.inputs) {
    auto c = std::make_unique<Input>(in->name(), in->rows());
    node_copies[in] = c.get();
    copy.inputs.push_back(c.get());
    copy.owned_nodes.push_back(std::move(c));
  }
  for (const Node* n : own.tile_nodes) {
    std::vector<Node*> inputs;
    for (const Node* in : n->inputs()) {
      const auto found = node_copies.find(in);
      if (found == node_copies.end()) return false;
      inputs.push_back(found->second);
    }
    std::vector<Parameter*> parameters;
    for (const Parameter* p : n->parameters()) {
      const auto found = parameter_copies.find(p);
      if (found == parameter_copies.end()) return false;
      parameters.push_back(found->second);
    }
    std::unique_ptr<Node> c = scheduling_hooks(*n).clone_for_worker(std::move(inputs), parameters);
    if (c == nullptr) return false;
    c->set_requires_grad(n->requires_grad());
    node_copies[n] = c.get();
    copy.tile_nodes.push_back(c.get());
    copy.owned_nodes.push_back(std::move(c));
  }
  for (const Node* mean : own.means) copy.means.push_back(node_copies.at(mean));
  return true;
}

// One tiled pass's tiles, as a job for the worker pool. Tiles 0 .. tiles-2 are taken in
// turn by whichever thread is free; the last (perhaps narrower) tile is the calling
// thread's, on the graph's own nodes, which therefore hold it afterwards. A thread may start
// tile t only once tile t - slot_count has been added (its slot is free again).
class TileRun final : public PoolJob {
 public:
  using SizeLane = void (*)(TileLane& lane, std::size_t columns, std::size_t examples);

  TileRun(TileWorkers& workers, std::size_t lanes, const std::vector<Matrix>& whole_inputs,
          std::vector<double>& mean_totals, std::size_t columns, std::size_t batch, std::size_t examples,
          double* packed, std::size_t doubles_per_tile, SizeLane size_lane)
      : size_lane_(size_lane),
        workers_(workers),
        lanes_(lanes),
        whole_inputs_(whole_inputs),
        mean_totals_(mean_totals),
        columns_(columns),
        batch_(batch),
        examples_(examples),
        packed_(packed),
        doubles_per_tile_(doubles_per_tile),
        tiles_((batch - 1) / columns + 1) {
    for (std::size_t s = 0; s < workers_.slot_count; ++s) workers_.slots[s].done.store(0);
  }

  void run(std::size_t worker) noexcept override {
    if (worker == 0) {
      lead();
    } else if (worker < lanes_) {
      help(workers_.lanes[worker]);
    }
  }

  void rethrow_first_error() const {
    if (error_) std::rethrow_exception(error_);
  }

  // The calling thread's time per full-width tile it ran (seconds; 0 when it ran none): what
  // one thread alone would have needed per tile.
  double lead_seconds_per_tile() const {
    return lead_full_tiles_ == 0 ? 0.0 : lead_seconds_ / static_cast<double>(lead_full_tiles_);
  }
  std::size_t tiles() const { return tiles_; }

 private:
  // The calling thread: its share of the tiles, the last tile, and every addition.
  void lead() {
    TileLane& lane = workers_.lanes[0];
    for (std::size_t t; (t = next_.fetch_add(1)) + 1 < tiles_;) {
      while (added_ + workers_.slot_count <= t) add_next();
      const auto start = std::chrono::steady_clock::now();
      run_tile(lane, t);
      lead_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++lead_full_tiles_;
      while (added_ < tiles_ && finished(added_)) add_next();
    }
    const std::size_t last = tiles_ - 1;
    while (added_ + workers_.slot_count <= last) add_next();
    run_tile(lane, last);
    while (added_ < tiles_) add_next();
  }

  void help(TileLane& lane) {
    for (std::size_t t; (t = next_.fetch_add(1)) + 1 < tiles_;) {
      for (std::size_t added = published_.load(std::memory_order_acquire); added + workers_.slot_count <= t;
           added = published_.load(std::memory_order_acquire)) {
        published_.wait(added, std::memory_order_acquire);
      }
      run_tile(lane, t);
    }
  }

  TileSlot& slot(std::size_t tile) { return workers_.slots[tile % workers_.slot_count]; }
  bool finished(std::size_t tile) { return slot(tile).done.load(std::memory_order_acquire) == tile + 1; }

  void run_tile(TileLane& lane, std::size_t tile) {
    TileSlot& s = slot(tile);
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        compute(lane, tile, s);
      } catch (...) {
        fail(tile, std::current_exception());
      }
    }
    s.done.store(tile + 1, std::memory_order_release);
    s.done.notify_all();
  }

  // Forward, the tile's loss shares, backward; the tile's parameter gradients into s.
  void compute(TileLane& lane, std::size_t tile, TileSlot& s) {
    const std::size_t first = tile * columns_;
    const std::size_t width = std::min(columns_, batch_ - first);
    if (width != lane.means.front()->batch()) size_lane_(lane, width, examples_);
    for (Parameter* p : lane.parameters) p->grad.fill(0.0);
    for (std::size_t i = 0; i < lane.inputs.size(); ++i) lane.inputs[i]->load_columns(whole_inputs_[i], first);
    for (Node* n : lane.tile_nodes) n->forward(Mode::train);
    for (std::size_t k = 0; k < lane.tile_nodes.size(); ++k) {
      Node& n = *lane.tile_nodes[k];
      if (n.requires_grad() && !workers_.is_mean[k]) n.grad().fill(0.0);
    }
    for (auto it = lane.tile_nodes.rbegin(); it != lane.tile_nodes.rend(); ++it) {
      if ((*it)->requires_grad()) (*it)->backward();
    }
    for (std::size_t i = 0; i < lane.parameters.size(); ++i) xt::noalias(s.grads[i]) = lane.parameters[i]->grad;
    for (std::size_t k = 0; k < lane.means.size(); ++k) s.shares[k] = lane.means[k]->value()(0, 0);
  }

  // Waits for tile added_ and adds it (after an error, only moves on).
  void add_next() {
    TileSlot& s = slot(added_);
    for (std::size_t done = s.done.load(std::memory_order_acquire); done != added_ + 1;
         done = s.done.load(std::memory_order_acquire)) {
      s.done.wait(done, std::memory_order_acquire);
    }
    if (!failed_.load(std::memory_order_relaxed) && packed_ != nullptr) {
      double* out = packed_ + added_ * doubles_per_tile_;
      for (const Matrix& g : s.grads) out = std::copy(g.data(), g.data() + g.size(), out);
      std::copy(s.shares.begin(), s.shares.end(), out);
    } else if (!failed_.load(std::memory_order_relaxed)) {
      for (std::size_t i = 0; i < s.grads.size(); ++i) xt::noalias(workers_.totals[i]) += s.grads[i];
      for (std::size_t k = 0; k < s.shares.size(); ++k) mean_totals_[k] += s.shares[k];
    }
    ++added_;
    published_.store(added_, std::memory_order_release);
    published_.notify_all();
  }

  void fail(std::size_t tile, std::exception_ptr error) {
    const std::lock_guard lock(error_mutex_);
    if (!error_ || tile < error_tile_) {
      error_ = std::move(error);
      error_tile_ = tile;
    }
    failed_.store(true);
  }

  const SizeLane size_lane_;
  TileWorkers& workers_;
  const std::size_t lanes_;
  const std::vector<Matrix>& whole_inputs_;
  std::vector<double>& mean_totals_;
  const std::size_t columns_;
  const std::size_t batch_;
  const std::size_t examples_;     // what the means divide by: batch_, or a shared batch's m
  double* const packed_;           // not null: copy each tile's sums here instead of adding
  const std::size_t doubles_per_tile_;
  const std::size_t tiles_;
  std::atomic<std::size_t> next_{0};       // the next tile to take
  std::size_t added_ = 0;                  // tiles added (the calling thread's count)
  std::atomic<std::size_t> published_{0};  // added_, for the helpers
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::size_t error_tile_ = 0;
  double lead_seconds_ = 0.0;         // the calling thread's time in full-width tiles
  std::size_t lead_full_tiles_ = 0;
};

}  // namespace

TileWorkers& TiledExecutor::tile_workers(std::size_t lanes) {
  bool fits = workers_ != nullptr && workers_->totals.size() == graph_.parameter_order_.size();
  for (std::size_t i = 0; fits && i < graph_.parameter_order_.size(); ++i) {
    fits = workers_->totals[i].shape() == graph_.parameter_order_[i]->grad.shape();
  }
  if (!fits) {  // first use, or parameters added or reshaped since
    auto w = std::make_unique<TileWorkers>();
    TileLane own;
    own.inputs = inputs_;
    own.tile_nodes = tile_nodes_;
    own.means = means_;
    own.parameters = graph_.parameter_order_;
    for (const Node* n : tile_nodes_) {
      w->is_mean.push_back(scheduling_hooks(*n).mean_over_columns());
    }
    w->lanes.push_back(std::move(own));
    for (const Parameter* p : graph_.parameter_order_) w->totals.push_back(xt::zeros<double>(p->grad.shape()));
    workers_ = std::move(w);
  }
  TileWorkers& w = *workers_;
  while (w.cloneable && w.lanes.size() < lanes) {
    TileLane copy;
    if (!copy_lane(w.lanes[0], copy)) {
      w.cloneable = false;
      w.lanes.resize(1);
      break;
    }
    w.lanes.push_back(std::move(copy));
  }
  const std::size_t slots =
      slots_wanted(std::min(lanes, w.lanes.size()), parameter_count(graph_.parameter_order_) + means_.size());
  if (w.slot_count < slots) {
    w.slots = std::make_unique<TileSlot[]>(slots);
    for (std::size_t s = 0; s < slots; ++s) {
      for (const Parameter* p : graph_.parameter_order_) w.slots[s].grads.push_back(xt::zeros<double>(p->grad.shape()));
      w.slots[s].shares.assign(means_.size(), 0.0);
    }
    w.slot_count = slots;
  }
  return w;
}

void TiledExecutor::size_lane(TileLane& lane, std::size_t columns, std::size_t examples) {
  for (Node* n : lane.inputs) {
    Graph::resize_node(*n, columns);
    n->set_examples(examples);
  }
  for (Node* n : lane.tile_nodes) {
    Graph::resize_node(*n, columns);
    n->set_examples(examples);
  }
}

void TiledExecutor::prepare_lanes(TileWorkers& workers, std::size_t lanes, std::size_t columns,
                          std::size_t examples) {
  for (std::size_t k = 1; k < lanes; ++k) {
    TileLane& lane = workers.lanes[k];
    for (std::size_t i = 0; i < graph_.parameter_order_.size(); ++i) {
      xt::noalias(lane.parameters[i]->value) = graph_.parameter_order_[i]->value;
    }
    size_lane(lane, columns, examples);
    for (std::size_t m = 0; m < means_.size(); ++m) {
      lane.means[m]->set_value_wanted(means_[m]->value_wanted());
      lane.means[m]->grad().fill(means_[m]->grad()(0, 0));  // the root's seed, as set on the graph's
    }
  }
}

std::size_t TiledExecutor::doubles_per_tile() const { return parameter_count(graph_.parameter_order_) + means_.size(); }

void TiledExecutor::run_tiles(std::size_t columns, std::size_t examples, double* packed) {
  const std::size_t tiles = (graph_.batch_ - 1) / columns + 1;
  TileWorkers& workers = tile_workers(std::min(threads(), tiles));
  std::size_t lanes = std::min(threads(), std::min(tiles, workers.lanes.size()));
  if (lanes > 1 && workers.solo_passes > 0) {
    --workers.solo_passes;
    lanes = 1;
  }
  prepare_lanes(workers, lanes, columns, examples);
  for (Node* n : inputs_) n->set_examples(examples);
  for (Node* n : tile_nodes_) n->set_examples(examples);
  // While the tiles run, the sums are in workers.totals (starting from what the scalar part
  // added, e.g. L2Penalty's share) and the graph's parameter gradients are lane 0's per-tile
  // buffers; swapped back however the tiles end.
  struct SwapTotals {
    std::span<Parameter* const> parameters;
    std::vector<Matrix>& totals;
    void swap() {
      for (std::size_t i = 0; i < parameters.size(); ++i) std::swap(parameters[i]->grad, totals[i]);
    }
    ~SwapTotals() { swap(); }
  } swap_totals{graph_.parameter_order_, workers.totals};
  swap_totals.swap();
  TileRun run(workers, lanes, whole_inputs_, mean_totals_, columns, graph_.batch_, examples, packed,
              doubles_per_tile(), &TiledExecutor::size_lane);
  const auto start = std::chrono::steady_clock::now();
  WorkerPool::shared().run(run, lanes - 1);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  try {
    run.rethrow_first_error();
  } catch (const MemoryError&) {  // a tile's buffers could not be sized: as size_nodes does
    graph_.forget_batch();
    throw;
  }
  if (lanes > 1 && run.lead_seconds_per_tile() > 0.0) {
    // Helpers that did not make the pass faster than the calling thread alone (a loaded
    // machine) stay out of the next passes, for longer each time it happens again.
    if (seconds >= helpful_fraction * run.lead_seconds_per_tile() * static_cast<double>(run.tiles())) {
      workers.solo_passes = workers.backoff;
      workers.backoff = std::min(workers.backoff * 2, max_backoff);
    } else {
      workers.backoff = 1;
    }
  }
}

}  // namespace xgrad::detail

// TiledExecutor: the tile plan, the sizing of a graph's nodes for tiles, and the two passes
// (one process's whole batch, one process's share of a shared batch). The tiles themselves
// run in tile_threads.cpp.
#include "core/tiled_executor.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <span>
#include <string>

#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>

#include "core/tile_workers.hpp"

namespace xgrad::detail {

namespace {

bool per_example(const Node& n) { return n.columns(2) == 2 && n.columns(3) == 3; }

// Sets every scalar node's value_wanted, and back to true however the pass ends (a loss may
// throw).
class ValuesWanted {
 public:
  ValuesWanted(std::span<Node* const> scalars, bool wanted) : scalars_(scalars) { set(wanted); }
  ~ValuesWanted() { set(true); }
  ValuesWanted(const ValuesWanted&) = delete;
  ValuesWanted& operator=(const ValuesWanted&) = delete;

 private:
  void set(bool wanted) {
    for (Node* n : scalars_) n->set_value_wanted(wanted);
  }
  std::span<Node* const> scalars_;
};

}  // namespace

TiledExecutor::TiledExecutor(Graph& graph) : graph_(graph) {}
TiledExecutor::~TiledExecutor() = default;

void TiledExecutor::invalidate() {
  leave();
  planned_ = false;
}

void TiledExecutor::plan() {
  if (planned_) return;
  inputs_.clear();
  tile_nodes_.clear();
  means_.clear();
  once_.clear();
  scalars_.clear();
  workers_.reset();
  const Node* loss = graph_.loss_;
  bool tileable = loss != nullptr;
  std::size_t bytes_per_column = 0;
  for (Node* n : graph_.order_) {
    const bool is_input = graph_.input_set_.count(n) != 0;
    if (is_input) {
      inputs_.push_back(static_cast<Input*>(n));
    } else if (per_example(*n)) {
      tile_nodes_.push_back(n);
      bool ok = scheduling_hooks(*n).column_separable();
      for (const Node* in : n->inputs()) ok = ok && per_example(*in);
      tileable = tileable && ok;
    } else {
      scalars_.push_back(n);
      if (scheduling_hooks(*n).mean_over_columns()) {
        bool ok = true;
        for (const Node* in : n->inputs()) ok = ok && per_example(*in);
        tileable = tileable && ok;
        means_.push_back(n);
        tile_nodes_.push_back(n);
      } else if (n->inputs().empty()) {
        once_.push_back(n);
      } else if (n == loss && scheduling_hooks(*n).sums_inputs()) {
        for (const Node* in : n->inputs()) tileable = tileable && (scheduling_hooks(*in).mean_over_columns() || in->inputs().empty());
      } else {
        tileable = false;
      }
    }
    if (per_example(*n)) bytes_per_column += sizeof(double) * n->rows() * (n->requires_grad() ? 2 : 1);
  }
  for (const Node* mean : means_) bytes_per_column += sizeof(double) * mean->inputs()[0]->rows();
  tileable_ = tileable && !means_.empty();
  root_is_mean_ = loss != nullptr && scheduling_hooks(*loss).mean_over_columns();
  bytes_per_column_ = bytes_per_column;
  mean_totals_.assign(means_.size(), 0.0);
  whole_inputs_.assign(inputs_.size(), Matrix());
  planned_ = true;
}

bool TiledExecutor::tileable() {
  plan();
  return tileable_;
}

std::size_t TiledExecutor::default_tile_columns() {
  plan();
  constexpr std::size_t budget = 256 * 1024;
  const std::size_t width = budget / std::max<std::size_t>(bytes_per_column_, 1);
  return std::clamp<std::size_t>(width / 64 * 64, 512, 16384);
}

void TiledExecutor::enter(std::size_t columns) {
  const std::size_t batch = graph_.batch_;
  hide_inputs();
  if (!tiled_) {
    swap_inputs();
    tiled_ = true;
  }
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    Matrix& whole = whole_inputs_[i];
    if (whole.shape(0) != inputs_[i]->rows() || whole.shape(1) != batch) {
      const std::size_t bytes = Graph::buffer_bytes(*inputs_[i], batch);
      try {
        whole = Matrix({inputs_[i]->rows(), batch});
      } catch (const std::bad_alloc&) {
        const std::string what = "graph: input '" + inputs_[i]->name() + "' at batch " + std::to_string(batch);
        graph_.forget_batch();
        throw MemoryError(what, bytes);
      }
    }
  }
  graph_.size_nodes(columns, batch);
  show_inputs();
}

void TiledExecutor::leave() {
  const bool was_tiled = tiled_;
  forget();
  if (was_tiled) graph_.size_nodes(graph_.batch_, graph_.batch_);
}

void TiledExecutor::forget() {
  hide_inputs();
  if (!tiled_) return;
  swap_inputs();
  tiled_ = false;
}

void TiledExecutor::swap_inputs() {
  for (std::size_t i = 0; i < inputs_.size(); ++i) inputs_[i]->swap_value(whole_inputs_[i]);
}

void TiledExecutor::hide_inputs() {
  if (!inputs_shown_) return;
  swap_inputs();
  inputs_shown_ = false;
}

void TiledExecutor::show_inputs() {
  if (!tiled_ || inputs_shown_) return;
  swap_inputs();
  inputs_shown_ = true;
}

void TiledExecutor::feed(Input& input, const Matrix& data) {
  hide_inputs();
  const ShowInputsAtExit show{*this};
  const auto held = std::find(inputs_.begin(), inputs_.end(), &input);
  Matrix& whole = whole_inputs_[static_cast<std::size_t>(held - inputs_.begin())];
  if (data.shape(0) != input.rows()) {
    throw InputError(input.name() + ": fed " + shape_string(data) + " but expects " +
                     shape_string(input.rows(), graph_.batch_) + " (" + std::to_string(input.rows()) +
                     " rows, one column per example)");
  }
  xt::noalias(whole) = data;
}

double TiledExecutor::forward_backward(std::size_t columns, bool loss_wanted) {
  plan();
  const ValuesWanted values_wanted(scalars_, loss_wanted);
  if (tileable_ && graph_.batch_ > columns) return tiled_pass(columns, loss_wanted);
  graph_.forward(Mode::train);
  const double cost = loss_wanted ? graph_.loss_value() : std::numeric_limits<double>::quiet_NaN();
  graph_.backward();
  return cost;
}

double TiledExecutor::forward_backward_share(std::size_t columns, TileExchange& exchange, bool loss_wanted) {
  plan();
  const ValuesWanted values_wanted(scalars_, loss_wanted);
  return shared_pass(columns, exchange, loss_wanted);
}

void TiledExecutor::begin_scalar_part() {
  Node& root = *graph_.loss_;
  for (Parameter* p : graph_.parameter_order_) p->grad.fill(0.0);
  for (Node* n : scalars_) n->grad().fill(0.0);
  root.grad().fill(1.0);
  for (Node* n : once_) n->forward(Mode::train);
  if (!root_is_mean_) root.backward();
  for (auto it = once_.rbegin(); it != once_.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
  std::fill(mean_totals_.begin(), mean_totals_.end(), 0.0);
}

double TiledExecutor::end_scalar_part(bool loss_wanted) {
  Node& root = *graph_.loss_;
  for (std::size_t k = 0; k < means_.size(); ++k) means_[k]->value()(0, 0) = mean_totals_[k];
  if (loss_wanted && !root_is_mean_) root.forward(Mode::train);
  return loss_wanted ? root.value()(0, 0) : std::numeric_limits<double>::quiet_NaN();
}

double TiledExecutor::tiled_pass(std::size_t columns, bool loss_wanted) {
  const OneBlasThread one_blas_thread;
  enter(columns);
  hide_inputs();
  const ShowInputsAtExit show{*this};
  begin_scalar_part();
  run_tiles(columns, graph_.batch_);
  return end_scalar_part(loss_wanted);
}

double TiledExecutor::shared_pass(std::size_t columns, TileExchange& exchange, bool loss_wanted) {
  const OneBlasThread one_blas_thread;
  const std::size_t m = exchange.examples();
  const bool holds = exchange.holds_columns();
  if (holds) {
    enter(columns);
    hide_inputs();
  } else if (graph_.batch_ == 0) {
    for (Node* n : scalars_) Graph::resize_node(*n, 1);  // the scalar part runs, no tile does
  }
  struct Restore {  // however the pass ends: the inputs show the fed batch, the nodes divide by it
    TiledExecutor& executor;
    ~Restore() {
      executor.show_inputs();
      for (Node* n : executor.graph_.order_) n->set_examples(executor.graph_.batch_);
    }
  } restore{*this};
  for (Node* n : graph_.order_) n->set_examples(m);
  begin_scalar_part();
  const std::size_t per_tile = doubles_per_tile();
  std::span<const double> mine;
  if (holds) {
    const std::size_t tiles_here = (graph_.batch_ - 1) / columns + 1;
    std::vector<double>& packed = tile_workers(std::min(threads(), tiles_here)).packed;
    if (packed.size() < tiles_here * per_tile) packed.resize(tiles_here * per_tile);
    run_tiles(columns, m, packed.data());
    mine = std::span<const double>(packed.data(), tiles_here * per_tile);
  }
  const std::span<const double> all = exchange.all_tiles(mine, per_tile);
  const std::size_t tiles = exchange.tiles(columns);
  if (all.size() != tiles * per_tile) {
    throw RunError("graph: the exchange returned " + std::to_string(all.size()) + " doubles for " +
                   std::to_string(tiles) + " tiles of " + std::to_string(per_tile));
  }
  // Every tile of the whole batch, in tile order, as a one-process pass adds them.
  const double* in = all.data();
  for (std::size_t t = 0; t < tiles; ++t) {
    for (Parameter* p : graph_.parameter_order_) {
      double* g = p->grad.data();
      for (std::size_t k = 0; k < p->grad.size(); ++k) g[k] += in[k];
      in += p->grad.size();
    }
    for (std::size_t k = 0; k < means_.size(); ++k) mean_totals_[k] += *in++;
  }
  return end_scalar_part(loss_wanted);
}

}  // namespace xgrad::detail

#include <xgrad/core/graph.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>

#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>

#include "core/tile_workers.hpp"

namespace xgrad {

namespace {

// The bytes of a rows x batch buffer of doubles; InputError when that does not fit in memory's
// address range (checked before multiplying).
std::size_t buffer_bytes(const Node& node, std::size_t batch) {
  constexpr std::size_t addressable = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(double);
  const std::size_t rows = node.rows();
  if (rows != 0 && batch > addressable / rows) {
    throw InputError("graph: node '" + node.name() + "': " + std::to_string(rows) + " rows x batch " +
                     std::to_string(batch) + " doubles exceed the addressable memory");
  }
  return rows * batch * sizeof(double);
}

}  // namespace

void Graph::check_buffer_size(const Node& node, std::size_t batch) { buffer_bytes(node, batch); }

void Graph::resize_node(Node& node, std::size_t batch) {
  const std::size_t bytes = buffer_bytes(node, batch);
  try {
    node.resize(batch);
  } catch (const std::bad_alloc&) {
    throw MemoryError("graph: node '" + node.name() + "' at batch " + std::to_string(batch), bytes);
  }
}

Input& Graph::input(std::string name, std::size_t rows) {
  return add<Input>(std::move(name), rows);
}

Parameter& Graph::parameter(std::string name, Matrix initial) {
  if (find_parameter(name) != nullptr) {
    throw InputError("graph: a parameter named '" + name + "' exists already");
  }
  auto p = std::make_unique<Parameter>();
  p->name = std::move(name);
  p->grad = xt::zeros<double>(initial.shape());
  p->value = std::move(initial);
  parameter_order_.push_back(p.get());
  parameter_set_.insert(p.get());
  parameter_by_name_.emplace(p->name, p.get());
  parameters_.push_back(std::move(p));
  return *parameters_.back();
}

RandomStream& Graph::random_stream(std::uint64_t seed, MaskPolicy policy) {
  streams_.push_back(std::make_unique<RandomStream>(seed, policy));
  return *streams_.back();
}

void Graph::adopt(std::unique_ptr<Node> node, Input* input) {
  if (find(node->name()) != nullptr) {
    throw InputError("graph: a node named '" + node->name() + "' exists already");
  }
  bool needs_grad = !node->parameters().empty();
  for (Node* in : node->inputs()) {
    if (!owns(in)) {
      throw InputError("graph: " + node->name() + ": input '" + in->name() +
                       "' is not an earlier node of this graph");
    }
    needs_grad = needs_grad || in->requires_grad();
  }
  for (Parameter* p : node->parameters()) {
    if (parameter_set_.count(p) == 0) {
      throw InputError("graph: " + node->name() + ": parameter '" + p->name +
                       "' does not belong to this graph");
    }
  }
  node->set_requires_grad(needs_grad);
  if (RandomStream* s = node->random_stream(); s != nullptr && stream_set_.insert(s).second) {
    stream_order_.push_back(s);
  }
  leave_tiles();
  plan_.valid = false;
  if (batch_ > 0) resize_node(*node, batch_);
  order_.push_back(node.get());
  node_set_.insert(node.get());
  if (input != nullptr) input_set_.insert(input);
  node_by_name_.emplace(node->name(), node.get());
  nodes_.push_back(std::move(node));
}

bool Graph::owns(const Node* node) const { return node_set_.count(node) != 0; }

Node* Graph::find(const std::string& name) const {
  const auto found = node_by_name_.find(name);
  return found == node_by_name_.end() ? nullptr : found->second;
}

Parameter* Graph::find_parameter(const std::string& name) const {
  const auto found = parameter_by_name_.find(name);
  return found == parameter_by_name_.end() ? nullptr : found->second;
}

std::vector<Node*> Graph::declaring_nodes(const Parameter& p) const {
  std::vector<Node*> declaring;
  for (Node* n : order_) {
    const auto params = n->parameters();
    if (std::find(params.begin(), params.end(), &p) != params.end()) declaring.push_back(n);
  }
  return declaring;
}

void Graph::set_loss(Node& loss) {
  if (!owns(&loss)) throw InputError("graph: loss node '" + loss.name() + "' is not in this graph");
  if (loss.rows() != 1 || loss.columns(2) != 1) {
    throw InputError("graph: loss node '" + loss.name() + "' is not scalar (1x1)");
  }
  leave_tiles();
  loss_ = &loss;
  plan_.valid = false;
}

Node& Graph::loss() const {
  if (loss_ == nullptr) throw InputError("graph: no loss node set (call set_loss)");
  return *loss_;
}

void Graph::resize(std::size_t batch) {
  if (batch == 0) throw InputError("graph: batch size must be at least 1");
  if (batch == batch_) return;
  for (Node* n : order_) check_buffer_size(*n, batch);
  batch_ = batch;
  if (loss_ != nullptr && tileable() && batch > tile_columns()) {
    enter_tiles(tile_columns());  // the hidden nodes never take the whole batch's size
  } else {
    leave_tiles();
    size_nodes(batch, batch);
  }
}

// Every sizing of node buffers goes through here (whole batch, tiles, the last tile), so
// that a failed allocation is a MemoryError naming the node and leaves no half-sized graph.
void Graph::size_nodes(std::size_t columns, std::size_t examples) {
  try {
    for (Node* n : order_) {
      resize_node(*n, columns);
      n->set_examples(examples);
    }
  } catch (...) {
    forget_batch();
    throw;
  }
}

void Graph::forget_batch() {
  hide_inputs();
  if (tiled_) {
    for (std::size_t i = 0; i < plan_.inputs.size(); ++i) plan_.inputs[i]->swap_value(plan_.whole_inputs[i]);
    tiled_ = false;
  }
  batch_ = 0;  // some nodes are sized for another batch: the next forward needs data first
}

void Graph::feed(Input& input, const Matrix& data) {
  if (!owns(&input)) throw InputError("graph: input '" + input.name() + "' is not in this graph");
  resize(data.shape(1));
  if (!tiled_) {
    input.feed(data);
    return;
  }
  hide_inputs();
  struct Show {  // however feed ends, the inputs show the whole batch again
    Graph& graph;
    ~Show() { graph.show_inputs(); }
  } show{*this};
  const auto held = std::find(plan_.inputs.begin(), plan_.inputs.end(), &input);
  Matrix& whole = plan_.whole_inputs[static_cast<std::size_t>(held - plan_.inputs.begin())];
  if (data.shape(0) != input.rows()) {
    throw InputError(input.name() + ": fed " + shape_string(data) + " but expects " +
                     shape_string(input.rows(), batch_) + " (" + std::to_string(input.rows()) +
                     " rows, one column per example)");
  }
  xt::noalias(whole) = data;
}

void Graph::forward(Mode mode, const Node* last) {
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
  check_parameter_shapes(parameter_order_, "graph");
  leave_tiles();
  if (mode == Mode::train) {
    for (RandomStream* s : stream_order_) s->begin_pass();
  }
  for (Node* n : order_) {
    n->forward(mode);
    if (n == last) break;
  }
}

void Graph::zero_grad() {
  for (Node* n : order_) {
    if (n->requires_grad()) n->grad().fill(0.0);
  }
  for (Parameter* p : parameter_order_) p->grad.fill(0.0);
}

void Graph::backward() {
  Node& root = loss();
  leave_tiles();
  zero_grad();
  root.grad().fill(1.0);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
}

double Graph::loss_value() const { return loss().value()(0, 0); }

namespace {

bool per_example(const Node& n) { return n.columns(2) == 2 && n.columns(3) == 3; }

}  // namespace

void Graph::plan_tiles() {
  if (plan_.valid) return;
  TilePlan plan;
  plan.valid = true;
  plan.tileable = loss_ != nullptr;
  for (Node* n : order_) {
    const bool is_input = input_set_.count(n) != 0;
    if (is_input) {
      plan.inputs.push_back(static_cast<Input*>(n));
    } else if (per_example(*n)) {
      plan.tile_nodes.push_back(n);
      bool ok = n->column_separable();
      for (const Node* in : n->inputs()) ok = ok && per_example(*in);
      plan.tileable = plan.tileable && ok;
    } else {
      plan.scalars.push_back(n);
      if (n->mean_over_columns()) {
        bool ok = true;
        for (const Node* in : n->inputs()) ok = ok && per_example(*in);
        plan.tileable = plan.tileable && ok;
        plan.means.push_back(n);
        plan.tile_nodes.push_back(n);
      } else if (n->inputs().empty()) {
        plan.once.push_back(n);
      } else if (n == loss_ && n->sums_inputs()) {
        for (const Node* in : n->inputs()) {
          plan.tileable = plan.tileable && (in->mean_over_columns() || in->inputs().empty());
        }
      } else {
        plan.tileable = false;
      }
    }
    if (per_example(*n)) plan.bytes_per_column += sizeof(double) * n->rows() * (n->requires_grad() ? 2 : 1);
  }
  for (const Node* mean : plan.means) plan.bytes_per_column += sizeof(double) * mean->inputs()[0]->rows();
  plan.tileable = plan.tileable && !plan.means.empty();
  plan.mean_totals.assign(plan.means.size(), 0.0);
  plan.whole_inputs.resize(plan.inputs.size());
  plan_ = std::move(plan);
}

bool Graph::tileable() {
  plan_tiles();
  return plan_.tileable;
}

std::size_t Graph::tile_columns() {
  if (tile_columns_ > 0) return tile_columns_;
  plan_tiles();
  constexpr std::size_t budget = 256 * 1024;
  const std::size_t width = budget / std::max<std::size_t>(plan_.bytes_per_column, 1);
  return std::clamp<std::size_t>(width / 64 * 64, 512, 16384);
}

void Graph::enter_tiles(std::size_t columns) {
  hide_inputs();
  if (!tiled_) {
    for (std::size_t i = 0; i < plan_.inputs.size(); ++i) plan_.inputs[i]->swap_value(plan_.whole_inputs[i]);
    tiled_ = true;
  }
  for (std::size_t i = 0; i < plan_.inputs.size(); ++i) {
    Matrix& whole = plan_.whole_inputs[i];
    if (whole.shape(0) != plan_.inputs[i]->rows() || whole.shape(1) != batch_) {
      const std::size_t bytes = buffer_bytes(*plan_.inputs[i], batch_);
      try {
        whole = Matrix({plan_.inputs[i]->rows(), batch_});
      } catch (const std::bad_alloc&) {
        const std::string what = "graph: input '" + plan_.inputs[i]->name() + "' at batch " + std::to_string(batch_);
        forget_batch();
        throw MemoryError(what, bytes);
      }
    }
  }
  size_nodes(columns, batch_);
  show_inputs();
}

void Graph::hide_inputs() {
  if (!inputs_shown_) return;
  for (std::size_t i = 0; i < plan_.inputs.size(); ++i) plan_.inputs[i]->swap_value(plan_.whole_inputs[i]);
  inputs_shown_ = false;
}

void Graph::show_inputs() {
  if (!tiled_ || inputs_shown_) return;
  for (std::size_t i = 0; i < plan_.inputs.size(); ++i) plan_.inputs[i]->swap_value(plan_.whole_inputs[i]);
  inputs_shown_ = true;
}

void Graph::leave_tiles() {
  hide_inputs();
  if (!tiled_) return;
  for (std::size_t i = 0; i < plan_.inputs.size(); ++i) plan_.inputs[i]->swap_value(plan_.whole_inputs[i]);
  tiled_ = false;
  size_nodes(batch_, batch_);
}

void Graph::set_values_wanted(bool wanted) {
  for (Node* n : plan_.scalars) n->set_value_wanted(wanted);
}

double Graph::forward_backward(bool loss_wanted) {
  loss();  // throws when there is none
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
  check_parameter_shapes(parameter_order_, "graph");  // the tiled pass does not call forward()
  plan_tiles();
  const std::size_t columns = tile_columns();
  struct ValuesWanted {  // set back to true however the pass ends (a loss may throw)
    Graph& graph;
    ~ValuesWanted() { graph.set_values_wanted(true); }
  } restore{*this};
  set_values_wanted(loss_wanted);
  if (plan_.tileable && batch_ > columns) return tiled_pass(columns, loss_wanted);
  forward(Mode::train);
  const double cost = loss_wanted ? loss_value() : std::numeric_limits<double>::quiet_NaN();
  backward();
  return cost;
}

double Graph::tiled_pass(std::size_t columns, bool loss_wanted) {
  Node& root = *loss_;
  const OneBlasThread one_blas_thread;
  enter_tiles(columns);
  hide_inputs();
  struct Show {  // however the pass ends, the inputs show the whole batch again
    Graph& graph;
    ~Show() { graph.show_inputs(); }
  } show{*this};
  for (Parameter* p : parameter_order_) p->grad.fill(0.0);
  for (Node* n : plan_.scalars) n->grad().fill(0.0);
  root.grad().fill(1.0);
  // The scalar part first, as backward() runs it (in reverse order, before the nodes it
  // reads): the root passes its gradient to the means and to the input-less terms.
  for (Node* n : plan_.once) n->forward(Mode::train);
  if (!root.mean_over_columns()) root.backward();
  for (auto it = plan_.once.rbegin(); it != plan_.once.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
  std::fill(plan_.mean_totals.begin(), plan_.mean_totals.end(), 0.0);
  run_tiles(columns, batch_);
  for (std::size_t k = 0; k < plan_.means.size(); ++k) plan_.means[k]->value()(0, 0) = plan_.mean_totals[k];
  if (loss_wanted && !root.mean_over_columns()) root.forward(Mode::train);
  return loss_wanted ? root.value()(0, 0) : std::numeric_limits<double>::quiet_NaN();
}

double Graph::forward_backward_share(TileExchange& exchange, bool loss_wanted) {
  loss();  // throws when there is none
  check_parameter_shapes(parameter_order_, "graph");
  plan_tiles();
  if (!plan_.tileable) {
    throw InputError("graph: a batch shared by several processes runs in column tiles, but this graph cannot be "
                     "tiled (every per-example node must be column-separable and the loss a mean over columns, "
                     "plus scalar terms without inputs)");
  }
  const std::size_t columns = tile_columns();
  const std::size_t m = exchange.examples();
  if (m <= columns) {
    throw InputError("graph: a shared batch of " + std::to_string(m) + " columns is one tile of " +
                     std::to_string(columns) + " columns: run it on one process (forward_backward)");
  }
  if (exchange.holds_columns()) {
    const std::size_t first = exchange.first_tile() * columns;
    if (batch_ == 0) throw InputError("graph: no data fed yet (feed this process's share of the batch first)");
    if (first >= m || batch_ > m - first || (batch_ % columns != 0 && first + batch_ != m)) {
      throw InputError("graph: the fed share of " + std::to_string(batch_) + " columns from tile " +
                       std::to_string(exchange.first_tile()) + " (column " + std::to_string(first) +
                       ") is not a run of whole tiles of " + std::to_string(columns) + " columns inside the batch of " +
                       std::to_string(m));
    }
  }
  struct ValuesWanted {  // set back to true however the pass ends (a loss may throw)
    Graph& graph;
    ~ValuesWanted() { graph.set_values_wanted(true); }
  } restore{*this};
  set_values_wanted(loss_wanted);
  return shared_pass(columns, exchange, loss_wanted);
}

double Graph::shared_pass(std::size_t columns, TileExchange& exchange, bool loss_wanted) {
  Node& root = *loss_;
  const OneBlasThread one_blas_thread;
  const std::size_t m = exchange.examples();
  const bool holds = exchange.holds_columns();
  if (holds) {
    enter_tiles(columns);
    hide_inputs();
  } else if (batch_ == 0) {
    for (Node* n : plan_.scalars) resize_node(*n, 1);  // the scalar part runs, no tile does
  }
  struct Restore {  // however the pass ends: the inputs show the fed batch, the nodes divide by it
    Graph& graph;
    ~Restore() {
      graph.show_inputs();
      for (Node* n : graph.order_) n->set_examples(graph.batch_);
    }
  } restore{*this};
  for (Node* n : order_) n->set_examples(m);
  for (Parameter* p : parameter_order_) p->grad.fill(0.0);
  for (Node* n : plan_.scalars) n->grad().fill(0.0);
  root.grad().fill(1.0);
  // The scalar part first, as tiled_pass runs it.
  for (Node* n : plan_.once) n->forward(Mode::train);
  if (!root.mean_over_columns()) root.backward();
  for (auto it = plan_.once.rbegin(); it != plan_.once.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
  std::fill(plan_.mean_totals.begin(), plan_.mean_totals.end(), 0.0);
  const std::size_t per_tile = doubles_per_tile();
  std::span<const double> mine;
  if (holds) {
    const std::size_t tiles_here = (batch_ - 1) / columns + 1;
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
  // Every tile of the whole batch, in tile order, as TileRun::add_next adds them.
  const double* in = all.data();
  for (std::size_t t = 0; t < tiles; ++t) {
    for (Parameter* p : parameter_order_) {
      double* g = p->grad.data();
      for (std::size_t k = 0; k < p->grad.size(); ++k) g[k] += in[k];
      in += p->grad.size();
    }
    for (std::size_t k = 0; k < plan_.means.size(); ++k) plan_.mean_totals[k] += *in++;
  }
  for (std::size_t k = 0; k < plan_.means.size(); ++k) plan_.means[k]->value()(0, 0) = plan_.mean_totals[k];
  if (loss_wanted && !root.mean_over_columns()) root.forward(Mode::train);
  return loss_wanted ? root.value()(0, 0) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace xgrad

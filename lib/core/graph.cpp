#include <xgrad/core/graph.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>

#include <xgrad/core/error.hpp>
#include <xgrad/core/threads.hpp>

#include "core/tiled_executor.hpp"

namespace xgrad {

Graph::Graph() : executor_(std::make_unique<detail::TiledExecutor>(*this)) {}
Graph::~Graph() = default;

std::size_t Graph::buffer_bytes(const Node& node, std::size_t batch) {
  constexpr std::size_t addressable = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(double);
  const std::size_t rows = node.rows();
  if (rows != 0 && batch > addressable / rows) {
    throw InputError("graph: node '" + node.name() + "': " + std::to_string(rows) + " rows x batch " +
                     std::to_string(batch) + " doubles exceed the addressable memory");
  }
  return rows * batch * sizeof(double);
}

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
  executor_->invalidate();
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
  executor_->invalidate();
  loss_ = &loss;
}

Node& Graph::loss() const {
  if (loss_ == nullptr) throw InputError("graph: no loss node set (call set_loss)");
  return *loss_;
}

void Graph::resize(std::size_t batch) {
  if (batch == 0) throw InputError("graph: batch size must be at least 1");
  if (batch == batch_) return;
  for (Node* n : order_) buffer_bytes(*n, batch);
  batch_ = batch;
  if (loss_ != nullptr && tileable() && batch > tile_columns()) {
    executor_->enter(tile_columns());  // the nodes other than inputs never take the whole batch's size
  } else {
    executor_->leave();
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
  executor_->forget();
  batch_ = 0;  // some nodes are sized for another batch: the next forward needs data first
}

void Graph::feed(Input& input, const Matrix& data) {
  if (!owns(&input)) throw InputError("graph: input '" + input.name() + "' is not in this graph");
  resize(data.shape(1));
  if (executor_->holds_inputs()) {
    executor_->feed(input, data);
  } else {
    input.feed(data);
  }
}

void Graph::forward(Mode mode, const Node* last) {
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
  check_parameter_shapes(parameter_order_, "graph");
  executor_->leave();
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
  executor_->leave();
  zero_grad();
  root.grad().fill(1.0);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
}

double Graph::loss_value() const { return loss().value()(0, 0); }

bool Graph::tileable() { return executor_->tileable(); }

std::size_t Graph::tile_columns() {
  return tile_columns_ > 0 ? tile_columns_ : executor_->default_tile_columns();
}

double Graph::forward_backward(bool loss_wanted) {
  loss();  // throws when there is none
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
  check_parameter_shapes(parameter_order_, "graph");  // a tiled pass does not call forward()
  return executor_->forward_backward(tile_columns(), loss_wanted);
}

double Graph::forward_backward_share(TileExchange& exchange, bool loss_wanted) {
  loss();  // throws when there is none
  check_parameter_shapes(parameter_order_, "graph");
  if (!tileable()) {
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
  return executor_->forward_backward_share(columns, exchange, loss_wanted);
}

}  // namespace xgrad

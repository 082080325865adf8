#include <xgrad/core/graph.hpp>

#include <algorithm>
#include <cstdint>
#include <new>

#include <xgrad/core/error.hpp>

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

void Graph::adopt(std::unique_ptr<Node> node) {
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
  if (batch_ > 0) resize_node(*node, batch_);
  order_.push_back(node.get());
  node_set_.insert(node.get());
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
  loss_ = &loss;
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
  try {
    for (Node* n : order_) resize_node(*n, batch);
  } catch (...) {
    batch_ = 0;  // some nodes are sized for the old batch: the next forward needs data first
    throw;
  }
}

void Graph::feed(Input& input, const Matrix& data) {
  if (!owns(&input)) throw InputError("graph: input '" + input.name() + "' is not in this graph");
  if (data.shape(1) != batch_) resize(data.shape(1));
  input.feed(data);
}

void Graph::forward(Mode mode) {
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
  check_parameter_shapes(parameter_order_, "graph");
  if (mode == Mode::train) {
    for (RandomStream* s : stream_order_) s->begin_pass();
  }
  for (Node* n : order_) n->forward(mode);
}

void Graph::zero_grad() {
  for (Node* n : order_) {
    if (n->requires_grad()) n->grad().fill(0.0);
  }
  for (Parameter* p : parameter_order_) p->grad.fill(0.0);
}

void Graph::backward() {
  Node& root = loss();
  zero_grad();
  root.grad().fill(1.0);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if ((*it)->requires_grad()) (*it)->backward();
  }
}

double Graph::loss_value() const { return loss().value()(0, 0); }

}  // namespace xgrad

#include <xgrad/core/graph.hpp>

#include <algorithm>

#include <xgrad/core/error.hpp>

namespace xgrad {

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
    if (std::find(parameter_order_.begin(), parameter_order_.end(), p) == parameter_order_.end()) {
      throw InputError("graph: " + node->name() + ": parameter '" + p->name +
                       "' does not belong to this graph");
    }
  }
  node->set_requires_grad(needs_grad);
  if (RandomStream* s = node->random_stream();
      s != nullptr && std::find(stream_order_.begin(), stream_order_.end(), s) == stream_order_.end()) {
    stream_order_.push_back(s);
  }
  if (batch_ > 0) node->resize(batch_);
  order_.push_back(node.get());
  nodes_.push_back(std::move(node));
}

bool Graph::owns(const Node* node) const {
  return std::find(order_.begin(), order_.end(), node) != order_.end();
}

Node* Graph::find(const std::string& name) const {
  for (Node* n : order_) {
    if (n->name() == name) return n;
  }
  return nullptr;
}

Parameter* Graph::find_parameter(const std::string& name) const {
  for (Parameter* p : parameter_order_) {
    if (p->name == name) return p;
  }
  return nullptr;
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
  batch_ = batch;
  for (Node* n : order_) n->resize(batch);
}

void Graph::feed(Input& input, const Matrix& data) {
  if (!owns(&input)) throw InputError("graph: input '" + input.name() + "' is not in this graph");
  if (data.shape(1) != batch_) resize(data.shape(1));
  input.feed(data);
}

void Graph::forward(Mode mode) {
  if (batch_ == 0) throw InputError("graph: no data fed yet (call feed or resize first)");
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

// Graph: a static computation graph, built once and run many times.
//
// Nodes are kept in insertion order, which must be topological (a node's inputs are added
// before it; add() checks). Buffers are sized by resize(batch) and reused: after that,
// forward + backward + an SGD update allocate nothing.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <xgrad/core/node.hpp>
#include <xgrad/nodes/input.hpp>
#include <xgrad/core/parameter.hpp>
#include <xgrad/core/random_stream.hpp>

namespace xgrad {

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Creates a placeholder of `rows` rows. Names must be unique among nodes.
  Input& input(std::string name, std::size_t rows);

  // Creates a parameter owned by the graph (its address stays valid). Names must be unique.
  Parameter& parameter(std::string name, Matrix initial);

  // Adds a node constructed from args; every input of it must already be in this graph.
  template <class N, class... Args>
  N& add(Args&&... args) {
    auto node = std::make_unique<N>(std::forward<Args>(args)...);
    N& ref = *node;
    adopt(std::move(node));
    return ref;
  }

  // A random stream owned by the graph (for dropout nodes). Every stream a node of the
  // graph draws from (owned or not) gets begin_pass() before each train-mode forward pass.
  RandomStream& random_stream(std::uint64_t seed, MaskPolicy policy);

  // The scalar (1x1) node backward starts from.
  void set_loss(Node& loss);
  Node& loss() const;

  // Sizes every node's buffers for `batch` examples (no-op when unchanged).
  // Requires 1 <= batch and every node's rows x batch doubles addressable (InputError naming
  // the node otherwise, checked before any arithmetic that could overflow). Throws
  // MemoryError naming the node and the bytes when the buffers cannot be allocated.
  void resize(std::size_t batch);
  std::size_t batch() const { return batch_; }

  // Resizes to data.shape(1) if needed, then copies data into the input.
  void feed(Input& input, const Matrix& data);

  // Runs every node's forward in order (train mode starts a pass on each random stream).
  void forward(Mode mode);
  // Zeroes every gradient, seeds dLoss/dLoss = 1 and runs backward in reverse order over
  // the nodes that require a gradient.
  void backward();
  void zero_grad();

  double loss_value() const;

  std::span<Node* const> nodes() const { return order_; }
  std::span<Parameter* const> parameters() const { return parameter_order_; }
  std::span<RandomStream* const> random_streams() const { return stream_order_; }
  // By name, in constant expected time (building a graph is linear in its node count).
  Node* find(const std::string& name) const;
  Parameter* find_parameter(const std::string& name) const;
  // The nodes whose parameters() list p, in graph order (empty: no node declares it).
  std::vector<Node*> declaring_nodes(const Parameter& p) const;

 private:
  void adopt(std::unique_ptr<Node> node);
  bool owns(const Node* node) const;
  static void check_buffer_size(const Node& node, std::size_t batch);
  // node.resize(batch), a failed allocation reported as MemoryError naming the node.
  static void resize_node(Node& node, std::size_t batch);

  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Node*> order_;
  std::vector<std::unique_ptr<Parameter>> parameters_;
  std::vector<Parameter*> parameter_order_;
  std::vector<std::unique_ptr<RandomStream>> streams_;
  std::vector<RandomStream*> stream_order_;
  // Indexes over the lists above, so that add() does not scan them.
  std::unordered_map<std::string, Node*> node_by_name_;
  std::unordered_map<std::string, Parameter*> parameter_by_name_;
  std::unordered_set<const Node*> node_set_;
  std::unordered_set<const Parameter*> parameter_set_;
  std::unordered_set<const RandomStream*> stream_set_;
  Node* loss_ = nullptr;
  std::size_t batch_ = 0;
};

}  // namespace xgrad

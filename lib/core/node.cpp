#include <xgrad/core/node.hpp>

#include <xgrad/core/error.hpp>

namespace xgrad {

Node::Node(std::string name, std::vector<Node*> inputs, std::size_t rows)
    : name_(std::move(name)), inputs_(std::move(inputs)), rows_(rows) {
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (inputs_[i] == nullptr) fail("input " + std::to_string(i) + " is null");
  }
}

void Node::resize(std::size_t batch) {
  batch_ = batch;
  examples_ = batch;
  const std::size_t cols = columns(batch);
  resize_keeping_spare(value_, spare_value_, rows_, cols);
  resize_keeping_spare(grad_, spare_grad_, rows_, cols);
}

void Node::fail(const std::string& message) const { throw InputError(name_ + ": " + message); }

namespace {

// The hooks of a node that did not opt in: every default. Stateless, so one constant serves
// every such node.
class DefaultHooks final : public Schedulable {};

}  // namespace

const Schedulable& scheduling_hooks(const Node& node) {
  static const DefaultHooks defaults;
  if (const auto* hooks = dynamic_cast<const Schedulable*>(&node)) return *hooks;
  return defaults;
}

}  // namespace xgrad

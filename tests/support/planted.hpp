// PlantedError: wraps any node and scales its backward's contribution to one gradient entry
// (or to every entry of one block) by a factor — a planted bug of known size, for testing
// what the gradient checker catches. Forward, parameters, kinks, domains and random stream
// are the inner node's.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <xgrad/core/node.hpp>

namespace xgrad::testing {

class PlantedError final : public Node {
 public:
  // block: a parameter name, or "input i" for the inner node's input slot i. entry: a
  // row-major index into that gradient, or nullopt for every entry.
  PlantedError(std::unique_ptr<Node> inner, std::string block, std::optional<std::size_t> entry, double factor)
      : Node(inner->name(), {inner->inputs().begin(), inner->inputs().end()}, inner->rows()),
        inner_(std::move(inner)),
        block_(std::move(block)),
        entry_(entry),
        factor_(factor) {}

  std::string_view kind() const override { return inner_->kind(); }
  void resize(std::size_t batch) override {
    inner_->resize(batch);
    Node::resize(batch);
  }
  void forward(Mode mode) override {
    inner_->forward(mode);
    xt::noalias(value_) = inner_->value();
  }
  void backward() override {
    Matrix* target = grad_of_block();
    const Matrix before = target != nullptr ? *target : Matrix();
    xt::noalias(inner_->grad()) = grad_;
    inner_->backward();
    if (target == nullptr) return;
    for (std::size_t k = 0; k < target->size(); ++k) {
      if (entry_ && *entry_ != k) continue;
      const double contribution = target->data()[k] - before.data()[k];
      target->data()[k] = before.data()[k] + contribution * factor_;
    }
  }
  std::vector<Parameter*> parameters() const override { return inner_->parameters(); }
  std::vector<Kink> kinks() const override { return inner_->kinks(); }
  InputDomain input_domain(std::size_t input) const override { return inner_->input_domain(input); }
  RandomStream* random_stream() const override { return inner_->random_stream(); }
  std::size_t columns(std::size_t batch) const override { return inner_->columns(batch); }

 private:
  Matrix* grad_of_block() {
    for (Parameter* p : inner_->parameters()) {
      if (p->name == block_) return &p->grad;
    }
    for (std::size_t i = 0; i < inputs().size(); ++i) {
      if (block_ == "input " + std::to_string(i)) return &inputs()[i]->grad();
    }
    return nullptr;
  }

  std::unique_ptr<Node> inner_;
  std::string block_;
  std::optional<std::size_t> entry_;
  double factor_;
};

}  // namespace xgrad::testing

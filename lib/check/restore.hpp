// Scope guards for the checkers: whatever a check changes (values, gradients, requires_grad
// flags, random streams) is registered here as it is changed and put back, in reverse order,
// when the guard goes out of scope — also when the check throws. Private to lib/check.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <xgrad/core/graph.hpp>
#include <xgrad/core/node.hpp>
#include <xgrad/core/random_stream.hpp>

namespace xgrad {

class Restorations {
 public:
  Restorations() = default;
  Restorations(const Restorations&) = delete;
  Restorations& operator=(const Restorations&) = delete;
  ~Restorations() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
  }

  // Puts m's current contents (and shape) back at the end.
  void save(Matrix& m) {
    undo_.push_back([&m, saved = m] {
      if (m.shape() == saved.shape()) {
        xt::noalias(m) = saved;
      } else {
        m = saved;
      }
    });
  }
  // Puts node.requires_grad() back at the end.
  void save_requires_grad(Node& node) {
    undo_.push_back([&node, saved = node.requires_grad()] { node.set_requires_grad(saved); });
  }
  // Holds the stream still (RandomStream::Pin) until the end.
  void pin(RandomStream& stream) { pins_.push_back(std::make_unique<RandomStream::Pin>(stream)); }
  void pin_all(const Graph& graph) {
    for (RandomStream* s : graph.random_streams()) pin(*s);
  }

 private:
  std::vector<std::unique_ptr<RandomStream::Pin>> pins_;
  std::vector<std::function<void()>> undo_;
};

}  // namespace xgrad

#include "path_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <xgrad/core/input.hpp>

namespace xgrad {

namespace {

StepResult grads_of(const Graph& graph, double loss) {
  StepResult r;
  r.loss = loss;
  for (const Parameter* p : graph.parameters()) r.grads.push_back(p->grad);
  return r;
}

PathCheck compare_block(const std::string& path, const std::string& block, const double* got, const double* want,
                        std::size_t n) {
  PathCheck c;
  c.path = path;
  c.block = block;
  double diff = 0.0, a = 0.0, b = 0.0;
  bool finite = true;
  for (std::size_t k = 0; k < n; ++k) {
    const double d = got[k] - want[k];
    finite = finite && std::isfinite(got[k]) && std::isfinite(want[k]);
    diff += d * d;
    a += got[k] * got[k];
    b += want[k] * want[k];
    c.max_abs_error = std::max(c.max_abs_error, std::abs(d));
  }
  const double denominator = std::sqrt(a) + std::sqrt(b);
  c.difference = denominator > 0.0 ? std::sqrt(diff) / denominator : 0.0;
  c.ok = finite && c.difference <= kPathTolerance;
  return c;
}

}  // namespace

StepResult plain_step(Graph& graph) {
  graph.forward(Mode::train);
  const double loss = graph.loss_value();
  graph.backward();
  return grads_of(graph, loss);
}

StepResult training_pass(Graph& graph, bool loss_wanted) {
  const double loss = graph.forward_backward(loss_wanted);
  return grads_of(graph, loss);
}

std::vector<PathCheck> compare_paths(const std::string& path, const StepResult& got, const StepResult& plain,
                                     const Graph& graph) {
  std::vector<PathCheck> checks;
  if (!std::isnan(got.loss)) checks.push_back(compare_block(path, "loss", &got.loss, &plain.loss, 1));
  const auto params = graph.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    checks.push_back(compare_block(path, params[i]->name, got.grads[i].data(), plain.grads[i].data(), plain.grads[i].size()));
  }
  return checks;
}

std::string nodes_with_hooks(const Graph& graph) {
  std::string names;
  for (const Node* n : graph.nodes()) {
    if (dynamic_cast<const Input*>(n) != nullptr) continue;
    if (!scheduling_hooks(*n).column_separable() && !scheduling_hooks(*n).mean_over_columns()) continue;
    names += (names.empty() ? "" : ", ") + n->name();
  }
  return names.empty() ? "no node" : names;
}

}  // namespace xgrad

#include <xgrad/check/training_step.hpp>

#include <algorithm>
#include <cmath>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/threads.hpp>

#include "hook_check.hpp"
#include "path_check.hpp"
#include "restore.hpp"

namespace xgrad {

namespace {

Matrix first_columns(const Matrix& m, std::size_t n) {
  if (n == m.shape(1)) return m;
  Matrix c({m.shape(0), n});
  for (std::size_t r = 0; r < m.shape(0); ++r) {
    for (std::size_t j = 0; j < n; ++j) c(r, j) = m(r, j);
  }
  return c;
}

bool all_finite(const StepResult& r) {
  if (!std::isfinite(r.loss)) return false;
  for (const Matrix& g : r.grads) {
    if (!std::all_of(g.begin(), g.end(), [](double v) { return std::isfinite(v); })) return false;
  }
  return true;
}

const char* const kHow = " (TrainOptions::check_first_step, or xgrad train --no-first-step-check, trains anyway)";

}  // namespace

void check_training_step(Graph& graph, Input& features, Input& labels, const Matrix& X, const Matrix& Y,
                         std::size_t batch) {
  graph.loss();  // throws when there is none
  if (batch == 0) throw InputError("check_training_step: batch must be at least 1");
  if (X.shape(1) != Y.shape(1) || X.shape(1) == 0) {
    throw InputError("check_training_step: X is " + shape_string(X) + " and Y " + shape_string(Y) +
                     " (one column per example in both, at least one)");
  }
  std::size_t columns = std::min(batch, X.shape(1));
  // Fewer columns than the batch would resize any other input the user fed (and lose its
  // data): only a graph whose inputs are the features and the labels is cut.
  bool other_inputs = false;
  for (const Node* n : graph.nodes()) {
    other_inputs = other_inputs || (dynamic_cast<const Input*>(n) != nullptr && n != &features && n != &labels);
  }
  if (graph.tileable() && !other_inputs) columns = std::min(columns, graph.tile_columns() * 5 / 2);
  Restorations restore;
  restore.pin_all(graph);
  graph.feed(features, first_columns(X, columns));
  graph.feed(labels, first_columns(Y, columns));

  const StepResult plain = plain_step(graph);
  if (!all_finite(plain)) return;
  RandomState rng(0);
  for (Node* n : graph.nodes()) {
    if (dynamic_cast<Input*>(n) != nullptr) continue;
    std::vector<Finding> findings;
    check_node_hooks(*n, rng, HookCheckSettings{}, findings);
    if (!findings.empty()) {
      throw RunError("first training step: node '" + findings.front().node + "': " + findings.front().problem + kHow);
    }
  }
  const bool tiled = graph.tileable() && columns > graph.tile_columns();
  const std::size_t lanes = std::min(threads(), (columns - 1) / graph.tile_columns() + 1);
  const std::string path = tiled ? "tiles of " + std::to_string(graph.tile_columns()) + " columns on up to " +
                                       std::to_string(lanes) + (lanes == 1 ? " thread" : " threads")
                                 : "whole batch";
  for (const bool loss_wanted : {true, false}) {
    const std::string name = path + (loss_wanted ? "" : ", value switched off");
    for (const PathCheck& c : compare_paths(name, training_pass(graph, loss_wanted), plain, graph)) {
      if (c.ok) continue;
      throw RunError("first training step: Graph::forward_backward (" + name + ") gives " +
                     (c.block == "loss" ? std::string("a loss") : "a gradient of " + c.block) +
                     " that differs from forward() + backward() by " + format_double(c.difference) +
                     " (max abs error " + format_double(c.max_abs_error) + "); nodes with scheduling hooks: " +
                     nodes_with_hooks(graph) + kHow);
    }
  }
}

}  // namespace xgrad

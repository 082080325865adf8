// Training paths against the plain pass: the loss and parameter gradients of one
// Graph::forward_backward (tiles, threads, value switched off) against those of
// forward(Mode::train) + backward(). Private to lib/check: check_graph and
// check_training_step use it.
#pragma once

#include <string>
#include <vector>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>

namespace xgrad {

// The loss (NaN when not wanted) and a copy of every parameter's gradient, in
// graph.parameters() order.
struct StepResult {
  double loss = 0.0;
  std::vector<Matrix> grads;
};

// forward(Mode::train), loss_value(), backward(). Requires fed data and a loss.
StepResult plain_step(Graph& graph);
// forward_backward(loss_wanted), as the graph's tile width and xgrad's threads say.
StepResult training_pass(Graph& graph, bool loss_wanted);

// One PathCheck per parameter block (and one for the loss when got.loss is not NaN), each
// judged against kPathTolerance.
std::vector<PathCheck> compare_paths(const std::string& path, const StepResult& got, const StepResult& plain,
                                     const Graph& graph);

// "a, b": the nodes that declare column_separable() or mean_over_columns() (the nodes that
// Graph runs in tiles), or "no node".
std::string nodes_with_hooks(const Graph& graph);

}  // namespace xgrad

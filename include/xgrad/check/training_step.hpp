/// @file
/// The first training step, checked: what Graph::forward_backward will run (column tiles,
/// worker copies on other threads, the value switched off) against the plain forward() +
/// backward(), before any parameter moves. train() calls it when
/// TrainOptions::check_first_step is set (the default).
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>

#include <xgrad/core/graph.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/core/input.hpp>

namespace xgrad {

/// Feeds the first min(batch, X's columns, 2.5 tiles) columns of X into `features` and of Y
/// into `labels` (batch: the training's batch, the whole data set for full-batch training; not
/// cut to 2.5 tiles when the graph has inputs other than these two, whose data a smaller batch
/// would lose), then
///  1. checks the scheduling hooks of every node of the graph (check_hooks: tiles with
///     examples() != batch(), the value switched off, worker copies beside the original and
///     on two threads), so that a copy sharing a buffer is caught before a threaded pass could
///     write past its end;
///  2. runs Graph::forward_backward as training will (the graph's tile width, xgrad::threads()),
///     with the loss wanted and not, and compares the loss and every parameter's gradient with
///     forward(Mode::train) + backward() (within kPathTolerance, gradcheck.hpp).
/// Throws RunError naming the node and the hook (1) or the path and the parameter block (2).
/// Requires a loss, X with features.rows() rows, Y with labels.rows() rows and as many
/// columns, batch >= 1. Parameter values, random streams (pinned while it runs) and anything
/// an optimizer keeps are left as they were; the graph holds the fed columns afterwards.
/// Skipped (no error) when the plain pass's loss or gradients are not finite: the
/// non-finite guard of training reports those.
void check_training_step(Graph& graph, Input& features, Input& labels, const Matrix& X, const Matrix& Y,
                         std::size_t batch);

}  // namespace xgrad

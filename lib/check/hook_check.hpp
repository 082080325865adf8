// The node's scheduling hooks (column_separable(), mean_over_columns(), clone_for_worker(),
// value_wanted()) run as Graph::forward_backward runs them, against the plain pass. Private
// to lib/check: check_node, check_nodes and check_hooks call it.
#pragma once

#include <cstddef>
#include <vector>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/node.hpp>
#include <xgrad/numpy/random.hpp>

namespace xgrad {

struct HookCheckSettings {
  // The column_separable() claim was already checked on every column (check_node's full
  // mode): do not sample columns again.
  bool claim_checked_by_column = false;
  // Columns sampled (one at a time) to check the column_separable() claim otherwise.
  std::size_t sampled_columns = 8;
};

// Requires the node sized (batch() >= 1) with its inputs holding values of that many columns
// (and their requires_grad flags set as backward should see them). Every hook the node
// declares is run beside the plain pass (whole batch, examples() == batch(), value wanted):
//  - column tiles with examples() != batch(): values and input gradients column for column,
//    parameter gradients and (mean_over_columns) loss shares summed over the tiles;
//  - column_separable(): sampled columns run alone (unless settings say it was done);
//  - a scalar node: a pass with the value switched off, after a pass on other inputs, gives
//    the same gradients;
//  - clone_for_worker(): the copy reads what it was given, gives the same bits on the same
//    inputs, shares no buffer with the original (interleaved passes on different inputs),
//    then both run at once on two threads on different columns. The copy is sized no smaller
//    than the original before they run together, so that a buffer they wrongly share can not
//    be written past its end; the threads run only when the interleaved passes found nothing
//    (interleaved on this thread when a second thread or BLAS buffer cannot be had).
// Findings go to `out`, each naming the node and the hook. Everything the check changes (the
// node's size, examples, value_wanted, value and gradient; its inputs' values and gradients;
// its parameters' gradients) is put back; a node with a random stream must have it pinned.
void check_node_hooks(Node& node, RandomState& rng, const HookCheckSettings& settings, std::vector<Finding>& out);

}  // namespace xgrad

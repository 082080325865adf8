// Probe: compares an analytic gradient block with numeric derivatives of a function, entry
// by entry (full mode) or by random directions and sampled entries (fast mode). Shared by
// check_node, check_graph and check_function. Private to lib/check.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <xgrad/core/node.hpp>
#include <xgrad/numpy/random.hpp>

#include "accumulator.hpp"
#include "stencil.hpp"

namespace xgrad {

// f at the current values of every block (kink set when a declared kink's side differs
// from the base point's).
using Evaluate = std::function<Sample()>;

struct BlockProbe {
  std::string node;
  std::string block;
  Matrix* values = nullptr;          // perturbed in place, restored bit for bit
  const Matrix* analytic = nullptr;  // same shape as *values
  InputDomain domain = InputDomain::real;
};

// Whether a check of `entries` entries runs fast under these options.
bool runs_fast(const CheckOptions& options, std::size_t entries);

// How many entries and directions probe_block will check in a block of `entries` entries
// (for CheckOptions::progress).
std::size_t planned_checks(const CheckOptions& options, std::size_t entries, bool fast);

// One entry: values.data()[k] moved along the stencil and put back; the comparison is added
// to the accumulator's current block as (row, col). Returns whether it failed.
bool probe_entry(CheckAccumulator& acc, Matrix& values, std::size_t k, double analytic,
                 InputDomain domain, const Evaluate& evaluate, const Sample& base, std::size_t row,
                 std::size_t col);

// A whole block: begins it in the accumulator, then every entry (fast == false) or the fast
// mode's directions and sampled entries, filling the block's fast-mode fields.
void probe_block(CheckAccumulator& acc, const BlockProbe& block, bool fast, const Evaluate& evaluate,
                 const Sample& base, RandomState& rng);

}  // namespace xgrad

/// @file
/// Mini-batches in the course's order (random_mini_batches): epoch e (from 0) shuffles the
/// columns with RandomState(shuffle_seed + e).permutation(m), then cuts batches of
/// mini_batch_size columns in that order, the last one smaller when m is not a multiple.
/// (The course seeds 10 and adds 1 before each epoch: its shuffle_seed is 11.)
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <vector>

#include <xgrad/core/dataset.hpp>

namespace xgrad {

/// The course's random_mini_batches without allocating per epoch: the columns of a data set
/// in the order of RandomState(seed).permutation(m), cut into batches of a given size.
class MiniBatches {
 public:
  /// Keeps a reference to data (which must outlive this) and allocates every buffer a pass
  /// needs. Requires at least one example, X and Y with equal column counts, and
  /// mini_batch_size >= 1 (InputError naming the value otherwise); a size above m gives one
  /// batch of m columns.
  MiniBatches(const Dataset& data, std::size_t mini_batch_size, std::uint64_t shuffle_seed);

  /// Shuffles for epoch `epoch`: the permutation of RandomState(shuffle_seed + epoch).
  /// Requires shuffle_seed + epoch <= 2^32 - 1 (InputError otherwise). Allocates nothing.
  void shuffle(std::size_t epoch);
  /// ceil(m / mini_batch_size)
  std::size_t count() const;
  /// Columns of batch b: mini_batch_size, or fewer for the last one.
  std::size_t size(std::size_t b) const;
  /// Copies batch b's columns (in the shuffled order) into X and Y buffers of its size and
  /// returns them. Requires b < count(). Allocates nothing; the references stay valid
  /// until the next call.
  const Dataset& batch(std::size_t b);
  /// The current epoch's column order: np.random.RandomState(seed + epoch).permutation(m).
  const std::vector<std::size_t>& order() const { return order_; }

 private:
  const Dataset& data_;
  std::size_t mini_batch_size_;
  std::uint64_t shuffle_seed_;
  std::vector<std::size_t> order_;
  Dataset full_;  ///< buffers of mini_batch_size columns
  Dataset last_;  ///< buffers of the last, smaller batch (empty when m is a multiple)
};

}  // namespace xgrad

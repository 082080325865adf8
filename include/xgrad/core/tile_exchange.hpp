/// @file
/// TileExchange: how Graph::forward_backward_share combines the column tiles of a batch that
/// several processes share (data-parallel training, xgrad/parallel/). Core knows no transport:
/// an implementation moves the tiles' sums (MPI in lib/parallel/, or anything else).
///
/// A batch of m columns is cut into tiles of Graph::tile_columns() columns, as a single
/// process's Graph::forward_backward cuts it. Each process holds a contiguous run of whole
/// tiles (the last tile of the batch may be narrower) and runs only those; the exchange then
/// gives every process every tile's sums, which each adds in tile order exactly as the single
/// process does, so that all processes hold the bits of the single-process pass.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <span>

namespace xgrad {

/// The other processes of a shared batch, as Graph::forward_backward_share sees them.
class TileExchange {
 public:
  virtual ~TileExchange() = default;

  /// m: the columns of the whole batch over all processes, what a mean over examples
  /// divides by. Must be more than Graph::tile_columns() (several tiles).
  virtual std::size_t examples() const = 0;
  /// Tiles of the whole batch, ceil(m / tile columns), for the tile width given.
  std::size_t tiles(std::size_t tile_columns) const { return (examples() + tile_columns - 1) / tile_columns; }
  /// The index, in the whole batch, of this process's first tile; the fed batch (0 columns
  /// when `holds_columns()` is false) covers tiles first_tile() .. first_tile() + k - 1.
  virtual std::size_t first_tile() const = 0;
  /// False when this process holds no column of the batch (it runs no tile, and its graph
  /// need not be fed); it still receives every tile and takes the same step.
  virtual bool holds_columns() const = 0;

  /// Called once per pass, on every process. `mine` holds this process's tiles in order,
  /// `doubles_per_tile` doubles each: the parameters' gradients (Graph::parameters() order,
  /// each row-major) then the mean nodes' loss shares (graph order). Returns every tile of
  /// the whole batch in tile order, in the same layout (tiles(...) * doubles_per_tile
  /// doubles), valid until the next call. Throws (RunError) when the processes disagree.
  virtual std::span<const double> all_tiles(std::span<const double> mine, std::size_t doubles_per_tile) = 0;
};

}  // namespace xgrad

/// @file
/// Which columns of a data set each process of a data-parallel run holds (no MPI needed).
///
/// The m columns are cut into tiles of `tile_columns` (Graph::tile_columns(), the width the
/// single-process tiled pass uses); process r of R holds tiles ceil(T r / R) up to
/// ceil(T (r + 1) / R) - 1 of the T = ceil(m / tile_columns) tiles, a contiguous run of
/// whole tiles (only the data set's last tile may be narrower). When T < R some processes
/// hold nothing; with one tile, process 0 holds everything.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>

namespace xgrad::parallel {

/// One process's share of the columns.
struct ColumnShare {
  std::size_t first = 0;       ///< index of its first column in the whole data set
  std::size_t count = 0;       ///< how many columns it holds (0: none)
  std::size_t first_tile = 0;  ///< index of its first tile (first / tile_columns)
};

/// Process `rank`'s share of m columns cut into tiles of tile_columns, as the file comment
/// says. Requires tile_columns >= 1 and rank < processes (InputError otherwise).
ColumnShare column_share(std::size_t m, std::size_t tile_columns, std::size_t rank, std::size_t processes);

}  // namespace xgrad::parallel

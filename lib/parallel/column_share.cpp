#include <xgrad/parallel/column_share.hpp>

#include <algorithm>
#include <string>

#include <xgrad/core/error.hpp>

namespace xgrad::parallel {

ColumnShare column_share(std::size_t m, std::size_t tile_columns, std::size_t rank, std::size_t processes) {
  if (tile_columns == 0) throw InputError("column share: tile columns must be at least 1");
  if (rank >= processes) {
    throw InputError("column share: process " + std::to_string(rank) + " of " + std::to_string(processes));
  }
  const std::size_t tiles = (m + tile_columns - 1) / tile_columns;
  const std::size_t first_tile = (tiles * rank + processes - 1) / processes;  // ceil(T r / R)
  const std::size_t end_tile = (tiles * (rank + 1) + processes - 1) / processes;
  ColumnShare share;
  share.first_tile = first_tile;
  share.first = std::min(m, first_tile * tile_columns);
  share.count = std::min(m, end_tile * tile_columns) - share.first;
  return share;
}

}  // namespace xgrad::parallel

// Counts heap allocations made through operator new (every form) and malloc/calloc/realloc
// in this program. The replacements live in allocation_counter.cpp.
#pragma once

#include <cstddef>

namespace bench {

// Allocations since the program started.
std::size_t allocations();

}  // namespace bench

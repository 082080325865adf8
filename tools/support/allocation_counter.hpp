// A process-wide count of heap allocations, for the programs that prove a training step
// allocates nothing (tests/test_allocations.cpp, the `bench` benchmark).
//
// Linking this library (Meson: allocation_counter_dep, linked whole) REPLACES the global
// allocation functions of the whole program: every form of operator new / new[] (plain,
// nothrow, aligned) and, except under AddressSanitizer (whose malloc is its own),
// malloc, calloc and realloc. Each call adds one to the count and then allocates as the
// standard ones do (a failed operator new still throws std::bad_alloc); operator delete
// frees with std::free. Link it only into a program that wants every allocation counted.
// The counter is the one piece of global state: it has to see every allocation of the
// process, from any thread (it is atomic).
#pragma once

#include <cstddef>

namespace support {

// Ensures: the number of counted allocations this process has made since it started;
// it never decreases, so the difference of two readings counts what happened between them.
std::size_t allocation_count();

}  // namespace support

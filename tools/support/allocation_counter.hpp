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

// Both counts are of calls made by this process since it started, from any thread; they
// never decrease, so the difference of two readings counts what happened between them.

// Every counted heap allocation: operator new (every form) plus malloc/calloc/realloc,
// including C libraries' own (OpenBLAS's AVX-512 small-matrix dgemm kernel mallocs a
// packing buffer on every call, for example). What the benchmark reports.
std::size_t allocation_count();

// operator new (every form) only: what C++ code, xgrad's included, allocates. It does not
// depend on which BLAS kernel the CPU gets, so tests assert on this one.
std::size_t operator_new_count();

}  // namespace support

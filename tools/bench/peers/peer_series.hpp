// The peer series (issue 13): the course's He step in the programs a user would pick instead
// of xgrad, each run as a child program on the same circles and the same He weights
// (handloop_he's input file, written by write_handloop_input), timed by its own clock around
// its loop, best of three, alternating with the graph's loop in the same benchmark:
//   numpy          the course's vectorised code          tools/bench/peers/peer_python.py numpy
//   PyTorch eager  nn.Sequential, float64, 1 thread      tools/bench/peers/peer_python.py torch
//   LibTorch       torch::nn::Sequential, float64        peer_libtorch (libtorch-dev)
//   dlib           dnn fc/relu, loss_binary_log, float32 peer_dlib (libdlib-dev)
// A peer is registered only when it can run here: the Python ones when an interpreter imports
// numpy / torch, the C++ ones when Meson built them (the package was found at setup).
#pragma once

#include <string>
#include <vector>

namespace bench {

struct Peer {
  std::string name;       // benchmark name part and summary column: "numpy", "libtorch", ...
  std::string title;      // for people: "PyTorch eager (float64)"
  std::string command;    // quoted for the shell; the series appends ITERATIONS FILE
  double tolerance = 0;   // relative difference allowed between its first cost and xgrad's
};

// The peers that can run on this machine; for each one that cannot, a line on stderr saying
// why and how to enable it (docs/performance.md).
std::vector<Peer> available_peers();

// Registers "peer/NAME/2-10-5-1" at m = 64, 300 and 300 000 for each available peer. Each
// run first checks (before any timing) that the peer's first-step cost agrees with the
// graph's on the same data and weights to peer.tolerance; a disagreement is printed on
// stderr and the run ends with an error instead of a time. Counters: graph_ms, peer_ms,
// ratio (graph / peer: below 1 means xgrad is faster), first_cost_rel_diff.
void register_peer_benchmarks();

}  // namespace bench

#include "peer_series.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <utility>

#include "child_program.hpp"
#include "handloop_series.hpp"
#include <xgrad/core/threads.hpp>

namespace bench {

namespace {

// Relative tolerances of the first-cost check: float64 peers compute the same sums in
// another order; dlib rounds the data and weights to float32.
constexpr double float64_tolerance = 1e-9;
constexpr double float32_tolerance = 1e-4;

// The first interpreter that imports `module`: $XGRAD_BENCH_PYTHON, then python3 on PATH,
// then /usr/bin/python3 (Debian's python3-numpy and python3-torch install there, which a
// python3 earlier on PATH, e.g. pyenv's, does not see).
std::optional<std::string> python_with(const std::string& module) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("XGRAD_BENCH_PYTHON"); env != nullptr && *env != '\0') candidates.push_back(env);
  candidates.push_back("python3");
  candidates.push_back("/usr/bin/python3");
  for (const std::string& python : candidates) {
    const std::string quoted = shell_quote(python);
    if (command_succeeds(quoted + " -c " + shell_quote("import " + module))) return quoted;
  }
  return std::nullopt;
}

void missing(const std::string& what, const std::string& why) {
  std::cerr << "bench: no " << what << " series: " << why
            << " (tools/install-deps --bench-peers, then meson setup --reconfigure; docs/performance.md)\n";
}

double relative_difference(double a, double b) { return std::abs(a - b) / std::abs(b); }

// The graph against one peer at m (benchmark argument 0): check, then three alternating
// rounds, each program timing its own loop; best of three each.
void step_vs_peer(benchmark::State& state, Peer peer) {
  const auto m = static_cast<std::size_t>(state.range(0));
  xgrad::set_blas_threads(1);
  const std::size_t iterations = series_iterations(m);
  const std::string file =
      (std::filesystem::temp_directory_path() / ("xgrad_peer_" + peer.name + "_" + std::to_string(m) + ".txt"))
          .string();
  write_handloop_input(file, m);
  const double graph_first_cost = time_graph_steps(m, 1).first_cost;
  auto checked = [&](const std::optional<ChildRun>& run) {
    if (!run) {
      std::cerr << "bench: PEER FAILED: " << peer.title << " (" << peer.command << ") did not run at m = " << m
                << "\n";
      state.SkipWithError((peer.name + " did not run").c_str());
      return false;
    }
    const double diff = relative_difference(run->first_cost, graph_first_cost);
    if (!(diff <= peer.tolerance)) {
      std::cerr.precision(17);
      std::cerr << "bench: PEER CHECK FAILED: " << peer.title << " at m = " << m << ": first cost "
                << run->first_cost << ", xgrad's " << graph_first_cost << ", relative difference " << diff
                << " > " << peer.tolerance << ": not timing a different computation\n";
      state.SkipWithError((peer.name + ": first cost differs from xgrad's").c_str());
      return false;
    }
    state.counters["first_cost_rel_diff"] = diff;
    return true;
  };
  double graph_best = 1e300, peer_best = 1e300;
  for (auto _ : state) {
    if (!checked(run_timed_child(peer.command, 1, file))) break;
    for (int round = 0; round < 3; ++round) {
      graph_best = std::min(graph_best, time_graph_steps(m, iterations).seconds_per_step);
      const std::optional<ChildRun> run = run_timed_child(peer.command, iterations, file);
      if (!checked(run)) break;
      peer_best = std::min(peer_best, run->us_per_iter * 1e-6);
    }
    state.SetIterationTime(graph_best);
  }
  std::filesystem::remove(file);
  if (state.error_occurred()) return;
  state.counters["graph_ms"] = graph_best * 1e3;
  state.counters["peer_ms"] = peer_best * 1e3;
  state.counters["ratio"] = graph_best / peer_best;
  state.SetLabel(peer.title + " m=" + std::to_string(m) + ", " + std::to_string(iterations) + " steps");
}

}  // namespace

std::vector<Peer> available_peers() {
  std::vector<Peer> peers;
  const std::string script = shell_quote(XGRAD_BENCH_PEER_SCRIPT);
  if (const auto python = python_with("numpy")) {
    peers.push_back({"numpy", "numpy (course code)", *python + " " + script + " numpy", float64_tolerance});
  } else {
    missing("numpy", "no python3 imports numpy");
  }
  if (const auto python = python_with("torch")) {
    peers.push_back({"pytorch", "PyTorch eager", *python + " " + script + " torch", float64_tolerance});
  } else {
    missing("PyTorch eager", "no python3 imports torch");
  }
  // A program Meson set up to build: a peer once it is built (not by default).
  [[maybe_unused]] auto add_built = [&](Peer peer, const std::string& program) {
    if (std::filesystem::exists(program)) {
      peer.command = shell_quote(program);
      peers.push_back(std::move(peer));
    } else {
      missing(peer.title, program + " is not built (ninja -C BUILD bench-peers)");
    }
  };
#ifdef XGRAD_BENCH_LIBTORCH
  add_built({"libtorch", "LibTorch", "", float64_tolerance}, XGRAD_BENCH_LIBTORCH);
#else
  missing("LibTorch", "Meson did not find libtorch-dev (CMake package Torch)");
#endif
#ifdef XGRAD_BENCH_DLIB
  add_built({"dlib", "dlib (float32)", "", float32_tolerance}, XGRAD_BENCH_DLIB);
#else
  missing("dlib", "Meson did not find libdlib-dev (pkg-config dlib-1)");
#endif
  return peers;
}

void register_peer_benchmarks() {
  for (const Peer& peer : available_peers()) {
    for (std::int64_t m : {64, 300, 300'000}) {
      benchmark::RegisterBenchmark(("peer/" + peer.name + "/2-10-5-1").c_str(), step_vs_peer, peer)
          ->ArgName("m")
          ->Arg(m)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(m >= 30'000 ? benchmark::kMillisecond : benchmark::kMicrosecond);
    }
  }
}

}  // namespace bench

// xgrad's benchmarks: a training step through the graph against the same math written by
// hand, thread scaling, the gradient check, allocations per step and peak memory.
// docs/performance.md explains the figures; `bench --help` lists Google Benchmark's flags.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "allocation_counter.hpp"
#include "course.hpp"
#include "hand_network.hpp"
#include "handloop_series.hpp"
#include "machine.hpp"
#include "peak_memory.hpp"
#ifdef XGRAD_BENCH_PEERS
#include "peer_series.hpp"
#endif
#include "summary.hpp"
#include "work_model.hpp"
#include "workload.hpp"
#include <xgrad/check/gradcheck.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/train/train.hpp>

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

// The thread settings the process started with (what a user gets), read by main() before it
// sets xgrad's threads to 1 for every series but the thread comparison.
struct ThreadDefaults {
  std::size_t xgrad = 1;
  std::size_t blas = 1;
};
ThreadDefaults thread_defaults;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Per-iteration times, reserved before the timed loop so that recording allocates nothing.
std::vector<double> timings(const benchmark::State& state) {
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(state.max_iterations));
  return v;
}

// A training step through the graph and by hand, alternating which goes first, on one
// thread. Reported time: the graph's step. Counters: medians of each, their ratio, the
// graph's allocations per step, and how far the two costs drifted apart.
void step_vs_hand(benchmark::State& state, std::vector<std::size_t> dims) {
  const auto m = static_cast<std::size_t>(state.range(0));
  xgrad::set_blas_threads(1);
  Workload w(dims, m, true);
  xgrad::train_step(w.model, learning_rate);
  w.hand.step(learning_rate);
  w.hand_blas->step(learning_rate);
  std::vector<double> graph = timings(state), hand = timings(state), hand_blas = timings(state);
  std::size_t allocations_in_steps = 0;
  double graph_cost = 0.0, hand_cost = 0.0;
  bool graph_first = true;
  for (auto _ : state) {
    auto run_graph = [&] {
      const std::size_t a0 = support::allocation_count();
      const auto t0 = Clock::now();
      graph_cost = xgrad::train_step(w.model, learning_rate);
      const auto t1 = Clock::now();
      allocations_in_steps += support::allocation_count() - a0;
      graph.push_back(seconds(t0, t1));
    };
    auto run_hand = [&] {
      const auto t0 = Clock::now();
      hand_cost = w.hand.step(learning_rate);
      const auto t1 = Clock::now();
      w.hand_blas->step(learning_rate);
      const auto t2 = Clock::now();
      hand.push_back(seconds(t0, t1));
      hand_blas.push_back(seconds(t1, t2));
    };
    if (graph_first) {
      run_graph();
      run_hand();
    } else {
      run_hand();
      run_graph();
    }
    graph_first = !graph_first;
    state.SetIterationTime(graph.back());
  }
  const double g = median(graph), h = median(hand), hb = median(hand_blas);
  state.counters["graph_ms"] = g * 1e3;
  state.counters["hand_ms"] = h * 1e3;
  state.counters["hand_blas_ms"] = hb * 1e3;
  state.counters["ratio"] = g / h;
  state.counters["ratio_blas"] = g / hb;
  state.counters["allocs_per_step"] =
      static_cast<double>(allocations_in_steps) / static_cast<double>(graph.size());
  state.counters["cost_rel_diff"] = std::abs(graph_cost - hand_cost) / std::abs(hand_cost);
  const StepWork work = step_work(dims, m);
  state.counters["gflops"] = work.flops / g * 1e-9;
  state.counters["buffer_MB"] = work.buffer_bytes * 1e-6;
  state.counters["data_MB"] = work.data_bytes * 1e-6;
  state.SetLabel(dims_name(dims) + " m=" + std::to_string(m));
}

// The machine's arithmetic peak on one thread: a loop of independent fused multiply-adds
// (machine.hpp). Run first and again last ("end"): the two, and the spread of each one's
// repetitions, tell whether the machine was quiet during the run (the summary says so).
void fma_peak(benchmark::State& state) {
  std::vector<double> rates = timings(state);
  for (auto _ : state) {
    double seconds = 0.0;
    const double flops = fma_loop_flops(20'000'000, &seconds);
    rates.push_back(flops / seconds * 1e-9);
    state.SetIterationTime(seconds);
  }
  state.counters["gflops"] = *std::max_element(rates.begin(), rates.end());
  state.counters["gflops_median"] = median(rates);
  state.SetLabel(fma_loop_kind());
}

// The best a library gets from the machine on one thread: a 1000 x 1000 dgemm through
// xgrad::gemm (OpenBLAS, one thread).
void dgemm_peak(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> rates = timings(state);
  for (auto _ : state) {
    double seconds = 0.0;
    const double flops = dgemm_flops(n, &seconds);
    rates.push_back(flops / seconds * 1e-9);
    state.SetIterationTime(seconds);
  }
  state.counters["gflops"] = *std::max_element(rates.begin(), rates.end());
  state.counters["gflops_median"] = median(rates);
  state.SetLabel("OpenBLAS " + xgrad::blas_kernel() + ", n=" + std::to_string(n) + ", one thread");
}

// The graph's step on 1 thread, on 2 threads and on the default setting, in turn. "n
// threads" sets both xgrad's threads (column tiles, xgrad::set_threads) and OpenBLAS's to n;
// "default" is what the process started with for both (what a user gets). Counters: the
// medians, speedup = 1 thread / 2 threads, speedup_default = 1 thread / default.
void threads_1_vs_2(benchmark::State& state, std::vector<std::size_t> dims) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const std::size_t default_threads = thread_defaults.xgrad;
  const std::size_t default_blas = thread_defaults.blas;
  auto use = [](std::size_t threads, std::size_t blas) {
    xgrad::set_threads(threads);
    xgrad::set_blas_threads(blas);
  };
  Workload w(dims, m, false);
  std::vector<double> one = timings(state), two = timings(state), standard = timings(state);
  for (std::size_t threads : {1, 2}) {  // warm-up: the pool's threads start here
    use(threads, threads);
    xgrad::train_step(w.model, learning_rate);
  }
  for (auto _ : state) {
    use(1, 1);
    const auto t0 = Clock::now();
    xgrad::train_step(w.model, learning_rate);
    const auto t1 = Clock::now();
    use(2, 2);
    xgrad::train_step(w.model, learning_rate);
    const auto t2 = Clock::now();
    use(default_threads, default_blas);
    xgrad::train_step(w.model, learning_rate);
    const auto t3 = Clock::now();
    one.push_back(seconds(t0, t1));
    two.push_back(seconds(t1, t2));
    standard.push_back(seconds(t2, t3));
    state.SetIterationTime(two.back());
  }
  use(1, 1);
  state.counters["t1_ms"] = median(one) * 1e3;
  state.counters["t2_ms"] = median(two) * 1e3;
  state.counters["tdefault_ms"] = median(standard) * 1e3;
  state.counters["default_threads"] = static_cast<double>(default_threads);
  state.counters["speedup"] = median(one) / median(two);
  state.counters["speedup_default"] = median(one) / median(standard);
  state.SetLabel(dims_name(dims) + " m=" + std::to_string(m));
}

double busy_work(long n) {
  double x = 1.0;
  for (long i = 0; i < n; ++i) x = x * 1.0000001 + 1e-9;
  return x;
}

// What a second thread can give on this machine right now: two equal pieces of pure
// arithmetic, one after the other on one thread, then on two threads at once.
void threads_calibration(benchmark::State& state) {
  constexpr long n = 20'000'000;
  std::vector<double> one = timings(state), two = timings(state);
  double sink = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    sink += busy_work(n) + busy_work(n);
    const auto t1 = Clock::now();
    double other = 0.0;
    std::thread helper([&] { other = busy_work(n); });
    sink += busy_work(n);
    helper.join();
    sink += other;
    const auto t2 = Clock::now();
    one.push_back(seconds(t0, t1));
    two.push_back(seconds(t1, t2));
    state.SetIterationTime(two.back());
  }
  benchmark::DoNotOptimize(sink);
  state.counters["t1_ms"] = median(one) * 1e3;
  state.counters["t2_ms"] = median(two) * 1e3;
  state.counters["speedup"] = median(one) / median(two);
  state.SetLabel("pure arithmetic");
}

// The football data if the shared folder has it, else generated circles of its size.
xgrad::Dataset football_sized(std::string* source) {
  const char* env = std::getenv("XGRAD_SHARED");
  const std::filesystem::path shared = env != nullptr && *env != '\0' ? env : XGRAD_BENCH_SHARED_DIR;
  const auto file = shared / "data" / "football.mat";
  if (std::filesystem::exists(file)) {
    *source = "football";
    return xgrad::load_mat_train_test(file).train;
  }
  *source = "circles(211)";
  return circles(211);
}

// The course's difference ||g - g~|| / (||g|| + ||g~||) by hand: every parameter entry
// nudged by +-step, the cost evaluated by the hand-written forward pass.
double hand_gradient_check(HandNetwork& net, double step) {
  net.cost_and_gradients();
  double diff = 0.0, analytic = 0.0, numeric = 0.0;
  for (std::size_t l = 0; l < net.layers(); ++l) {
    for (int which = 0; which < 2; ++which) {
      std::vector<double>& theta = which == 0 ? net.W(l) : net.b(l);
      const std::vector<double>& grad = which == 0 ? net.dW(l) : net.db(l);
      for (std::size_t k = 0; k < theta.size(); ++k) {
        const double original = theta[k];
        theta[k] = original + step;
        const double plus = net.cost();
        theta[k] = original - step;
        const double minus = net.cost();
        theta[k] = original;
        const double approx = (plus - minus) / (2.0 * step);
        diff += (grad[k] - approx) * (grad[k] - approx);
        analytic += grad[k] * grad[k];
        numeric += approx * approx;
      }
    }
  }
  return std::sqrt(diff) / (std::sqrt(analytic) + std::sqrt(numeric));
}

// check_graph (second-order, as xgrad 0.1's default) on the regularization notes' [2,20,3,1]
// model against the same check by hand.
void gradcheck_vs_hand(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  std::string source;
  const xgrad::Dataset data = football_sized(&source);
  xgrad::Model model(xgrad::models::regularization_network(0.0, 1.0));
  model.feed(data.X, data.Y);
  HandNetwork hand(model.spec().dims(), parameters_of(model), data.X, data.Y, Products::loops);
  // xgrad 0.1's second-order check: the same central differences the hand-written check does
  const xgrad::CheckOptions options = xgrad::CheckOptions::second_order();
  const double step = options.step;
  std::vector<double> graph = timings(state), by_hand = timings(state);
  double graph_difference = 0.0, hand_difference = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    graph_difference = xgrad::check_graph(model.graph(), options).difference();
    const auto t1 = Clock::now();
    hand_difference = hand_gradient_check(hand, step);
    const auto t2 = Clock::now();
    graph.push_back(seconds(t0, t1));
    by_hand.push_back(seconds(t1, t2));
    state.SetIterationTime(graph.back());
  }
  state.counters["graph_ms"] = median(graph) * 1e3;
  state.counters["hand_ms"] = median(by_hand) * 1e3;
  state.counters["ratio"] = median(graph) / median(by_hand);
  state.counters["difference"] = graph_difference;
  state.counters["hand_difference"] = hand_difference;
  state.SetLabel("2-20-3-1 on " + source + ", m=" + std::to_string(data.examples()));
}

// Allocations per steady-state step of the model with every node kind a course model
// uses: L2 and dropout with fresh masks.
void allocations_l2_dropout(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  const xgrad::Dataset data = circles(static_cast<std::size_t>(state.range(0)));
  xgrad::Model model(xgrad::models::regularization_network(0.7, 0.86, xgrad::MaskPolicy::fresh));
  model.feed(data.X, data.Y);
  xgrad::train_step(model, 0.3);
  const std::size_t before = support::allocation_count();
  std::size_t steps = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(xgrad::train_step(model, 0.3));
    ++steps;
  }
  state.counters["allocs_per_step"] =
      static_cast<double>(support::allocation_count() - before) / static_cast<double>(steps);
  state.SetLabel("2-20-3-1, L2 0.7, dropout 0.86 (fresh masks)");
}

// The graph's step against ../shared/bench/handloop_he (the yardstick) on the same
// data and weights; each side times its own loop of n steps, best of three, alternating.
void step_vs_handloop(benchmark::State& state, std::string handloop) {
  const auto m = static_cast<std::size_t>(state.range(0));
  xgrad::set_blas_threads(1);
  const std::size_t iterations = series_iterations(m);
  const std::string file = (std::filesystem::temp_directory_path() / ("xgrad_handloop_" + std::to_string(m) + ".txt")).string();
  write_handloop_input(file, m);
  double graph_best = 1e300, loop_best = 1e300;
  for (auto _ : state) {
    for (int round = 0; round < 3; ++round) {
      // As train() runs it: the cost (its logarithms) only on the steps it records.
      graph_best = std::min(graph_best, time_graph_steps(m, iterations).seconds_per_step);
      const std::optional<double> us = run_handloop(handloop, iterations, file);
      if (!us) {
        state.SkipWithError("handloop_he failed");
        return;
      }
      loop_best = std::min(loop_best, *us * 1e-6);
    }
    state.SetIterationTime(graph_best);
  }
  std::filesystem::remove(file);
  state.counters["graph_ms"] = graph_best * 1e3;
  state.counters["handloop_ms"] = loop_best * 1e3;
  state.counters["ratio"] = graph_best / loop_best;
  const double flops = step_work({2, 10, 5, 1}, m).flops;
  state.counters["gflops"] = flops / graph_best * 1e-9;
  state.counters["handloop_gflops"] = flops / loop_best * 1e-9;
  state.SetLabel("2-10-5-1 m=" + std::to_string(m) + ", " + std::to_string(iterations) + " steps");
}

void peak_memory(benchmark::State& state, std::string program) {
  const auto m = static_cast<std::size_t>(state.range(0));
  std::optional<PeakMemory> p;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    p = measure_peak_memory(program, m);
    state.SetIterationTime(seconds(t0, Clock::now()));
  }
  if (!p) {
    state.SkipWithError("the --peak-memory child failed");
    return;
  }
  constexpr double mb = 1e6;
  state.counters["peak_MB"] = static_cast<double>(p->peak) / mb;
  state.counters["baseline_MB"] = static_cast<double>(p->baseline) / mb;
  state.counters["dataset_MB"] = static_cast<double>(p->dataset) / mb;
  state.counters["buffers_MB"] = static_cast<double>(p->budget_base()) / mb;
  state.counters["peak_over_buffers"] =
      static_cast<double>(p->peak) / static_cast<double>(p->budget_base());
  state.counters["net_peak_over_buffers"] =
      static_cast<double>(p->peak - p->baseline) / static_cast<double>(p->budget_base());
  state.counters["untiled_MB"] = static_cast<double>(p->untiled) / mb;
  state.SetLabel("2-10-5-1 m=" + std::to_string(m));
}

// xgrad::evaluate on m examples of 2-256-256-1, in a child process: its peak resident memory
// next to the data's size (the evaluation holds the data plus one tile of activations).
void evaluate_peak_memory(benchmark::State& state, std::string program) {
  const auto m = static_cast<std::size_t>(state.range(0));
  std::optional<EvaluatePeakMemory> p;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    p = measure_evaluate_peak_memory(program, m);
    state.SetIterationTime(seconds(t0, Clock::now()));
  }
  if (!p) {
    state.SkipWithError("the --evaluate-peak-memory child failed");
    return;
  }
  constexpr double mb = 1e6;
  state.counters["peak_MB"] = static_cast<double>(p->peak) / mb;
  state.counters["baseline_MB"] = static_cast<double>(p->baseline) / mb;
  state.counters["dataset_MB"] = static_cast<double>(p->dataset) / mb;
  state.counters["parameters_MB"] = static_cast<double>(p->parameters) / mb;
  state.counters["net_peak_MB"] = static_cast<double>(p->peak - p->baseline) / mb;
  state.counters["untiled_MB"] = static_cast<double>(p->untiled) / mb;
  state.SetLabel("evaluate, 2-256-256-1 m=" + std::to_string(m));
}

void register_benchmarks(const std::string& program) {
  const std::vector<std::size_t> course{2, 10, 5, 1}, narrow{2, 20, 3, 1}, wide{2, 256, 256, 1};
  struct Series {
    std::vector<std::size_t> dims;
    std::vector<std::int64_t> m;
  };
  benchmark::RegisterBenchmark("machine/fma_peak", fma_peak)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("machine/dgemm_peak", dgemm_peak)
      ->ArgName("n")
      ->Arg(1000)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  const Series series[] = {{course, {64, 300, 3'000, 30'000, 300'000, 1'000'000}},
                           {narrow, {300, 3'000, 30'000, 300'000, 1'000'000}},
                           {wide, {300, 3'000, 30'000}}};
  for (const Series& s : series) {
    for (std::int64_t m : s.m) {
      benchmark::RegisterBenchmark(("step/" + dims_name(s.dims)).c_str(), step_vs_hand, s.dims)
          ->ArgName("m")
          ->Arg(m)
          ->UseManualTime()
          ->Unit(m >= 30'000 ? benchmark::kMillisecond : benchmark::kMicrosecond);
    }
  }
#ifdef XGRAD_BENCH_HANDLOOP
  for (std::int64_t m : {300, 3'000, 300'000}) {
    benchmark::RegisterBenchmark("handloop/2-10-5-1", step_vs_handloop, std::string(XGRAD_BENCH_HANDLOOP))
        ->ArgName("m")
        ->Arg(m)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(m >= 30'000 ? benchmark::kMillisecond : benchmark::kMicrosecond);
  }
#endif
  for (std::int64_t m : {300, 3'000}) {
    benchmark::RegisterBenchmark("threads/2-10-5-1", threads_1_vs_2, course)
        ->ArgName("m")
        ->Arg(m)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("threads/calibration", threads_calibration)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("threads/2-10-5-1", threads_1_vs_2, course)
      ->ArgName("m")
      ->Arg(300'000)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("gradcheck/2-20-3-1", gradcheck_vs_hand)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("allocations/2-20-3-1-l2-dropout", allocations_l2_dropout)
      ->ArgName("m")
      ->Arg(300)
      ->Unit(benchmark::kMicrosecond);
#ifdef XGRAD_BENCH_PEERS
  register_peer_benchmarks();
#endif
  benchmark::RegisterBenchmark("peak_memory/2-10-5-1", peak_memory, program)
      ->ArgName("m")
      ->Arg(1'000'000)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("evaluate_peak_memory/2-256-256-1", evaluate_peak_memory, program)
      ->ArgName("m")
      ->Arg(1'000'000)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("machine/fma_peak_end", fma_peak)->UseManualTime()->Unit(benchmark::kMillisecond);
}

std::string this_program(const char* argv0) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : self.string();
}

}  // namespace

}  // namespace bench

int main(int argc, char** argv) {
  bench::thread_defaults = {xgrad::threads(), xgrad::blas_threads()};
  xgrad::set_threads(1);  // one thread everywhere (the peak-memory child too) but the threads/ series
  const std::string flag = "--peak-memory=";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(flag, 0) == 0) return bench::peak_memory_child(std::stoul(arg.substr(flag.size())));
    const std::string evaluate_flag = "--evaluate-peak-memory=";
    if (arg.rfind(evaluate_flag, 0) == 0) {
      return bench::evaluate_peak_memory_child(std::stoul(arg.substr(evaluate_flag.size())));
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_benchmarks(bench::this_program(argv[0]));
  bench::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(std::cout);
  benchmark::Shutdown();
  return 0;
}

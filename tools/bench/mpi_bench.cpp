// `mpi_bench`: the data-parallel series (docs/distributed.md). A full-batch gradient-descent
// step of the course's He model ([2, 10, 5, 1]) on make_circles data at m = 300 000 and
// 3 000 000, each process with its share of the columns (generated alone) and one thread, plus the bytes each
// process hands to MPI per step. Run it once per process count:
//   mpirun -np 1 build/tools/bench/mpi_bench
//   mpirun --oversubscribe -np 2 build/tools/bench/mpi_bench
// Every process runs the same fixed number of steps (collectives must match); rank 0 reports.
#include <benchmark/benchmark.h>

#include <xgrad/core/threads.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/parallel/data_parallel.hpp>

#include "course.hpp"

namespace {

// What every process but rank 0 reports: nothing.
class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

void shared_step(benchmark::State& state, const xgrad::parallel::Processes& processes) {
  const auto m = static_cast<std::size_t>(state.range(0));
  xgrad::Model model(xgrad::models::initialization_network(xgrad::InitKind::he));
  const xgrad::parallel::ColumnShare columns =
      xgrad::parallel::column_share(m, model.graph().tile_columns(), processes.rank(), processes.size());
  xgrad::RandomState rng(1);  // each process generates only its columns
  const xgrad::parallel::DataShare share{
      xgrad::make_circles_columns(m, 0.05, rng, columns.first, columns.count), columns.first, m};
  xgrad::parallel::SharedFullBatch pass(processes, {model.graph(), model.features(), model.labels()}, share);
  xgrad::GradientDescent gradient_descent;
  gradient_descent.start(model.graph().parameters());
  pass.forward_backward();  // the first pass sizes the tile buffers
  processes.barrier();
  const std::uint64_t sent = processes.bytes_sent();
  for (auto _ : state) {
    benchmark::DoNotOptimize(pass.forward_backward());
    gradient_descent.step(model.graph().parameters(), 0.01);
  }
  const double steps = static_cast<double>(state.iterations());
  state.counters["processes"] = static_cast<double>(processes.size());
  state.counters["bytes_sent_per_step"] = static_cast<double>(processes.bytes_sent() - sent) / steps;
  state.counters["examples_per_s"] = benchmark::Counter(static_cast<double>(m) * steps, benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  xgrad::parallel::MpiSession session(argc, argv);
  const xgrad::parallel::Processes processes;
  xgrad::set_threads(1);
  benchmark::Initialize(&argc, argv);
  for (const auto& [m, steps] : {std::pair<long, long>{300000, 200}, {3000000, 30}}) {
    benchmark::RegisterBenchmark("shared_step", shared_step, std::cref(processes))
        ->Arg(m)
        ->Iterations(steps)  // the same on every process: each step is a collective
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  SilentReporter silent;
  if (processes.is_root()) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  return 0;
}

// A data-parallel training run for tests/mpi_killed_rank.sh: the course's He model on
// make_circles(m) data, full batch, under mpirun. Each process writes its pid to
// PID_DIR/rank<R>.pid once it has started; rank 0 alone writes the final parameters to
// OUTPUT (atomically, at the end). A failure on any process ends the whole job
// (parallel::run_processes).
//   mpi_circles_run M ITERATIONS OUTPUT PID_DIR
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <xgrad/core/format.hpp>
#include <xgrad/io/atomic_file.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/parallel/data_parallel.hpp>

#include "course.hpp"

int main(int argc, char** argv) {
  xgrad::parallel::MpiSession session(argc, argv);
  const xgrad::parallel::Processes processes;
  return xgrad::parallel::run_processes(processes, std::cerr, [&] {
    if (argc != 5) throw xgrad::InputError("usage: mpi_circles_run M ITERATIONS OUTPUT PID_DIR");
    const std::size_t m = std::stoul(argv[1]);
    xgrad::TrainOptions options;
    options.iterations = std::stoul(argv[2]);
    options.learning_rate = 0.01;
    xgrad::RandomState rng(1);
    const xgrad::Dataset whole = xgrad::make_circles(m, 0.05, rng);
    xgrad::Model model(xgrad::models::initialization_network(xgrad::InitKind::he));
    const auto share = xgrad::parallel::take_share(
        whole, xgrad::parallel::column_share(m, model.graph().tile_columns(), processes.rank(), processes.size()));
    std::ofstream(std::string(argv[4]) + "/rank" + std::to_string(processes.rank()) + ".pid") << getpid() << '\n';
    xgrad::GradientDescent gradient_descent;
    const xgrad::TrainResult result = xgrad::parallel::train(processes, model, share, options, gradient_descent);
    if (processes.is_root()) {
      std::ostringstream text;
      text << "processes " << processes.size() << "\nfinal cost " << xgrad::python_float_repr(result.final_cost) << '\n';
      for (const xgrad::Parameter* p : model.graph().parameters()) {
        for (const double v : p->value) text << p->name << ' ' << xgrad::python_float_repr(v) << '\n';
      }
      xgrad::write_file_atomically(argv[3], text.str());
      std::cout << "final cost " << xgrad::python_float_repr(result.final_cost) << '\n';
    }
    return 0;
  });
}

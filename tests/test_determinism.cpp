// Determinism: the same run gives the same bits twice in one process, in two processes, and
// with one or two OpenBLAS threads. The runs are chosen to be sensitive: the course's x10
// random initialization is chaotic (a one-ulp difference anywhere grows to ~1e-3 in the cost
// within 1000 iterations, see test_experiments), so "same bits" after 2000 of its iterations
// means no stray difference at all. Across CPUs the bits may differ (BLAS kernels sum in
// their own order); that is test_experiments' business.
#define BOOST_TEST_MODULE determinism
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "course.hpp"
#include "reference.hpp"
#include <xgrad/core/threads.hpp>
#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/train/train.hpp>

using namespace xgrad;
using xgrad::testing::same_bits;
namespace fs = std::filesystem;

namespace {

struct Run {
  std::vector<double> costs;
  std::vector<double> parameters;        // every parameter entry after training, in graph order
  std::vector<std::string> entry_names;  // "fc1.W[3]" for each of them
};

Run train_and_collect(const ModelSpec& spec, const Dataset& data, const TrainOptions& options) {
  Model model(spec);
  Run run;
  for (const CostRecord& r : train(model, data, options).costs) run.costs.push_back(r.cost);
  for (const Parameter* p : model.graph().parameters()) {
    for (std::size_t k = 0; k < p->value.size(); ++k) {
      run.parameters.push_back(p->value.data()[k]);
      run.entry_names.push_back(p->name + "[" + std::to_string(k) + "]");
    }
  }
  return run;
}

void check_same(const Run& a, const Run& b, const std::string& what) {
  BOOST_TEST_REQUIRE(a.costs.size() == b.costs.size());
  BOOST_TEST_REQUIRE(a.parameters.size() == b.parameters.size());
  std::size_t differing = 0;
  std::string first;
  for (std::size_t i = 0; i < a.costs.size(); ++i) {
    if (same_bits(a.costs[i], b.costs[i])) continue;
    if (differing++ == 0) first = "cost record " + std::to_string(i);
  }
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    if (same_bits(a.parameters[i], b.parameters[i])) continue;
    if (differing++ == 0) first = a.entry_names[i];
  }
  BOOST_TEST(differing == 0u, what << ": " << differing << " of " << a.costs.size() + a.parameters.size()
                                   << " costs and parameter entries differ, first " << first);
}

// The chaotic course run, 2000 iterations.
Run chaotic_run() {
  TrainOptions options;
  options.iterations = 2000;
  options.record_every = 100;
  return train_and_collect(models::initialization_network(InitKind::random), models::course_circles().train, options);
}

// He on 40 000 circle points: products big enough for OpenBLAS to split them over threads.
Run wide_run() {
  RandomState rng(7);
  const Dataset data = make_circles(40000, 0.05, rng);
  TrainOptions options;
  options.iterations = 30;
  options.record_every = 1;
  return train_and_collect(make_spec({2, 50, 20, 1}, {InitKind::he, 3}), data, options);
}

// Restores the thread count the process started with.
struct ThreadCount {
  std::size_t saved = blas_threads();
  ~ThreadCount() { set_blas_threads(saved); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(same_run_twice_in_one_process) {
  check_same(chaotic_run(), chaotic_run(), "x10 random init, 2000 iterations, run twice");
  check_same(wide_run(), wide_run(), "He on 40000 points, run twice");
}

// At the course's size OpenBLAS runs every product on one thread, so the thread setting
// cannot matter: the chaotic run must give the same bits. On 40 000 examples OpenBLAS would
// split products over threads, and with its Haswell and Zen kernels (not SkylakeX or
// Cooperlake) a threaded dgemm sums in another order: measured, (20x50)(50x40000) differs
// in the last bits in 16% of its entries between 1 and 2 threads. The training pass runs
// such a batch in column tiles (Graph::forward_backward) with OpenBLAS held to one thread
// inside them and the tiles' gradients added in tile order, so the bits must be identical
// whatever the thread setting and kernel (tried with OPENBLAS_CORETYPE=Haswell, Zen and
// SkylakeX).
BOOST_AUTO_TEST_CASE(one_and_two_blas_threads) {
  ThreadCount restore;
  BOOST_TEST_MESSAGE("OpenBLAS kernel " << blas_kernel() << ", default threads " << restore.saved);
  set_blas_threads(1);
  const Run chaotic_1 = chaotic_run();
  const Run wide_1 = wide_run();
  set_blas_threads(2);
  const std::size_t two = blas_threads();
  if (two < 2) BOOST_TEST_MESSAGE("OpenBLAS was built for one thread: comparing 1 with 1");
  check_same(chaotic_1, chaotic_run(), "x10 random init on the course's 300 examples, 1 vs 2 threads");
  check_same(wide_1, wide_run(), "He on 40000 points, 1 vs 2 threads (" + blas_kernel() + ")");
  BOOST_TEST(blas_threads() == two, "a tiled pass sets OpenBLAS's thread count back");
  Model wide(make_spec({2, 50, 20, 1}, {InitKind::he, 3}));
  BOOST_TEST(wide.graph().tileable());
  BOOST_TEST(wide.graph().tile_columns() < 40000u, "the 40000 examples run in more than one tile");
}

// Two processes: the xgrad program (XGRAD_CLI) run twice writes the same costs, predictions
// and parameters, bit for bit (the JSON report holds every cost at full precision).
BOOST_AUTO_TEST_CASE(same_run_in_two_processes) {
  const char* cli = std::getenv("XGRAD_CLI");
  BOOST_TEST_REQUIRE(cli != nullptr, "XGRAD_CLI (the xgrad program's path) is not set; run through meson test");
  std::string pattern = (fs::temp_directory_path() / "xgrad_determinism_XXXXXX").string();
  BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const fs::path dir = pattern;
  nlohmann::json reports[2];
  for (int k = 0; k < 2; ++k) {
    const fs::path json = dir / ("run" + std::to_string(k) + ".json");
    const std::string command = std::string("'") + cli + "' train --init random --init-scale 10 --iterations 2000 --json '" +
                                json.string() + "' > /dev/null 2>&1";
    const int status = std::system(command.c_str());
    BOOST_TEST_REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "xgrad train failed: " << command);
    std::ifstream in(json);
    reports[k] = nlohmann::json::parse(in);
  }
  fs::remove_all(dir);
  for (const char* key : {"costs", "final_cost", "train_accuracy", "test_accuracy", "train_predictions", "test_predictions"}) {
    BOOST_TEST_REQUIRE(reports[0].contains(key), key);
    BOOST_TEST((reports[0][key] == reports[1][key]), key << " differs between two processes");
  }
  const auto& costs = reports[0]["costs"];
  BOOST_TEST(costs.size() == 2u);  // iterations 0 and 1000
}

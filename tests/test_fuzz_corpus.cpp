// Every seed and regression input of the fuzz corpus (tests/fuzz/corpus/<target>/), replayed
// through the same entry points as the libFuzzer targets, in the ordinary and the sanitizer
// builds: each loads or throws the documented error, nothing else. The inputs named
// regression-* once crashed a loader (or made it allocate gigabytes) and must be refused.
#define BOOST_TEST_MODULE fuzz_corpus
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

#include <xgrad/train/checkpoint.hpp>
#include <xgrad/io/csv.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/io/npy.hpp>

namespace fs = std::filesystem;
using namespace xgrad;

namespace {

std::vector<fs::path> corpus(const std::string& target) {
  const char* source = std::getenv("XGRAD_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "XGRAD_SOURCE_DIR is not set; run through meson test");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(source) / "tests" / "fuzz" / "corpus" / target)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  BOOST_TEST_REQUIRE(!files.empty(), "no seeds for " << target);
  return files;
}

bool is_regression(const fs::path& file) { return file.filename().string().starts_with("regression-"); }

// Runs `load` on every input of a target; Error is the only exception allowed.
template <class Error>
void replay(const std::string& target, const std::function<void(const fs::path&)>& load) {
  for (const fs::path& file : corpus(target)) {
    BOOST_TEST_CONTEXT(file.filename().string()) {
      bool refused = false;
      try {
        load(file);
      } catch (const Error&) {
        refused = true;
      } catch (const std::exception& e) {
        BOOST_ERROR(typeid(e).name() << ": " << e.what());
        refused = true;
      }
      if (is_regression(file)) BOOST_TEST(refused, "a regression input loaded");
    }
  }
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fuzz_corpus)

BOOST_AUTO_TEST_CASE(npy) {
  replay<FileError>("npy", [](const fs::path& f) { load_npy(f); });
}

BOOST_AUTO_TEST_CASE(csv) {
  replay<FileError>("csv", [](const fs::path& f) {
    load_csv(f);
    load_csv_dataset(f);
  });
}

BOOST_AUTO_TEST_CASE(mat) {
  replay<FileError>("mat", [](const fs::path& f) {
    try {
      load_mat_variable(f, "X");
    } catch (const FileError&) {
    }
    load_mat_train_test(f);
  });
}

BOOST_AUTO_TEST_CASE(npz) {
  replay<FileError>("npz", [](const fs::path& f) {
    Graph graph;
    graph.parameter("fc1.W", xt::zeros<double>({std::size_t{2}, std::size_t{3}}));
    graph.parameter("fc1.b", xt::zeros<double>({std::size_t{2}, std::size_t{1}}));
    load_parameters(f, graph);
  });
}

BOOST_AUTO_TEST_CASE(layers) {
  replay<InputError>("layers", [](const fs::path& f) {
    std::vector<std::size_t> dims{2};
    for (const std::size_t units : parse_layer_sizes(read_bytes(f))) dims.push_back(units);
    make_spec(dims, Initializer{}, 0.1, 0.9).validate();
  });
}

BOOST_AUTO_TEST_SUITE_END()

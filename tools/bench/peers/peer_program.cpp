#include "peer_program.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace bench::peer {

namespace {

Input read_input(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what); };
  Input input;
  long m = 0;
  if (!(in >> m) || m < 1) fail("the first number must be the example count m >= 1");
  input.m = static_cast<std::size_t>(m);
  auto read = [&](std::vector<double>& into, std::size_t count, const char* name) {
    into.resize(count);
    for (double& v : into) {
      if (!(in >> v)) fail(std::string("too few numbers in ") + name);
    }
  };
  read(input.X, 2 * input.m, "X");
  read(input.Y, input.m, "Y");
  for (double y : input.Y) {
    if (y != 0.0 && y != 1.0) fail("a label in Y is " + std::to_string(y) + ", not 0 or 1");
  }
  for (std::size_t l = 0; l + 1 < dims.size(); ++l) {
    input.W.emplace_back();
    read(input.W.back(), dims[l + 1] * dims[l], ("W" + std::to_string(l + 1)).c_str());
  }
  double extra = 0.0;
  if (in >> extra) fail("numbers after W" + std::to_string(dims.size() - 1));
  return input;
}

}  // namespace

Arguments parse_arguments(int argc, char** argv) {
  if (argc != 3) throw std::runtime_error(std::string("usage: ") + argv[0] + " ITERATIONS FILE");
  Arguments args;
  const long iterations = std::atol(argv[1]);
  if (iterations < 1) throw std::runtime_error(std::string("ITERATIONS must be >= 1, got '") + argv[1] + "'");
  args.iterations = static_cast<std::size_t>(iterations);
  args.input = read_input(argv[2]);
  return args;
}

void print_result(double first_cost, double last_cost, double seconds, std::size_t iterations) {
  std::printf("{\"first_cost\": %.17g, \"last_cost\": %.17g, \"seconds\": %g, \"us_per_iter\": %g}\n", first_cost,
              last_cost, seconds, seconds / static_cast<double>(iterations) * 1e6);
}

int report_errors(int (*body)(const Arguments&), int argc, char** argv) {
  try {
    return body(parse_arguments(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bench::peer

#include "peak_memory.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "workload.hpp"
#include <xgrad/core/threads.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/train.hpp>

namespace bench {

namespace {

// A "VmHWM:    1234 kB" line of /proc/self/status, in bytes.
std::size_t status_bytes(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      std::size_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

}  // namespace

int peak_memory_child(std::size_t m) {
  xgrad::set_blas_threads(1);
  const std::size_t baseline = status_bytes("VmRSS");
  const xgrad::Dataset data = circles(m);
  xgrad::Model model(he_spec({2, 10, 5, 1}));
  model.feed(data.X, data.Y);
  for (int i = 0; i < 3; ++i) xgrad::train_step(model, learning_rate);
  const BufferBytes b = buffer_bytes(model);
  std::printf("%zu %zu %zu %zu %zu %zu %zu %zu\n", status_bytes("VmHWM"), baseline,
              (data.X.size() + data.Y.size()) * sizeof(double), b.data, b.activations, b.gradients,
              b.parameters, untiled_bytes(model));
  return 0;
}

std::optional<PeakMemory> measure_peak_memory(const std::string& program, std::size_t m) {
  const std::string command = "'" + program + "' --peak-memory=" + std::to_string(m);
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return std::nullopt;
  PeakMemory p;
  const int fields = std::fscanf(child, "%zu %zu %zu %zu %zu %zu %zu %zu", &p.peak, &p.baseline, &p.dataset,
                                 &p.data, &p.activations, &p.gradients, &p.parameters, &p.untiled);
  if (::pclose(child) != 0 || fields != 8) return std::nullopt;
  return p;
}

int evaluate_peak_memory_child(std::size_t m) {
  xgrad::set_blas_threads(1);
  const std::size_t baseline = status_bytes("VmRSS");
  const xgrad::Dataset data = circles(m);
  const xgrad::Model model(he_spec({2, 256, 256, 1}));
  const xgrad::Evaluation e = evaluate(model, data);
  std::size_t parameters = 0, untiled = 0;
  for (const xgrad::Parameter* p : model.graph().parameters()) parameters += p->value.size() * sizeof(double);
  for (const xgrad::Node* n : model.graph().nodes()) untiled += n->rows() * m * sizeof(double);
  std::printf("%zu %zu %zu %zu %zu %.17g\n", status_bytes("VmHWM"), baseline,
              (data.X.size() + data.Y.size()) * sizeof(double), parameters, untiled, e.cost);
  return 0;
}

std::optional<EvaluatePeakMemory> measure_evaluate_peak_memory(const std::string& program, std::size_t m) {
  const std::string command = "'" + program + "' --evaluate-peak-memory=" + std::to_string(m);
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return std::nullopt;
  EvaluatePeakMemory p;
  double cost = 0.0;
  const int fields = std::fscanf(child, "%zu %zu %zu %zu %zu %lg", &p.peak, &p.baseline, &p.dataset, &p.parameters,
                                 &p.untiled, &cost);
  if (::pclose(child) != 0 || fields != 6) return std::nullopt;
  return p;
}

}  // namespace bench

// Peak resident memory of a training run, measured in a process of its own so that the
// benchmarks before it do not raise the high-water mark.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace bench {

struct PeakMemory {
  std::size_t peak = 0;        // VmHWM at the end, bytes
  std::size_t baseline = 0;    // VmRSS before the data was made, bytes (libraries, OpenBLAS)
  std::size_t dataset = 0;     // the caller's copy of X and Y
  std::size_t data = 0;        // the graph's copy of X and Y
  std::size_t activations = 0;
  std::size_t gradients = 0;
  std::size_t parameters = 0;
  std::size_t untiled = 0;     // activations + gradients of a graph that ran the batch whole
  // data + activations + gradients: what the target is a multiple of.
  std::size_t budget_base() const { return data + activations + gradients; }
};

// The child's work: builds the course's [2,10,5,1] model on m examples, trains a few
// steps and prints the figures on one line of stdout.
int peak_memory_child(std::size_t m);

// Runs `program --peak-memory=m` and reads its line. Empty when the child fails.
std::optional<PeakMemory> measure_peak_memory(const std::string& program, std::size_t m);

// Peak resident memory of xgrad::evaluate on m examples of a 2-256-256-1 model (the
// evaluation graph holds one tile of activations, whatever m).
struct EvaluatePeakMemory {
  std::size_t peak = 0;        // VmHWM at the end, bytes
  std::size_t baseline = 0;    // VmRSS before the data was made
  std::size_t dataset = 0;     // X and Y
  std::size_t parameters = 0;  // the model's parameters
  std::size_t untiled = 0;     // the activations a whole-batch forward pass would hold
};

// The child's work: the data, the model, one evaluate(); prints the figures on one line.
int evaluate_peak_memory_child(std::size_t m);
// Runs `program --evaluate-peak-memory=m` and reads its line. Empty when the child fails.
std::optional<EvaluatePeakMemory> measure_evaluate_peak_memory(const std::string& program, std::size_t m);

}  // namespace bench

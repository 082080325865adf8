// bench_checker: the gradient checker's cost at about 1e2, 1e4 and 1e6 parameters
// (docs/gradient-checker.md). An inputs-hidden-1 MLP with a sigmoid hidden layer and a
// sigmoid cross-entropy cost on 32 examples; check_graph and check_nodes with the default
// options (full below CheckOptions::full_limit entries, fast above), fast mode forced, and
// xgrad 0.1's second-order check for comparison. A run prints each report's first line.
//
// hooks/...: what the checks of the scheduling hooks (issue 20, docs/checker.md) cost on the
// course's two networks (2-10-5-1 He on the 300 circles; 2-20-3-1 with L2 0.7 and dropout
// 0.86 on the same data) and on a 784-256-128-10 ReLU/softmax network (random inputs, 10
// classes) at 64 and 2 000 examples: one training step (Graph::forward_backward, the unit),
// check_hooks on every node (the new per-node checks alone), check_training_step (the
// train-time guard, TrainOptions::check_first_step), and check_nodes / check_graph with
// default options (which include them).
#include <benchmark/benchmark.h>

#include <xgrad/check/training_step.hpp>
#include <xgrad/train/model.hpp>

#include "course.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/nodes/all.hpp>
#include <xgrad/numpy/random.hpp>

namespace {

constexpr std::size_t kBatch = 32;

// inputs-hidden-1: about 1e2 (10-8-1: 97), 1e4 (100-100-1: 10 201), 1e6 (1000-1000-1: 1 002 001).
std::pair<std::size_t, std::size_t> dims_for(std::int64_t size) {
  if (size <= 100) return {10, 8};
  if (size <= 10000) return {100, 100};
  return {1000, 1000};
}

struct Mlp {
  xgrad::Graph g;
  explicit Mlp(std::int64_t size) {
    const auto [inputs, hidden] = dims_for(size);
    xgrad::RandomState rng(1);
    auto& x = g.input("X", inputs);
    auto& y = g.input("Y", 1);
    auto& W1 = g.parameter("fc1.W", rng.randn(hidden, inputs) / std::sqrt(static_cast<double>(inputs)));
    auto& b1 = g.parameter("fc1.b", rng.randn(hidden, 1));
    auto& W2 = g.parameter("fc2.W", rng.randn(1, hidden) / std::sqrt(static_cast<double>(hidden)));
    auto& b2 = g.parameter("fc2.b", rng.randn(1, 1));
    auto& a1 = g.add<xgrad::Sigmoid>("sigmoid1", g.add<xgrad::Linear>("fc1", x, W1, b1));
    g.set_loss(g.add<xgrad::SigmoidCrossEntropy>("cost", g.add<xgrad::Linear>("fc2", a1, W2, b2), y));
    g.feed(x, rng.randn(inputs, kBatch));
    g.feed(y, xt::cast<double>(rng.rand(1, kBatch) < 0.5));
  }
};

using Check = xgrad::CheckReport (*)(xgrad::Graph&, const xgrad::CheckOptions&);

void run(benchmark::State& state, Check check, xgrad::CheckOptions options) {
  xgrad::set_blas_threads(1);
  Mlp mlp(state.range(0));
  xgrad::CheckReport report;
  for (auto _ : state) report = check(mlp.g, options);
  state.counters["parameters"] = static_cast<double>(xgrad::parameter_count(mlp.g.parameters()));
  state.counters["entries"] = static_cast<double>(report.entries.size());
  state.counters["passed"] = report.passed() ? 1 : 0;
  state.counters["floor"] = report.detection_floor();
  const std::string text = report.to_string();
  state.SetLabel(report.mode() + "; " + text.substr(0, text.find('\n')));
}

void check_graph_default(benchmark::State& s) { run(s, xgrad::check_graph, {}); }
void check_nodes_default(benchmark::State& s) { run(s, xgrad::check_nodes, {}); }
void check_graph_fast(benchmark::State& s) {
  xgrad::CheckOptions o;
  o.mode = xgrad::CheckMode::fast;
  run(s, xgrad::check_graph, o);
}
void check_nodes_fast(benchmark::State& s) {
  xgrad::CheckOptions o;
  o.mode = xgrad::CheckMode::fast;
  run(s, xgrad::check_nodes, o);
}
void check_graph_second_order(benchmark::State& s) { run(s, xgrad::check_graph, xgrad::CheckOptions::second_order()); }

// Issue 15's per-node figures: a sigmoid over 16 units x 300 examples (input entries checked
// column by column), and a 2-16-8-4-1 ReLU model node by node on 300 examples.
void check_node_sigmoid_16x300(benchmark::State& state) {
  xgrad::Graph g;
  xgrad::RandomState rng(2);
  auto& x = g.input("x", 16);
  auto& s = g.add<xgrad::Sigmoid>("sigmoid", x);
  g.feed(x, rng.randn(16, 300));
  g.forward(xgrad::Mode::train);
  xgrad::CheckReport report;
  for (auto _ : state) report = xgrad::check_node(s);
  state.counters["entries"] = static_cast<double>(report.entries.size());
  state.counters["passed"] = report.passed() ? 1 : 0;
}

void check_nodes_2_16_8_4_1(benchmark::State& state) {
  xgrad::Graph g;
  xgrad::RandomState rng(3);
  auto& x = g.input("X", 2);
  auto& y = g.input("Y", 1);
  xgrad::Node* prev = &x;
  const std::size_t dims[] = {2, 16, 8, 4, 1};
  for (std::size_t l = 1; l < 5; ++l) {
    const std::string n = std::to_string(l);
    auto& W = g.parameter("fc" + n + ".W", rng.randn(dims[l], dims[l - 1]) / std::sqrt(static_cast<double>(dims[l - 1])));
    auto& b = g.parameter("fc" + n + ".b", rng.randn(dims[l], 1));
    prev = &g.add<xgrad::Linear>("fc" + n, *prev, W, b);
    if (l < 4) prev = &g.add<xgrad::Relu>("relu" + n, *prev);
  }
  g.set_loss(g.add<xgrad::SigmoidCrossEntropy>("cost", *prev, y));
  g.feed(x, rng.randn(2, 300));
  g.feed(y, xt::cast<double>(rng.rand(1, 300) < 0.5));
  xgrad::CheckReport report;
  for (auto _ : state) report = xgrad::check_nodes(g);
  state.counters["entries"] = static_cast<double>(report.entries.size());
  state.counters["passed"] = report.passed() ? 1 : 0;
}

// The models of the hooks/ series: 0 = course He 2-10-5-1 (300 examples), 1 = course
// 2-20-3-1 L2 + dropout (300), 2 = 784-256-128-10 at 64 examples, 3 = the same at 2 000.
struct HookModel {
  std::unique_ptr<xgrad::Model> model;
  xgrad::Dataset data;
  std::string name;
};

HookModel hook_model(std::int64_t which) {
  HookModel h;
  if (which <= 1) {
    h.model = std::make_unique<xgrad::Model>(which == 0
                                                 ? xgrad::models::initialization_network(xgrad::InitKind::he)
                                                 : xgrad::models::regularization_network(0.7, 0.86));
    h.data = xgrad::models::course_circles().train;
    h.name = which == 0 ? "course 2-10-5-1 He, m=300" : "course 2-20-3-1 L2+dropout, m=300";
  } else {
    const std::size_t m = which == 2 ? 64 : 2000;
    xgrad::ModelSpec spec;
    spec.inputs = 784;
    spec.layers = {{256, xgrad::Activation::relu()}, {128, xgrad::Activation::relu()}, {10, xgrad::Activation::identity()}};
    spec.loss = xgrad::Loss::softmax_cross_entropy;
    spec.labels = xgrad::LabelLayout::class_index;
    h.model = std::make_unique<xgrad::Model>(spec);
    xgrad::RandomState rng(4);
    h.data.X = rng.uniform(0.0, 1.0, 784, m);
    h.data.Y = xt::floor(rng.rand(1, m) * 10.0);
    h.name = "784-256-128-10, m=" + std::to_string(m);
  }
  h.model->feed(h.data.X, h.data.Y);
  return h;
}

void hook_label(benchmark::State& state, const HookModel& h, const std::string& what) {
  state.SetLabel(h.name + (what.empty() ? "" : "; " + what));
  state.counters["threads"] = static_cast<double>(xgrad::threads());
}

void hooks_training_step(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  HookModel h = hook_model(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(h.model->graph().forward_backward(false));
  hook_label(state, h, "");
}

void hooks_check_hooks_every_node(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  HookModel h = hook_model(state.range(0));
  xgrad::Graph& g = h.model->graph();
  std::size_t findings = 0;
  for (auto _ : state) {
    g.forward(xgrad::Mode::train);
    findings = 0;
    for (xgrad::Node* n : g.nodes()) {
      if (dynamic_cast<xgrad::Input*>(n) == nullptr) findings += xgrad::check_hooks(*n).size();
    }
  }
  state.counters["findings"] = static_cast<double>(findings);
  hook_label(state, h, "");
}

void hooks_check_training_step(benchmark::State& state) {
  xgrad::set_blas_threads(1);
  HookModel h = hook_model(state.range(0));
  for (auto _ : state) {
    xgrad::check_training_step(h.model->graph(), h.model->features(), h.model->labels(), h.data.X, h.data.Y,
                               h.data.X.shape(1));
  }
  hook_label(state, h, "");
}

void hooks_check(benchmark::State& state, Check check) {
  xgrad::set_blas_threads(1);
  HookModel h = hook_model(state.range(0));
  xgrad::CheckReport report;
  for (auto _ : state) report = check(h.model->graph(), {});
  state.counters["passed"] = report.passed() ? 1 : 0;
  state.counters["entries"] = static_cast<double>(report.entries.size());
  const std::string text = report.to_string();
  hook_label(state, h, text.substr(0, text.find('\n')));
}
void hooks_check_nodes(benchmark::State& s) { hooks_check(s, xgrad::check_nodes); }
void hooks_check_graph(benchmark::State& s) { hooks_check(s, xgrad::check_graph); }

}  // namespace

BENCHMARK(hooks_training_step)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);
BENCHMARK(hooks_check_hooks_every_node)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(hooks_check_training_step)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(hooks_check_nodes)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(hooks_check_graph)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK(check_node_sigmoid_16x300)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(check_nodes_2_16_8_4_1)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(check_graph_default)->Arg(100)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(check_nodes_default)->Arg(100)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(check_graph_fast)->Arg(100)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(check_nodes_fast)->Arg(100)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(check_graph_second_order)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();

// check_nodes and check_graph: a fed graph, node by node and as a whole.
#include <xgrad/check/gradcheck.hpp>

#include <algorithm>
#include <cmath>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/core/input.hpp>

#include "accumulator.hpp"
#include "entries.hpp"
#include "path_check.hpp"
#include "probe.hpp"
#include "restore.hpp"

namespace xgrad {

namespace {

std::string names_of(const std::vector<Node*>& nodes) {
  if (nodes.empty()) return "no node";
  std::string text;
  for (const Node* n : nodes) text += (text.empty() ? "" : ", ") + n->name();
  return text;
}

void run_node_forward(Node& node) {
  if (RandomStream* s = node.random_stream()) s->begin_pass();
  node.forward(Mode::train);
}

// Moves every graph parameter `node` does not declare, one at a time, and reports each one
// its forward's value moves with. Requires the graph's streams pinned and a fed forward.
// The node's value is put back; its own buffers are those of a forward at the same values.
void find_undeclared_reads(const Graph& graph, Node& node, RandomState& rng, CheckAccumulator& acc) {
  Restorations restore;
  restore.save(node.value());
  const auto declared = node.parameters();
  run_node_forward(node);
  const Matrix before = node.value();
  for (Parameter* p : graph.parameters()) {
    if (std::find(declared.begin(), declared.end(), p) != declared.end()) continue;
    bool moved = false;
    {
      Restorations restore;
      restore.save(p->value);
      for (double& v : p->value) v += (rng.random_sample() < 0.5 ? -1e-3 : 1e-3) * std::max(1.0, std::abs(v));
      run_node_forward(node);
      moved = first_difference(before, node.value()).has_value();
    }
    if (moved) {
      acc.find(node.name(), "forward reads parameter '" + p->name + "' (its value moves when " + p->name +
                                " moves) but parameters() does not declare it; declared by: " +
                                names_of(graph.declaring_nodes(*p)));
    }
  }
  run_node_forward(node);
}

// Which side of each declared kink every kinked node's inputs are on, with the owners.
std::vector<signed char> kink_sides(const Graph& graph, std::vector<const Node*>* owners) {
  std::vector<signed char> sides;
  for (const Node* n : graph.nodes()) {
    for (const Kink& k : n->kinks()) {
      for (double x : n->inputs()[k.input]->value()) {
        sides.push_back(static_cast<signed char>((x > k.at) - (x < k.at)));
        if (owners != nullptr) owners->push_back(n);
      }
    }
  }
  return sides;
}

std::string threads_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " thread" : " threads"); }

// The paths Graph::forward_backward takes against the plain pass `plain`: the value switched
// off on the whole batch, then (tileable graphs, 2 examples or more) tiles of about a third of
// the batch on 1 and 2 threads, the value on and then off. The graph's tile width and xgrad's
// thread setting are put back.
void check_training_paths(Graph& graph, const StepResult& plain, CheckReport& report, CheckAccumulator& acc) {
  struct PutBack {
    Graph& graph;
    std::size_t tiles = graph.tile_columns_setting();
    std::size_t thread_count = threads();
    ~PutBack() {
      graph.set_tile_columns(tiles);
      set_threads(thread_count);
    }
  } put_back{graph};
  const std::size_t batch = graph.batch();
  auto add = [&](const std::string& path, const StepResult& got) {
    for (PathCheck& c : compare_paths(path, got, plain, graph)) {
      if (!c.ok) {
        acc.find("model", "Graph::forward_backward (" + path + ") gives " +
                              (c.block == "loss" ? std::string("a loss") : "a gradient of " + c.block) +
                              " that differs from forward() + backward() by " + format_double(c.difference) +
                              " (max abs error " + format_double(c.max_abs_error) +
                              "); nodes with scheduling hooks: " + nodes_with_hooks(graph) +
                              " (check_nodes names the hook)");
      }
      report.paths.push_back(std::move(c));
    }
  };
  graph.set_tile_columns(batch);  // one tile: the plain pass with the value switched off
  add("whole batch, value switched off", training_pass(graph, false));
  if (!graph.tileable() || batch < 2) return;
  const std::size_t width = (batch + 2) / 3;
  graph.set_tile_columns(width);
  const std::string tiles = "tiles of " + std::to_string(width) + " columns";
  for (std::size_t n : {std::size_t{1}, std::size_t{2}}) {
    set_threads(n);
    add(tiles + ", " + threads_text(n), training_pass(graph, true));
  }
  add(tiles + ", 2 threads, value switched off", training_pass(graph, false));
}

}  // namespace

CheckReport check_nodes(Graph& graph, const CheckOptions& options) {
  options.validate();
  if (graph.batch() == 0) throw InputError("check_nodes: the graph has no data (feed it first)");
  Restorations restore;
  restore.pin_all(graph);
  graph.forward(Mode::train);
  CheckReport report;
  report.options = options;
  CheckAccumulator acc(report);
  RandomState rng(options.seed);
  for (Node* n : graph.nodes()) {
    if (dynamic_cast<Input*>(n) != nullptr) continue;
    report.merge(check_node(*n, options));
    find_undeclared_reads(graph, *n, rng, acc);
  }
  return report;
}

CheckReport check_graph(Graph& graph, const CheckOptions& options) {
  options.validate();
  CheckReport report;
  report.options = options;
  CheckAccumulator acc(report);
  graph.loss();  // throws when there is none
  if (graph.batch() == 0) throw InputError("check_graph: the graph has no data (feed it first)");
  Restorations restore;
  restore.pin_all(graph);
  const auto params = graph.parameters();
  for (Parameter* p : params) restore.save(p->value);

  for (const Parameter* p : params) {
    if (graph.declaring_nodes(*p).empty()) {
      acc.find("model", "parameter '" + p->name +
                            "' is declared by no node (a node that reads it must list it in parameters())");
    }
  }

  std::vector<const Node*> kink_owner;
  auto cost = [&] {
    graph.forward(Mode::train);
    const double j = graph.loss_value();
    return Sample{j, std::abs(j), {}};
  };
  const Sample base = cost();
  const auto base_sides = kink_sides(graph, &kink_owner);
  std::vector<Matrix> values0;
  for (const Node* n : graph.nodes()) values0.push_back(n->value());
  cost();
  for (std::size_t i = 0; i < values0.size(); ++i) {
    if (auto k = first_difference(values0[i], graph.nodes()[i]->value())) {
      acc.find(graph.nodes()[i]->name(), "forward is not deterministic: value" + entry_name(values0[i], *k) +
                                             " differs between two runs with the same parameters");
      break;
    }
  }
  graph.backward();
  std::vector<Matrix> analytic;
  for (const Parameter* p : params) analytic.push_back(p->grad);

  const Evaluate evaluate = [&] {
    Sample s = cost();
    const auto sides = kink_sides(graph, nullptr);
    for (std::size_t i = 0; i < sides.size(); ++i) {
      if (sides[i] != base_sides[i]) {
        s.kink = kink_owner[i]->name();
        break;
      }
    }
    return s;
  };
  const bool fast = runs_fast(options, parameter_count(params));
  acc.set_mode(fast ? "fast" : "full");
  std::size_t planned = 0;
  for (const Parameter* p : params) planned += planned_checks(options, p->value.size(), fast);
  acc.set_planned(planned);
  RandomState rng(options.seed);
  for (std::size_t b = 0; b < params.size(); ++b) {
    probe_block(acc, {"", params[b]->name, &params[b]->value, &analytic[b]}, fast, evaluate, base, rng);
  }
  if (!same_bits(cost().f, base.f)) {
    acc.find("model", "the loss differs after the check put every parameter back");
  }
  graph.backward();
  StepResult plain{base.f, analytic};
  if (std::isfinite(base.f)) check_training_paths(graph, plain, report, acc);
  cost();
  graph.backward();
  return report;
}

}  // namespace xgrad

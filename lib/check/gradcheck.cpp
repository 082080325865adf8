#include <xgrad/check/gradcheck.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

#include <xgrad/core/error.hpp>
#include <xgrad/nodes/input.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/core/random_stream.hpp>

namespace xgrad {

CheckOptions CheckOptions::course() {
  CheckOptions o;
  o.step = 1e-7;
  o.threshold = 1e-7;
  return o;
}

void CheckOptions::validate() const {
  auto require = [](bool ok, const char* what, const char* rule, double value) {
    if (ok) return;
    std::ostringstream msg;
    msg << "gradient check: " << what << " must be " << rule << ", got " << value;
    throw InputError(msg.str());
  };
  require(step > 0.0 && std::isfinite(step), "step (epsilon)", "a finite number > 0", step);
  require(rtol >= 0.0 && std::isfinite(rtol), "rtol", "a finite number >= 0", rtol);
  require(atol >= 0.0 && std::isfinite(atol), "atol", "a finite number >= 0", atol);
  require(threshold >= 0.0 && std::isfinite(threshold), "threshold", "a finite number >= 0", threshold);
  if (batch == 0) throw InputError("gradient check: batch must be at least 1, got 0");
}

// Builds a report's blocks and entries and the running sums behind the differences.
class CheckAccumulator {
 public:
  explicit CheckAccumulator(CheckReport& report) : report_(report) {}

  void begin_block(std::string node, std::string block) {
    BlockCheck block_check;
    block_check.node = std::move(node);
    block_check.block = std::move(block);
    report_.blocks.push_back(std::move(block_check));
    sq_diff_ = sq_a_ = sq_n_ = 0.0;
  }

  // f_plus and f_minus are the two function values behind `numeric`: they set how much
  // round-off the difference quotient carries.
  void add(std::size_t row, std::size_t col, double analytic, double numeric, double f_plus,
           double f_minus, bool kink, std::string kink_at = {}) {
    const CheckOptions& o = report_.options;
    BlockCheck& b = report_.blocks.back();
    EntryCheck e;
    e.node = b.node;
    e.block = b.block;
    e.row = row;
    e.col = col;
    e.analytic = analytic;
    e.numeric = numeric;
    e.abs_error = std::abs(analytic - numeric);
    const double scale = std::max(std::abs(analytic), std::abs(numeric));
    e.rel_error = scale > 0.0 ? e.abs_error / scale : 0.0;
    const double roundoff = std::numeric_limits<double>::epsilon() *
                            (std::abs(f_plus) + std::abs(f_minus)) / (2.0 * o.step);
    const double tolerance = o.atol + o.rtol * scale + 10.0 * roundoff;
    e.kink = kink;
    e.kink_at = std::move(kink_at);
    e.failed = !kink && !(e.abs_error <= tolerance);
    ++b.entries;
    if (kink) {
      ++b.kinks;
    } else {
      const double d = analytic - numeric;
      sq_diff_ += d * d;
      sq_a_ += analytic * analytic;
      sq_n_ += numeric * numeric;
      report_.sum_sq_diff_ += d * d;
      report_.sum_sq_analytic_ += analytic * analytic;
      report_.sum_sq_numeric_ += numeric * numeric;
      b.max_abs_error = std::max(b.max_abs_error, e.abs_error);
      b.max_rel_error = std::max(b.max_rel_error, e.rel_error);
      b.difference = difference(sq_diff_, sq_a_, sq_n_);
    }
    if (e.failed) ++b.failures;
    report_.entries.push_back(std::move(e));
  }

  void find(std::string node, std::string problem) {
    report_.findings.push_back(Finding{std::move(node), std::move(problem)});
  }

  static double difference(double sq_diff, double sq_a, double sq_n) {
    const double denominator = std::sqrt(sq_a) + std::sqrt(sq_n);
    return denominator > 0.0 ? std::sqrt(sq_diff) / denominator : 0.0;
  }

  static void merge_sums(CheckReport& into, const CheckReport& from) {
    into.sum_sq_diff_ += from.sum_sq_diff_;
    into.sum_sq_analytic_ += from.sum_sq_analytic_;
    into.sum_sq_numeric_ += from.sum_sq_numeric_;
  }

  static double overall(const CheckReport& r) {
    return difference(r.sum_sq_diff_, r.sum_sq_analytic_, r.sum_sq_numeric_);
  }

 private:
  CheckReport& report_;
  double sq_diff_ = 0.0, sq_a_ = 0.0, sq_n_ = 0.0;
};

double CheckReport::difference() const { return CheckAccumulator::overall(*this); }

bool CheckReport::passed() const {
  if (!findings.empty()) return false;
  for (const BlockCheck& b : blocks) {
    if (!b.ok()) return false;
  }
  return difference() <= options.threshold;
}

std::vector<std::string> CheckReport::wrong_blocks() const {
  std::vector<std::string> names;
  for (const BlockCheck& b : blocks) {
    if (!b.ok()) names.push_back(b.node.empty() ? b.block : b.node + "/" + b.block);
  }
  return names;
}

void CheckReport::merge(const CheckReport& other) {
  blocks.insert(blocks.end(), other.blocks.begin(), other.blocks.end());
  entries.insert(entries.end(), other.entries.begin(), other.entries.end());
  findings.insert(findings.end(), other.findings.begin(), other.findings.end());
  CheckAccumulator::merge_sums(*this, other);
}

namespace {

std::string sci(double v, int precision = 3) {
  std::ostringstream s;
  s << std::scientific << std::setprecision(precision) << v;
  return s.str();
}

std::string g17(double v) {
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return s.str();
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string CheckReport::to_string() const {
  std::ostringstream out;
  const double diff = difference();
  std::size_t failing = 0, kinks = 0;
  for (const EntryCheck& e : entries) {
    failing += e.failed ? 1 : 0;
    kinks += e.kink ? 1 : 0;
  }
  out << "gradient check " << (passed() ? "PASSED" : "FAILED") << ": difference " << sci(diff)
      << (diff <= options.threshold ? " <= " : " > ") << "threshold " << sci(options.threshold, 1)
      << ", step " << sci(options.step, 1) << "; " << entries.size() << " entries, " << failing
      << " wrong, " << kinks << " at kinks\n";
  const auto wrong = wrong_blocks();
  if (!wrong.empty()) {
    out << "wrong blocks:";
    for (const auto& w : wrong) out << ' ' << w;
    out << '\n';
  } else if (diff > options.threshold && findings.empty()) {
    out << "every entry agrees within tolerance: the difference is round-off in the difference "
           "quotient (try a larger step)\n";
  }
  if (!blocks.empty()) {
    std::size_t wn = 4, wb = 5;
    for (const BlockCheck& b : blocks) {
      wn = std::max(wn, b.node.size());
      wb = std::max(wb, b.block.size());
    }
    out << "  " << pad("node", wn) << "  " << pad("block", wb)
        << "  entries  difference  max abs err  max rel err  wrong  kinks  verdict\n";
    for (const BlockCheck& b : blocks) {
      out << "  " << pad(b.node, wn) << "  " << pad(b.block, wb) << "  " << std::setw(7)
          << b.entries << "  " << std::setw(10) << sci(b.difference, 2) << "  " << std::setw(11)
          << sci(b.max_abs_error, 2) << "  " << std::setw(11) << sci(b.max_rel_error, 2) << "  "
          << std::setw(5) << b.failures << "  " << std::setw(5) << b.kinks << "  "
          << (b.ok() ? "ok" : "WRONG") << '\n';
    }
  }
  std::vector<const EntryCheck*> worst;
  for (const EntryCheck& e : entries) worst.push_back(&e);
  std::stable_sort(worst.begin(), worst.end(), [](const EntryCheck* a, const EntryCheck* b) {
    if (a->failed != b->failed) return a->failed;
    if (a->kink != b->kink) return b->kink;
    return a->rel_error > b->rel_error;
  });
  if (worst.size() > options.worst) worst.resize(options.worst);
  if (!worst.empty()) {
    out << "worst entries:\n";
    for (const EntryCheck* e : worst) {
      out << "  " << (e->node.empty() ? "" : e->node + " ") << e->block << '(' << e->row << ','
          << e->col << ")  analytic " << g17(e->analytic) << "  numeric " << g17(e->numeric)
          << "  abs err " << sci(e->abs_error, 2) << "  rel err " << sci(e->rel_error, 2);
      if (e->failed) out << "  WRONG";
      if (e->kink) out << "  kink" << (e->kink_at.empty() ? "" : " at " + e->kink_at);
      out << '\n';
    }
  }
  for (const Finding& f : findings) out << "problem: " << f.node << ": " << f.problem << '\n';
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const CheckReport& report) {
  return out << report.to_string();
}

namespace {

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// First entry where two same-shaped matrices differ bitwise, if any.
std::optional<std::size_t> first_difference(const Matrix& a, const Matrix& b) {
  if (a.shape() != b.shape()) return 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!same_bits(a.data()[k], b.data()[k])) return k;
  }
  return std::nullopt;
}

std::string entry_name(const Matrix& m, std::size_t k) {
  const std::size_t cols = m.shape(1) == 0 ? 1 : m.shape(1);
  std::string name = "(";  // built up in steps: GCC 12 warns falsely (-Wrestrict) on "(" + to_string
  name += std::to_string(k / cols);
  name += ',';
  name += std::to_string(k % cols);
  name += ')';
  return name;
}

double weighted_sum(const Matrix& value, const Matrix& weights) {
  double s = 0.0;
  for (std::size_t k = 0; k < value.size(); ++k) s += value.data()[k] * weights.data()[k];
  return s;
}

// A gradient the node's backward writes: a differentiable input's or a parameter's.
struct GradTarget {
  std::string block;
  Matrix* values;  // what is perturbed
  Matrix* grad;    // what backward adds into
  std::size_t input = SIZE_MAX;  // input index, or SIZE_MAX for a parameter
};

void fill_input(Input& input, InputDomain domain, RandomState& rng) {
  Matrix& v = input.value();
  if (domain == InputDomain::one_hot) {
    v.fill(0.0);
    for (std::size_t c = 0; c < v.shape(1); ++c) {
      const auto hot = std::min<std::size_t>(static_cast<std::size_t>(rng.random_sample() * v.shape(0)), v.shape(0) - 1);
      v(hot, c) = 1.0;
    }
    return;
  }
  for (double& x : v) {
    switch (domain) {
      case InputDomain::labels: x = rng.random_sample() < 0.5 ? 0.0 : 1.0; break;
      case InputDomain::probability: x = rng.uniform(0.05, 0.95); break;
      case InputDomain::real: x = rng.uniform(-1.0, 1.0); break;
      case InputDomain::positive: x = rng.uniform(0.5, 2.0); break;
      case InputDomain::one_hot: break;
    }
  }
}

// Holds every random stream of the graph still until the returned pins go out of scope.
std::vector<std::unique_ptr<RandomStream::Pin>> pin_streams(const Graph& graph) {
  std::vector<std::unique_ptr<RandomStream::Pin>> pins;
  for (RandomStream* s : graph.random_streams()) pins.push_back(std::make_unique<RandomStream::Pin>(*s));
  return pins;
}

}  // namespace

CheckReport check_node(Node& node, const CheckOptions& options) {
  options.validate();
  CheckReport report;
  report.options = options;
  CheckAccumulator acc(report);
  RandomState rng(options.seed);
  const auto inputs = node.inputs();
  const std::string& name = node.name();

  if (node.batch() == 0) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto* in = dynamic_cast<Input*>(inputs[i]);
      if (in == nullptr) {
        throw InputError(name + ": check_node: input '" + inputs[i]->name() +
                         "' has no value yet; run the graph forward first");
      }
      in->resize(options.batch);
      fill_input(*in, node.input_domain(i), rng);
    }
    node.resize(options.batch);
  }
  for (Node* in : inputs) {
    if (in->batch() != node.batch()) {
      throw InputError(name + ": check_node: input '" + in->name() + "' is sized for " +
                       std::to_string(in->batch()) + " examples but the node for " +
                       std::to_string(node.batch()));
    }
  }

  // Everything the check changes, to put back at the end.
  const Matrix saved_value = node.value();
  const Matrix saved_grad = node.grad();
  std::vector<GradTarget> targets;
  std::vector<bool> saved_requires;
  std::vector<Matrix> saved_target_grads;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    saved_requires.push_back(inputs[i]->requires_grad());
    if (!is_differentiable(node.input_domain(i))) continue;
    inputs[i]->set_requires_grad(true);
    targets.push_back({"input " + std::to_string(i) + " (" + inputs[i]->name() + ")",
                       &inputs[i]->value(), &inputs[i]->grad(), i});
  }
  for (Parameter* p : node.parameters()) targets.push_back({p->name, &p->value, &p->grad});
  for (const GradTarget& t : targets) saved_target_grads.push_back(*t.grad);

  RandomStream* stream = node.random_stream();
  std::optional<RandomStream::Pin> pin;
  if (stream != nullptr) pin.emplace(*stream);
  auto run_forward = [&] {
    if (stream != nullptr) stream->begin_pass();
    node.forward(Mode::train);
  };

  // Forward writes every entry, and twice gives the same bits.
  node.value().fill(std::numeric_limits<double>::quiet_NaN());
  run_forward();
  std::size_t unwritten = 0;
  for (double v : node.value()) unwritten += std::isnan(v) ? 1 : 0;
  if (unwritten > 0) {
    acc.find(name, "forward left " + std::to_string(unwritten) + " of " +
                       std::to_string(node.value().size()) +
                       " value entries unwritten (NaN pre-fill survived)");
  }
  const Matrix v0 = node.value();
  run_forward();
  if (auto k = first_difference(v0, node.value())) {
    acc.find(name, "forward is not deterministic: value" + entry_name(v0, *k) +
                       " differs between two runs on the same inputs");
  }

  const Matrix upstream = rng.uniform(-1.0, 1.0, v0.shape(0), v0.shape(1));
  auto run_backward = [&](const Matrix& up) {
    run_forward();
    xt::noalias(node.grad()) = up;
    node.backward();
  };

  // Analytic gradients, from zeroed buffers.
  for (GradTarget& t : targets) t.grad->fill(0.0);
  run_backward(upstream);
  std::vector<Matrix> analytic;
  for (const GradTarget& t : targets) analytic.push_back(*t.grad);

  // Backward adds into gradients that already hold something, and writes every entry.
  std::vector<Matrix> prefill;
  for (GradTarget& t : targets) {
    prefill.push_back(rng.uniform(-1.0, 1.0, t.grad->shape(0), t.grad->shape(1)));
    xt::noalias(*t.grad) = prefill.back();
  }
  run_backward(upstream);
  // untouched[t][k]: the entry still holds its pre-fill bits, so backward did not write it.
  std::vector<std::vector<bool>> untouched(targets.size());
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const Matrix& got = *targets[t].grad;
    std::size_t overwritten = 0, other = 0, nonzero = 0;
    std::optional<std::size_t> first_bad;
    untouched[t].resize(got.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
      const double g = analytic[t].data()[k], p = prefill[t].data()[k], r = got.data()[k];
      untouched[t][k] = same_bits(r, p);
      const double expect = p + g;
      if (std::abs(g) > 1e-12) ++nonzero;
      if (std::abs(r - expect) <= 1e-12 * (1.0 + std::abs(expect))) continue;
      if (!first_bad) first_bad = k;
      if (std::abs(r - g) <= 1e-12 * (1.0 + std::abs(g))) {
        ++overwritten;
      } else {
        ++other;
      }
    }
    const std::string where = targets[t].block + entry_name(got, first_bad.value_or(0));
    if (overwritten > 0 && nonzero > 0) {
      acc.find(name, "backward overwrites the gradient of " + targets[t].block +
                         " instead of adding to it (e.g. " + where + ")");
    } else if (other > 0 || overwritten > 0) {
      acc.find(name, "backward's result for " + targets[t].block +
                         " depends on what the gradient buffer held before (e.g. " + where + ")");
    }
  }

  // A zero upstream gradient gives zero gradients.
  for (GradTarget& t : targets) t.grad->fill(0.0);
  run_backward(xt::zeros<double>(upstream.shape()));
  for (const GradTarget& t : targets) {
    for (std::size_t k = 0; k < t.grad->size(); ++k) {
      if (t.grad->data()[k] != 0.0) {
        acc.find(name, "with a zero upstream gradient the gradient of " + t.block +
                           entry_name(*t.grad, k) + " is " + g17(t.grad->data()[k]) +
                           " (a term not multiplied by the upstream gradient?)");
        break;
      }
    }
  }

  // Central differences, entry by entry.
  const double h = options.step;
  const auto kinks = node.kinks();
  auto f = [&] {
    run_forward();
    return weighted_sum(node.value(), upstream);
  };
  for (std::size_t t = 0; t < targets.size(); ++t) {
    acc.begin_block(name, targets[t].block);
    Matrix& x = *targets[t].values;
    const std::size_t cols = x.shape(1);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double original = x.data()[k];
      x.data()[k] = original + h;
      const double f_plus = f();
      x.data()[k] = original - h;
      const double f_minus = f();
      x.data()[k] = original;
      bool kink = false;
      for (const Kink& kk : kinks) {
        if (kk.input == targets[t].input && (original - h - kk.at) * (original + h - kk.at) <= 0.0) {
          kink = true;
        }
      }
      acc.add(k / cols, k % cols, analytic[t].data()[k], (f_plus - f_minus) / (2.0 * h), f_plus,
              f_minus, kink);
    }
  }
  // Entries backward left untouched although the function depends on them.
  std::size_t entry = report.entries.size();
  for (std::size_t t = targets.size(); t-- > 0;) {
    entry -= targets[t].values->size();
    std::size_t never = 0;
    std::optional<std::size_t> first;
    for (std::size_t k = 0; k < targets[t].values->size(); ++k) {
      if (untouched[t][k] && report.entries[entry + k].failed) {
        ++never;
        if (!first) first = k;
      }
    }
    if (never > 0) {
      acc.find(name, "backward never writes " + std::to_string(never) + " entries of the gradient of " +
                         targets[t].block + " although the value depends on them (e.g. " +
                         targets[t].block + entry_name(*targets[t].grad, *first) + ")");
    }
  }
  run_forward();
  if (auto k = first_difference(v0, node.value())) {
    acc.find(name, "value" + entry_name(v0, *k) +
                       " differs after the check put every perturbed entry back");
  }

  // Put everything back.
  for (std::size_t t = 0; t < targets.size(); ++t) *targets[t].grad = saved_target_grads[t];
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i]->set_requires_grad(saved_requires[i]);
  xt::noalias(node.value()) = saved_value;
  xt::noalias(node.grad()) = saved_grad;
  return report;
}

CheckReport check_nodes(Graph& graph, const CheckOptions& options) {
  options.validate();
  if (graph.batch() == 0) throw InputError("check_nodes: the graph has no data (feed it first)");
  const auto pins = pin_streams(graph);
  graph.forward(Mode::train);
  CheckReport report;
  report.options = options;
  for (Node* n : graph.nodes()) {
    if (dynamic_cast<Input*>(n) != nullptr) continue;
    report.merge(check_node(*n, options));
  }
  return report;
}

namespace {

// Which side of each declared kink every kinked node's inputs are on.
std::vector<std::int8_t> kink_sides(const Graph& graph, std::vector<std::string>* owners) {
  std::vector<std::int8_t> sides;
  for (const Node* n : graph.nodes()) {
    for (const Kink& k : n->kinks()) {
      for (double x : n->inputs()[k.input]->value()) {
        sides.push_back(static_cast<std::int8_t>((x > k.at) - (x < k.at)));
        if (owners != nullptr) owners->push_back(n->name());
      }
    }
  }
  return sides;
}

}  // namespace

CheckReport check_graph(Graph& graph, const CheckOptions& options) {
  options.validate();
  CheckReport report;
  report.options = options;
  CheckAccumulator acc(report);
  graph.loss();  // throws when there is none
  if (graph.batch() == 0) throw InputError("check_graph: the graph has no data (feed it first)");
  const auto pins = pin_streams(graph);

  auto cost = [&] {
    graph.forward(Mode::train);
    return graph.loss_value();
  };
  const double j0 = cost();
  std::vector<Matrix> values0;
  for (const Node* n : graph.nodes()) values0.push_back(n->value());
  cost();
  for (std::size_t i = 0; i < values0.size(); ++i) {
    if (auto k = first_difference(values0[i], graph.nodes()[i]->value())) {
      acc.find(graph.nodes()[i]->name(), "forward is not deterministic: value" +
                                             entry_name(values0[i], *k) +
                                             " differs between two runs with the same parameters");
      break;
    }
  }
  graph.backward();
  std::vector<Matrix> analytic;
  for (const Parameter* p : graph.parameters()) analytic.push_back(p->grad);

  std::vector<std::string> kink_owner;
  kink_sides(graph, &kink_owner);
  const double h = options.step;
  const auto params = graph.parameters();
  for (std::size_t b = 0; b < params.size(); ++b) {
    Parameter& p = *params[b];
    acc.begin_block("model", p.name);
    const std::size_t cols = p.value.shape(1);
    for (std::size_t k = 0; k < p.value.size(); ++k) {
      const double original = p.value.data()[k];
      p.value.data()[k] = original + h;
      const double f_plus = cost();
      const auto sides_plus = kink_sides(graph, nullptr);
      p.value.data()[k] = original - h;
      const double f_minus = cost();
      const auto sides_minus = kink_sides(graph, nullptr);
      p.value.data()[k] = original;
      std::string kink_at;
      for (std::size_t s = 0; s < sides_plus.size(); ++s) {
        if (sides_plus[s] != sides_minus[s]) {
          kink_at = kink_owner[s];
          break;
        }
      }
      acc.add(k / cols, k % cols, analytic[b].data()[k], (f_plus - f_minus) / (2.0 * h), f_plus,
              f_minus, !kink_at.empty(), kink_at);
    }
  }
  if (!same_bits(cost(), j0)) {
    acc.find("model", "the loss differs after the check put every parameter back");
  }
  graph.backward();
  return report;
}

CheckReport check_function(const Blocks& theta, const std::function<double(const Blocks&)>& cost,
                           const std::function<Blocks(const Blocks&)>& gradient,
                           const CheckOptions& options) {
  options.validate();
  CheckReport report;
  report.options = options;
  CheckAccumulator acc(report);
  const Blocks grads = gradient(theta);
  if (grads.size() != theta.size()) {
    throw InputError("check_function: the gradient has " + std::to_string(grads.size()) +
                     " blocks but theta has " + std::to_string(theta.size()));
  }
  for (std::size_t b = 0; b < theta.size(); ++b) {
    if (grads[b].value.shape() != theta[b].value.shape()) {
      throw InputError("check_function: gradient block " + std::to_string(b) + " ('" +
                       grads[b].name + "') is " + shape_string(grads[b].value) +
                       " but parameter '" + theta[b].name + "' is " +
                       shape_string(theta[b].value));
    }
  }
  const double j0 = cost(theta);
  if (!same_bits(cost(theta), j0)) acc.find("function", "J(theta) is not deterministic");
  Blocks work = theta;
  const double eps = options.step;
  for (std::size_t b = 0; b < work.size(); ++b) {
    acc.begin_block("", work[b].name);
    Matrix& x = work[b].value;
    const std::size_t cols = x.shape(1);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double original = x.data()[k];
      x.data()[k] = original + eps;
      const double j_plus = cost(work);
      x.data()[k] = original - eps;
      const double j_minus = cost(work);
      x.data()[k] = original;
      acc.add(k / cols, k % cols, grads[b].value.data()[k], (j_plus - j_minus) / (2 * eps),
              j_plus, j_minus, false);
    }
  }
  return report;
}

}  // namespace xgrad

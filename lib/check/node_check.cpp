// check_node: one node against numeric derivatives of f = sum(value * R), in named phases.
// Everything a phase changes is registered with a Restorations guard and put back.
#include <xgrad/check/gradcheck.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/input.hpp>

#include "accumulator.hpp"
#include "entries.hpp"
#include "hook_check.hpp"
#include "number_text.hpp"
#include "input_fill.hpp"
#include "probe.hpp"
#include "restore.hpp"

namespace xgrad {

namespace {

// A gradient the node's backward writes: one distinct differentiable input node (perhaps
// read by several input slots) or one distinct parameter.
struct Target {
  std::string block;
  Matrix* values;  // what is perturbed
  Matrix* grad;    // what backward adds into
  Node* input = nullptr;             // nullptr for a parameter
  std::vector<std::size_t> slots;    // the input slots that read it
  InputDomain domain = InputDomain::real;
};

void fill_input(Input& input, InputDomain domain, RandomState& rng) { fill_by_domain(input.value(), domain, rng); }


// Column `col` of m, restricted to the columns m has (scalar nodes: column 0).
Matrix column_of(const Matrix& m, std::size_t col) {
  Matrix c({m.shape(0), 1});
  for (std::size_t r = 0; r < m.shape(0); ++r) c(r, 0) = m(r, col);
  return c;
}

// While alive: the node sized for one example and each distinct input holding only column
// `col` of its value (swapped in, not copied over, so nothing is reallocated in the input).
class ColumnScope {
 public:
  ColumnScope(Node& node, const std::vector<Node*>& inputs, std::size_t col)
      : node_(node), inputs_(inputs), batch_(node.batch()) {
    for (Node* in : inputs_) {
      Matrix c = column_of(in->value(), col);
      std::swap(in->value(), c);
      saved_.push_back(std::move(c));
    }
    node_.resize(1);
  }
  ~ColumnScope() {
    node_.resize(batch_);
    for (std::size_t i = 0; i < inputs_.size(); ++i) std::swap(inputs_[i]->value(), saved_[i]);
  }
  ColumnScope(const ColumnScope&) = delete;
  ColumnScope& operator=(const ColumnScope&) = delete;

 private:
  Node& node_;
  const std::vector<Node*>& inputs_;
  std::size_t batch_;
  std::vector<Matrix> saved_;
};

class NodeCheck {
 public:
  NodeCheck(Node& node, const CheckOptions& options)
      : node_(node), rng_(options.seed), acc_(report_) {
    report_.options = options;
  }

  CheckReport run() {
    prepare_inputs();
    collect_targets();
    if (!check_forward()) return std::move(report_);
    check_determinism();
    check_backward_structure();
    compare_numeric();
    check_never_written();
    check_restored();
    check_hooks();
    return std::move(report_);
  }

 private:
  const std::string& name() const { return node_.name(); }
  const CheckOptions& options() const { return report_.options; }

  void run_forward() {
    if (RandomStream* s = node_.random_stream()) s->begin_pass();
    node_.forward(Mode::train);
  }
  void run_backward(const Matrix& upstream) {
    run_forward();
    xt::noalias(node_.grad()) = upstream;
    node_.backward();
  }

  // Unsized inputs (Input nodes only) are sized and filled by the node's input domains.
  void prepare_inputs() {
    const auto inputs = node_.inputs();
    if (node_.batch() == 0) {
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        auto* in = dynamic_cast<Input*>(inputs[i]);
        if (in == nullptr) {
          throw InputError(name() + ": check_node: input '" + inputs[i]->name() +
                           "' has no value yet; run the graph forward first");
        }
        if (in->batch() == options().batch) continue;  // the same Input in two slots
        in->resize(options().batch);
        fill_input(*in, node_.input_domain(i), rng_);
      }
      node_.resize(options().batch);
    }
    for (Node* in : inputs) {
      if (in->batch() != node_.batch()) {
        throw InputError(name() + ": check_node: input '" + in->name() + "' is sized for " +
                         std::to_string(in->batch()) + " examples but the node for " +
                         std::to_string(node_.batch()));
      }
    }
  }

  // Distinct differentiable inputs, then distinct parameters; their gradients, the inputs'
  // requires_grad flags and the node's value and grad are saved for the end.
  void collect_targets() {
    restore_.save(node_.value());
    restore_.save(node_.grad());
    if (RandomStream* s = node_.random_stream()) restore_.pin(*s);
    const auto inputs = node_.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      Node* in = inputs[i];
      if (std::find(distinct_inputs_.begin(), distinct_inputs_.end(), in) == distinct_inputs_.end()) {
        distinct_inputs_.push_back(in);
        restore_.save_requires_grad(*in);
      }
      if (!is_differentiable(node_.input_domain(i))) continue;
      auto same = std::find_if(targets_.begin(), targets_.end(), [&](const Target& t) { return t.input == in; });
      if (same != targets_.end()) {
        same->slots.push_back(i);
        continue;
      }
      in->set_requires_grad(true);
      targets_.push_back({"", &in->value(), &in->grad(), in, {i}, node_.input_domain(i)});
    }
    for (Target& t : targets_) {
      std::string slots;
      for (std::size_t s : t.slots) {
        if (!slots.empty()) slots += ',';
        slots += std::to_string(s);
      }
      t.block = "input " + slots + " (" + t.input->name() + ")";
    }
    for (Parameter* p : node_.parameters()) {
      const bool seen = std::any_of(targets_.begin(), targets_.end(), [&](const Target& t) { return t.values == &p->value; });
      if (!seen) targets_.push_back({p->name, &p->value, &p->grad, nullptr, {}, InputDomain::real});
    }
    for (Target& t : targets_) restore_.save(*t.grad);
  }

  // Inputs' entries at value entry k, for a finding: the same entry, else the same column.
  std::string inputs_at(std::size_t k) const {
    const Matrix& v = node_.value();
    const std::size_t row = k / v.shape(1), col = k % v.shape(1);
    std::string text;
    const auto inputs = node_.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Matrix& x = inputs[i]->value();
      text += (i == 0 ? "" : ", ") + inputs[i]->name();
      if (x.shape() == v.shape()) {
        text += entry_name(x, row * x.shape(1) + col) + " = " + number_text(x(row, col));
        continue;
      }
      const bool same_columns = x.shape(1) == v.shape(1);
      text += same_columns ? "(:," + std::to_string(col) + ") = [" : " = [";
      const std::size_t n = same_columns ? x.shape(0) : x.size();
      for (std::size_t j = 0; j < std::min<std::size_t>(n, 6); ++j) {
        text += (j == 0 ? "" : ", ") + number_text(same_columns ? x(j, col) : x.data()[j]);
      }
      text += n > 6 ? ", ...]" : "]";
    }
    return text;
  }

  // Forward writes every entry (two different pre-fills survive nowhere) and every value it
  // writes is finite. Returns false when the values are unusable for the numeric phases.
  bool check_forward() {
    Matrix& value = node_.value();
    value.fill(std::numeric_limits<double>::quiet_NaN());
    run_forward();
    const Matrix nan_filled = value;
    constexpr double kSentinel = -7.25e300;
    value.fill(kSentinel);
    run_forward();
    std::size_t unwritten = 0, non_finite = 0;
    std::optional<std::size_t> first_non_finite;
    for (std::size_t k = 0; k < value.size(); ++k) {
      const double v = value.data()[k];
      if (v == kSentinel && std::isnan(nan_filled.data()[k])) {
        ++unwritten;
      } else if (!std::isfinite(v)) {
        ++non_finite;
        if (!first_non_finite) first_non_finite = k;
      }
    }
    if (unwritten > 0) {
      acc_.find(name(), "forward left " + std::to_string(unwritten) + " of " + std::to_string(value.size()) +
                            " value entries unwritten (a pre-fill survived)");
    }
    if (first_non_finite) {
      const std::size_t k = *first_non_finite;
      acc_.find(name(), "forward produced " + number_text(value.data()[k]) + " at value" + entry_name(value, k) +
                            " (" + std::to_string(non_finite) + " of " + std::to_string(value.size()) +
                            " entries not finite) from input values " + inputs_at(k));
    }
    v0_ = value;
    return non_finite == 0;
  }

  void check_determinism() {
    run_forward();
    if (auto k = first_difference(v0_, node_.value())) {
      acc_.find(name(), "forward is not deterministic: value" + entry_name(v0_, *k) +
                            " differs between two runs on the same inputs");
    }
  }

  // Analytic gradients from zeroed buffers; then backward must add into pre-filled buffers
  // and write every entry; a zero upstream gradient must give zero gradients.
  void check_backward_structure() {
    upstream_ = rng_.uniform(-1.0, 1.0, v0_.shape(0), v0_.shape(1));
    for (Target& t : targets_) t.grad->fill(0.0);
    run_backward(upstream_);
    for (const Target& t : targets_) analytic_.push_back(*t.grad);

    std::vector<Matrix> prefill;
    for (Target& t : targets_) {
      prefill.push_back(rng_.uniform(-1.0, 1.0, t.grad->shape(0), t.grad->shape(1)));
      xt::noalias(*t.grad) = prefill.back();
    }
    run_backward(upstream_);
    untouched_.resize(targets_.size());
    for (std::size_t t = 0; t < targets_.size(); ++t) {
      const Matrix& got = *targets_[t].grad;
      std::size_t overwritten = 0, other = 0, nonzero = 0;
      std::optional<std::size_t> first_bad;
      untouched_[t].resize(got.size());
      for (std::size_t k = 0; k < got.size(); ++k) {
        const double g = analytic_[t].data()[k], p = prefill[t].data()[k], r = got.data()[k];
        untouched_[t][k] = same_bits(r, p);
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
      const std::string where = targets_[t].block + entry_name(got, first_bad.value_or(0));
      if (overwritten > 0 && nonzero > 0) {
        acc_.find(name(), "backward overwrites the gradient of " + targets_[t].block +
                              " instead of adding to it (e.g. " + where + ")");
      } else if (other > 0 || overwritten > 0) {
        acc_.find(name(), "backward's result for " + targets_[t].block +
                              " depends on what the gradient buffer held before (e.g. " + where + ")");
      }
    }

    for (Target& t : targets_) t.grad->fill(0.0);
    run_backward(xt::zeros<double>(upstream_.shape()));
    for (const Target& t : targets_) {
      for (std::size_t k = 0; k < t.grad->size(); ++k) {
        if (t.grad->data()[k] != 0.0) {
          acc_.find(name(), "with a zero upstream gradient the gradient of " + t.block + entry_name(*t.grad, k) +
                                " is " + number_text(t.grad->data()[k]) +
                                " (a term not multiplied by the upstream gradient?)");
          break;
        }
      }
    }
  }

  // Which side of each declared kink every kinked input entry is on.
  std::vector<signed char> kink_sides() const {
    std::vector<signed char> sides;
    for (const Kink& k : node_.kinks()) {
      for (double x : node_.inputs()[k.input]->value()) sides.push_back(static_cast<signed char>((x > k.at) - (x < k.at)));
    }
    return sides;
  }

  // f = sum(value * R) at the current inputs, and whether a kink side moved from `base`.
  Sample sample(const Matrix& upstream, const std::vector<signed char>& base_sides) {
    run_forward();
    Sample s;
    const Matrix& v = node_.value();
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double term = v.data()[k] * upstream.data()[k];
      s.f += term;
      s.magnitude += std::abs(term);
    }
    if (!base_sides.empty() && kink_sides() != base_sides) s.kink = name();
    return s;
  }

  void compare_numeric() {
    std::size_t total = 0;
    for (const Target& t : targets_) total += t.values->size();
    const bool fast = runs_fast(options(), total);
    acc_.set_mode(fast ? "fast" : "full");
    std::size_t planned = 0;
    for (const Target& t : targets_) planned += planned_checks(options(), t.values->size(), fast);
    acc_.set_planned(planned);
    const bool by_column = !fast && scheduling_hooks(node_).column_separable() && node_.batch() > 1;
    for (std::size_t t = 0; t < targets_.size(); ++t) {
      if (by_column && targets_[t].input != nullptr) {
        compare_by_column(t);
        continue;
      }
      const auto sides = kink_sides();
      const Sample base = sample(upstream_, sides);
      const Evaluate evaluate = [&] { return sample(upstream_, sides); };
      probe_block(acc_, {name(), targets_[t].block, targets_[t].values, &analytic_[t], targets_[t].domain}, fast,
                  evaluate, base, rng_);
    }
  }

  // A column-separable node's input entries, one column at a time (and the claim checked).
  void compare_by_column(std::size_t t) {
    claim_checked_ = true;
    Target& target = targets_[t];
    acc_.begin_block(name(), target.block);
    const std::size_t cols = target.values->shape(1);
    for (std::size_t c = 0; c < cols; ++c) {
      const Matrix upstream = column_of(upstream_, c);
      ColumnScope scope(node_, distinct_inputs_, c);
      const auto sides = kink_sides();
      const Sample base = sample(upstream, sides);
      check_column_claim(c);
      const Evaluate evaluate = [&] { return sample(upstream, sides); };
      Matrix& column = target.input->value();
      for (std::size_t r = 0; r < column.shape(0); ++r) {
        probe_entry(acc_, column, r, analytic_[t](r, c), target.domain, evaluate, base, r, c);
      }
    }
  }

  void check_column_claim(std::size_t c) {
    if (column_claim_broken_) return;
    const Matrix& v = node_.value();
    for (std::size_t r = 0; r < v.shape(0); ++r) {
      const double full = v0_(r, c), alone = v(r, 0);
      if (std::abs(full - alone) <= 1e-10 * (1.0 + std::abs(full))) continue;
      column_claim_broken_ = true;
      acc_.find(name(), "column_separable(): the node declares column_separable() but value(" + std::to_string(r) + "," + std::to_string(c) +
                            ") is " + number_text(full) + " over the batch and " + number_text(alone) +
                            " from column " + std::to_string(c) + " alone");
      return;
    }
  }

  // Entries backward left untouched (pre-fill bits survived) although the numeric check
  // says the function depends on them.
  void check_never_written() {
    for (std::size_t t = 0; t < targets_.size(); ++t) {
      const Matrix& grad = *targets_[t].grad;
      std::size_t never = 0;
      std::optional<std::size_t> first;
      for (const EntryCheck& e : report_.entries) {
        if (e.block != targets_[t].block || e.direction || !e.failed) continue;
        const std::size_t k = e.row * grad.shape(1) + e.col;
        if (!untouched_[t][k]) continue;
        ++never;
        if (!first || k < *first) first = k;
      }
      if (never > 0) {
        acc_.find(name(), "backward never writes " + std::to_string(never) + " entries of the gradient of " +
                              targets_[t].block + " although the value depends on them (e.g. " +
                              targets_[t].block + entry_name(grad, *first) + ")");
      }
    }
  }

  void check_restored() {
    run_forward();
    if (auto k = first_difference(v0_, node_.value())) {
      acc_.find(name(), "value" + entry_name(v0_, *k) + " differs after the check put every perturbed entry back");
    }
  }

  // The scheduling hooks the node declares, against the plain pass (hook_check.hpp).
  void check_hooks() {
    HookCheckSettings settings;
    settings.claim_checked_by_column = claim_checked_;
    check_node_hooks(node_, rng_, settings, report_.findings);
  }

  Node& node_;
  RandomState rng_;
  CheckReport report_;
  CheckAccumulator acc_;
  Restorations restore_;
  std::vector<Node*> distinct_inputs_;
  std::vector<Target> targets_;
  Matrix v0_, upstream_;
  std::vector<Matrix> analytic_;
  std::vector<std::vector<bool>> untouched_;
  bool column_claim_broken_ = false;
  bool claim_checked_ = false;  // the column_separable() claim was checked on every column
};

}  // namespace

CheckReport check_node(Node& node, const CheckOptions& options) {
  options.validate();
  return NodeCheck(node, options).run();
}

}  // namespace xgrad

// check_node_hooks: a node's scheduling hooks run as Graph::forward_backward runs them (column
// tiles with examples() != batch(), a worker copy beside the original and on another thread,
// the value switched off), each compared with the plain whole-batch pass.
#include "hook_check.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <latch>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/core/input.hpp>

#include "entries.hpp"
#include "input_fill.hpp"
#include "restore.hpp"

namespace xgrad {

namespace {

// Round-off allowed between a tiled and a whole-batch result: relative to the largest entry
// of the block (the tiles add the same terms in another order).
constexpr double kTileTolerance = 1e-9;
// Bitwise: a worker copy must give the original's bits (threads must not change results).
constexpr double kSameBits = -1.0;
// Rounds each thread runs when the original and its copy run at the same time.
constexpr int kConcurrentRounds = 8;

bool per_example(const Node& n) { return n.columns(2) == 2 && n.columns(3) == 3; }
bool scalar_node(const Node& n) { return n.rows() == 1 && n.columns(2) == 1 && n.columns(3) == 1; }


std::string ratio_text(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

std::string columns_text(std::size_t first, std::size_t width) {
  return width == 1 ? "column " + std::to_string(first)
                    : "columns " + std::to_string(first) + ".." + std::to_string(first + width - 1);
}

// Columns [first, first + width) of m.
Matrix columns_of(const Matrix& m, std::size_t first, std::size_t width) {
  Matrix c({m.shape(0), width});
  for (std::size_t r = 0; r < m.shape(0); ++r) {
    for (std::size_t j = 0; j < width; ++j) c(r, j) = m(r, first + j);
  }
  return c;
}

void put_columns(Matrix& into, const Matrix& part, std::size_t first) {
  for (std::size_t r = 0; r < part.shape(0); ++r) {
    for (std::size_t j = 0; j < part.shape(1); ++j) into(r, first + j) = part(r, j);
  }
}

double max_abs(const Matrix& m) {
  double v = 0.0;
  for (double x : m) v = std::max(v, std::abs(x));
  return v;
}

double norm(const Matrix& m) {
  double s = 0.0;
  for (double x : m) s += x * x;
  return std::sqrt(s);
}

// First entry where got and want differ: bitwise (tolerance kSameBits), or by more than
// tolerance x the block's largest entry. A NaN differs from everything but its own bits.
std::optional<std::size_t> differs(const Matrix& got, const Matrix& want, double tolerance) {
  if (got.shape() != want.shape()) return 0;
  const double allowed = tolerance < 0.0 ? 0.0 : tolerance * std::max(max_abs(got), max_abs(want));
  for (std::size_t k = 0; k < got.size(); ++k) {
    const double a = got.data()[k], b = want.data()[k];
    if (same_bits(a, b)) continue;
    if (tolerance < 0.0 || !(std::abs(a - b) <= allowed)) return k;
  }
  return std::nullopt;
}

// "the copy's value(0,3)", "the original's gradient of input 0 (x) at (1,2)".
std::string owned(const std::string& owner, const std::string& what) {
  return owner + "'s " + (what.starts_with("the ") ? what.substr(4) : what);
}

bool is_limit_error(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const LimitError&) {
    return true;
  } catch (...) {
    return false;
  }
}

bool close(double a, double b) {
  return same_bits(a, b) || std::abs(a - b) <= kTileTolerance * std::max(std::abs(a), std::abs(b));
}

// One node and what it reads and writes: the node under check, or its worker copy.
struct Lane {
  Node* node = nullptr;
  std::vector<Node*> inputs;       // distinct, in order of first use
  std::vector<Parameter*> params;  // distinct, in order
  bool owns_inputs = false;        // a copy's inputs (the check's own Input nodes) are resized with it
};

Lane lane_of(Node& node) {
  Lane lane{&node, {}, {}};
  for (Node* in : node.inputs()) {
    if (std::find(lane.inputs.begin(), lane.inputs.end(), in) == lane.inputs.end()) lane.inputs.push_back(in);
  }
  for (Parameter* p : node.parameters()) {
    if (std::find(lane.params.begin(), lane.params.end(), p) == lane.params.end()) lane.params.push_back(p);
  }
  return lane;
}

// What one pass produced.
struct Pass {
  Matrix value;
  std::vector<Matrix> input_grads;  // per distinct input; empty when it takes no gradient
  std::vector<Matrix> param_grads;  // per distinct parameter
};

using Batch = std::vector<Matrix>;  // one matrix per distinct input

Batch columns_of(const Batch& b, std::size_t first, std::size_t width) {
  Batch part;
  for (const Matrix& m : b) part.push_back(columns_of(m, first, width));
  return part;
}

// While alive, every input of the lane holds its matrix of `data` as value() and a zeroed
// gradient of the same shape (swapped in, and back out at the end).
class Installed {
 public:
  Installed(Lane& lane, const Batch& data) : lane_(lane) {
    for (std::size_t i = 0; i < lane_.inputs.size(); ++i) {
      Matrix value = data[i];
      Matrix grad = xt::zeros<double>(data[i].shape());
      std::swap(lane_.inputs[i]->value(), value);
      std::swap(lane_.inputs[i]->grad(), grad);
      values_.push_back(std::move(value));
      grads_.push_back(std::move(grad));
    }
  }
  ~Installed() {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      std::swap(lane_.inputs[i]->value(), values_[i]);
      std::swap(lane_.inputs[i]->grad(), grads_[i]);
    }
  }
  Installed(const Installed&) = delete;
  Installed& operator=(const Installed&) = delete;

 private:
  Lane& lane_;
  std::vector<Matrix> values_, grads_;
};

void size_lane(Lane& lane, std::size_t width, std::size_t examples) {
  for (Node* in : lane.inputs) {
    if (!lane.owns_inputs) break;
    in->resize(in->columns(width));
    in->set_examples(examples);
  }
  lane.node->resize(width);
  lane.node->set_examples(examples);
}

// Zeroed gradients, then forward (train mode).
void begin(Lane& lane, bool value_wanted = true) {
  for (Parameter* p : lane.params) p->grad.fill(0.0);
  for (Node* in : lane.inputs) {
    if (in->requires_grad()) in->grad().fill(0.0);
  }
  lane.node->set_value_wanted(value_wanted);
  if (RandomStream* s = lane.node->random_stream()) s->begin_pass();
  lane.node->forward(Mode::train);
}

void finish(Lane& lane, const Matrix& upstream) {
  xt::noalias(lane.node->grad()) = upstream;
  lane.node->backward();
}

Pass collect(const Lane& lane) {
  Pass p;
  p.value = lane.node->value();
  for (const Node* in : lane.inputs) p.input_grads.push_back(in->requires_grad() ? in->grad() : Matrix());
  for (const Parameter* q : lane.params) p.param_grads.push_back(q->grad);
  return p;
}

Pass run(Lane& lane, const Matrix& upstream, bool value_wanted = true) {
  begin(lane, value_wanted);
  finish(lane, upstream);
  Pass p = collect(lane);
  lane.node->set_value_wanted(true);
  return p;
}

// Where two passes differ first: what, at which entry, and the two numbers.
struct Mismatch {
  std::string what;  // "value(0,3)", "the gradient of input 0 (x) at (1,2)", "the gradient of fc.W at (0,0)"
  double got = 0.0;
  double want = 0.0;
  std::size_t column = 0;  // the entry's column
};

class HookCheck {
 public:
  HookCheck(Node& node, RandomState& rng, const HookCheckSettings& settings, std::vector<Finding>& out)
      : node_(node), rng_(rng), settings_(settings), out_(out), own_(lane_of(node)) {}

  void run() {
    if (node_.batch() == 0) return;
    const bool separable = scheduling_hooks(node_).column_separable() && per_example(node_);
    const bool mean = scheduling_hooks(node_).mean_over_columns();
    const bool scalar = scalar_node(node_);
    make_copy_inputs();
    std::unique_ptr<Node> copy = scheduling_hooks(node_).clone_for_worker(copy_slots_, copy_param_slots_);
    if (!separable && !mean && !scalar && copy == nullptr) return;

    // Put back at the end (in reverse order: the node's size first, then its buffers).
    Restorations restore;
    restore.save(node_.value());
    restore.save(node_.grad());
    for (Parameter* p : own_.params) restore.save(p->grad);
    const std::size_t batch = node_.batch(), examples = node_.examples();
    const bool wanted = node_.value_wanted();
    struct Resize {
      Node& node;
      std::size_t batch, examples;
      bool wanted;
      ~Resize() {
        node.resize(batch);
        node.set_examples(examples);
        node.set_value_wanted(wanted);
      }
    } resize_back{node_, batch, examples, wanted};

    const OneBlasThread one_blas_thread;
    make_batches();
    size_lane(own_, n_, n_);
    {
      Installed in(own_, x_);
      reference_ = run_pass(own_, upstream_);
    }
    if (!finite(reference_)) return;  // check_node reports the non-finite values

    const bool columns_ok = inputs_per_example_ && !own_.inputs.empty();
    if (separable && columns_ok && !settings_.claim_checked_by_column) check_sampled_columns();
    if ((separable || mean) && columns_ok && n_ >= 2) check_tiles(separable);
    if (scalar) check_value_switched_off();
    if (scheduling_hooks(node_).sums_inputs()) check_sum_of_inputs();
    if (copy != nullptr) check_copy(std::move(copy));
  }

 private:
  void find(std::string problem) { out_.push_back(Finding{node_.name(), std::move(problem)}); }

  static bool finite(const Pass& p) {
    auto ok = [](const Matrix& m) { return std::all_of(m.begin(), m.end(), [](double v) { return std::isfinite(v); }); };
    if (!ok(p.value)) return false;
    for (const Matrix& m : p.input_grads) {
      if (!ok(m)) return false;
    }
    return std::all_of(p.param_grads.begin(), p.param_grads.end(), ok);
  }

  static Pass run_pass(Lane& lane, const Matrix& upstream, bool value_wanted = true) {
    return xgrad::run(lane, upstream, value_wanted);
  }

  std::string input_block(std::size_t i) const {
    std::string slots;
    const auto inputs = node_.inputs();
    for (std::size_t s = 0; s < inputs.size(); ++s) {
      if (inputs[s] != own_.inputs[i]) continue;
      if (!slots.empty()) slots += ',';
      slots += std::to_string(s);
    }
    return "input " + slots + " (" + own_.inputs[i]->name() + ")";
  }

  std::string at(const Matrix& m, std::size_t k) const { return entry_name(m, k); }

  // The first difference between `got` and `want` (value, input gradients, parameter
  // gradients, in that order).
  std::optional<Mismatch> compare(const Pass& got, const Pass& want, double tolerance, bool values = true) const {
    if (values) {
      if (auto k = differs(got.value, want.value, tolerance)) {
        return Mismatch{"value" + at(want.value, *k), value_at(got.value, *k), want.value.data()[*k],
                        *k % std::max<std::size_t>(want.value.shape(1), 1)};
      }
    }
    for (std::size_t i = 0; i < want.input_grads.size(); ++i) {
      if (auto k = differs(got.input_grads[i], want.input_grads[i], tolerance)) {
        return Mismatch{"the gradient of " + input_block(i) + " at " + at(want.input_grads[i], *k),
                        value_at(got.input_grads[i], *k), want.input_grads[i].data()[*k],
                        *k % std::max<std::size_t>(want.input_grads[i].shape(1), 1)};
      }
    }
    for (std::size_t i = 0; i < want.param_grads.size(); ++i) {
      if (auto k = differs(got.param_grads[i], want.param_grads[i], tolerance)) {
        return Mismatch{"the gradient of " + own_.params[i]->name + " at " + at(want.param_grads[i], *k),
                        value_at(got.param_grads[i], *k), want.param_grads[i].data()[*k], 0};
      }
    }
    return std::nullopt;
  }

  static double value_at(const Matrix& m, std::size_t k) {
    return k < m.size() ? m.data()[k] : std::numeric_limits<double>::quiet_NaN();
  }

  // Input copies for clone_for_worker, one per distinct input, and parameter copies.
  void make_copy_inputs() {
    std::unordered_map<const Node*, Node*> copies;
    for (Node* in : own_.inputs) {
      auto c = std::make_unique<Input>(in->name(), in->rows());
      c->set_requires_grad(in->requires_grad());
      copies[in] = c.get();
      copy_inputs_.push_back(c.get());
      owned_inputs_.push_back(std::move(c));
    }
    for (Node* in : node_.inputs()) copy_slots_.push_back(copies.at(in));
    std::unordered_map<const Parameter*, Parameter*> params;
    for (Parameter* p : own_.params) {
      auto q = std::make_unique<Parameter>(Parameter{p->name, p->value, xt::zeros<double>(p->grad.shape())});
      params[p] = q.get();
      copy_params_.push_back(q.get());
      owned_params_.push_back(std::move(q));
    }
    for (Parameter* p : node_.parameters()) copy_param_slots_.push_back(params.at(p));
  }

  // x_: the inputs' values (at least 3 columns: made up by domain when the node has fewer);
  // other_: other values of the same shapes; upstream_: a random upstream gradient.
  void make_batches() {
    const std::size_t batch = node_.batch();
    inputs_per_example_ = std::all_of(own_.inputs.begin(), own_.inputs.end(), [](const Node* n) { return per_example(*n); });
    const bool make_up = inputs_per_example_ && batch < 3 && !own_.inputs.empty();
    n_ = make_up ? 3 : batch;
    for (std::size_t i = 0; i < own_.inputs.size(); ++i) {
      const InputDomain domain = node_.input_domain(first_slot(i));
      if (make_up) {
        Matrix m({own_.inputs[i]->rows(), n_});
        fill_by_domain(m, domain, rng_);
        x_.push_back(std::move(m));
      } else {
        x_.push_back(own_.inputs[i]->value());
      }
      Matrix other(x_.back().shape());
      fill_by_domain(other, domain, rng_);
      other_.push_back(std::move(other));
    }
    upstream_ = scalar_node(node_) ? rng_.uniform(0.5, 1.5, 1, 1) : rng_.uniform(-1.0, 1.0, node_.rows(), node_.columns(n_));
  }

  std::size_t first_slot(std::size_t distinct) const {
    const auto inputs = node_.inputs();
    return static_cast<std::size_t>(std::find(inputs.begin(), inputs.end(), own_.inputs[distinct]) - inputs.begin());
  }

  Matrix upstream_of(std::size_t first, std::size_t width) const {
    return per_example(node_) ? columns_of(upstream_, first, width) : upstream_;
  }

  // column_separable(): a sample of columns, each run alone (batch() == examples() == 1).
  void check_sampled_columns() {
    std::vector<std::size_t> columns;
    if (n_ <= settings_.sampled_columns) {
      for (std::size_t c = 0; c < n_; ++c) columns.push_back(c);
    } else {
      while (columns.size() < settings_.sampled_columns) {
        const auto c = static_cast<std::size_t>(rng_.random_interval(n_ - 1));
        if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
      }
    }
    for (std::size_t c : columns) {
      size_lane(own_, 1, 1);
      Installed in(own_, columns_of(x_, c, 1));
      const Pass alone = run_pass(own_, upstream_of(c, 1));
      Pass want;
      want.value = columns_of(reference_.value, c, 1);
      for (const Matrix& g : reference_.input_grads) want.input_grads.push_back(g.size() == 0 ? g : columns_of(g, c, 1));
      if (auto m = compare(alone, want, kTileTolerance)) {
        std::string what = m->what;  // its entry is in column 0 of the column run alone
        if (what.ends_with(",0)")) what = what.substr(0, what.size() - 2) + std::to_string(c) + ")";
        find("column_separable(): the node declares column_separable() but " + what + " is " + number_text(m->want) +
             " over the batch of " + std::to_string(n_) + " and " + number_text(m->got) + " from column " + std::to_string(c) +
             " alone (a column of the value, and of the input gradients, may depend on that column of the inputs only)");
        return;
      }
    }
  }

  // Column tiles as Graph runs them: batch() the tile's width, examples() the whole batch's.
  void check_tiles(bool separable) {
    const std::size_t count = std::min<std::size_t>(3, n_);
    const std::size_t width = (n_ + count - 1) / count;
    for (std::size_t first = 0; first < n_; first += width) {
      const std::size_t w = std::min(width, n_ - first);
      size_lane(own_, w, n_);
      Installed in(own_, columns_of(x_, first, w));
      tiles_.push_back({first, w, run_pass(own_, upstream_of(first, w))});
    }
    std::string widths;
    for (const Tile& t : tiles_) widths += (widths.empty() ? "" : ", ") + std::to_string(t.width);
    tiles_text_ = std::to_string(tiles_.size()) + " tiles of " + widths + " columns with examples() = " + std::to_string(n_);

    // The tiles' results put together as the whole batch's: per-example blocks column for
    // column, parameter gradients (and a mean's shares) summed. `scaled`: each tile's part
    // multiplied by width / examples, what a node that divides by batch() would need.
    auto assemble = [&](bool scaled) {
      Pass whole;
      whole.value = separable ? Matrix(reference_.value.shape()) : xt::zeros<double>({std::size_t{1}, std::size_t{1}});
      for (const Matrix& g : reference_.input_grads) whole.input_grads.push_back(g.size() == 0 ? g : Matrix(g.shape()));
      for (const Matrix& g : reference_.param_grads) whole.param_grads.push_back(xt::zeros<double>(g.shape()));
      for (const Tile& t : tiles_) {
        const double f = scaled ? static_cast<double>(t.width) / static_cast<double>(n_) : 1.0;
        if (separable) {
          put_columns(whole.value, t.pass.value, t.first);
        } else {
          whole.value(0, 0) += f * t.pass.value(0, 0);
        }
        for (std::size_t i = 0; i < whole.input_grads.size(); ++i) {
          if (whole.input_grads[i].size() == 0) continue;
          const Matrix part = t.pass.input_grads[i] * f;
          put_columns(whole.input_grads[i], part, t.first);
        }
        for (std::size_t i = 0; i < whole.param_grads.size(); ++i) whole.param_grads[i] += t.pass.param_grads[i] * f;
      }
      return whole;
    };
    const Pass tiled = assemble(false);
    if (separable) {
      if (auto m = compare(tiled, reference_, kTileTolerance)) {
        const bool parameter = m->what.find(" of input ") == std::string::npos && !m->what.starts_with("value");
        if (parameter) {
          find("column_separable(): the tiles' " + m->what.substr(4) + " add up to " + number_text(m->got) +
               " but the whole batch gives " + number_text(m->want) + " (" + tiles_text_ + ")");
        } else {
          const Tile& t = tile_of(m->column);
          find("column_separable(): on a tile of " + columns_text(t.first, t.width) + " (batch() = " +
               std::to_string(t.width) + ", examples() = " + std::to_string(n_) + ") " + m->what + " is " +
               number_text(m->got) + " but the whole batch gives " + number_text(m->want) +
               " (column j may depend on column j of the inputs only)");
        }
      }
      return;
    }
    // mean_over_columns(): the shares, then the gradients.
    const Pass divided_by_batch = assemble(true);
    const double shares = tiled.value(0, 0), loss = reference_.value(0, 0);
    if (!close(shares, loss)) {
      std::string text = "mean_over_columns(): tile shares add up to ";
      text += loss != 0.0 ? ratio_text(shares / loss) + "x the whole-batch loss" : number_text(shares) + ", not the whole-batch loss";
      text += " (" + number_text(shares) + " over " + tiles_text_ + "; the whole batch gives " + number_text(loss) + ")";
      text += close(divided_by_batch.value(0, 0), loss)
                  ? " (does the node divide by batch() instead of examples()?)"
                  : " (its value must be a sum of per-column terms divided by examples())";
      find(text);
    }
    if (auto m = compare(tiled, reference_, kTileTolerance, false)) {
      const double got = gradient_norm(tiled), want = gradient_norm(reference_);
      std::string text = "mean_over_columns(): on tiles the gradients are ";
      text += want > 0.0 ? ratio_text(got / want) + "x the whole batch's" : "not the whole batch's";
      text += " (" + m->what + ": " + number_text(m->got) + " against " + number_text(m->want) + "; " + tiles_text_ + ")";
      text += !compare(divided_by_batch, reference_, kTileTolerance, false)
                  ? " (does backward divide by batch() instead of examples()?)"
                  : " (backward must add into column j from column j's term alone, divided by examples())";
      find(text);
    }
  }

  static double gradient_norm(const Pass& p) {
    double s = 0.0;
    for (const Matrix& m : p.input_grads) s += norm(m) * norm(m);
    for (const Matrix& m : p.param_grads) s += norm(m) * norm(m);
    return std::sqrt(s);
  }

  struct Tile {
    std::size_t first, width;
    Pass pass;
  };
  const Tile& tile_of(std::size_t column) const {
    for (const Tile& t : tiles_) {
      if (column >= t.first && column < t.first + t.width) return t;
    }
    return tiles_.back();
  }

  // value_wanted(): a pass on other inputs (value wanted), then one on the check's inputs with
  // the value switched off and pre-filled with NaN, must give the gradients of the plain pass.
  void check_value_switched_off() {
    size_lane(own_, n_, n_);
    {
      Installed in(own_, other_);
      run_pass(own_, upstream_);
    }
    Installed in(own_, x_);
    node_.value().fill(std::numeric_limits<double>::quiet_NaN());
    const Pass skipped = run_pass(own_, upstream_, false);
    if (auto m = compare(skipped, reference_, kTileTolerance, false)) {
      find("value_wanted(): with the value switched off (set_value_wanted(false), as on a training step whose cost "
           "nobody reads; value() pre-filled with NaN, after a pass on other inputs) " + m->what + " is " +
           number_text(m->got) + ", with it on " + number_text(m->want) +
           " (backward must not read the value, nor anything forward skips when value_wanted() is false: it "
           "still holds an earlier pass's)");
    }
  }

  // sums_inputs(): the value is the sum of the inputs' values, and backward, run with every
  // value NaN (Graph runs it before the tiles have computed them), adds grad() into each
  // input once per slot it fills.
  void check_sum_of_inputs() {
    const auto inputs = node_.inputs();
    const auto distinct = [&](const Node* in) {
      return static_cast<std::size_t>(std::find(own_.inputs.begin(), own_.inputs.end(), in) - own_.inputs.begin());
    };
    Matrix sum = xt::zeros<double>(reference_.value.shape());
    for (const Node* in : inputs) {
      const Matrix& v = x_[distinct(in)];
      if (v.shape() != sum.shape()) {
        find("sums_inputs(): input '" + in->name() + "' is " + shape_string(v) + " but the value " + shape_string(sum) +
             " (a sum of inputs has their shape)");
        return;
      }
      xt::noalias(sum) += v;
    }
    if (auto k = differs(reference_.value, sum, kTileTolerance)) {
      find("sums_inputs(): value" + at(sum, *k) + " is " + number_text(reference_.value.data()[*k]) +
           " but the inputs add up to " + number_text(sum.data()[*k]) + " (the node declares its value the sum of its inputs)");
      return;
    }
    Batch unknown = x_;
    for (Matrix& m : unknown) m.fill(std::numeric_limits<double>::quiet_NaN());
    Installed in(own_, unknown);
    node_.value().fill(std::numeric_limits<double>::quiet_NaN());
    finish(own_, upstream_);
    for (std::size_t i = 0; i < own_.inputs.size(); ++i) {
      if (!own_.inputs[i]->requires_grad()) continue;
      const double slots = static_cast<double>(std::count(inputs.begin(), inputs.end(), own_.inputs[i]));
      const Matrix want = upstream_ * slots;
      if (auto k = differs(own_.inputs[i]->grad(), want, kTileTolerance)) {
        find("sums_inputs(): with every value NaN (as Graph runs the loss's backward before the tiles), the gradient of " +
             input_block(i) + " at " + at(want, *k) + " is " + number_text(value_at(own_.inputs[i]->grad(), *k)) +
             " but a sum passes grad() on: " + number_text(want.data()[*k]) + " (backward must add grad() and read no value)");
        return;
      }
    }
  }

  // clone_for_worker(): the copy's structure, the same bits on the same inputs, no buffer
  // shared (interleaved passes), then both at once on two threads.
  void check_copy(std::unique_ptr<Node> copy) {
    copy->set_requires_grad(node_.requires_grad());
    if (!check_copy_structure(*copy)) return;
    Lane theirs{copy.get(), copy_inputs_, copy_params_, true};
    const std::string hook = "clone_for_worker(): ";
    size_lane(own_, n_, n_);
    size_lane(theirs, n_, n_);
    if (copy->value().data() == node_.value().data() || copy->grad().data() == node_.grad().data()) {
      find(hook + "the copy's value() or grad() is the original's memory (a copy needs buffers of its own)");
      return;
    }
    if (node_.random_stream() != nullptr) return;  // Graph never runs a node that draws on worker threads
    {
      Installed in(theirs, x_);
      const Pass same = run_pass(theirs, upstream_);
      if (auto m = compare(same, reference_, kSameBits)) {
        find(hook + "on the same inputs " + owned("the copy", m->what) + " is " + number_text(m->got) + " but the original's is " +
             number_text(m->want) + " (the copy must compute exactly what the original does: does it keep every setting "
             "of the original?)");
        return;
      }
    }
    {
      Installed in(own_, other_);
      other_reference_ = run_pass(own_, upstream_);
    }
    for (const bool original_first : {true, false}) {
      Installed mine(own_, x_);
      Installed its(theirs, other_);
      Lane& first = original_first ? own_ : theirs;
      Lane& second = original_first ? theirs : own_;
      begin(first);
      begin(second);
      finish(first, upstream_);
      finish(second, upstream_);
      const Pass original = collect(own_), copied = collect(theirs);
      auto m = compare(original, reference_, kSameBits);
      const bool original_moved = m.has_value();
      if (!m) m = compare(copied, other_reference_, kSameBits);
      if (m) {
        find(hook + "the copy and the original share a buffer: when " +
             (original_first ? std::string("the copy runs forward on other inputs between the original's forward and backward")
                             : std::string("the original runs forward on other inputs between the copy's forward and backward")) +
             ", " + owned(original_moved ? "the original" : "the copy", m->what) + " is " + number_text(m->got) +
             " instead of " + number_text(m->want) +
             " (each copy needs buffers of its own; on two threads this gives wrong results or corrupts memory)");
        return;
      }
    }
    check_concurrent(theirs);
  }

  bool check_copy_structure(const Node& copy) {
    const std::string hook = "clone_for_worker(): ";
    std::string problem;
    if (&copy == &node_) {
      problem = "returned the node itself";
    } else if (copy.kind() != node_.kind()) {
      problem = "the copy's kind() is '" + std::string(copy.kind()) + "', the node's '" + std::string(node_.kind()) + "'";
    } else if (copy.rows() != node_.rows()) {
      problem = "the copy has " + std::to_string(copy.rows()) + " rows, the node " + std::to_string(node_.rows());
    } else if (scheduling_hooks(copy).column_separable() != scheduling_hooks(node_).column_separable() ||
               scheduling_hooks(copy).mean_over_columns() != scheduling_hooks(node_).mean_over_columns()) {
      problem = "the copy does not declare the same column_separable() and mean_over_columns() as the node";
    } else if (copy.inputs().size() != copy_slots_.size() ||
               !std::equal(copy_slots_.begin(), copy_slots_.end(), copy.inputs().begin())) {
      problem = "the copy does not read the inputs it was given (inputs() must be clone_for_worker's `inputs`, in order)";
    } else {
      const auto declared = copy.parameters();
      if (declared != copy_param_slots_) {
        problem = "the copy's parameters() are not the parameters it was given (it must read and write clone_for_worker's "
                  "`parameters`, in order, not the original's)";
      }
    }
    if (problem.empty()) return true;
    find(hook + problem);
    return false;
  }

  // The original on the narrowest tile and the copy on the widest (or on other inputs), at
  // the same time on two threads, each compared with what the original gave alone there. The
  // copy is sized last and no narrower, so that a buffer they wrongly share is never written
  // past its end.
  void check_concurrent(Lane& theirs) {
    const bool tiled = tiles_.size() >= 2;
    const Tile mine_tile = tiled ? tiles_.back() : Tile{0, n_, reference_};
    const Tile their_tile = tiled ? tiles_.front() : Tile{0, n_, other_reference_};
    const Batch mine_data = tiled ? columns_of(x_, mine_tile.first, mine_tile.width) : x_;
    const Batch their_data = tiled ? columns_of(x_, their_tile.first, their_tile.width) : other_;
    const Matrix mine_up = tiled ? upstream_of(mine_tile.first, mine_tile.width) : upstream_;
    const Matrix their_up = tiled ? upstream_of(their_tile.first, their_tile.width) : upstream_;
    size_lane(own_, mine_tile.width, n_);
    size_lane(theirs, their_tile.width, n_);
    Installed mine(own_, mine_data);
    Installed its(theirs, their_data);

    struct Outcome {
      std::optional<Mismatch> mismatch;
      std::exception_ptr error;
    };
    std::latch start(2);
    auto work = [&](Lane& lane, const Matrix& up, const Pass& want, Outcome& outcome) {
      try {
        start.arrive_and_wait();
        for (int r = 0; r < kConcurrentRounds && !outcome.mismatch; ++r) {
          begin(lane);
          finish(lane, up);
          outcome.mismatch = compare(collect(lane), want, kSameBits);
        }
      } catch (...) {
        outcome.error = std::current_exception();
      }
    };
    Outcome original, copied;
    // Without a second thread, or without room for a second BLAS buffer under an address-space
    // limit (LimitError), the sharing is caught on this thread by interleaving the passes:
    // each one's forward runs before the other's backward, so a buffer both write is
    // overwritten in between. Training then runs on the threads and buffers there are.
    auto interleaved = [&] {
      original = {};
      copied = {};
      for (int r = 0; r < kConcurrentRounds && !original.mismatch && !copied.mismatch; ++r) {
        begin(own_);
        begin(theirs);
        finish(own_, mine_up);
        finish(theirs, their_up);
        original.mismatch = compare(collect(own_), mine_tile.pass, kSameBits);
        copied.mismatch = compare(collect(theirs), their_tile.pass, kSameBits);
      }
    };
    std::optional<std::thread> helper;
    try {
      helper.emplace([&] { work(theirs, their_up, their_tile.pass, copied); });
    } catch (const std::system_error&) {
      interleaved();
    }
    if (helper) {
      work(own_, mine_up, mine_tile.pass, original);
      helper->join();
      if (is_limit_error(original.error) || is_limit_error(copied.error)) interleaved();
    }
    if (original.error) std::rethrow_exception(original.error);
    if (copied.error) std::rethrow_exception(copied.error);
    const bool original_moved = original.mismatch.has_value();
    const auto& m = original_moved ? original.mismatch : copied.mismatch;
    if (!m) return;
    const std::string where_mine = tiled ? columns_text(mine_tile.first, mine_tile.width) : "the check's inputs";
    const std::string where_theirs = tiled ? columns_text(their_tile.first, their_tile.width) : "other inputs";
    find("clone_for_worker(): the original (on " + where_mine + ") and its copy (on " + where_theirs +
         "), run at the same time on two threads, do not give what each gives alone: " +
         owned(original_moved ? "the original" : "the copy", m->what) + " is " + number_text(m->got) + " instead of " +
         number_text(m->want) + " (they share something one of them writes)");
  }

  Node& node_;
  RandomState& rng_;
  const HookCheckSettings& settings_;
  std::vector<Finding>& out_;
  Lane own_;
  std::vector<std::unique_ptr<Input>> owned_inputs_;
  std::vector<std::unique_ptr<Parameter>> owned_params_;
  std::vector<Node*> copy_inputs_, copy_slots_;
  std::vector<Parameter*> copy_params_, copy_param_slots_;
  bool inputs_per_example_ = true;
  std::size_t n_ = 0;
  Batch x_, other_;
  Matrix upstream_;
  Pass reference_, other_reference_;
  std::vector<Tile> tiles_;
  std::string tiles_text_;
};

}  // namespace

void check_node_hooks(Node& node, RandomState& rng, const HookCheckSettings& settings, std::vector<Finding>& out) {
  HookCheck(node, rng, settings, out).run();
}

}  // namespace xgrad

namespace xgrad {

std::vector<Finding> check_hooks(Node& node, const CheckOptions& options) {
  options.validate();
  RandomState rng(options.seed);
  const auto inputs = node.inputs();
  if (node.batch() == 0) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto* in = dynamic_cast<Input*>(inputs[i]);
      if (in == nullptr) {
        throw InputError(node.name() + ": check_hooks: input '" + inputs[i]->name() +
                         "' has no value yet; run the graph forward first");
      }
      if (in->batch() == options.batch) continue;  // the same Input in two slots
      in->resize(options.batch);
      fill_by_domain(in->value(), node.input_domain(i), rng);
    }
    node.resize(options.batch);
  }
  for (Node* in : inputs) {
    if (per_example(*in) && in->batch() != node.batch()) {
      throw InputError(node.name() + ": check_hooks: input '" + in->name() + "' is sized for " +
                       std::to_string(in->batch()) + " examples but the node for " + std::to_string(node.batch()));
    }
  }
  Restorations restore;
  if (RandomStream* s = node.random_stream()) restore.pin(*s);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    restore.save_requires_grad(*inputs[i]);
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (is_differentiable(node.input_domain(i))) inputs[i]->set_requires_grad(true);
  }
  std::vector<Finding> findings;
  check_node_hooks(node, rng, HookCheckSettings{}, findings);
  return findings;
}

}  // namespace xgrad

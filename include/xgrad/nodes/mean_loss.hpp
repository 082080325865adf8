/// @file
/// MeanLoss<Derived>: the base of a loss that is a mean over examples, written as its sum of
/// per-column terms and that sum's gradient. The base owns the division by the examples (the
/// whole batch's, also while the graph runs a tile of columns: a tile's value is then its
/// share of the mean), the 1x1 value, the skipped value on a pass whose loss nobody reads,
/// and the copy for worker threads.
///
///   class AbsoluteError final : public xgrad::MeanLoss<AbsoluteError> {
///    public:
///     AbsoluteError(std::string name, xgrad::Node& a, xgrad::Node& y) : MeanLoss(std::move(name), {&a, &y}) {}
///     std::string_view kind() const override { return "absolute_error"; }
///     double sum_of_terms(bool) { /* sum over this pass's entries of |a - y| */ }
///     void add_gradient(double scale) { /* da += scale * sign(a - y), entry by entry */ }
///   };
///
/// What Derived provides:
///  - `double sum_of_terms(bool value_wanted)`: the sum over this pass's columns of each
///    column's term, read from the inputs' value() (column j's term from column j alone),
///    keeping what add_gradient needs. When value_wanted is false the sum is not used (return
///    anything, e.g. 0, and skip the logarithms); what add_gradient needs must still be kept.
///  - `void add_gradient(double scale)`: ADDS scale * d(sum of terms)/d(input) into the
///    grad() of every input with requires_grad(), column j from column j's term alone.
///  - optionally `std::size_t entries_per_example() const`: the mean divides by
///    examples() * entries_per_example() (mean squared error over every entry: rows); 1 by
///    default.
///  - a constructor Derived(std::string name, Node& first, Node& second) for two-input
///    losses: the worker copy is made through it. A loss with other inputs or with settings
///    overrides clone_for_worker (node.hpp says what a copy must be); without one its graph
///    runs its tiles on one thread.
/// Derived also gives kind(), and may override resize() (calling MeanLoss::resize) and
/// input_domain() as any node.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <concepts>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xgrad/core/node.hpp>

namespace xgrad {

/// A loss that is a mean over examples: value = sum_of_terms / (examples() x
/// entries_per_example()), gradient scale = grad / the same (the list at the top of this file).
template <class Derived>
class MeanLoss : public Node, public Schedulable {
 public:
  /// A 1x1 node reading `inputs`.
  MeanLoss(std::string name, std::vector<Node*> inputs) : Node(std::move(name), std::move(inputs), 1) {}

  /// One column whatever the batch: the loss is a scalar.
  std::size_t columns(std::size_t) const final { return 1; }
  /// A sum of per-column terms divided by examples(): true.
  bool mean_over_columns() const final { return true; }

  /// value = sum_of_terms / divisor(), or NaN when value_wanted() is false.
  void forward(Mode) final {
    const double sum = self().sum_of_terms(value_wanted());
    value_(0, 0) = value_wanted() ? sum / divisor() : std::numeric_limits<double>::quiet_NaN();
  }
  /// add_gradient(grad / divisor()).
  void backward() final { self().add_gradient(grad_(0, 0) / divisor()); }

  /// Derived(name(), *inputs[0], *inputs[1]) when Derived has that constructor; nullptr (run
  /// on one thread) otherwise, unless Derived overrides this.
  std::unique_ptr<Node> clone_for_worker(std::vector<Node*> inputs,
                                         std::span<Parameter* const> /*parameters*/) const override {
    if constexpr (std::constructible_from<Derived, std::string, Node&, Node&>) {
      if (inputs.size() == 2) return std::make_unique<Derived>(name(), *inputs[0], *inputs[1]);
    }
    return nullptr;
  }

 protected:
  /// examples() x entries_per_example(), as a double: what the sum is divided by.
  double divisor() const {
    if constexpr (requires(const Derived& d) { d.entries_per_example(); }) {
      return static_cast<double>(self().entries_per_example() * examples());
    } else {
      return static_cast<double>(examples());
    }
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace xgrad

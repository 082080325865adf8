// check_function: any scalar function of named blocks against a hand-written gradient.
#include <xgrad/check/gradcheck.hpp>

#include <cmath>

#include <xgrad/core/error.hpp>

#include "accumulator.hpp"
#include "entries.hpp"
#include "probe.hpp"

namespace xgrad {

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
  std::size_t total = 0;
  for (std::size_t b = 0; b < theta.size(); ++b) {
    if (grads[b].value.shape() != theta[b].value.shape()) {
      throw InputError("check_function: gradient block " + std::to_string(b) + " ('" + grads[b].name +
                       "') is " + shape_string(grads[b].value) + " but parameter '" + theta[b].name +
                       "' is " + shape_string(theta[b].value));
    }
    total += theta[b].value.size();
  }
  const double j0 = cost(theta);
  if (!same_bits(cost(theta), j0)) acc.find("function", "J(theta) is not deterministic");
  Blocks work = theta;
  const Evaluate evaluate = [&] {
    const double j = cost(work);
    return Sample{j, std::abs(j), {}};
  };
  const Sample base{j0, std::abs(j0), {}};
  const bool fast = runs_fast(options, total);
  acc.set_mode(fast ? "fast" : "full");
  std::size_t planned = 0;
  for (const auto& w : work) planned += planned_checks(options, w.value.size(), fast);
  acc.set_planned(planned);
  RandomState rng(options.seed);
  for (std::size_t b = 0; b < work.size(); ++b) {
    probe_block(acc, {"", work[b].name, &work[b].value, &grads[b].value}, fast, evaluate, base, rng);
  }
  return report;
}

}  // namespace xgrad

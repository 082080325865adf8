// CheckOptions: presets and validation.
#include <xgrad/check/gradcheck.hpp>

#include <cmath>
#include <sstream>

#include <xgrad/core/error.hpp>

namespace xgrad {

CheckOptions CheckOptions::second_order() {
  CheckOptions o;
  o.stencil = Stencil::central2;
  o.step = 1e-5;
  o.relative_step = false;
  o.rtol = 1e-5;
  o.atol = 1e-8;
  o.mode = CheckMode::full;
  return o;
}

CheckOptions CheckOptions::course() {
  CheckOptions o = second_order();
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
  // A step of 1 or more measures a secant over the whole scale of the values, not a
  // derivative: no threshold then means anything (and at 1e300 every value overflows).
  require(step > 0.0 && step < 1.0, "step (epsilon)", "a number > 0 and < 1", step);
  require(rtol >= 0.0 && std::isfinite(rtol), "rtol", "a finite number >= 0", rtol);
  require(atol >= 0.0 && std::isfinite(atol), "atol", "a finite number >= 0", atol);
  require(threshold >= 0.0 && std::isfinite(threshold), "threshold", "a finite number >= 0", threshold);
  if (batch == 0) throw InputError("gradient check: batch must be at least 1, got 0");
  if (directions == 0) throw InputError("gradient check: directions must be at least 1, got 0");
}

}  // namespace xgrad

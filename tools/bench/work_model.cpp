#include "work_model.hpp"

namespace bench {

StepWork step_work(const std::vector<std::size_t>& dims, std::size_t m) {
  StepWork work;
  const double columns = static_cast<double>(m);
  double per_example_doubles = static_cast<double>(dims.front() + 1);  // X and Y
  double parameters = 0.0;
  for (std::size_t l = 1; l < dims.size(); ++l) {
    const double in = static_cast<double>(dims[l - 1]);
    const double out = static_cast<double>(dims[l]);
    const double product = 2.0 * in * out * columns;
    work.flops += product;                  // forward W A
    work.flops += product;                  // dW = dZ A^T
    if (l > 1) work.flops += product;       // dA = W^T dZ
    work.flops += 4.0 * out * columns;      // bias, activation, mask (or loss gradient), db
    per_example_doubles += 4.0 * out;       // Z, A and their gradients
    parameters += out * (in + 1.0);
  }
  work.flops += 3.0 * columns;               // the cost: exp, log1p, sum
  work.flops += 2.0 * parameters;            // W -= rate dW
  work.buffer_bytes = 2.0 * 8.0 * per_example_doubles * columns;
  work.data_bytes = 8.0 * static_cast<double>(dims.front() + 1) * columns;
  return work;
}

}  // namespace bench

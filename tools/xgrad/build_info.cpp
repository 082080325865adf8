#include "build_info.hpp"

#include <xgrad/core/threads.hpp>
#include <xgrad/version.hpp>

namespace xgrad::cli {

nlohmann::ordered_json build_info() {
  nlohmann::ordered_json info;
  info["xgrad_version"] = xgrad::version();
  info["blas_kernel"] = blas_kernel();
  info["blas_config"] = blas_config();
  info["blas_threads"] = blas_threads();
  return info;
}

std::string version_text() {
  return std::string("xgrad ") + xgrad::version() + "\nOpenBLAS kernel: " + blas_kernel() +
         "\nOpenBLAS configuration: " + blas_config() + "\nBLAS threads: " + std::to_string(blas_threads()) + "\n";
}

}  // namespace xgrad::cli

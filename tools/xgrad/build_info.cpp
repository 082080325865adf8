#include "build_info.hpp"

#include <xgrad/core/threads.hpp>
#include <xgrad/version.hpp>

namespace xgrad::cli {

std::string version_text() {
  return std::string("xgrad ") + xgrad::version() + "\nOpenBLAS kernel: " + blas_kernel() +
         "\nOpenBLAS configuration: " + blas_config() + "\nBLAS threads: " + std::to_string(blas_threads()) +
         "\nxgrad threads: " + std::to_string(threads()) + "\n";
}

}  // namespace xgrad::cli

// What a run ran on: xgrad's version and the BLAS under the matrix products (OpenBLAS's
// kernel, configuration and thread count). The kernel decides the last bits of every
// product, so a figure compared bit for bit is only comparable on the same kernel.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace xgrad::cli {

// {"xgrad_version": "0.2.0", "blas_kernel": "Haswell", "blas_config": "OpenBLAS 0.3.21 ...",
//  "blas_threads": 2}: recorded in the settings of every JSON report.
nlohmann::ordered_json build_info();

// What "xgrad --version" prints: "xgrad 0.2.0", then the kernel, configuration and threads,
// one per line.
std::string version_text();

}  // namespace xgrad::cli

// What a run ran on: xgrad's version and the BLAS under the matrix products (OpenBLAS's
// kernel, configuration and thread count). The kernel decides the last bits of every
// product, so a figure compared bit for bit is only comparable on the same kernel. (Every
// JSON report records the same in its settings: xgrad::JsonReport.)
#pragma once

#include <string>

namespace xgrad::cli {

// What "xgrad --version" prints: "xgrad 0.2.0", then the kernel, configuration and threads,
// one per line.
std::string version_text();

}  // namespace xgrad::cli

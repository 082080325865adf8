#include <xgrad/core/threads.hpp>

#include <algorithm>

// OpenBLAS's own entry points; cblas.h is not included (it clashes with xtensor-blas).
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char* openblas_get_corename(void);
char* openblas_get_config(void);
}

namespace xgrad {

void set_blas_threads(std::size_t threads) {
  openblas_set_num_threads(static_cast<int>(std::clamp<std::size_t>(threads, 1, 1024)));
}

std::size_t blas_threads() { return static_cast<std::size_t>(openblas_get_num_threads()); }

std::string blas_kernel() {
  const char* name = openblas_get_corename();
  return name ? name : "unknown";
}

std::string blas_config() {
  const char* config = openblas_get_config();
  return config ? config : "unknown";
}

}  // namespace xgrad

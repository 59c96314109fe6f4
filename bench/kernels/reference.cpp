// The kernel lab's yardstick: C = A·B in float64 with the plain i-p-j loop, and the check that a
// float32 rung is within the rounding-error bound of it (see check_result in kernel_lab.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "bench/kernels/kernel_lab.h"

namespace tt::lab {

void gemm_reference(int64_t m, int64_t n, int64_t k, const float* a, const float* b, double* ref, double* mag) {
  std::fill(ref, ref + m * n, 0.0);
  std::fill(mag, mag + m * n, 0.0);
  for (int64_t i = 0; i < m; ++i) {
    double* r = ref + i * n;
    double* g = mag + i * n;
    for (int64_t p = 0; p < k; ++p) {
      const double aip = a[i * k + p];
      const float* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) {
        r[j] += aip * brow[j];
        g[j] += std::abs(aip) * std::abs(static_cast<double>(brow[j]));
      }
    }
  }
}

Check check_result(int64_t m, int64_t n, int64_t k, const float* c, const double* ref, const double* mag) {
  constexpr double u = 0x1p-24;  // unit roundoff of float32
  const double ku = static_cast<double>(k) * u;
  Check out;
  // γ_k, plus float64's own error in ref (k·2⁻⁵³, ~10⁻⁹ of γ_k) as slack.
  out.tolerance = ku / (1.0 - ku) + static_cast<double>(k) * 0x1p-52;
  for (int64_t i = 0; i < m * n; ++i) {
    const double diff = std::abs(static_cast<double>(c[i]) - ref[i]);
    double rel = 0.0;
    if (mag[i] > 0.0) {
      rel = diff / mag[i];
    } else if (diff != 0.0) {  // an all-zero row or column must give exactly 0
      rel = std::numeric_limits<double>::infinity();
    }
    if (std::isnan(rel)) rel = std::numeric_limits<double>::infinity();  // NaN in c must fail
    out.max_rel_err = std::max(out.max_rel_err, rel);
  }
  out.ok = out.max_rel_err <= out.tolerance;
  return out;
}

}  // namespace tt::lab

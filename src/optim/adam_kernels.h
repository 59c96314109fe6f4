// Private to src/optim: the SIMD float32 Adam update behind adam.cpp (one ISA file each).
#pragma once
#include <cstdint>

namespace tt::optim::detail {

struct AdamF32Params {
  float b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay;
  bool adamw;
};

// p, m, v updated in place from g for n elements (Adam, or AdamW when a.adamw); no AMSGrad.
void adam_f32_avx512(float* p, const float* g, float* m, float* v, int64_t n, const AdamF32Params& a);

}  // namespace tt::optim::detail

// Register-tile attention kernels for the common narrow-head case: float32 on AVX-512, head dims
// D == Dv of 16 or 32 (one or two zmm per row), no bool mask (causal or not). Whole per-task
// kernels, not tiles: they read k, v, o rows in place, fuse the scale and causal lane masks (and
// in the backward the exp) into the score tiles, and keep every product's accumulators in
// registers for its whole reduction (attention_d32_avx512.cpp, Note [Register tiles]).
// attention_cpu.cpp threads and dispatches; every other case runs the tile path of attention_tiles.h.
#pragma once
#include <cstdint>

#include "ops/attention/attention_cpu.h"

namespace tt::kernels::detail {

struct AttnD32Kernels {
  // Floats of per-thread scratch one forward / backward task needs.
  int64_t (*forward_scratch)(const AttnDims& d);
  int64_t (*backward_scratch)(const AttnDims& d);
  // Query rows [i_begin, i_end) of every query head of kv head g in batch b (contract of
  // attention_forward_cpu). When G·Tq ≤ kAttnDirectRows (decode steps) it reads K rows in place
  // instead of packing Kᵀ; the choice depends on the shapes only, never on the row split.
  void (*forward)(const AttnForwardArgs<float>& a, int64_t b, int64_t g, int64_t i_begin, int64_t i_end, float* buf);
  // dq of every query head of kv head g in batch b, and that kv head's dk, dv.
  void (*backward)(const AttnBackwardArgs<float>& a, int64_t b, int64_t g, float* buf);
};

// Query rows per kv head (G·Tq) up to which the forward reads K rows in place (dot products
// reduced across lanes) rather than packing Kᵀ: packing costs about as much as four rows of products.
constexpr int64_t kAttnDirectRows = 4;

// The kernels, or nullptr where they do not apply (other head dims, a mask, no AVX-512 on this CPU).
const AttnD32Kernels* attention_d32_avx512(const AttnDims& d, bool masked);

}  // namespace tt::kernels::detail

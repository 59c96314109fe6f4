// Deterministic column sums over rows, shared by the normalisation backwards (layer_norm,
// rms_norm): their weight and bias gradients sum dy·x̂ (and dy) over all M rows.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/parallel.h"

namespace tt::kernels::row_chunks {

// Note [Deterministic column sums]
// Rows are cut into at most kMaxChunks chunks whose bounds depend only on M (never on the thread
// count or on which thread ran first); each chunk sums its rows in order into its own partial row
// of N doubles, and the partials are then added in chunk order. Same M, N and inputs give bitwise
// the same sums on 1 thread or 16.
constexpr int64_t kMaxChunks = 32;

inline int64_t rows_per_chunk(int64_t M) {
  const int64_t c = std::min(M, kMaxChunks);
  return c <= 0 ? 0 : (M + c - 1) / c;
}
inline int64_t num_chunks(int64_t M) {
  const int64_t r = rows_per_chunk(M);
  return r == 0 ? 0 : (M + r - 1) / r;
}

// out_i = Σ_c partial[c·N + i] in chunk order, columns spread over the threads.
template <typename T>
void sum_partials(T* out, const double* partial, int64_t chunks, int64_t N, int64_t min_work_per_task) {
  parallel_for(0, N, std::max<int64_t>(1, min_work_per_task / std::max<int64_t>(chunks, 1)), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      double s = 0;
      for (int64_t c = 0; c < chunks; ++c) s += partial[c * N + i];
      out[i] = static_cast<T>(s);
    }
  });
}

}  // namespace tt::kernels::row_chunks

// Strided iteration shared by the elementwise and reduction kernels: N operands (operand 0 is the
// output) viewed with a common shape; broadcast dims have stride 0. Dims are coalesced so the
// common contiguous case becomes one flat loop the compiler vectorises, and the outer loop is
// split over the thread pool. Not an op: kernels call it with raw views; it never throws.
#pragma once
#include <array>
#include <cstdint>

#include "core/parallel.h"
#include "core/tensor.h"

namespace tt::ops {

// Below this many elements a kernel runs on one thread (a thread hand-off costs ~2-5 µs).
constexpr int64_t kParallelGrain = 32768;

template <int N>
struct StridedLoop {
  int ndim = 0;            // after coalescing; dim ndim-1 is the inner loop
  int64_t shape[kMaxDims] = {};
  int64_t strides[N][kMaxDims] = {};  // bytes
  char* base[N] = {};
  int64_t numel = 1;
  int64_t inner() const { return ndim ? shape[ndim - 1] : 1; }
};

// Builds the loop for operands broadcast to `shape` (operand i read with its own strides).
template <int N>
StridedLoop<N> make_loop(const Shape& shape, const std::array<const Tensor*, N>& ops) {
  StridedLoop<N> L;
  // Every operand contiguous with exactly `shape`: one flat row, no broadcasting or coalescing to
  // work out (this setup is most of the cost of an op on a few elements).
  bool flat = true;
  for (int k = 0; k < N; ++k) flat = flat && ops[k]->shape() == shape && ops[k]->is_contiguous();
  if (flat) {
    L.numel = shape.numel();
    L.ndim = 1;
    L.shape[0] = L.numel;
    for (int k = 0; k < N; ++k) {
      L.strides[k][0] = static_cast<int64_t>(ops[k]->element_size());
      L.base[k] = static_cast<char*>(ops[k]->raw_data());
    }
    return L;
  }
  int64_t st[N][kMaxDims];
  for (int k = 0; k < N; ++k) {
    Strides s = broadcast_strides(ops[k]->shape(), ops[k]->strides(), shape);
    for (int i = 0; i < shape.size(); ++i) st[k][i] = s[i] * static_cast<int64_t>(ops[k]->element_size());
    L.base[k] = static_cast<char*>(ops[k]->raw_data());
  }
  L.numel = shape.numel();
  // Drop size-1 dims and merge dim i into the previous kept dim when every operand is
  // contiguous across them.
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (L.ndim > 0) {
      int j = L.ndim - 1;
      bool mergeable = true;
      for (int k = 0; k < N; ++k) mergeable &= L.strides[k][j] == st[k][i] * shape[i];
      if (mergeable) {
        L.shape[j] *= shape[i];
        for (int k = 0; k < N; ++k) L.strides[k][j] = st[k][i];
        continue;
      }
    }
    L.shape[L.ndim] = shape[i];
    for (int k = 0; k < N; ++k) L.strides[k][L.ndim] = st[k][i];
    ++L.ndim;
  }
  return L;
}

// Calls f(ptrs, inner_strides, n) for every inner row in outer-index range [b, e).
template <int N, typename F>
void run_rows(const StridedLoop<N>& L, int64_t b, int64_t e, F& f) {
  const int outer_dims = L.ndim > 0 ? L.ndim - 1 : 0;
  int64_t idx[kMaxDims] = {};
  int64_t rem = b;
  for (int d = outer_dims - 1; d >= 0; --d) {
    idx[d] = rem % L.shape[d];
    rem /= L.shape[d];
  }
  int64_t inner_strides[N];
  for (int k = 0; k < N; ++k) inner_strides[k] = L.ndim ? L.strides[k][L.ndim - 1] : 0;
  const int64_t n = L.inner();
  for (int64_t r = b; r < e; ++r) {
    char* ptrs[N];
    for (int k = 0; k < N; ++k) {
      int64_t off = 0;
      for (int d = 0; d < outer_dims; ++d) off += idx[d] * L.strides[k][d];
      ptrs[k] = L.base[k] + off;
    }
    f(ptrs, inner_strides, n);
    for (int d = outer_dims - 1; d >= 0; --d) {
      if (++idx[d] < L.shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Runs f over all elements; threads split the outer rows when the loop is big and `parallel`.
template <int N, typename F>
void for_each_row(const StridedLoop<N>& L, F&& f, bool parallel = true) {
  if (L.numel == 0) return;
  const int64_t n = L.inner();
  const int64_t rows = L.numel / n;
  if (!parallel || L.numel < kParallelGrain || get_num_threads() == 1) {
    run_rows(L, 0, rows, f);
    return;
  }
  if (rows == 1) {  // one long row: split it
    parallel_for(0, n, kParallelGrain / 2, [&](int64_t b, int64_t e) {
      char* ptrs[N];
      int64_t s[N];
      for (int k = 0; k < N; ++k) {
        s[k] = L.ndim ? L.strides[k][L.ndim - 1] : 0;
        ptrs[k] = L.base[k] + b * s[k];
      }
      f(ptrs, s, e - b);
    });
    return;
  }
  int64_t grain = kParallelGrain / n + 1;
  parallel_for(0, rows, grain, [&](int64_t b, int64_t e) { run_rows(L, b, e, f); });
}

}  // namespace tt::ops

// Window index arithmetic shared by the pooling kernels (max_pool_cpu.cpp, avg_pool_cpu.cpp) and
// the pooling shape rule (pool_shape.cpp). Plain integer helpers; no tensors.
#pragma once
#include <algorithm>
#include <cstdint>

namespace tt::kernels {

// ⌈a/b⌉ for a ≥ 0, b > 0.
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
// ⌊a/b⌋ for any a, b > 0 (C++ division truncates toward zero).
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// An index range [lo, hi).
struct IndexRange {
  int64_t lo, hi;
};

// The first input index of the dilated window starting at `start` that lies in [0, n), or −1.
inline int64_t first_valid(int64_t start, int64_t dilation, int64_t taps, int64_t n) {
  const int64_t j = start >= 0 ? 0 : ceil_div(-start, dilation);
  const int64_t i = start + j * dilation;
  return j < taps && i < n ? i : -1;
}

}  // namespace tt::kernels

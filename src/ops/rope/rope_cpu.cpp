// RoPE kernel (contract in rope_cpu.h): one pass, each row rotated once; rows run on threads.
#include "ops/rope/rope_cpu.h"

#include <algorithm>
#include <type_traits>

#include "core/parallel.h"

namespace tt::kernels {
namespace {

constexpr int64_t kMinWorkPerTask = 32768;  // elements: below this a thread costs more than it saves

template <typename T>
void rope_row_generic(T* y, const T* x, const T* c, const T* s, T sgn, int64_t h) {
  for (int64_t i = 0; i < h; ++i) {
    const T x1 = x[i], x2 = x[h + i], si = sgn * s[i];
    y[i] = x1 * c[i] - x2 * si;
    y[h + i] = x2 * c[i] + x1 * si;
  }
}

}  // namespace

template <typename T>
void rope_cpu(const RopeArgs<T>& a) {
  const int64_t rows = a.outer * a.T_len, D = 2 * a.h;
  if (rows == 0 || a.h == 0) return;
  using RowFn = void (*)(T*, const T*, const T*, const T*, T, int64_t);
  RowFn row = &rope_row_generic<T>;
  if constexpr (std::is_same_v<T, float>) {
    static const detail::RopeRowF32 fast = detail::rope_row_avx512();
    if (fast) row = fast;
  }
  const T sgn = a.inverse ? T(-1) : T(1);
  parallel_for(0, rows, std::max<int64_t>(1, kMinWorkPerTask / D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / a.T_len, t = r % a.T_len;
      row(a.y + r * D, a.x + a.outer_offsets[o] + t * a.st, a.cos + t * a.h, a.sin + t * a.h, sgn, a.h);
    }
  });
}

template void rope_cpu<float>(const RopeArgs<float>&);
template void rope_cpu<double>(const RopeArgs<double>&);

}  // namespace tt::kernels

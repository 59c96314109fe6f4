// Rotary position embedding CPU kernels: rotate each length-D row of x by the angles of its
// position, rotate-half pairing (i, i + D/2). Not the op: no shapes, checks, tables or autograd
// (ops/rope/rope.cpp does those); kernels never throw. Instantiated for float (AVX-512 rows when
// the CPU has them, rope_avx512.cpp) and double.
#pragma once
#include <cstdint>

namespace tt::kernels {

// x: rows of D = 2·h elements, each row r of outer index o and position t (0 ≤ t < T) at
// x + offset(o) + t·st, its last dim contiguous; y: contiguous (outer, T, D). cos, sin: (T, h),
// the angles of positions pos0 + t. With c = cos[t][i], s = sin[t][i] (s negated when inverse,
// which is the backward: the transpose of a rotation is the rotation by −θ):
//   y[i] = x[i]·c − x[i+h]·s,  y[i+h] = x[i+h]·c + x[i]·s   (i < h)
template <typename T>
struct RopeArgs {
  T* y;
  const T* x;
  const int64_t* outer_offsets;  // offset(o) of each outer index, in elements
  int64_t outer, T_len, st, h;
  const T *cos, *sin;
  bool inverse;
};

template <typename T>
void rope_cpu(const RopeArgs<T>& a);

namespace detail {
// AVX-512 float32 row rotation, or nullptr when this CPU lacks AVX-512F (rope_avx512.cpp):
// y[i] = x1[i]·c[i] − sgn·x2[i]·s[i], y[h+i] = x2[i]·c[i] + sgn·x1[i]·s[i] (x1 = x, x2 = x + h).
using RopeRowF32 = void (*)(float* y, const float* x, const float* c, const float* s, float sgn, int64_t h);
RopeRowF32 rope_row_avx512();
}  // namespace detail

}  // namespace tt::kernels

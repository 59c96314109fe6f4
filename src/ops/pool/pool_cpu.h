// Pooling CPU kernels on raw contiguous buffers: `planes` independent [H, W] input planes (N·C of
// an NCHW tensor) mapped to [OH, OW] output planes. Not the ops: no shapes, checks or autograd
// (ops/pool/max_pool.cpp and avg_pool.cpp do those); kernels never throw. Instantiated for float
// and double. Planes run on threads, each plane on one thread in a fixed order, so every result is
// bitwise independent of the thread count.
#pragma once
#include <cstdint>

namespace tt::kernels {

// One pooling call's geometry. The window of output (oh, ow) covers input rows
// oh·sh − ph + i·dh (i < kh) and columns ow·sw − pw + j·dw (j < kw); cells outside [0, H) × [0, W)
// are padding. Adaptive pooling uses only planes, H, W, OH, OW.
struct Pool2dGeom {
  int64_t planes = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// y[p, oh, ow] = max of the window (NaN wins; ties: the first cell in row-major window order;
// padding never wins). idx, when not nullptr, receives the argmax as h·W + w within its plane, or −1
// for a window with no input cell (possible only with dilation; its y is −inf).
template <typename T>
void max_pool2d_forward_cpu(T* y, int32_t* idx, const T* x, const Pool2dGeom& g);
// dx = 0, then dx[p, idx] += dy[p, o] for every output o (skipping idx −1).
template <typename T>
void max_pool2d_backward_cpu(T* dx, const T* dy, const int32_t* idx, const Pool2dGeom& g);

// y = Σ window / divisor. With the window clipped to the padded input [−ph, H + ph) × [−pw, W + pw)
// (ceil_mode windows can run past it), divisor = its area (count_include_pad) or the number of input
// cells in it. Dilation must be 1.
template <typename T>
void avg_pool2d_forward_cpu(T* y, const T* x, const Pool2dGeom& g, bool count_include_pad);
// dx[cell] = Σ over windows containing the cell of dy / divisor.
template <typename T>
void avg_pool2d_backward_cpu(T* dx, const T* dy, const Pool2dGeom& g, bool count_include_pad);

// Adaptive average pooling (PyTorch's windows): output row i averages input rows
// [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉), columns likewise; sums are accumulated in double.
template <typename T>
void adaptive_avg_pool2d_forward_cpu(T* y, const T* x, const Pool2dGeom& g);
template <typename T>
void adaptive_avg_pool2d_backward_cpu(T* dx, const T* dy, const Pool2dGeom& g);

// The 2×2 stride-2 max pool over one output row (OW outputs from input rows r0, r1 of width W),
// AVX-512; cell0 = the input cell index (h·W + w) of r0[0]; idx may be null. max_pool_cpu.cpp
// calls it only on CPUs with AVX-512F.
void max_pool_2x2_row_f32_avx512(const float* r0, const float* r1, int64_t W, int64_t OW, int32_t cell0, float* y,
                                 int32_t* idx);

}  // namespace tt::kernels

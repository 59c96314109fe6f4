// Convolution CPU kernels on raw contiguous NCHW buffers: the forward pass y = conv(x, w) + b, its
// adjoint with respect to x (the input gradient, which is also conv_transpose2d's forward) and its
// weight gradient. Not the ops: no shape checks or autograd (ops/conv/conv2d.cpp and
// conv_transpose2d.cpp do those); kernels never throw. Instantiated for float and double.
// Routes: im2col + GEMM (conv_cpu.cpp), 1×1 stride-1 unpadded as a plain GEMM on x itself, and a
// direct loop when every group has one input channel and the stride is 1 (depthwise;
// conv_direct_cpu.cpp).
#pragma once
#include <cstdint>

namespace tt::kernels {

// One convolution y = conv(x, w), seen from its input:
//   x [n, ci, hi, wi], w [co, ci/groups, kh, kw], y [n, co, ho, wo];
//   y[b, o, i, j] = Σ_{c, r, s} w[o, c, r, s] · x[b, g·ci/groups + c, i·sh − ph + r·dh, j·sw − pw + s·dw]
// with g = o / (co/groups) and x read as 0 outside [0, hi) × [0, wi). ph, pw are the top/left padding;
// the bottom/right padding is implied by ho, wo (so PyTorch's asymmetric "same" needs no extra field).
struct ConvGeometry {
  int64_t n, ci, hi, wi;
  int64_t co, ho, wo;
  int64_t kh, kw;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t groups;

  int64_t ci_g() const { return ci / groups; }
  int64_t co_g() const { return co / groups; }
  int64_t k() const { return ci_g() * kh * kw; }  // rows of the im2col matrix (GEMM depth)
  int64_t p() const { return ho * wo; }           // output positions per image
  // A 1×1 stride-1 unpadded convolution reads x as its own im2col matrix [ci/groups, hi·wi].
  bool is_pointwise() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && ho == hi && wo == wi;
  }
  bool is_direct() const;  // Note [Direct route] in conv_cpu.cpp
};

// col [ci_g·kh·kw, ho·wo] from x_g [ci_g, hi, wi] (one image, one group):
//   col[(c·kh + r)·kw + s, i·wo + j] = x_g[c, i·sh − ph + r·dh, j·sw − pw + s·dw]  (0 outside).
// The whole-image entry point, for tests and tools: it allocates its buffers. The GEMM route runs
// the same code tile by tile on its own scratch (Note [Row tiles] in conv_cpu.cpp).
template <typename T>
void im2col_cpu(T* col, const T* x_g, const ConvGeometry& g);
// The adjoint of im2col, accumulating: dx_g[c, ih, iw] += col[row, pos] for every (row, pos) that
// im2col reads from (c, ih, iw). ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ (tests/ops/conv_test.cpp).
template <typename T>
void col2im_cpu(T* dx_g, const T* col, const ConvGeometry& g);

// Elements of scratch each pass needs (0 when it needs none); the caller passes that many.
int64_t conv_forward_scratch(const ConvGeometry& g);
int64_t conv_input_grad_scratch(const ConvGeometry& g);
int64_t conv_weight_grad_scratch(const ConvGeometry& g);

// y = conv(x, w) + b; b (co) or nullptr.
template <typename T>
void conv_forward_cpu(T* y, const T* x, const T* w, const T* b, const ConvGeometry& g, T* scratch);

// dx = convᵀ(dy) + b, the adjoint of conv_forward in x: per image and group dx_g = col2im(W_gᵀ · dy_g).
// b (ci) or nullptr is added to every dx plane (conv_transpose2d's bias); dx is overwritten.
template <typename T>
void conv_input_grad_cpu(T* dx, const T* dy, const T* w, const T* b, const ConvGeometry& g, T* scratch);

// dw = Σ_images dy_g · im2col(x_g)ᵀ (per group); dw is overwritten. Bitwise deterministic for a
// fixed thread count (Note [Deterministic weight gradient] in conv_cpu.cpp).
template <typename T>
void conv_weight_grad_cpu(T* dw, const T* dy, const T* x, const ConvGeometry& g, T* scratch);

// db[o] = Σ_{b, pos} dy[b, o, pos] for dy [n, c, p]; summed in double, in a fixed order.
template <typename T>
void conv_bias_grad_cpu(T* db, const T* dy, int64_t n, int64_t c, int64_t p);

// The direct route (conv_direct_cpu.cpp), for is_direct() geometries (one input channel per group,
// stride 1): each tap is one vector loop over a zero-padded copy of the plane, no im2col, no GEMM.
// Same contracts as the routes above; conv_direct_scratch gives the scratch each pass needs.
int64_t conv_direct_scratch(const ConvGeometry& g, bool weight_grad);
template <typename T>
void conv_direct_forward_cpu(T* y, const T* x, const T* w, const T* b, const ConvGeometry& g, T* scratch);
template <typename T>
void conv_direct_input_grad_cpu(T* dx, const T* dy, const T* w, const T* b, const ConvGeometry& g, T* scratch);
template <typename T>
void conv_direct_weight_grad_cpu(T* dw, const T* dy, const T* x, const ConvGeometry& g, T* scratch);

}  // namespace tt::kernels

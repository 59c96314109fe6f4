// Op `scaled_dot_product_attention` (Vaswani et al. 2017), fused (Dao et al. 2022):
//   o = softmax(q·kᵀ·scale, masked)·v,  q (B, Hq, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv)
// with grouped-query heads, a bool mask (true = attend) and bottom-right-aligned causal masking
// (contract in ops.h). Forward and backward are single kernels (attention_cpu.h has the formulas);
// the forward saves only the per-row logsumexp (B, Hq, Tq), never the (Tq, Tk) probabilities.
// Backward op `attention_backward`; no double backward (Note [No double backward] in layer_norm.cpp).
// Cost (closed forms; pairs = visible (query, key) pairs per head, causal counted exactly, the bool
// mask not subtracted): forward 2·(D + Dv) + 5 FLOPs per pair (two products, ~5 for the softmax),
// reads q, k, v, mask, writes o and lse; backward 2·(3·D + 2·Dv) + 4 per pair (S, dP, dV, dQ, dK,
// P and dS) + 2·Dv per row (D_i), reads q, k, v, o, dO, lse, mask, writes dq, dk, dv.
#include <cmath>

#include "core/node.h"
#include "ops/attention/attention_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

constexpr const char* kOp = "scaled_dot_product_attention";

// Visible (query, key) pairs of one head: Tq·Tk, or under causal masking (row i sees keys
// j <= i + Tk − Tq) the first max(0, Tq − Tk) rows see none and the other r rows see
// 1 + max(0, Tk − Tq), 2 + …: r·(1 + max(0, Tk − Tq)) + r·(r − 1)/2.
double visible_pairs(const kernels::AttnDims& d) {
  if (!d.causal) return double(d.Tq) * d.Tk;
  const double r = double(std::min(d.Tq, d.Tk));
  return r * (1.0 + std::max<int64_t>(0, d.Tk - d.Tq)) + r * (r - 1) / 2;
}

ops::Cost forward_cost(const kernels::AttnDims& d, double in_bytes, double out_bytes) {
  return {double(d.B) * d.Hq * visible_pairs(d) * (2.0 * (d.D + d.Dv) + 5), in_bytes, out_bytes};
}
ops::Cost backward_cost(const kernels::AttnDims& d, double in_bytes, double out_bytes) {
  const double per_head = visible_pairs(d) * (2.0 * (3 * d.D + 2 * d.Dv) + 4) + 2.0 * d.Tq * d.Dv;
  return {double(d.B) * d.Hq * per_head, in_bytes, out_bytes};
}

// The kernels read any strides as long as the last dim is contiguous; otherwise one copy.
Tensor readable(const Tensor& t) { return t.size(3) <= 1 || t.stride(3) == 1 ? t : contiguous(t); }

template <typename P>
kernels::View4<P> view4(const Tensor& t) {
  return {static_cast<P*>(t.raw_data()), t.stride(0), t.stride(1), t.stride(2)};
}

// A (B, H, T, E) buffer: contiguous, or stored (B, T, H, E) so that transpose(1, 2) is contiguous.
Tensor empty_heads(const Shape& s, bool contiguous_layout, DType dtype) {
  if (contiguous_layout) return empty(s, dtype);
  return empty_strided(s, {s[2] * s[1] * s[3], s[3], s[1] * s[3], 1}, dtype);
}

// The bool mask read as (B, Hq, Tq, Tk): stride 0 on its broadcast dims, no copy.
kernels::AttnMask mask_view(const Tensor& m, const kernels::AttnDims& d) {
  if (!m.defined()) return {};
  const Strides s = broadcast_strides(m.shape(), m.strides(), {d.B, d.Hq, d.Tq, d.Tk});
  return {m.data_ptr<bool>(), s[0], s[1], s[2], s[3]};
}

struct AttentionBackward : Node {
  Tensor q, k, v, out, lse, mask;  // detached views (last dim contiguous); mask as given (bool) or undefined
  kernels::AttnDims d;
  double mask_bytes;
  std::vector<Tensor> backward(const Tensor& g) override;
  void release() override { q = k = v = out = lse = mask = Tensor(); }
  const char* name() const override { return "ScaledDotProductAttentionBackward0"; }
};

std::vector<Tensor> AttentionBackward::backward(const Tensor& g) {
  ops::OpTimer timer(ops::OpId::attention_backward);
  Tensor dout = readable(g.dtype() == q.dtype() ? g : cast(g, q.dtype()));  // (B, Hq, Tq, Dv)
  Tensor dq = empty_heads(q.shape(), q.is_contiguous(), q.dtype());
  Tensor dk = empty_heads(k.shape(), k.is_contiguous(), q.dtype());
  Tensor dv = empty_heads(v.shape(), v.is_contiguous(), q.dtype());
  TT_DISPATCH_FLOAT(q.dtype(), "attention_backward", [&]<typename T>() {
    kernels::attention_backward_cpu<T>({d, view4<const T>(q), view4<const T>(k), view4<const T>(v),
                                        view4<const T>(out), view4<const T>(dout), mask_view(mask, d),
                                        lse.data_ptr<T>(), view4<T>(dq), view4<T>(dk), view4<T>(dv)});
  });
  timer.done(dq, [&] {
    const double read = ops::bytes_of(q) + ops::bytes_of(k) + ops::bytes_of(v) + ops::bytes_of(out) +
                        ops::bytes_of(dout) + ops::bytes_of(lse) + mask_bytes;
    return backward_cost(d, read, ops::bytes_of(dq) + ops::bytes_of(dk) + ops::bytes_of(dv));
  }, {&g, &q, &k, &v});
  return {dq, dk, dv};
}

void check_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                     std::optional<double> scale) {
  TT_CHECK(q.defined() && k.defined() && v.defined(), kOp, ": undefined q, k or v");
  TT_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, kOp,
           ": expected rank-4 q (B, Hq, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv), got q ", q.shape(), ", k ",
           k.shape(), ", v ", v.shape(), " (hint: split heads with view + transpose(1, 2))");
  TT_CHECK(is_floating(q.dtype()), kOp, ": expected floating-point q, k, v, got ", q.dtype(),
           " (hint: convert with .to(tt::kFloat32))");
  TT_CHECK(k.dtype() == q.dtype() && v.dtype() == q.dtype(), kOp, ": q, k, v dtypes differ: q ", q.dtype(), ", k ",
           k.dtype(), ", v ", v.dtype());
  TT_CHECK(k.size(0) == q.size(0) && v.size(0) == q.size(0), kOp, ": batch sizes differ: q ", q.shape(), ", k ",
           k.shape(), ", v ", v.shape());
  TT_CHECK(k.size(3) == q.size(3), kOp, ": head dim D differs: q ", q.shape(), ", k ", k.shape());
  TT_CHECK(v.size(1) == k.size(1) && v.size(2) == k.size(2), kOp, ": k ", k.shape(), " and v ", v.shape(),
           " must agree in (B, Hkv, Tk)");
  TT_CHECK(k.size(1) > 0 ? q.size(1) % k.size(1) == 0 : q.size(1) == 0, kOp, ": query heads Hq = ", q.size(1),
           " must be a multiple of kv heads Hkv = ", k.size(1), " (q ", q.shape(), ", k ", k.shape(), ")");
  TT_CHECK(!scale || std::isfinite(*scale), kOp, ": scale must be finite, got ", scale ? *scale : 0.0);
  if (!mask.defined()) return;
  const Shape target{q.size(0), q.size(1), q.size(2), k.size(2)};
  TT_CHECK(mask.dtype() == kBool, kOp, ": mask must be a bool tensor (true = attend), got ", mask.dtype(),
           " of shape ", mask.shape(), " (hint: for 0/1 values use mask != 0)");
  bool ok = mask.dim() <= 4;
  for (int i = 0; ok && i < mask.dim(); ++i) {
    const int64_t m = mask.shape()[i], t = target[4 - mask.dim() + i];
    ok = m == t || m == 1;
  }
  TT_CHECK(ok, kOp, ": mask ", mask.shape(), " does not broadcast to (B, Hq, Tq, Tk) = ", target, " (q ", q.shape(),
           ", k ", k.shape(), ")");
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                                    bool causal, std::optional<double> scale) {
  check_attention(q, k, v, mask, scale);
  ops::OpTimer timer(ops::OpId::scaled_dot_product_attention);
  const kernels::AttnDims d{q.size(0), q.size(1), k.size(1), q.size(2), k.size(2), q.size(3), v.size(3), causal,
                            scale ? *scale : 1.0 / std::sqrt(static_cast<double>(q.size(3)))};
  Tensor qr = readable(q.detach()), kr = readable(k.detach()), vr = readable(v.detach());
  Tensor m = mask.defined() ? mask.detach() : Tensor();
  Tensor out = empty_heads({d.B, d.Hq, d.Tq, d.Dv}, false, q.dtype());  // stored (B, Tq, Hq, Dv)
  Tensor lse = empty({d.B, d.Hq, d.Tq}, q.dtype());
  TT_DISPATCH_FLOAT(q.dtype(), kOp, [&]<typename T>() {
    kernels::attention_forward_cpu<T>({d, view4<const T>(qr), view4<const T>(kr), view4<const T>(vr), mask_view(m, d),
                                       view4<T>(out), lse.data_ptr<T>()});
  });
  const double mask_bytes = mask.defined() ? ops::bytes_of(mask) : 0;
  if (any_requires_grad({&q, &k, &v})) {
    auto node = std::make_shared<AttentionBackward>();
    node->q = qr, node->k = kr, node->v = vr, node->out = out.detach(), node->lse = lse, node->mask = m;
    node->d = d, node->mask_bytes = mask_bytes;
    attach_node(out, std::move(node), {&q, &k, &v});
  }
  timer.done(out, [&] {
    return forward_cost(d, ops::bytes_of(q) + ops::bytes_of(k) + ops::bytes_of(v) + mask_bytes,
                        ops::bytes_of(out) + ops::bytes_of(lse));
  }, {&q, &k, &v, &mask});
  return out;
}

}  // namespace tt

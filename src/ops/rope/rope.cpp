// Op `rope`, rotary position embedding (Su et al. 2021, "RoFormer"), rotate-half convention as in
// GPT-NeoX and Hugging Face LLaMA: x (..., T, D), D = 2h even; for i < h, θ_i = base^(−2i/D) and
// position p = pos0 + t,
//   y[i] = x[i]·cos(pθ_i) − x[i+h]·sin(pθ_i),  y[i+h] = x[i+h]·cos(pθ_i) + x[i]·sin(pθ_i).
// A rotation: the backward op `rope_backward` applies the inverse rotation (by −pθ_i) to dy, with the
// same kernel. The (T, h) cos/sin table is computed in double, once per (pos0, T, D, base, dtype)
// (a per-thread cache: q and k of a layer share it, as do training steps). Inputs with a
// contiguous last dim are read in place (head views of a fused qkv projection need no copy).
// Cost: 3 FLOPs per element (two products and a sum), reads x and the table, writes y; backward alike.
#include <cmath>
#include <vector>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/rope/rope_cpu.h"

namespace tt {
namespace {

struct RopeTable {
  int64_t pos0 = -1, T = -1, D = -1;
  double base = 0;
  DType dtype = kFloat32;
  Tensor cos, sin;  // (T, D/2)
};

// cos and sin of (pos0 + t)·θ_i for t < T, i < D/2, in `dtype`; the last table is reused.
const RopeTable& rope_table(int64_t pos0, int64_t T, int64_t D, double base, DType dtype) {
  thread_local RopeTable cache;
  if (cache.pos0 == pos0 && cache.T == T && cache.D == D && cache.base == base && cache.dtype == dtype)
    return cache;
  const int64_t h = D / 2;
  std::vector<double> c(static_cast<size_t>(T * h)), s(c.size());
  for (int64_t i = 0; i < h; ++i) {
    const double theta = std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(D));
    for (int64_t t = 0; t < T; ++t) {
      const double angle = static_cast<double>(pos0 + t) * theta;
      c[t * h + i] = std::cos(angle), s[t * h + i] = std::sin(angle);
    }
  }
  cache = {pos0, T, D, base, dtype, from_vector(c, {T, h}).to(dtype), from_vector(s, {T, h}).to(dtype)};
  return cache;
}

// y (contiguous, x's shape) = x rotated by the table's angles (by their negatives when inverse).
Tensor rotate(const Tensor& x_in, const Tensor& cos, const Tensor& sin, bool inverse) {
  Tensor x = x_in.size(-1) <= 1 || x_in.stride(-1) == 1 ? x_in : contiguous(x_in);
  Tensor y = empty(x.shape(), x.dtype());
  const int lead = x.dim() - 2;
  int64_t outer = 1;
  for (int i = 0; i < lead; ++i) outer *= x.size(i);
  thread_local std::vector<int64_t> offsets;  // element offset of each outer index (dims before T)
  offsets.assign(static_cast<size_t>(outer), 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = lead - 1, rem = o; i >= 0; --i) offsets[o] += (rem % x.size(i)) * x.stride(i), rem /= x.size(i);
  TT_DISPATCH_FLOAT(x.dtype(), inverse ? "rope_backward" : "rope", [&]<typename T>() {
    kernels::rope_cpu<T>({y.data_ptr<T>(), static_cast<const T*>(x.raw_data()), offsets.data(), outer, x.size(-2),
                          x.stride(-2), x.size(-1) / 2, cos.data_ptr<T>(), sin.data_ptr<T>(), inverse});
  });
  return y;
}

ops::Cost rope_cost(const Tensor& x, const Tensor& cos) {
  return {3.0 * x.numel(), ops::bytes_of(x) + 2 * ops::bytes_of(cos), ops::bytes_of(x)};
}

struct RopeBackward : Node {
  Tensor cos, sin;  // (T, D/2) in the input's dtype
  DType dtype;
  std::vector<Tensor> backward(const Tensor& g) override {
    ops::OpTimer timer(ops::OpId::rope_backward);
    Tensor dx = rotate(g.dtype() == dtype ? g : cast(g, dtype), cos, sin, true);
    timer.done(dx, [&] { return rope_cost(dx, cos); }, {&g});
    return {dx};
  }
  void release() override { cos = sin = Tensor(); }
  const char* name() const override { return "RopeBackward0"; }
};

void check_rope(const Tensor& x, int64_t pos0, double base) {
  TT_CHECK(x.defined(), "rope: undefined input tensor");
  TT_CHECK(is_floating(x.dtype()), "rope: expected a floating-point input, got ", x.dtype(), " (shape ", x.shape(),
           "; hint: convert with .to(tt::kFloat32))");
  TT_CHECK(x.dim() >= 2, "rope: expected x (..., T, D) with at least 2 dims, got ", x.shape());
  TT_CHECK(x.size(-1) % 2 == 0, "rope: head dim D = ", x.size(-1), " must be even (x ", x.shape(),
           "; rotate-half pairs element i with i + D/2)");
  TT_CHECK(pos0 >= 0, "rope: pos0 must be >= 0, got ", pos0, " (x ", x.shape(), ")");
  TT_CHECK(std::isfinite(base) && base > 0, "rope: base must be finite and > 0, got ", base);
}

}  // namespace

Tensor rope(const Tensor& x, int64_t pos0, double base) {
  check_rope(x, pos0, base);
  ops::OpTimer timer(ops::OpId::rope);
  const RopeTable& table = rope_table(pos0, x.size(-2), x.size(-1), base, x.dtype());
  Tensor cos = table.cos, sin = table.sin;  // copies of the handles: the cache may move on
  Tensor y = rotate(x.detach(), cos, sin, false);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<RopeBackward>();
    node->cos = cos, node->sin = sin, node->dtype = x.dtype();
    attach_node(y, std::move(node), {&x});
  }
  timer.done(y, [&] { return rope_cost(x, cos); }, {&x});
  return y;
}

}  // namespace tt

// Op `cross_entropy`: log-softmax + negative log-likelihood (+ label smoothing, ignore_index) fused,
// so the (N, C) log-probabilities are never materialised. Per row i with target t and ε smoothing:
//   lse_i = m_i + log Σ_c e^(x_ic − m_i)
//   loss_i = (1−ε)(lse_i − x_it) + (ε/C) Σ_c (lse_i − x_ic)
// Backward op `cross_entropy_backward`: dx_ic = s_i (softmax_ic − (1−ε)[c = t] − ε/C), with s_i the
// incoming gradient (divided by the kept-row count for "mean"); ignored rows get 0.
// Cost: ~4 FLOPs per logit forward, ~3 backward; reads logits and targets, writes N (or 1) values.
#include <cmath>
#include <type_traits>

#include "core/node.h"
#include "core/parallel.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "ops/unary/vec_math.h"

namespace tt {
namespace {

struct CeArgs {
  int64_t n, c, ignore_index;
  double eps;
};

// Σ_c (m − x_c) for label smoothing, in 32 partial sums like vexp_sum (vectorisable, fixed order).
float row_total(const float* row, float m, int64_t n) {
  float acc[32] = {};
  int64_t c = 0;
  for (; c + 32 <= n; c += 32)
    for (int l = 0; l < 32; ++l) acc[l] += m - row[c + l];
  for (; c < n; ++c) acc[c % 32] += m - row[c];
  float total = 0;
  for (float v : acc) total += v;
  return total;
}

// Rows with few classes (a 10-way classifier): a vector-math call per 10-logit row is mostly call
// overhead, so a block of rows is shifted into one buffer and exponentiated by one vexp, the row
// sums' logs by one vlog. Per element the same arithmetic as the row path, in a fixed order.
constexpr int64_t kBlockElems = 4096;

bool use_row_blocks(const CeArgs& a) { return a.c <= 256; }

void ce_forward_blocks(const CeArgs& a, const float* x, const int64_t* t, float* loss, float* lse, int64_t b,
                       int64_t e) {
  alignas(64) float ex[kBlockElems];  // [rows][c]: e^(x − m)
  float m[kBlockElems], lg[kBlockElems];
  const int64_t rows_per_block = kBlockElems / a.c;
  for (int64_t r0 = b; r0 < e; r0 += rows_per_block) {
    const int64_t rows = std::min(rows_per_block, e - r0);
    for (int64_t i = 0; i < rows; ++i) {
      const float* row = x + (r0 + i) * a.c;
      float mi = row[0];
      for (int64_t c = 1; c < a.c; ++c) mi = row[c] > mi ? row[c] : mi;
      m[i] = mi;
      for (int64_t c = 0; c < a.c; ++c) ex[i * a.c + c] = row[c] - mi;
    }
    kernels::vexp(ex, ex, rows * a.c);
    for (int64_t i = 0; i < rows; ++i) {
      float s = 0;
      for (int64_t c = 0; c < a.c; ++c) s += ex[i * a.c + c];
      lg[i] = s;
    }
    kernels::vlog(lg, lg, rows);
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t r = r0 + i;
      if (t[r] == a.ignore_index) {
        loss[r] = 0, lse[r] = 0;
        continue;
      }
      const float* row = x + r * a.c;
      lse[r] = m[i] + lg[i];
      const float nll = (m[i] - row[t[r]]) + lg[i];
      loss[r] = a.eps == 0 ? nll
                           : float(1 - a.eps) * nll + float(a.eps / a.c) * (a.c * lg[i] + row_total(row, m[i], a.c));
    }
  }
}

template <typename T>
void ce_forward(const CeArgs& a, const T* x, const int64_t* t, T* loss, T* lse) {
  parallel_for(0, a.n, std::max<int64_t>(1, 8192 / std::max<int64_t>(a.c, 1)), [&](int64_t b, int64_t e) {
    if constexpr (std::is_same_v<T, float>) {
      if (use_row_blocks(a)) return ce_forward_blocks(a, x, t, loss, lse, b, e);
    }
    for (int64_t i = b; i < e; ++i) {
      const T* row = x + i * a.c;
      if (t[i] == a.ignore_index) {
        loss[i] = 0, lse[i] = 0;
        continue;
      }
      T m = row[0], s = 0, total = 0;  // total = Σ_c (m − x_c)
      if constexpr (std::is_same_v<T, float>) {  // vector max and exp, 32 partial sums (vec_math.h)
        m = kernels::vmax(row, a.c);
        s = kernels::vexp_sum(row, m, nullptr, a.c);
        if (a.eps != 0) total = row_total(row, m, a.c);
      } else {
        for (int64_t c = 1; c < a.c; ++c) m = std::max(m, row[c]);
        for (int64_t c = 0; c < a.c; ++c) s += std::exp(row[c] - m), total += m - row[c];
      }
      T log_s = std::log(s);
      lse[i] = m + log_s;
      T nll = (m - row[t[i]]) + log_s;  // as in log_softmax: keep log Σ's digits when |x| is large
      loss[i] = a.eps == 0 ? nll : T(1 - a.eps) * nll + T(a.eps / a.c) * (a.c * log_s + total);
    }
  });
}

// dx row i from e = e^(x − lse) already in d: s_i (e − ε/C) − s_i (1 − ε) at the target.
template <typename T>
void ce_grad_row(const CeArgs& a, int64_t target, T s, T* d) {
  const T smooth = T(a.eps / a.c);
  for (int64_t c = 0; c < a.c; ++c) d[c] = s * (d[c] - smooth);
  d[target] -= s * T(1 - a.eps);
}

template <typename T>
void ce_backward(const CeArgs& a, const T* x, const int64_t* t, const T* lse, const T* scale, int64_t scale_stride,
                 T* dx) {
  parallel_for(0, a.n, std::max<int64_t>(1, 8192 / std::max<int64_t>(a.c, 1)), [&](int64_t b, int64_t e) {
    constexpr bool kF32 = std::is_same_v<T, float>;
    const bool blocks = kF32 && use_row_blocks(a);
    for (int64_t i = b; i < e; ++i) {  // d = x − lse (then one vexp for the chunk) or e^(x − lse)
      const T* row = x + i * a.c;
      T* d = dx + i * a.c;
      if (blocks) {
        for (int64_t c = 0; c < a.c; ++c) d[c] = row[c] - lse[i];
      } else if constexpr (kF32) {
        kernels::vexp_sum(row, lse[i], d, a.c);
      } else {
        for (int64_t c = 0; c < a.c; ++c) d[c] = std::exp(row[c] - lse[i]);
      }
    }
    if constexpr (kF32) {
      if (blocks) kernels::vexp(dx + b * a.c, dx + b * a.c, (e - b) * a.c);
    }
    for (int64_t i = b; i < e; ++i) {
      T* d = dx + i * a.c;
      if (t[i] == a.ignore_index) {
        for (int64_t c = 0; c < a.c; ++c) d[c] = 0;
      } else {
        ce_grad_row(a, t[i], scale[i * scale_stride], d);
      }
    }
  });
}

struct CrossEntropyBackward : Node {
  Tensor x, t, lse;  // x (N, C) contiguous, t (N) int64, lse (N)
  CeArgs args;
  Reduction reduction;
  double kept;
  Shape x_shape;
  std::vector<Tensor> backward(const Tensor& g) override {
    ops::OpTimer timer(ops::OpId::cross_entropy_backward);
    Tensor dx = empty(x.shape(), x.dtype());
    TT_DISPATCH_FLOAT(x.dtype(), "cross_entropy_backward", [&]<typename T>() {
      Tensor gs = contiguous(cast(g, x.dtype()));
      if (reduction == Reduction::Mean) gs = gs * (1.0 / kept);
      ce_backward<T>(args, x.data_ptr<T>(), t.data_ptr<int64_t>(), lse.data_ptr<T>(), gs.data_ptr<T>(),
                     reduction == Reduction::None ? 1 : 0, dx.data_ptr<T>());
    });
    timer.done(dx, [&] { return ops::Cost{3.0 * x.numel(), ops::bytes_of(x) + ops::bytes_of(t), ops::bytes_of(dx)}; },
               {&g, &x});
    return {reshape(dx, x_shape), Tensor()};
  }
  void release() override { x = t = lse = Tensor(); }
  const char* name() const override { return "CrossEntropyLossBackward0"; }
};

void check_ce(const Tensor& x, const Tensor& t) {
  TT_CHECK(x.defined() && t.defined(), "cross_entropy: undefined input or target");
  TT_CHECK(is_floating(x.dtype()), "cross_entropy: logits must be floating-point, got ", x.dtype());
  TT_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, "cross_entropy: target must hold class indices (int64), got ",
           t.dtype());
  TT_CHECK(x.dim() == 2 || x.dim() == 1, "cross_entropy: logits must be (N, C) or (C), got shape ", x.shape());
  TT_CHECK(t.dim() == x.dim() - 1 && (x.dim() == 1 || t.shape()[0] == x.shape()[0]),
           "cross_entropy: target shape ", t.shape(), " does not match logits ", x.shape(), " (expected [",
           x.dim() == 2 ? x.shape()[0] : 0, "] class indices)");
}

}  // namespace

Reduction parse_reduction(const std::string& s, const char* op) {
  if (s == "mean") return Reduction::Mean;
  if (s == "sum") return Reduction::Sum;
  if (s == "none") return Reduction::None;
  TT_CHECK(false, op, ": reduction must be \"none\", \"mean\" or \"sum\", got \"", s, "\"");
  return Reduction::Mean;
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, int64_t ignore_index,
                     double label_smoothing) {
  check_ce(logits, target);
  TT_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ",
           label_smoothing);
  ops::OpTimer timer(ops::OpId::cross_entropy);
  Tensor x = contiguous(logits.dim() == 1 ? logits.detach().unsqueeze(0) : logits.detach());
  Tensor t = contiguous(target.reshape(Shape{-1}).to(kInt64));
  const int64_t n = x.shape()[0], c = x.shape()[1];
  const int64_t* tp = t.data_ptr<int64_t>();
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (tp[i] == ignore_index) continue;
    TT_CHECK(tp[i] >= 0 && tp[i] < c, "cross_entropy: target ", tp[i], " at position ", i, " is out of range for ",
             c, " classes (expected 0..", c - 1, " or ignore_index ", ignore_index, ")");
    ++kept;
  }
  CeArgs args{n, c, ignore_index, label_smoothing};
  Tensor losses = empty(Shape{n}, x.dtype()), lse = empty(Shape{n}, x.dtype());
  TT_DISPATCH_FLOAT(x.dtype(), "cross_entropy", [&]<typename T>() {
    ce_forward<T>(args, x.data_ptr<T>(), tp, losses.data_ptr<T>(), lse.data_ptr<T>());
  });
  Tensor out;
  {
    NoGradGuard ng;
    if (reduction == Reduction::None) out = logits.dim() == 1 ? reshape(losses, Shape{}) : losses;
    else if (reduction == Reduction::Sum) out = sum(losses);
    else out = sum(losses) * (1.0 / static_cast<double>(kept));  // all ignored → NaN, as PyTorch
  }
  if (any_requires_grad({&logits})) {
    auto node = std::make_shared<CrossEntropyBackward>();
    node->x = x, node->t = t, node->lse = lse, node->args = args, node->reduction = reduction;
    node->kept = static_cast<double>(kept), node->x_shape = logits.shape();
    attach_node(out, std::move(node), {&logits, &target});
  }
  timer.done(out, [&] { return ops::Cost{4.0 * x.numel(), ops::bytes_of(x) + ops::bytes_of(t), ops::bytes_of(out)}; },
             {&logits, &target});
  return out;
}

}  // namespace tt

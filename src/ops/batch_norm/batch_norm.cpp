// Op `batch_norm` (Ioffe & Szegedy 2015, "Batch Normalization"), as torch.nn.functional.batch_norm on
// x [N, C, *] (seen as [N, C, S]); per channel c over its M = N·S values:
//   y = (x − μ_c)/√(σ²_c + eps)·w_c + b_c
// Training: μ, σ² are the batch mean and biased variance; running stats, when given, are updated in
// place with the unbiased variance (Note [Unbiased running variance]). Evaluation: μ = running_mean,
// σ² = running_var. The fused kernels are in batch_norm_cpu.h.
// Backward op `batch_norm_backward` (a kernel op, Note [No double backward] in layer_norm.cpp):
//   train: dx = (w·rstd/M)(M·dy − Σdy − x̂·Σ(dy·x̂));  eval: dx = w·rstd·dy;  dw = Σ dy·x̂, db = Σ dy.
// Cost: forward 7 FLOPs per element in training (sum; centred sums; normalise), 2 in evaluation, +1
// each for w and b; reads x, w, b and the running stats, writes y, mean and rstd (float64) and, in
// training, the running stats. Backward 10 FLOPs per element in training, 6 in evaluation; reads
// dy, x, w, mean, rstd, writes dx, dw, db.
#include <cmath>

#include "core/node.h"
#include "ops/batch_norm/batch_norm_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

// Note [Unbiased running variance]
// PyTorch normalises a training batch with the biased variance σ² = Σ(x − μ)²/M, but folds the
// unbiased estimate σ²·M/(M − 1) into running_var, since running_var estimates the population
// variance used at evaluation. So a model evaluated right after one training step with momentum 1
// does not reproduce its training output exactly. M = 1 has no unbiased estimate: training then
// raises, as PyTorch does.

kernels::BatchNormDims dims_of(const Tensor& x) {
  kernels::BatchNormDims d;
  d.N = x.size(0), d.C = x.size(1);
  for (int i = 2; i < x.dim(); ++i) d.S *= x.size(i);
  return d;
}

struct BatchNormBackward : Node {
  Tensor x, w, mean, rstd;  // x contiguous [N, C, *]; w contiguous [C] or undefined; mean, rstd [C] float64
  kernels::BatchNormDims d;
  bool train, need_x, need_w, need_b;
  std::vector<Tensor> backward(const Tensor& g) override;
  void release() override { x = w = mean = rstd = Tensor(); }
  const char* name() const override { return "NativeBatchNormBackward0"; }
};

std::vector<Tensor> BatchNormBackward::backward(const Tensor& g) {
  ops::OpTimer timer(ops::OpId::batch_norm_backward);
  Tensor dy = contiguous(g.dtype() == x.dtype() ? g : cast(g, x.dtype()));  // x's shape
  Tensor dx = need_x ? empty(x.shape(), x.dtype()) : Tensor();
  Tensor dw = need_w ? empty(Shape{d.C}, x.dtype()) : Tensor();
  Tensor db = need_b ? empty(Shape{d.C}, x.dtype()) : Tensor();
  TT_DISPATCH_FLOAT(x.dtype(), "batch_norm_backward", [&]<typename T>() {
    auto ptr = [](const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
    kernels::batch_norm_backward_cpu<T>(ptr(dx), ptr(dw), ptr(db), dy.data_ptr<T>(), x.data_ptr<T>(),
                                        mean.data_ptr<double>(), rstd.data_ptr<double>(), ptr(w), d, train);
  });
  timer.done(need_x ? dx : (need_w ? dw : db), [&] {
    auto bytes = [](const Tensor& t) { return t.defined() ? ops::bytes_of(t) : 0.0; };
    const double read = bytes(dy) + bytes(x) + bytes(w) + bytes(mean) + bytes(rstd);
    return ops::Cost{(train ? 10.0 : 6.0) * x.numel(), read, bytes(dx) + bytes(dw) + bytes(db)};
  }, {&g, &x, &w});
  return {dx, dw, db};
}

void check_channel_param(const Tensor& p, const char* what, const Tensor& x) {
  if (!p.defined()) return;
  TT_CHECK(p.dim() == 1 && p.size(0) == x.size(1), "batch_norm: ", what, " has shape ", p.shape(), " but input ",
           x.shape(), " has ", x.size(1), " channels (expected [", x.size(1), "])");
  TT_CHECK(p.dtype() == x.dtype(), "batch_norm: ", what, " dtype ", p.dtype(), " differs from input ", x.dtype(),
           " (hint: convert the module with .to(dtype))");
}

void check_batch_norm(const Tensor& x, const Tensor& rm, const Tensor& rv, const Tensor& w, const Tensor& b,
                      bool training, double momentum, double eps) {
  TT_CHECK(x.defined(), "batch_norm: undefined input tensor");
  TT_CHECK(x.dim() >= 2, "batch_norm: expected an input [N, C, *] of at least 2 dims, got shape ", x.shape());
  TT_CHECK(is_floating(x.dtype()), "batch_norm: expected a floating-point input, got ", x.dtype(), " (shape ",
           x.shape(), "; hint: convert with .to(tt::kFloat32))");
  check_channel_param(w, "weight", x);
  check_channel_param(b, "bias", x);
  check_channel_param(rm, "running_mean", x);
  check_channel_param(rv, "running_var", x);
  TT_CHECK(rm.defined() == rv.defined(), "batch_norm: running_mean and running_var must both be given or both be "
           "undefined");
  TT_CHECK(eps >= 0 && std::isfinite(eps), "batch_norm: eps must be finite and >= 0, got ", eps);
  if (!training) {
    TT_CHECK(rm.defined(), "batch_norm: evaluation (training=false) needs running_mean and running_var (input ",
             x.shape(), ")");
    return;
  }
  const kernels::BatchNormDims d = dims_of(x);
  TT_CHECK(d.C == 0 || d.N * d.S > 1, "batch_norm: expected more than 1 value per channel when training, got input ",
           x.shape(), " (hint: use a batch of at least 2, or eval mode)");
  TT_CHECK(std::isfinite(momentum), "batch_norm: momentum must be finite, got ", momentum);
  for (const Tensor* r : {&rm, &rv})
    TT_CHECK(!r->defined() || !r->requires_grad(), "batch_norm: running statistics are updated in place and must "
             "not require grad");
}

// running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance.
void update_running_stats(const Tensor& rm, const Tensor& rv, const Tensor& mean, const Tensor& var, double momentum,
                          double M) {
  NoGradGuard no_grad;
  const int64_t C = mean.numel();
  std::vector<double> m = rm.to_vector<double>(), v = rv.to_vector<double>();
  const double* bm = mean.data_ptr<double>();
  const double* bv = var.data_ptr<double>();
  for (int64_t c = 0; c < C; ++c) {
    m[c] = (1 - momentum) * m[c] + momentum * bm[c];
    v[c] = (1 - momentum) * v[c] + momentum * bv[c] * M / (M - 1);  // Note [Unbiased running variance]
  }
  rm.detach().copy_(from_vector(m, Shape{C}));
  rv.detach().copy_(from_vector(v, Shape{C}));
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  check_batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps);
  ops::OpTimer timer(ops::OpId::batch_norm);
  const kernels::BatchNormDims d = dims_of(x);
  Tensor xc = contiguous(x.detach());  // [N, C, S]
  Tensor wc = weight.defined() ? contiguous(weight.detach()) : Tensor();
  Tensor bc = bias.defined() ? contiguous(bias.detach()) : Tensor();
  Tensor y = empty(x.shape(), x.dtype());
  Tensor mean = empty(Shape{d.C}, kFloat64), rstd = empty(Shape{d.C}, kFloat64);
  const bool update = training && running_mean.defined();
  TT_DISPATCH_FLOAT(x.dtype(), "batch_norm", [&]<typename T>() {
    auto ptr = [](const Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
    if (training) {
      Tensor var = empty(Shape{d.C}, kFloat64);
      kernels::batch_norm_train_forward_cpu<T>(y.data_ptr<T>(), mean.data_ptr<double>(), var.data_ptr<double>(),
                                               rstd.data_ptr<double>(), xc.data_ptr<T>(), ptr(wc), ptr(bc), d, eps);
      if (update) update_running_stats(running_mean, running_var, mean, var, momentum, double(d.N * d.S));
    } else {  // copies, so a later in-place update of the running stats leaves this graph intact
      std::vector<double> rm = running_mean.to_vector<double>(), rv = running_var.to_vector<double>();
      for (int64_t c = 0; c < d.C; ++c)
        mean.data_ptr<double>()[c] = rm[c], rstd.data_ptr<double>()[c] = 1.0 / std::sqrt(rv[c] + eps);
      kernels::batch_norm_apply_cpu<T>(y.data_ptr<T>(), xc.data_ptr<T>(), mean.data_ptr<double>(),
                                       rstd.data_ptr<double>(), ptr(wc), ptr(bc), d);
    }
  });
  if (any_requires_grad({&x, &weight, &bias})) {
    auto node = std::make_shared<BatchNormBackward>();
    node->x = xc, node->w = wc, node->mean = mean, node->rstd = rstd, node->d = d, node->train = training;
    node->need_x = x.requires_grad(), node->need_w = weight.defined() && weight.requires_grad();
    node->need_b = bias.defined() && bias.requires_grad();
    attach_node(y, std::move(node), {&x, &weight, &bias});
  }
  timer.done(y, [&] {
    auto bytes = [](const Tensor& t) { return t.defined() ? ops::bytes_of(t) : 0.0; };
    const double per = (training ? 7.0 : 2.0) + weight.defined() + bias.defined();
    const double stats = bytes(running_mean) + bytes(running_var);  // read in eval; read and written in training
    const double read = bytes(x) + bytes(weight) + bytes(bias) + stats;
    const double written = bytes(y) + bytes(mean) + bytes(rstd) + (update ? stats : 0.0);
    return ops::Cost{per * x.numel(), read, written};
  }, {&x, &weight, &bias});
  return y;
}

}  // namespace tt

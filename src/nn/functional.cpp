// Losses as compositions of ops (autograd derives their gradients), except cross-entropy, which
// is one fused op (ops/cross_entropy). Shape checks name the loss and both shapes.
#include "nn/functional.h"

#include "core/node.h"

namespace tt::nn::functional {
namespace {

void check_same(const Tensor& a, const Tensor& b, const char* op) {
  TT_CHECK(a.defined() && b.defined(), op, ": undefined input or target");
  TT_CHECK(a.shape() == b.shape(), op, ": input shape ", a.shape(), " and target shape ", b.shape(),
           " differ (hint: reshape the target; broadcasting in losses usually hides a bug)");
  TT_CHECK(is_floating(a.dtype()), op, ": input must be floating-point, got ", a.dtype());
}

Tensor as_dtype(const Tensor& t, DType d) { return t.dtype() == d ? t : t.to(d); }

}  // namespace

Tensor reduce_loss(const Tensor& losses, const std::string& reduction, const char* op) {
  switch (parse_reduction(reduction, op)) {
    case Reduction::None: return losses;
    case Reduction::Sum: return sum(losses);
    case Reduction::Mean: return mean(losses);
  }
  return losses;
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  TT_CHECK(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0.0;
  // Inverted dropout: scale kept units by 1/(1−p) so evaluation needs no rescaling.
  Tensor mask = bernoulli(x.shape(), 1.0 - p, gen, x.dtype());
  return x * (mask * (1.0 / (1.0 - p)));
}

Tensor mse_loss(const Tensor& x, const Tensor& y, const std::string& reduction) {
  check_same(x, y, "mse_loss");
  Tensor d = x - as_dtype(y, x.dtype());
  return reduce_loss(d * d, reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& x, const Tensor& y, const std::string& reduction) {
  check_same(x, y, "l1_loss");
  return reduce_loss(abs(x - as_dtype(y, x.dtype())), reduction, "l1_loss");
}

Tensor huber_loss(const Tensor& x, const Tensor& y, const std::string& reduction, double delta) {
  check_same(x, y, "huber_loss");
  TT_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  Tensor d = abs(x - as_dtype(y, x.dtype()));
  Tensor quad = d * d * 0.5, lin = (d - 0.5 * delta) * delta;
  return reduce_loss(where(d < delta, quad, lin), reduction, "huber_loss");
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const std::string& reduction, int64_t ignore_index,
                     double label_smoothing) {
  return tt::cross_entropy(logits, target, parse_reduction(reduction, "cross_entropy"), ignore_index, label_smoothing);
}

Tensor nll_loss(const Tensor& logp, const Tensor& target, const std::string& reduction, int64_t ignore_index) {
  TT_CHECK(logp.defined() && target.defined(), "nll_loss: undefined input or target");
  TT_CHECK(logp.dim() == 2, "nll_loss: input must be (N, C) log-probabilities, got shape ", logp.shape());
  TT_CHECK(target.dim() == 1 && target.shape()[0] == logp.shape()[0], "nll_loss: target shape ", target.shape(),
           " does not match input ", logp.shape(), " (expected [", logp.shape()[0], "])");
  TT_CHECK(!is_floating(target.dtype()), "nll_loss: target must hold class indices (int64), got ", target.dtype());
  Tensor t = target.to(kInt64);
  Tensor keep = t != static_cast<double>(ignore_index);
  Tensor safe_t = where(keep, t, zeros(Shape{}, kInt64));  // ignored rows gather class 0, then are masked
  Tensor picked = gather(logp, 1, safe_t.unsqueeze(1)).squeeze(1);
  Tensor losses = where(keep, -picked, zeros(Shape{}, logp.dtype()));
  Reduction r = parse_reduction(reduction, "nll_loss");
  if (r == Reduction::None) return losses;
  if (r == Reduction::Sum) return sum(losses);
  return sum(losses) / sum(keep.to(logp.dtype()));
}

Tensor binary_cross_entropy(const Tensor& p, const Tensor& y, const std::string& reduction) {
  check_same(p, y, "binary_cross_entropy");
  {
    NoGradGuard ng;
    double lo = amin(p).item<double>(), hi = amax(p).item<double>();
    TT_CHECK(p.numel() == 0 || (lo >= 0 && hi <= 1), "binary_cross_entropy: input must be probabilities in [0, 1], got range [",
             lo, ", ", hi, "] (hint: use binary_cross_entropy_with_logits on raw scores)");
  }
  Tensor yy = as_dtype(y, p.dtype());
  // Note [BCE backward]: PyTorch clamps each log at −100 so p = 0 or 1 gives a finite loss, and has
  // its own backward, (p − y)/max(p(1 − p), 1e-12). Differentiating the clamped logs instead gives
  // 0/0 = NaN at p = 0 or 1 (e.g. a saturated float32 sigmoid). So the loss is value + (p − p̄)·dp,
  // with value and dp computed without grad and p̄ = p.detach(): the forward is exactly the value
  // (p − p̄ = 0) and the gradient is exactly dp.
  Tensor value, dp;
  {
    NoGradGuard ng;
    Tensor lp = clamp(log(p), -100.0, std::nullopt), l1p = clamp(log(1.0 - p), -100.0, std::nullopt);
    value = -(yy * lp + (1.0 - yy) * l1p);
    dp = (p - yy) / clamp(p * (1.0 - p), 1e-12, std::nullopt);
  }
  return reduce_loss(value + (p - p.detach()) * dp, reduction, "binary_cross_entropy");
}

Tensor binary_cross_entropy_with_logits(const Tensor& x, const Tensor& y, const std::string& reduction) {
  check_same(x, y, "binary_cross_entropy_with_logits");
  Tensor yy = as_dtype(y, x.dtype());
  // Note [BCE-with-logits gradient at 0]: |x| is where(x > 0, x, −x), not abs(x), so that at x == 0
  // autograd gives σ(0) − y = ½ − y as PyTorch does; relu(0) and abs(0) both have subgradient 0,
  // which would give −y there.
  Tensor abs_x = where(x > 0.0, x, -x);
  Tensor losses = relu(x) - x * yy + log1p(exp(-abs_x));
  return reduce_loss(losses, reduction, "binary_cross_entropy_with_logits");
}

}  // namespace tt::nn::functional

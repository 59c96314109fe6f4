// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), as torch.optim 1.13 computes them:
//   Adam:  g ← g + λp          AdamW: p ← p·(1 − lr·λ)
//   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²;   (amsgrad: v̂ ← max(v̂, v), used below)
//   p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
// State: exp_avg, exp_avg_sq (+ max_exp_avg_sq) — two (three) tensors per parameter.
#include <cmath>
#include <type_traits>

#include "core/parallel.h"
#include "optim/adam_kernels.h"
#include "optim/optimizer.h"

namespace tt::optim {
namespace {

Options adam_defaults(Options o, bool adamw) {
  Options d{{"lr", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", adamw ? 1e-2 : 0.0},
            {"amsgrad", 0}};
  for (auto& [k, v] : o) {
    TT_CHECK(d.count(k), adamw ? "AdamW" : "Adam", ": unknown option \"", k, "\" (betas are beta1 and beta2)");
    d[k] = v;
  }
  TT_CHECK(d["beta1"] >= 0 && d["beta1"] < 1 && d["beta2"] >= 0 && d["beta2"] < 1, adamw ? "AdamW" : "Adam",
           ": betas must be in [0, 1), got ", d["beta1"], ", ", d["beta2"]);
  TT_CHECK(d["eps"] >= 0 && d["weight_decay"] >= 0, adamw ? "AdamW" : "Adam", ": eps and weight_decay must be >= 0");
  return d;
}

// Branch-free inner loop per variant (AdamW?, AMSGrad?) so the compiler vectorises it.
template <typename T, bool kAdamW, bool kAmsgrad>
void adam_loop(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, T* __restrict vmax,
               int64_t n, T b1, T b2, T eps, T wd, T step_size, T inv_bc2_sqrt, T decay) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if constexpr (kAdamW) p[i] *= decay;
    else gi += wd * p[i];
    m[i] = m[i] * b1 + gi * (T(1) - b1);
    v[i] = v[i] * b2 + gi * gi * (T(1) - b2);
    T vv = v[i];
    if constexpr (kAmsgrad) vv = vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
    // torch divides √v by √(1 − β₂ᵗ); multiplying by its reciprocal saves one of two divisions per
    // element (a vector divide is several times slower than a multiply) at ≤ 1 ulp of difference.
    p[i] -= step_size * (m[i] / (std::sqrt(vv) * inv_bc2_sqrt + eps));
  }
}

template <typename T>
void adam_kernel(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, int64_t step, bool adamw, const Options& o) {
  const T lr = T(o.at("lr")), b1 = T(o.at("beta1")), b2 = T(o.at("beta2")), eps = T(o.at("eps")),
          wd = T(o.at("weight_decay"));
  const T bc1 = T(1) - std::pow(b1, T(step)), bc2_sqrt = std::sqrt(T(1) - std::pow(b2, T(step)));
  const T step_size = lr / bc1, decay = T(1) - lr * wd, inv_bc2_sqrt = T(1) / bc2_sqrt;
  // Elementwise and independent: split large parameters over the thread pool (deterministic).
  static const bool kAvx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  }();
  parallel_for(0, n, 1 << 15, [&](int64_t b, int64_t e) {
    T* vm = vmax ? vmax + b : nullptr;
    const int64_t len = e - b;
    if constexpr (std::is_same_v<T, float>) {
      if (kAvx512 && !vm) {
        const detail::AdamF32Params a{b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay, adamw};
        return detail::adam_f32_avx512(p + b, g + b, m + b, v + b, len, a);
      }
    }
    if (adamw) {
      if (vm) adam_loop<T, true, true>(p + b, g + b, m + b, v + b, vm, len, b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay);
      else adam_loop<T, true, false>(p + b, g + b, m + b, v + b, vm, len, b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay);
    } else {
      if (vm) adam_loop<T, false, true>(p + b, g + b, m + b, v + b, vm, len, b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay);
      else adam_loop<T, false, false>(p + b, g + b, m + b, v + b, vm, len, b1, b2, eps, wd, step_size, inv_bc2_sqrt, decay);
    }
  });
}

}  // namespace

Adam::Adam(const std::vector<Tensor>& params, Options options, bool adamw)
    : Adam(single_group(params), std::move(options), adamw) {}
Adam::Adam(std::vector<ParamGroup> groups, Options defaults, bool adamw)
    : Optimizer(std::move(groups), adam_defaults(defaults, adamw), adamw ? "AdamW" : "Adam"), adamw_(adamw) {}
AdamW::AdamW(const std::vector<Tensor>& params, Options options) : Adam(params, std::move(options), true) {}
AdamW::AdamW(std::vector<ParamGroup> groups, Options defaults) : Adam(std::move(groups), std::move(defaults), true) {}

void Adam::update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) {
  Tensor& m = state_tensor(st, "exp_avg", p);
  Tensor& v = state_tensor(st, "exp_avg_sq", p);
  Tensor vmax = o.at("amsgrad") != 0 ? state_tensor(st, "max_exp_avg_sq", p) : Tensor();
  TT_DISPATCH_FLOAT(p.dtype(), name().c_str(), [&]<typename T>() {
    adam_kernel<T>(p.data_ptr<T>(), g.data_ptr<T>(), m.data_ptr<T>(), v.data_ptr<T>(),
                   vmax.defined() ? vmax.data_ptr<T>() : nullptr, p.numel(), step, adamw_, o);
  });
}

// Per element: m = β1·m + (1−β1)·g (3), v = β2·v + (1−β2)·g² (4), denominator √v/√bc2 + ε (3),
// p − (lr/bc1)·m/denominator (3), weight decay (2; coupled or decoupled).
double Adam::flops_per_element(const Options& o) const {
  return 13 + (o.at("weight_decay") != 0 ? 2 : 0) + (o.at("amsgrad") != 0 ? 1 : 0);
}

}  // namespace tt::optim

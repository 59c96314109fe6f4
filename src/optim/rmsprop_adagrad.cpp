// RMSprop (Hinton's lecture 6e; torch.optim.RMSprop 1.13) and Adagrad (Duchi et al. 2011):
//   RMSprop: g ← g + λp;  s ← α·s + (1−α)·g²;  centered: ḡ ← α·ḡ + (1−α)·g, a = √(s − ḡ²) + ε,
//            else a = √s + ε;  momentum μ > 0: b ← μ·b + g/a, p ← p − lr·b;  else p ← p − lr·g/a
//   Adagrad: g ← g + λp;  lr_t = lr / (1 + (t−1)·lr_decay);  Σ ← Σ + g²;  p ← p − lr_t·g/(√Σ + ε)
#include <cmath>

#include "optim/optimizer.h"

namespace tt::optim {
namespace {

Options merge(const char* who, Options defaults, const Options& o) {
  for (auto& [k, v] : o) {
    TT_CHECK(defaults.count(k), who, ": unknown option \"", k, "\"");
    defaults[k] = v;
  }
  for (auto& [k, v] : defaults) TT_CHECK(v >= 0, who, ": option ", k, " must be >= 0, got ", v);
  return defaults;
}

template <typename T>
void rmsprop_kernel(T* p, const T* g, T* s, T* gavg, T* buf, int64_t n, const Options& o) {
  const T lr = T(o.at("lr")), alpha = T(o.at("alpha")), eps = T(o.at("eps")), wd = T(o.at("weight_decay")),
          mu = T(o.at("momentum"));
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if (wd != 0) gi += wd * p[i];
    s[i] = s[i] * alpha + gi * gi * (T(1) - alpha);
    T a;
    if (gavg) {
      gavg[i] = gavg[i] * alpha + gi * (T(1) - alpha);
      a = std::sqrt(s[i] - gavg[i] * gavg[i]) + eps;
    } else {
      a = std::sqrt(s[i]) + eps;
    }
    if (buf) {
      buf[i] = buf[i] * mu + gi / a;
      p[i] -= lr * buf[i];
    } else {
      p[i] -= lr * (gi / a);
    }
  }
}

template <typename T>
void adagrad_kernel(T* p, const T* g, T* sum, int64_t n, int64_t step, const Options& o) {
  const T lr = T(o.at("lr")), wd = T(o.at("weight_decay")), eps = T(o.at("eps"));
  const T clr = lr / (T(1) + T(step - 1) * T(o.at("lr_decay")));
  for (int64_t i = 0; i < n; ++i) {
    T gi = g[i];
    if (wd != 0) gi += wd * p[i];
    sum[i] += gi * gi;
    p[i] -= clr * (gi / (std::sqrt(sum[i]) + eps));
  }
}

}  // namespace

RMSprop::RMSprop(const std::vector<Tensor>& params, Options options) : RMSprop(single_group(params), std::move(options)) {}
RMSprop::RMSprop(std::vector<ParamGroup> groups, Options defaults)
    : Optimizer(std::move(groups),
                merge("RMSprop",
                      {{"lr", 1e-2}, {"alpha", 0.99}, {"eps", 1e-8}, {"weight_decay", 0}, {"momentum", 0}, {"centered", 0}},
                      defaults),
                "RMSprop") {}

void RMSprop::update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t, const Options& o) {
  Tensor& s = state_tensor(st, "square_avg", p);
  Tensor gavg = o.at("centered") != 0 ? state_tensor(st, "grad_avg", p) : Tensor();
  Tensor buf = o.at("momentum") > 0 ? state_tensor(st, "momentum_buffer", p) : Tensor();
  TT_DISPATCH_FLOAT(p.dtype(), "RMSprop", [&]<typename T>() {
    rmsprop_kernel<T>(p.data_ptr<T>(), g.data_ptr<T>(), s.data_ptr<T>(), gavg.defined() ? gavg.data_ptr<T>() : nullptr,
                      buf.defined() ? buf.data_ptr<T>() : nullptr, p.numel(), o);
  });
}

Adagrad::Adagrad(const std::vector<Tensor>& params, Options options) : Adagrad(single_group(params), std::move(options)) {}
Adagrad::Adagrad(std::vector<ParamGroup> groups, Options defaults)
    : Optimizer(std::move(groups),
                merge("Adagrad",
                      {{"lr", 1e-2}, {"lr_decay", 0}, {"weight_decay", 0}, {"initial_accumulator_value", 0}, {"eps", 1e-10}},
                      defaults),
                "Adagrad") {}

void Adagrad::update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) {
  Tensor& sum = state_tensor(st, "sum", p, o.at("initial_accumulator_value"));
  TT_DISPATCH_FLOAT(p.dtype(), "Adagrad", [&]<typename T>() {
    adagrad_kernel<T>(p.data_ptr<T>(), g.data_ptr<T>(), sum.data_ptr<T>(), p.numel(), step, o);
  });
}

// Per element: sq = α·sq + (1−α)·g² (4), √sq + ε (2), p − lr·g/avg (3); centered g_avg (3 + 1),
// momentum (3), weight decay (2).
double RMSprop::flops_per_element(const Options& o) const {
  double f = 9;
  if (o.at("centered") != 0) f += 4;
  if (o.at("momentum") != 0) f += 3;
  if (o.at("weight_decay") != 0) f += 2;
  return f;
}

// Per element: sum += g² (2), √sum + ε (2), p − clr·g/… (3), weight decay (2).
double Adagrad::flops_per_element(const Options& o) const { return 7 + (o.at("weight_decay") != 0 ? 2 : 0); }

}  // namespace tt::optim

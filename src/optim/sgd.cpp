// SGD (torch.optim.SGD, 1.13):  d = g + λp;  with momentum μ: buf = d on the first step, else
// buf = μ·buf + (1−τ)·d;  d = d + μ·buf (Nesterov) or buf;  p ← p − lr·d.
#include "optim/optimizer.h"

namespace tt::optim {
namespace {

Options sgd_defaults(Options o) {
  TT_CHECK(o.count("lr"), "SGD: lr is required");
  Options d{{"lr", 0}, {"momentum", 0}, {"dampening", 0}, {"weight_decay", 0}, {"nesterov", 0}};
  for (auto& [k, v] : o) {
    TT_CHECK(d.count(k), "SGD: unknown option \"", k, "\"");
    d[k] = v;
  }
  TT_CHECK(d["momentum"] >= 0 && d["weight_decay"] >= 0, "SGD: momentum and weight_decay must be >= 0");
  TT_CHECK(!(d["nesterov"] != 0 && (d["momentum"] <= 0 || d["dampening"] != 0)),
           "SGD: Nesterov momentum requires a momentum and zero dampening");
  return d;
}

// The momentum variants are template parameters so each inner loop is branch-free (a branch on
// the buffer pointer inside the loop made GCC vectorise with masked loads: ~6 ns per element).
template <typename T, bool kMomentum, bool kNesterov>
void sgd_loop(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n, bool first, T lr, T mu, T damp,
              T wd) {
  for (int64_t i = 0; i < n; ++i) {
    T d = g[i] + wd * p[i];
    if constexpr (kMomentum) {
      buf[i] = first ? d : mu * buf[i] + (T(1) - damp) * d;
      d = kNesterov ? d + mu * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}

template <typename T>
void sgd_kernel(T* p, const T* g, T* buf, int64_t n, bool first, const Options& o) {
  const T lr = T(o.at("lr")), mu = T(o.at("momentum")), damp = T(o.at("dampening")), wd = T(o.at("weight_decay"));
  if (!buf) sgd_loop<T, false, false>(p, g, buf, n, first, lr, mu, damp, wd);
  else if (o.at("nesterov") != 0) sgd_loop<T, true, true>(p, g, buf, n, first, lr, mu, damp, wd);
  else sgd_loop<T, true, false>(p, g, buf, n, first, lr, mu, damp, wd);
}

}  // namespace

SGD::SGD(const std::vector<Tensor>& params, Options options) : SGD(single_group(params), std::move(options)) {}
SGD::SGD(std::vector<ParamGroup> groups, Options defaults) : Optimizer(std::move(groups), sgd_defaults(defaults), "SGD") {}

void SGD::update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t, const Options& o) {
  bool first = !st.count("momentum_buffer");
  Tensor buf = o.at("momentum") != 0 ? state_tensor(st, "momentum_buffer", p) : Tensor();
  TT_DISPATCH_FLOAT(p.dtype(), "SGD", [&]<typename T>() {
    sgd_kernel<T>(p.data_ptr<T>(), g.data_ptr<T>(), buf.defined() ? buf.data_ptr<T>() : nullptr, p.numel(), first, o);
  });
}

// Per element: p − lr·d (2), weight decay g + λp (2), momentum μ·buf + (1−τ)·d (4), Nesterov d + μ·buf (2).
double SGD::flops_per_element(const Options& o) const {
  double f = 2;
  if (o.at("weight_decay") != 0) f += 2;
  if (o.at("momentum") != 0) f += 4 + (o.at("nesterov") != 0 ? 2 : 0);
  return f;
}

}  // namespace tt::optim

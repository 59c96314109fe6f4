// Optimizer base: groups, defaults, per-parameter state, state dict, gradient clipping.
#include "optim/optimizer.h"

#include <cmath>

#include "core/node.h"
#include "ops/ops.h"

namespace tt::optim {
namespace {

// t in p's memory order (Note [Gradient layout] in autograd/engine.cpp): update() walks parameter,
// gradient and state as flat arrays, so all must share one layout. Usually t already has it.
Tensor in_layout_of(const Tensor& p, const Tensor& t) { return has_layout_of(t, p) ? t : clone_like(t, p); }

}  // namespace

std::vector<ParamGroup> single_group(const std::vector<Tensor>& params) { return {ParamGroup{params, {}}}; }

Optimizer::Optimizer(std::vector<ParamGroup> groups, Options defaults, std::string name)
    : groups_(std::move(groups)), name_(std::move(name)) {
  size_t n = 0;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    auto& g = groups_[gi];
    for (auto& [k, v] : defaults) g.options.emplace(k, v);  // group values win
    for (auto& [k, v] : g.options) TT_CHECK(defaults.count(k), name_, ": unknown option \"", k, "\" in group ", gi);
    TT_CHECK(g.options.count("lr") && g.options["lr"] >= 0, name_, ": group ", gi, " needs a learning rate lr >= 0");
    for (const Tensor& p : g.params) {
      TT_CHECK(p.defined() && p.requires_grad(), name_, ": parameter ", n, " does not require grad");
      TT_CHECK(is_floating(p.dtype()), name_, ": parameter ", n, " is ", p.dtype(), ", expected float");
      TT_CHECK(p.is_dense(), name_, ": parameter ", n, " must be dense (contiguous, or a permutation of that such as ",
               "an input-major weight), got shape ", p.shape(), " strides ", p.strides());
      ++n;
    }
  }
  state_.resize(n);
  steps_.assign(n, 0);
}

void Optimizer::step() {
  NoGradGuard ng;
  size_t i = 0;
  for (auto& g : groups_)
    for (Tensor& p : g.params) {
      Tensor grad = p.grad();
      if (grad.defined()) {
        TT_CHECK(grad.shape() == p.shape(), name_, ": gradient shape ", grad.shape(), " differs from parameter ", p.shape());
        Tensor gc = in_layout_of(p, grad.dtype() == p.dtype() ? grad : grad.to(p.dtype()));
        ops::OpTimer timer(ops::OpId::optimizer_step);
        update(p, gc, state_[i], ++steps_[i], g.options);
        timer.done(p, [&] { return update_cost(p, state_[i], g.options); }, {&gc}, name_.c_str());
      }
      ++i;
    }
}

void Optimizer::zero_grad() {
  for (auto& g : groups_)
    for (Tensor& p : g.params) p.set_grad(Tensor());
}

double Optimizer::get(const std::string& key, size_t group) const {
  TT_CHECK(group < groups_.size(), name_, ": group ", group, " out of range (", groups_.size(), " groups)");
  auto it = groups_[group].options.find(key);
  TT_CHECK(it != groups_[group].options.end(), name_, ": no option \"", key, "\"");
  return it->second;
}

void Optimizer::set(const std::string& key, double value) {
  for (auto& g : groups_) g.options[key] = value;
}

Tensor& Optimizer::state_tensor(std::map<std::string, Tensor>& state, const std::string& key, const Tensor& like,
                                double fill) {
  auto it = state.find(key);
  if (it != state.end()) {
    // Same memory order as the parameter; re-laid once if the parameter was (Linear::set_weight_layout).
    it->second = in_layout_of(like, it->second);
    return it->second;
  }
  Tensor t = empty_like_layout(like);
  t.fill_(fill);
  return state.emplace(key, t).first->second;
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState st;
  for (size_t i = 0; i < state_.size(); ++i) {
    st.scalars["state." + std::to_string(i) + ".step"] = static_cast<double>(steps_[i]);
    for (auto& [k, v] : state_[i]) st.tensors.emplace_back("state." + std::to_string(i) + "." + k, v);
  }
  for (size_t g = 0; g < groups_.size(); ++g)
    for (auto& [k, v] : groups_[g].options) st.scalars["group." + std::to_string(g) + "." + k] = v;
  return st;
}

void Optimizer::load_state_dict(const OptimizerState& st) {
  std::vector<std::map<std::string, Tensor>> state(state_.size());
  std::vector<int64_t> steps(state_.size(), 0);
  for (auto& [k, v] : st.scalars) {
    size_t a = k.find('.'), b = k.find('.', a + 1);
    TT_CHECK(a != std::string::npos && b != std::string::npos, name_, ": malformed state key \"", k, "\"");
    size_t idx = std::stoul(k.substr(a + 1, b - a - 1));
    std::string field = k.substr(b + 1);
    if (k.rfind("state.", 0) == 0) {
      TT_CHECK(idx < steps.size(), name_, ": state for parameter ", idx, " but the optimizer has ", steps.size());
      steps[idx] = static_cast<int64_t>(v);
    } else if (k.rfind("group.", 0) == 0) {
      TT_CHECK(idx < groups_.size(), name_, ": state for group ", idx, " but the optimizer has ", groups_.size());
    } else {
      TT_CHECK(false, name_, ": unexpected state key \"", k, "\"");
    }
  }
  size_t flat = 0;
  std::vector<const Tensor*> params;
  for (auto& g : groups_)
    for (const Tensor& p : g.params) params.push_back(&p), ++flat;
  for (auto& [k, v] : st.tensors) {
    size_t a = k.find('.'), b = k.find('.', a + 1);
    TT_CHECK(k.rfind("state.", 0) == 0 && b != std::string::npos, name_, ": malformed state key \"", k, "\"");
    size_t idx = std::stoul(k.substr(a + 1, b - a - 1));
    TT_CHECK(idx < flat, name_, ": state for parameter ", idx, " but the optimizer has ", flat);
    TT_CHECK(v.shape() == params[idx]->shape(), name_, ": state \"", k, "\" has shape ", v.shape(), ", parameter has ",
             params[idx]->shape());
    state[idx][k.substr(b + 1)] = clone_like(v.to(params[idx]->dtype()), *params[idx]);  // a copy, in p's order
  }
  for (auto& [k, v] : st.scalars) {
    if (k.rfind("group.", 0) != 0) continue;
    size_t a = k.find('.'), b = k.find('.', a + 1);
    groups_[std::stoul(k.substr(a + 1, b - a - 1))].options[k.substr(b + 1)] = v;
  }
  state_ = std::move(state);
  steps_ = std::move(steps);
}

ops::Cost Optimizer::update_cost(const Tensor& p, const std::map<std::string, Tensor>& state,
                                const Options& o) const {
  double state_bytes = 0;
  for (const auto& [k, v] : state) state_bytes += ops::bytes_of(v);
  double n = static_cast<double>(p.numel());
  return {flops_per_element(o) * n, 2 * ops::bytes_of(p) + state_bytes, ops::bytes_of(p) + state_bytes};
}

int64_t Optimizer::state_bytes() const {
  int64_t n = 0;
  for (auto& s : state_)
    for (auto& [k, v] : s) n += static_cast<int64_t>(v.nbytes());
  return n;
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  NoGradGuard ng;
  TT_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be positive, got ", norm_type);
  double total = 0;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    Tensor a = abs(g.to(kFloat64));
    if (std::isinf(norm_type)) total = std::max(total, g.numel() ? amax(a).item<double>() : 0.0);
    else total += sum(pow(a, norm_type)).item<double>();
  }
  if (!std::isinf(norm_type)) total = std::pow(total, 1.0 / norm_type);
  double coef = max_norm / (total + 1e-6);
  if (coef < 1.0)
    for (const Tensor& p : params)
      if (p.grad().defined()) p.grad().mul_(coef);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  NoGradGuard ng;
  TT_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0, got ", clip_value);
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (g.defined()) g.copy_(clamp(g, -clip_value, clip_value));
  }
}

}  // namespace tt::optim

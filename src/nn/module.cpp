// Module tree walking: names, state dicts, modes, printing.
#include "nn/module.h"

#include <sstream>

#include "core/node.h"
#include "ops/copy/copy_cpu.h"
#include "ops/ops.h"

namespace tt::nn {

const Tensor* find_in(const StateDict& sd, const std::string& name) {
  for (const auto& [k, v] : sd)
    if (k == name) return &v;
  return nullptr;
}

Tensor& Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  TT_CHECK(!find_in(params_, name) && !find_in(buffers_, name), type_name(), ": parameter \"", name,
           "\" registered twice");
  if (t.defined() && requires_grad) t.requires_grad_(true);
  params_.emplace_back(name, t);
  return params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
  TT_CHECK(!find_in(params_, name) && !find_in(buffers_, name), type_name(), ": buffer \"", name,
           "\" registered twice");
  buffers_.emplace_back(name, t);
  return buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
  TT_CHECK(m != nullptr, type_name(), ": submodule \"", name, "\" is null");
  for (auto& c : children_) TT_CHECK(c.first != name, type_name(), ": submodule \"", name, "\" registered twice");
  children_.emplace_back(name, std::move(m));
}

void Module::collect(const std::string& prefix, StateDict& out, bool params, bool recurse) const {
  for (const auto& [k, v] : params ? params_ : buffers_)
    if (v.defined()) out.emplace_back(prefix + k, v);
  if (!recurse) return;
  for (const auto& [k, c] : children_) c->collect(prefix + k + ".", out, params, true);
}

StateDict Module::named_parameters(bool recurse) const {
  StateDict out;
  collect("", out, true, recurse);
  return out;
}

StateDict Module::named_buffers(bool recurse) const {
  StateDict out;
  collect("", out, false, recurse);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [k, v] : named_parameters(recurse)) out.push_back(v);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (auto& [k, v] : named_parameters()) n += v.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [k, c] : children_) c->train(on);
}

void Module::zero_grad() {
  for (auto& [k, v] : named_parameters()) v.set_grad(Tensor());
}

StateDict Module::state_dict() const {
  StateDict out = named_parameters();
  for (auto& kv : named_buffers()) out.push_back(kv);
  return out;
}

void Module::check_state_dict(const StateDict& sd, bool strict) const {
  StateDict mine = state_dict();
  for (const auto& [k, v] : mine) {
    const Tensor* src = find_in(sd, k);
    if (!src) {
      TT_CHECK(!strict, "load_state_dict: missing key \"", k, "\" (", type_name(), " expects it, shape ", v.shape(), ")");
      continue;
    }
    TT_CHECK(src->defined() && src->shape() == v.shape(), "load_state_dict: key \"", k, "\" has shape ",
             src->defined() ? src->shape() : Shape{}, " but the model expects ", v.shape());
  }
  if (strict)
    for (const auto& [k, v] : sd)
      TT_CHECK(find_in(mine, k), "load_state_dict: unexpected key \"", k, "\" (not in ", type_name(), ")");
}

// All-or-nothing: every key and shape is checked before the first tensor is overwritten.
void Module::load_state_dict(const StateDict& sd, bool strict) {
  check_state_dict(sd, strict);
  NoGradGuard ng;
  for (const auto& [k, v] : state_dict())
    if (const Tensor* src = find_in(sd, k)) kernels::copy_cpu(v, *src);
}

void Module::to(DType dtype) {
  for (auto& [k, v] : state_dict()) {
    if (v.dtype() == dtype || !is_floating(v.dtype())) continue;
    Tensor c = empty_like_layout(v, dtype);  // keeps a dense parameter's memory order
    c.copy_(v.detach());
    replace_data(v, c);
  }
}

void replace_data(const Tensor& param, const Tensor& data) {
  TT_CHECK(param.shape() == data.shape(), "replace_data: shape ", data.shape(), " differs from ", param.shape());
  TensorImpl* impl = param.impl();
  impl->storage = data.storage();
  impl->offset = data.offset();
  impl->strides = data.strides();
  impl->dtype = data.dtype();
  impl->grad.reset();
}

void Module::summary_lines(const std::string& name, int indent, std::string& out) const {
  std::ostringstream os;
  std::string pad(indent, ' ');
  os << pad << (name.empty() ? "" : "(" + name + "): ") << type_name() << "(" << extra_repr();
  int64_t own = 0;
  for (auto& [k, v] : params_)
    if (v.defined()) own += v.numel();
  if (children_.empty()) {
    os << ")";
    if (own) os << "  # " << own << " params";
    out += os.str() + "\n";
    return;
  }
  out += os.str() + "\n";
  for (auto& [k, c] : children_) c->summary_lines(k, indent + 2, out);
  out += pad + ")\n";
}

std::string Module::summary() const {
  std::string out;
  summary_lines("", 0, out);
  int64_t trainable = 0, bytes = 0;
  for (auto& [k, v] : named_parameters()) {
    if (v.requires_grad()) trainable += v.numel();
    bytes += static_cast<int64_t>(v.nbytes());
  }
  out += "Total params: " + std::to_string(num_parameters()) + " (trainable " + std::to_string(trainable) + ", " +
         std::to_string(bytes) + " bytes)\n";
  return out;
}

}  // namespace tt::nn

// Module: the tree of layers. Each module registers its parameters, buffers and children by name,
// so parameters(), named_parameters(), state_dict(), train()/eval() and the printed summary all
// walk one structure (names as PyTorch builds them: "0.weight", "encoder.fc1.bias").
// Not autograd: modules only hold tensors and call ops in forward().
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/span.h"
#include "core/tensor.h"

namespace tt::nn {

// An ordered name → tensor list (PyTorch's OrderedDict state_dict).
using StateDict = std::vector<std::pair<std::string, Tensor>>;
const Tensor* find_in(const StateDict& sd, const std::string& name);
// Points `param` at data's storage, layout and dtype, dropping its .grad: every handle to the
// parameter (a module's member, an optimizer's list) sees the new data. Module::to and
// Linear::set_weight_layout use it.
void replace_data(const Tensor& param, const Tensor& data);

// Opens this module's profiler span for the rest of the enclosing forward (Note [Module attribution]
// in core/span.h); one branch when no profiler is installed. Every forward of a Module starts with
// it, so the profiler's per-layer view and trace nest ops inside the modules that ran them. A
// user-defined Module without it still works; its ops are attributed to the enclosing module.
#define TT_MODULE_SPAN() ::tt::Span tt_module_span_(::tt::SpanKind::module, this, nullptr)

class Module {
 public:
  virtual ~Module() = default;
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  std::vector<Tensor> parameters(bool recurse = true) const;
  StateDict named_parameters(bool recurse = true) const;
  StateDict named_buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  int64_t num_parameters() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // sets every parameter's .grad to undefined (PyTorch's set_to_none=True)

  // Parameters and buffers by full name. load_state_dict copies values into the existing tensors
  // (shapes must match; strict: no missing or unexpected keys) and names the offending key.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& sd, bool strict = true);
  // The checks of load_state_dict without loading (throws on the first mismatch).
  void check_state_dict(const StateDict& sd, bool strict = true) const;
  // Converts every parameter and buffer to `dtype` in place (handles held elsewhere stay valid).
  void to(DType dtype);

  virtual std::string type_name() const = 0;     // "Linear"
  virtual std::string extra_repr() const { return ""; }  // "in_features=784, out_features=128, bias=True"
  // PyTorch-style repr of the tree plus a parameter count per module and in total.
  std::string summary() const;

 protected:
  Tensor& register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor t);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    add_child(name, m);
    return m;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> m);
  void collect(const std::string& prefix, StateDict& out, bool params, bool recurse) const;
  void summary_lines(const std::string& name, int indent, std::string& out) const;

  StateDict params_, buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace tt::nn

// Optimizers: SGD (momentum, dampening, Nesterov, weight decay), Adam, AdamW, RMSprop, Adagrad,
// with parameter groups and a state dict. Update rules follow PyTorch 1.13 exactly (operation order
// included, so float results match); each optimizer's .cpp states its formula. Updates run as one
// fused loop per parameter over raw memory: no temporaries, no allocation after the first step.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "nn/module.h"
#include "ops/op_record.h"

namespace tt::optim {

// Hyper-parameters by PyTorch's names ("lr", "momentum", "betas" as "beta1"/"beta2", "eps",
// "weight_decay", "nesterov" 0/1, ...). A group's options override the optimizer's defaults.
using Options = std::map<std::string, double>;

struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

// Everything needed to resume: per-parameter state tensors ("state.<i>.<name>") and scalars
// ("state.<i>.step", "group.<g>.<option>").
struct OptimizerState {
  nn::StateDict tensors;
  std::map<std::string, double> scalars;
};

class Optimizer {
 public:
  Optimizer(std::vector<ParamGroup> groups, Options defaults, std::string name);
  virtual ~Optimizer() = default;
  void step();                // applies one update to every parameter that has a gradient
  void zero_grad();           // grads → undefined (set_to_none)
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  double get(const std::string& key, size_t group = 0) const;
  void set(const std::string& key, double value);  // in every group (schedulers use this)
  const std::string& name() const { return name_; }

  OptimizerState state_dict() const;
  void load_state_dict(const OptimizerState& st);
  // Bytes held by optimizer state (Adam: 2 tensors per parameter → 2× parameter memory).
  int64_t state_bytes() const;

 protected:
  // Updates one parameter with its state slot and group options. p is dense, and g and every state
  // tensor (made by state_tensor) have p's memory order: the update may run over raw memory.
  virtual void update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& state, int64_t step,
                      const Options& o) = 0;
  // FLOPs of one update per parameter element (the profiler's cost; a multiply-add counts 2).
  virtual double flops_per_element(const Options& o) const = 0;
  // Creates zeroed state tensors for p on its first step.
  Tensor& state_tensor(std::map<std::string, Tensor>& state, const std::string& key, const Tensor& like,
                       double fill = 0.0);

 private:
  // The declared cost of one update: reads p, g and every state tensor, writes p and the state.
  ops::Cost update_cost(const Tensor& p, const std::map<std::string, Tensor>& state, const Options& o) const;

  std::vector<ParamGroup> groups_;
  std::string name_;
  std::vector<std::map<std::string, Tensor>> state_;  // per parameter, in group order
  std::vector<int64_t> steps_;                         // per parameter
};

std::vector<ParamGroup> single_group(const std::vector<Tensor>& params);

class SGD : public Optimizer {
 public:
  // options: lr (required), momentum 0, dampening 0, weight_decay 0, nesterov 0
  SGD(const std::vector<Tensor>& params, Options options);
  SGD(std::vector<ParamGroup> groups, Options defaults);

 protected:
  void update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) override;
  double flops_per_element(const Options& o) const override;
};

class Adam : public Optimizer {
 public:
  // options: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0, amsgrad 0; decoupled (AdamW) via `adamw`.
  Adam(const std::vector<Tensor>& params, Options options = {}, bool adamw = false);
  Adam(std::vector<ParamGroup> groups, Options defaults, bool adamw = false);

 protected:
  void update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) override;
  double flops_per_element(const Options& o) const override;
  bool adamw_;
};

class AdamW : public Adam {
 public:
  // Adam with decoupled weight decay (Loshchilov & Hutter 2019); weight_decay defaults to 1e-2.
  AdamW(const std::vector<Tensor>& params, Options options = {});
  AdamW(std::vector<ParamGroup> groups, Options defaults);
};

class RMSprop : public Optimizer {
 public:
  // options: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered 0
  RMSprop(const std::vector<Tensor>& params, Options options = {});
  RMSprop(std::vector<ParamGroup> groups, Options defaults);

 protected:
  void update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) override;
  double flops_per_element(const Options& o) const override;
};

class Adagrad : public Optimizer {
 public:
  // options: lr 1e-2, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10
  Adagrad(const std::vector<Tensor>& params, Options options = {});
  Adagrad(std::vector<ParamGroup> groups, Options defaults);

 protected:
  void update(Tensor& p, const Tensor& g, std::map<std::string, Tensor>& st, int64_t step, const Options& o) override;
  double flops_per_element(const Options& o) const override;
};

// Gradient clipping over all parameters' grads together. Returns the total norm before clipping.
// Scales by max_norm / (total + 1e-6) when that is < 1 (PyTorch's formula). norm_type: 2, 1, or
// infinity (INFINITY).
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace tt::optim

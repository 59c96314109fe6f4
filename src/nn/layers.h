// Basic layers: Linear, LinearAct, Sequential, Dropout, Identity, Flatten and the activation modules.
// Linear follows PyTorch: weight (out, in), y = x·Wᵀ + b, weight ~ kaiming_uniform(a = √5)
// (i.e. U(±1/√in)), bias ~ U(±1/√in). LinearAct is Linear followed by an activation in one fused
// op (docs/nn.md, "Fused Linear+activation"). Normalisation layers are in nn/normalization.h.
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/generator.h"
#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

// Note [Weight layout]: how a Linear keeps its weight in memory. Either way `weight` is the
// (out, in) matrix PyTorch shows, state_dict holds those values, and results are the same.
// OutMajor (the default, PyTorch's) stores it (out, in), contiguous. InputMajor stores it (in, out),
// Keras' and JAX's kernel order, behind a transposed view (strides {1, out}): y = x·Wᵀ then reads
// W in place as a row-major B, and dW is produced as (xᵀ·dy)ᵀ in the same order. At small batch
// that saves transposing W every step — for the MLP's 784→128 layer at batch 64, 63 → 55 µs on
// one Zen 5 core — while dx = dy·W (not needed by a first layer) becomes the transposed product.
// Gradients and optimizer state follow the parameter's layout (Note [Gradient layout]).
enum class WeightLayout { OutMajor, InputMajor };

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator* gen = nullptr,
         DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);
  // Re-lays the weight out in memory, values unchanged (every handle to `weight` sees it; its
  // .grad is dropped). Create the optimizer afterwards, or its state is re-laid at the next step.
  void set_weight_layout(WeightLayout layout);
  WeightLayout weight_layout() const { return layout_; }

  int64_t in_features, out_features;
  Tensor weight, bias;  // weight (out, in), bias (out) or undefined

 protected:
  Activation act_ = Activation::None;  // set only by LinearAct: a plain Linear is PyTorch's
  WeightLayout layout_ = WeightLayout::OutMajor;
};

// set_weight_layout on every Linear (and LinearAct) in the tree under `root`; returns how many.
int set_weight_layout(Module& root, WeightLayout layout);

// LinearAct(784, 128, Activation::Relu) computes what PyTorch's
// nn.Sequential(nn.Linear(784, 128), nn.ReLU()) does, in one fused op: y = f(x·Wᵀ + b). Same
// parameters, init and state_dict names (weight, bias) as Linear, so a PyTorch Linear's weights
// load into it directly (only the Sequential index of the next layer differs: PyTorch counts the
// separate ReLU module).
class LinearAct : public Linear {
 public:
  LinearAct(int64_t in_features, int64_t out_features, Activation activation, bool bias = true,
            Generator* gen = nullptr, DType dtype = kFloat32);
  std::string type_name() const override { return "LinearAct"; }
  std::string extra_repr() const override;
  Activation activation() const { return act_; }
};

class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> layers);
  void push_back(std::shared_ptr<Module> m);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  size_t size() const { return layers_.size(); }
  std::shared_ptr<Module> operator[](size_t i) const { return layers_.at(i); }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;

 private:
  Generator* gen_;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override {
    TT_MODULE_SPAN();
    return x;
  }
  std::string type_name() const override { return "Identity"; }
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};

// Activation modules: thin wrappers over the ops of the same name.
#define TT_ACTIVATION_MODULE(Name, call)                              \
  class Name : public Module {                                        \
   public:                                                            \
    Tensor forward(const Tensor& x) override {                       \
      TT_MODULE_SPAN();                                               \
      return tt::call;                                                \
    }                                                                 \
    std::string type_name() const override { return #Name; }          \
  };
TT_ACTIVATION_MODULE(ReLU, relu(x))
TT_ACTIVATION_MODULE(Sigmoid, sigmoid(x))
TT_ACTIVATION_MODULE(Tanh, tanh(x))
TT_ACTIVATION_MODULE(SiLU, silu(x))
#undef TT_ACTIVATION_MODULE

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;
};

class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GELU"; }
  std::string extra_repr() const override { return "approximate='" + approximate + "'"; }
  std::string approximate;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim = -1) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Softmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  int64_t dim;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim = -1) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }
  int64_t dim;
};

}  // namespace tt::nn

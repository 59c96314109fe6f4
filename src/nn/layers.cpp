// Layer implementations (see layers.h).
#include "nn/layers.h"

#include <cmath>
#include <sstream>

#include "core/node.h"
#include "nn/functional.h"
#include "nn/init.h"
#include "ops/ops.h"

namespace tt::nn {
namespace {
std::string fmt_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

Linear::Linear(int64_t in, int64_t out, bool bias, Generator* gen, DType dtype) : in_features(in), out_features(out) {
  TT_CHECK(in >= 0 && out >= 0, "Linear: in_features and out_features must be >= 0, got ", in, " and ", out);
  TT_CHECK(is_floating(dtype), "Linear: dtype must be floating, got ", dtype);
  weight = register_parameter("weight", empty(Shape{out, in}, dtype));
  if (bias) this->bias = register_parameter("bias", empty(Shape{out}, dtype));
  reset_parameters(gen);
}

void Linear::reset_parameters(Generator* gen) {
  if (in_features == 0) return;
  init::kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    init::uniform_(bias, -bound, bound, gen);
  }
}

Tensor Linear::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  TT_CHECK(x.defined() && x.dim() >= 1 && x.size(-1) == in_features, type_name(), "(", in_features, ", ", out_features,
           "): expected input (*, ", in_features, "), got shape ", x.defined() ? x.shape() : Shape{});
  return linear(x, weight, bias, act_);
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) + ", out_features=" + std::to_string(out_features) +
         ", bias=" + (bias.defined() ? "True" : "False") +
         (layout_ == WeightLayout::InputMajor ? ", weight_layout=input_major" : "");
}

void Linear::set_weight_layout(WeightLayout layout) {
  NoGradGuard ng;
  const Tensor w = weight.detach();
  // InputMajor: (in, out) contiguous storage seen through its transpose.
  replace_data(weight, layout == WeightLayout::InputMajor ? contiguous(w.t()).t() : contiguous(w));
  layout_ = layout;
}

int set_weight_layout(Module& root, WeightLayout layout) {
  int n = 0;
  if (auto* lin = dynamic_cast<Linear*>(&root)) lin->set_weight_layout(layout), ++n;
  for (auto& [name, child] : root.named_children()) n += set_weight_layout(*child, layout);
  return n;
}

LinearAct::LinearAct(int64_t in, int64_t out, Activation activation, bool bias, Generator* gen, DType dtype)
    : Linear(in, out, bias, gen, dtype) {
  act_ = activation;
}

std::string LinearAct::extra_repr() const {
  return Linear::extra_repr() + ", activation=" + activation_name(act_);
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> layers) {
  for (auto& m : layers) push_back(m);
}

void Sequential::push_back(std::shared_ptr<Module> m) {
  register_module(std::to_string(layers_.size()), m);
  layers_.push_back(std::move(m));
}

Tensor Sequential::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  if (layers_.empty()) return x;
  Tensor h = layers_[0]->forward(x);  // not `h = x` first: a handle copy is an atomic increment
  for (size_t i = 1; i < layers_.size(); ++i) h = layers_[i]->forward(h);
  return h;
}

Dropout::Dropout(double p, Generator* gen) : p(p), gen_(gen) {
  TT_CHECK(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got ", p);
}
Tensor Dropout::forward(const Tensor& x) { TT_MODULE_SPAN(); return functional::dropout(x, p, is_training(), gen_); }
std::string Dropout::extra_repr() const { return "p=" + fmt_double(p); }

Tensor Flatten::forward(const Tensor& x) { TT_MODULE_SPAN(); return flatten(x, start_dim, end_dim); }
std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

Tensor LeakyReLU::forward(const Tensor& x) { TT_MODULE_SPAN(); return leaky_relu(x, negative_slope); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + fmt_double(negative_slope); }
Tensor ELU::forward(const Tensor& x) { TT_MODULE_SPAN(); return elu(x, alpha); }
std::string ELU::extra_repr() const { return "alpha=" + fmt_double(alpha); }
GELU::GELU(std::string approximate) : approximate(std::move(approximate)) {
  TT_CHECK(this->approximate == "none" || this->approximate == "tanh",
           "GELU: approximate must be \"none\" or \"tanh\", got \"", this->approximate, "\"");
}
Tensor GELU::forward(const Tensor& x) { TT_MODULE_SPAN(); return gelu(x, approximate); }
Tensor Softmax::forward(const Tensor& x) { TT_MODULE_SPAN(); return softmax(x, dim); }
Tensor LogSoftmax::forward(const Tensor& x) { TT_MODULE_SPAN(); return log_softmax(x, dim); }

}  // namespace tt::nn

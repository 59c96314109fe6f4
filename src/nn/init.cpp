// Initialisers: compute the bound or std from the fans, then fill from the generator.
#include "nn/init.h"

#include <cmath>

#include "core/node.h"
#include "ops/copy/copy_cpu.h"

namespace tt::nn::init {
namespace {
void assign(Tensor& t, const Tensor& values) {
  NoGradGuard ng;
  kernels::copy_cpu(t, values);
}
}  // namespace

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& t) {
  TT_CHECK(t.dim() >= 2, "init: fan in and fan out need a tensor with >= 2 dims, got shape ", t.shape());
  int64_t receptive = 1;
  for (int i = 2; i < t.dim(); ++i) receptive *= t.shape()[i];
  return {t.shape()[1] * receptive, t.shape()[0] * receptive};
}

double calculate_gain(const std::string& nl, double param) {
  if (nl == "linear" || nl == "sigmoid" || nl.rfind("conv", 0) == 0) return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nl == "selu") return 0.75;
  TT_CHECK(false, "calculate_gain: unknown nonlinearity \"", nl, "\"");
  return 1.0;
}

void uniform_(Tensor& t, double low, double high, Generator* gen) {
  assign(t, uniform(t.shape(), low, high, gen, t.dtype()));
}
void normal_(Tensor& t, double mean, double stddev, Generator* gen) {
  assign(t, normal(t.shape(), mean, stddev, gen, t.dtype()));
}
void constant_(Tensor& t, double value) {
  NoGradGuard ng;
  kernels::fill_cpu(t, value);
}
void zeros_(Tensor& t) { constant_(t, 0.0); }
void ones_(Tensor& t) { constant_(t, 1.0); }

void xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  auto [fi, fo] = fan_in_and_fan_out(t);
  double a = gain * std::sqrt(6.0 / static_cast<double>(fi + fo));
  uniform_(t, -a, a, gen);
}

void xavier_normal_(Tensor& t, double gain, Generator* gen) {
  auto [fi, fo] = fan_in_and_fan_out(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fi + fo)), gen);
}

static double kaiming_std(const Tensor& t, double a, const std::string& mode, const std::string& nl) {
  TT_CHECK(mode == "fan_in" || mode == "fan_out", "kaiming: mode must be \"fan_in\" or \"fan_out\", got \"", mode, "\"");
  auto [fi, fo] = fan_in_and_fan_out(t);
  int64_t fan = mode == "fan_in" ? fi : fo;
  TT_CHECK(fan > 0, "kaiming: fan is 0 for shape ", t.shape());
  return calculate_gain(nl, a) / std::sqrt(static_cast<double>(fan));
}

void kaiming_uniform_(Tensor& t, double a, const std::string& mode, const std::string& nl, Generator* gen) {
  double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nl);
  uniform_(t, -bound, bound, gen);
}

void kaiming_normal_(Tensor& t, double a, const std::string& mode, const std::string& nl, Generator* gen) {
  normal_(t, 0.0, kaiming_std(t, a, mode, nl), gen);
}

}  // namespace tt::nn::init

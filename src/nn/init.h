// Weight initialisation, in place, with PyTorch's formulas (torch.nn.init):
//   xavier_uniform: U(−a, a), a = gain·√(6/(fan_in+fan_out))   (Glorot & Bengio 2010)
//   xavier_normal:  N(0, σ²), σ = gain·√(2/(fan_in+fan_out))
//   kaiming_uniform: U(−b, b), b = gain·√(3/fan)               (He et al. 2015)
//   kaiming_normal:  N(0, σ²), σ = gain/√fan
// fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (receptive = Π dims ≥ 2).
#pragma once
#include <string>
#include <utility>

#include "core/generator.h"
#include "core/tensor.h"

namespace tt::nn::init {

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& t);
// gain for "linear", "sigmoid", "tanh" (5/3), "relu" (√2), "leaky_relu" (√(2/(1+a²))), "selu" (3/4).
double calculate_gain(const std::string& nonlinearity, double param = 0.01);

void uniform_(Tensor& t, double low, double high, Generator* gen = nullptr);
void normal_(Tensor& t, double mean, double stddev, Generator* gen = nullptr);
void constant_(Tensor& t, double value);
void zeros_(Tensor& t);
void ones_(Tensor& t);
void xavier_uniform_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
void xavier_normal_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
// mode "fan_in" or "fan_out"; `a` is the leaky_relu slope used when nonlinearity = "leaky_relu".
void kaiming_uniform_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                      const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
void kaiming_normal_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                     const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);

}  // namespace tt::nn::init

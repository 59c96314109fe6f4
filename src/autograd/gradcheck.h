// Finite-difference gradient check in float64 (the correctness gate for every differentiable op).
// Projects the output on a fixed random tensor r, s(x) = Σ r ⊙ f(x), and compares the autograd
// gradient ∂s/∂x with central differences (s(x + εeᵢ) − s(x − εeᵢ)) / 2ε element by element.
// Inputs may be non-contiguous or broadcast views; elements are perturbed through their strides
// (an expanded input's shared location is checked against the sum of its elements' gradients).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tt::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  uint64_t seed = 1234;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0;
  std::string message;  // names the input and element that failed
};

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Every input that requires grad is checked; inputs must be float64.
GradcheckResult gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, const GradcheckOptions& opt = {});

}  // namespace tt::autograd

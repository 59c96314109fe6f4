// gradcheck: see gradcheck.h for the method.
#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "core/generator.h"
#include "core/node.h"
#include "ops/ops.h"

namespace tt::autograd {
namespace {

double projected(const TensorFn& f, const std::vector<Tensor>& inputs, const Tensor& r) {
  NoGradGuard ng;
  Tensor y = f(inputs);
  return sum(y.to(kFloat64) * r).item<double>();
}

// Pointer to element n (row-major order) of a strided float64 view.
double* element_ptr(const Tensor& t, int64_t n) {
  int64_t off = 0;
  for (int i = t.dim() - 1; i >= 0; --i) {
    off += (n % t.shape()[i]) * t.strides()[i];
    n /= t.shape()[i];
  }
  return static_cast<double*>(t.raw_data()) + off;
}

}  // namespace

GradcheckResult gradcheck(const TensorFn& f, const std::vector<Tensor>& inputs, const GradcheckOptions& opt) {
  GradcheckResult res;
  for (const Tensor& x : inputs)
    if (x.defined() && x.requires_grad())
      TT_CHECK(x.dtype() == kFloat64, "gradcheck: inputs that require grad must be float64, got ", x.dtype());
  Tensor y = f(inputs);
  Generator gen(opt.seed);
  Tensor r = randn(y.shape(), &gen, kFloat64);
  for (const Tensor& x : inputs)
    if (x.defined() && x.requires_grad()) x.set_grad(Tensor());
  if (y.requires_grad()) sum(y.to(kFloat64) * r).backward();
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.defined() || !x.requires_grad()) continue;
    Tensor ga = x.grad().defined() ? x.grad() : zeros_like(x);
    std::vector<double> analytic = ga.to_vector<double>();
    for (int64_t n = 0; n < x.numel(); ++n) {
      double* p = element_ptr(x, n);
      const double orig = *p;
      *p = orig + opt.eps;
      double up = projected(f, inputs, r);
      *p = orig - opt.eps;
      double down = projected(f, inputs, r);
      *p = orig;
      double numeric = (up - down) / (2 * opt.eps), err = std::fabs(numeric - analytic[n]);
      res.max_abs_error = std::max(res.max_abs_error, err);
      if (res.ok && !(err <= opt.atol + opt.rtol * std::fabs(numeric))) {
        std::ostringstream os;
        os << "gradcheck: input " << k << " (shape " << x.shape() << ") element " << n << ": analytic "
           << analytic[n] << " vs numeric " << numeric;
        res.ok = false;
        res.message = os.str();
      }
    }
  }
  return res;
}

}  // namespace tt::autograd

// gradcheck: see gradcheck.h for the method.
#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>
#include <unordered_map>

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

// Offset (in elements, from the view's first element) of element n in row-major order.
int64_t element_offset(const Tensor& t, int64_t n) {
  int64_t off = 0;
  for (int i = t.dim() - 1; i >= 0; --i) {
    off += (n % t.shape()[i]) * t.strides()[i];
    n /= t.shape()[i];
  }
  return off;
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
    // Note [Overlapping inputs]: an expanded input (stride 0) keeps several elements in one memory
    // location; perturbing it moves all of them, so the numeric derivative there is compared with
    // the sum of their analytic gradients. Locations are visited in first-element order.
    std::vector<int64_t> offsets, first_element;
    std::vector<double> expected;
    std::unordered_map<int64_t, size_t> slot;
    for (int64_t n = 0; n < x.numel(); ++n) {
      auto [it, fresh] = slot.emplace(element_offset(x, n), offsets.size());
      if (fresh) {
        offsets.push_back(it->first);
        first_element.push_back(n);
        expected.push_back(0);
      }
      expected[it->second] += analytic[n];
    }
    double* base = static_cast<double*>(x.raw_data());
    for (size_t j = 0; j < offsets.size(); ++j) {
      double* p = base + offsets[j];
      const double orig = *p;
      *p = orig + opt.eps;
      double up = projected(f, inputs, r);
      *p = orig - opt.eps;
      double down = projected(f, inputs, r);
      *p = orig;
      double numeric = (up - down) / (2 * opt.eps), err = std::fabs(numeric - expected[j]);
      res.max_abs_error = std::max(res.max_abs_error, err);
      if (res.ok && !(err <= opt.atol + opt.rtol * std::fabs(numeric))) {
        std::ostringstream os;
        os << "gradcheck: input " << k << " (shape " << x.shape() << ") element " << first_element[j]
           << ": analytic " << expected[j] << " vs numeric " << numeric;
        res.ok = false;
        res.message = os.str();
      }
    }
  }
  return res;
}

}  // namespace tt::autograd

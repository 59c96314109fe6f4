// The one rule for in-place methods (copy_, fill_, zero_, add_, mul_): the tensor must exist, and
// it may not require grad while grad mode is on — autograd cannot see in-place writes, so they are
// allowed on parameters only under NoGradGuard (optimizer steps, initialisation).
#pragma once
#include "core/node.h"

namespace tt::ops {

inline void check_inplace(const Tensor& t, const char* op) {
  TT_CHECK(t.defined(), op, ": undefined tensor");
  TT_CHECK(!(grad_enabled() && t.requires_grad()), op,
           ": in-place update of a tensor that requires grad (hint: wrap it in tt::NoGradGuard)");
}

}  // namespace tt::ops

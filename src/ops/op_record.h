// The generic call path's bookkeeping: every op reports its declared cost (FLOPs and bytes, a closed
// form of its shapes) and, when a profiler is installed, its wall time. With no observer installed
// the cost is never computed: one predictable branch per op.
// Not the profiler: profile/ installs an observer through set_op_observer().
#pragma once
#include <cstdint>

#include "core/span.h"
#include "core/tensor.h"
#include "ops/op_list.h"

namespace tt::ops {

// A multiply-add counts 2 FLOPs.
struct Cost {
  double flops = 0;
  double bytes_read = 0;
  double bytes_written = 0;
};

struct OpEvent {
  OpId op;
  bool backward;  // running inside autograd's backward pass
  Cost cost;
  int64_t start_ns, end_ns;
  const Tensor* inputs[4];
  int num_inputs;
  const Tensor* output;
  const char* label = nullptr;  // a finer name where the OpId is generic ("AdamW" for optimizer_step)
};

using OpObserver = void (*)(const OpEvent& ev, void* ctx);
void set_op_observer(OpObserver fn, void* ctx);  // nullptr to disable
extern OpObserver g_op_observer;                 // read on every op call
extern void* g_op_observer_ctx;
bool in_backward_pass();
void set_in_backward_pass(bool on);

// Bytes of a tensor's elements (what a kernel reads or writes once).
inline double bytes_of(const Tensor& t) { return static_cast<double>(t.numel()) * t.element_size(); }

inline int64_t now_ns() { return span_clock_ns(); }

// Usage in an op: `OpTimer timer(OpId::add); ... kernel ...; timer.done(out, cost_fn, {&a, &b});`
class OpTimer {
 public:
  explicit OpTimer(OpId id) : id_(id), start_(g_op_observer ? now_ns() : 0) {}
  template <typename CostFn>
  void done(const Tensor& out, CostFn&& cost, std::initializer_list<const Tensor*> inputs,
            const char* label = nullptr) {
    if (!g_op_observer) return;
    OpEvent ev{id_, in_backward_pass(), cost(), start_, now_ns(), {}, 0, &out, label};
    for (const Tensor* t : inputs)
      if (ev.num_inputs < 4) ev.inputs[ev.num_inputs++] = t;
    g_op_observer(ev, g_op_observer_ctx);
  }

 private:
  OpId id_;
  int64_t start_;
};

}  // namespace tt::ops

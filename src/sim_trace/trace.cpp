// Tracing framework workloads into simulator graphs.
#include "sim_trace/trace.h"

#include "core/error.h"
#include "profile/profiler.h"

namespace tt::sim {

WorkGraph graph_from_rows(const std::vector<profile::OpStat>& rows, int steps,
                          const std::string& model, Precision p) {
  TT_CHECK(steps >= 1, "sim trace: steps must be ≥ 1, got ", steps);
  const double scale = bytes_per_element(p) / 4.0;  // our tensors are float32
  WorkGraph g;
  g.model = model;
  for (const profile::OpStat& r : rows) {
    if (r.calls == 0) continue;
    OpCost op;
    op.name = r.name;
    op.pass = r.pass();
    op.shape = r.shapes;
    op.flops = r.flops / r.calls;
    op.bytes = r.bytes / r.calls * scale;
    op.count = double(r.calls) / steps;
    g.ops.push_back(std::move(op));
  }
  // Every recorded FLOP is useful work here: our framework does not recompute activations.
  g.model_flops = g.hardware_flops();
  return g;
}

WorkGraph trace_workload(FrameworkWorkload& w, Precision p, int warmup) {
  TT_CHECK(w.work.model != nullptr, "sim trace: workload '", w.name, "' has no model");
  TT_CHECK(!w.train || (w.optimizer && w.work.loss), "sim trace: training workload '", w.name,
           "' needs an optimizer and a loss");
  profile::Profiler prof;
  profile::run_profiled(prof, w.work, w.optimizer, {w.train, warmup, 1});
  // Roof values only shape the table's derived columns, which the graph does not use.
  const profile::Roof roof{1, 1};
  WorkGraph g = graph_from_rows(profile::op_table(prof, roof), 1, w.name, p);
  g.samples = w.samples, g.tokens = w.tokens;
  double params = 0;
  for (const Tensor& t : w.work.model->parameters()) params += double(t.numel());
  g.weight_bytes = params * bytes_per_element(p);
  // The allocator's peak during the recorded step, in the pricing precision (float32 measured).
  g.footprint = double(prof.peak_bytes()) * bytes_per_element(p) / 4.0;
  return g;
}

}  // namespace tt::sim

// Profile reports: the per-op table (aggregated by op, pass and shapes, each row placed on this
// machine's roofline), the per-module view, and memory by category over a training step. All
// are pure functions of a stopped Profiler's records plus the machine's ceilings.
// The roofline (Williams, Waterman & Patterson, CACM 2009): an op of arithmetic intensity
// I = FLOPs / bytes can at best run at min(peak, I · bandwidth); below the ridge point
// peak / bandwidth it is memory-bound, above it compute-bound. An op far below both roofs whose
// calls are short is overhead-bound: dispatch, not the kernel, sets its time.
#pragma once
#include <algorithm>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "hw/ceilings.h"
#include "profile/profiler.h"

namespace tt::optim {
class Optimizer;
}

namespace tt::profile {

// The roofs an op run with `threads` threads meets: FMA peak and triad bandwidth for 1 thread or
// for all threads (figures from `tito hw probe`).
struct Roof {
  double peak_gflops = 0;  // GFLOP/s
  double bandwidth_gbs = 0;  // GB/s (1e9 bytes)
  int threads = 1;
  double ridge() const { return peak_gflops / bandwidth_gbs; }  // FLOP/byte
  // Best time for the work under this roofline, in ns (the larger of the compute and memory times).
  double bound_ns(double flops, double bytes) const;
};
Roof roof_for(const hw::Ceilings& c, int threads);

enum class Limit { compute, memory, overhead };
const char* limit_name(Limit l);

// One row of the op table: every call of one op, in one pass, with one set of shapes.
struct OpStat {
  std::string name;     // "matmul", "linear", "AdamW" (optimizer_step)
  bool backward = false;
  bool optimizer = false;  // an optimizer update (optimizer_step), not an op of the graph
  std::string shapes;   // "[32, 784] [512, 784] -> [32, 512]"
  int64_t calls = 0;
  double total_ns = 0;
  double flops = 0, bytes = 0;  // totals over the calls (declared cost)
  // Derived with the roof (filled by op_table()):
  double gflops = 0, gbs = 0;   // achieved
  double intensity = 0;         // FLOP/byte (0 when bytes = 0)
  double bound_gflops = 0;      // attainable: min(peak, intensity · bandwidth); 0 for FLOP-free ops
  double pct_of_bound = 0;      // bound time / measured time, in [0, ~1]: how close to the roofline
  Limit limit = Limit::memory;
  double mean_us() const { return calls ? total_ns * 1e-3 / calls : 0; }
  const char* pass() const { return optimizer ? "opt" : backward ? "bwd" : "fwd"; }
};

struct OpTableOptions {
  bool by_shape = true;  // false: one row per op and pass
  // Overhead-bound: the roofline time of one call is under this fraction of its measured time and
  // the mean call is shorter than max_overhead_us.
  double overhead_fraction = 0.25;
  double max_overhead_us = 20;
};
// The name an op row shows: the label's "AdamW.step" for optimizer updates, else the op's name.
std::string op_display_name(const OpRecord& r);
// Rows sorted by total time, descending.
std::vector<OpStat> op_table(const Profiler& p, const Roof& roof, const OpTableOptions& o = {});
// Each op's own time in ns, indexed like p.ops(): its wall time minus the time of ops that ran
// inside it on the same thread (an op built from other ops is not counted twice).
std::vector<double> self_times(const Profiler& p);
// Sum of the ops' own times.
double total_op_ns(const Profiler& p);
// "[32, 784] [512, 784] -> [32, 512]"
std::string shapes_string(const OpRecord& r);

// One row of the per-module view: time inclusive of children (forward: the module's spans;
// backward: the ops of nodes created inside the module or its children).
struct ModuleStat {
  int32_t module = -1;
  std::string label, type;
  int depth = 0;
  int64_t calls = 0;            // forward calls
  double forward_ns = 0, backward_ns = 0;
  double flops = 0;             // declared FLOPs of its ops, forward + backward, inclusive
  int64_t parameters = 0;       // inclusive
};
// In tree order (parents before children); modules that never ran are left out.
std::vector<ModuleStat> module_table(const Profiler& p);

// Memory over one profiled training step (bytes). parameters, gradients and optimizer_state are
// counted from the tensors; activations = bytes in use at the end of the forward pass minus at
// profiler start (what the graph keeps for backward, plus the loss); peak is the allocator's peak
// during the profile and other = peak − the four categories (temporaries, inputs, caches; ≥ 0).
// Allocator figures are rounded to its size classes (64 B; see core/allocator.cpp).
struct MemoryBreakdown {
  int64_t parameters = 0, gradients = 0, optimizer_state = 0, activations = 0, other = 0, peak = 0;
  std::string peak_at;  // "layer_norm_backward in blocks.1.norm2 (backward)"
};
MemoryBreakdown memory_breakdown(const Profiler& p, const nn::Module& model, const optim::Optimizer* opt);

// One step in Iron Law terms (DESIGN.md): T ≈ bytes/BW + FLOPs/(peak·η) + overhead. Per step:
// the declared work, the time the roofline allows for it (Σ over ops of max(FLOPs/peak, bytes/BW)),
// and where the measured time went — inside ops by each row's limit, and outside ops (framework:
// autograd bookkeeping, Python-free but not free).
struct StepSummary {
  double step_ns = 0;      // measured wall time of one step (median)
  double op_ns = 0;        // time inside ops
  double flops = 0, bytes = 0;
  double roofline_ns = 0;  // the ideal on this machine
  double compute_ns = 0, memory_ns = 0, overhead_ns = 0;  // op time by limit
  double achieved_gflops() const { return step_ns > 0 ? flops / step_ns : 0; }
  double efficiency() const { return step_ns > 0 ? roofline_ns / step_ns : 0; }  // η: ideal / measured
  double outside_ops_ns() const { return std::max(0.0, step_ns - op_ns); }
};
// rows aggregated over `steps` steps; step_ns is the median step.
StepSummary summarize(const std::vector<OpStat>& rows, const Roof& roof, double step_ns, int steps);

// Plain-text tables (fixed-width, for the terminal).
std::string format_summary(const StepSummary& s);
std::string format_op_table(const std::vector<OpStat>& rows, double step_ns, const Roof& roof, int top = 25);
std::string format_module_table(const std::vector<ModuleStat>& rows, double step_ns);
std::string format_memory(const MemoryBreakdown& m);

nlohmann::ordered_json op_stat_json(const OpStat& s);
nlohmann::ordered_json module_stat_json(const ModuleStat& s);
nlohmann::ordered_json memory_json(const MemoryBreakdown& m);
nlohmann::ordered_json summary_json(const StepSummary& s);

}  // namespace tt::profile

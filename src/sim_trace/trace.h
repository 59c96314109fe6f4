// The bridge between the framework and the simulator: a model built with our framework is run
// once under the profiler and every op it calls (forward, backward, optimizer) becomes an OpCost
// of a sim::WorkGraph — its shapes and its declared cost — which sim::price() puts on any device
// of the registry. And the check of the simulator against this machine: validate() predicts each
// op's time from this machine's measured ceilings and compares it with the measured time.
// Library tt_sim_trace (sim + profile); `tito sim eval|validate` call it. docs/simulator.md.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "hw/ceilings.h"
#include "optim/optimizer.h"
#include "profile/report.h"
#include "profile/session.h"
#include "sim/node.h"

namespace tt::sim {

// A workload of our framework: the model and batch (profile::Workload), its optimizer when
// training, and how many samples/tokens one step processes.
struct FrameworkWorkload {
  std::string name;               // "mlp", "cnn", "gpt", a model file
  profile::Workload work;
  optim::Optimizer* optimizer = nullptr;  // required when train
  bool train = false;
  double samples = 1, tokens = 0;
};

// Op rows (profile::op_table, by shape) of `steps` recorded steps → a WorkGraph of one step.
// Our ops run in float32: priced at another precision every tensor is taken to be stored in it,
// so bytes scale by bytes_per_element(p)/4 (FLOPs do not change).
WorkGraph graph_from_rows(const std::vector<profile::OpStat>& rows, int steps,
                          const std::string& model, Precision p);

// Runs w for `warmup` unrecorded steps and one recorded step and returns its graph.
WorkGraph trace_workload(FrameworkWorkload& w, Precision p = Precision::fp32, int warmup = 1);

// This machine as the simulator sees it for validation: one thread's FMA peak, the triad
// bandwidth of each cache level (working set below the level's size) and of DRAM, the extra fixed
// cost of a call whose code and bookkeeping data the caches no longer hold, and per kind of op
// ("linear", "bwd:matmul", "AdamW.step") a line t = t0 + roofline/η: its fixed cost per call
// (checks, allocation, autograd bookkeeping, kernel set-up: the L_lat term) and the fraction of
// the roofline its kernel reaches, fitted on calibration models that share no shape with the
// validated workloads (docs/simulator.md, "Validation").
struct HostModel {
  std::string cpu;
  double peak_flops = 0;                         // FLOP/s, one thread
  struct Tier { std::string name; double bytes = 0, bandwidth = 0; };
  std::vector<Tier> tiers;                       // ascending size; the last is DRAM (bytes = ∞)
  struct KindFit { double overhead = 0, efficiency = 1; int points = 0; };
  std::map<std::string, KindFit> kinds;
  double op_overhead = 0;                        // median t0 over kinds: for kinds not calibrated
  // One operand of a call (input or output): its bytes and its data's reuse distance — the bytes
  // the step declared since the data was last touched, plus the call's own bytes.
  struct Operand { double bytes = 0, distance = 0; };
  // Where a call runs. `reuse`: the bytes the step moved since the call's code last ran
  // (code_reuse_bytes), which sets its cold cost. `footprint`: the step's peak bytes, the reuse
  // distance of an `optimizer` update's data (parameters and state last touched a step ago).
  // `operands` (data_reuse): where each operand's data sits; empty: in the tier of the call's
  // own bytes.
  struct Context {
    double reuse = 0, footprint = 0;
    bool optimizer = false;
    std::vector<Operand> operands;
  };

  // Extra fixed cost per call (seconds) when the last-level cache (cold_llc) or the level below
  // it (cold_mid) was flushed since the call's previous run: probe calls timed after flushing.
  double cold_mid = 0, cold_llc = 0;
  // The same for one parameter's update inside an optimizer step whose code is warm but whose
  // tensors (parameter, gradient, state) and their bookkeeping were last touched a step ago.
  double cold_update_mid = 0, cold_update_llc = 0;
  // A parameter's update measured directly: its fixed cost (warm), and the fraction of the tier's
  // triad bandwidth its seven streams reach with its tensors in the last cache level or in DRAM.
  double update_overhead = 0, update_eta_llc = 1, update_eta_dram = 1;

  double bandwidth_for(double working_set) const;  // the first tier the bytes fit in
  double roofline(double flops, double bytes) const { return roofline(flops, bytes, bytes); }
  // max(F/peak, B/BW(working set)).
  double roofline(double flops, double bytes, double working_set) const;
  // Seconds to move `bytes` in context c: each operand's share of them at the bandwidth of the
  // tier its reuse distance fits (an update's at the footprint's tier; without operands, the
  // tier of the bytes themselves).
  double memory_seconds(double bytes, const Context& c) const;
  // 0 while the reuse distance fits the cache level below the last; cold_mid rising linearly to
  // cold_llc as it fills the last level (the share of a call's lines evicted before reuse grows
  // with the distance); cold_llc beyond it.
  double cold_cost(double reuse) const { return cold_between(reuse, cold_mid, cold_llc); }
  double cold_update_cost(double footprint) const { return cold_between(footprint, cold_update_mid, cold_update_llc); }
  double cold_between(double bytes, double at_mid, double at_llc) const;
  // Sizes of the last cache level and of the one below it (that one 0 with a single level);
  // {0, 0} with no cache tiers.
  std::pair<double, double> mid_and_llc_bytes() const;
  // The cold cost a call in context `c` pays: its code's for an op, its tensors' for an update.
  double context_cold(const Context& c) const;
  KindFit fit_for(const std::string& kind) const;   // its fit, else η = 1 and the median t0
  // Seconds an update's bytes take with the step's footprint: from the footprint's tier while it
  // fits the level below the last; beyond, a mix of the last level (at update_eta_llc) and DRAM
  // (at update_eta_dram), the DRAM share rising linearly to 1 as the footprint fills the last level.
  double update_seconds(double bytes, double footprint) const;
  // A call's fixed cost: its kind's t0 (an update's measured fixed cost) plus its cold cost.
  double fixed_cost(const std::string& kind, const Context& c) const;
  // t0 + cold + max(compute, memory)/η: the CPU runs the call's bookkeeping and its kernel in
  // sequence. An update streams its tensors as update_seconds says.
  double predict(const std::string& kind, double flops, double bytes, const Context& c) const;
  double predict(const std::string& kind, double flops, double bytes) const { return predict(kind, flops, bytes, Context()); }
};

// Measures the tiers (triad at half of each data cache's size), the cold-call costs (probe ops
// after flushing caches), a parameter update's costs (probe steps) and fits the op kinds (above);
// peak and DRAM bandwidth from `c` (tito hw probe). About a second and a half on one core.
HostModel calibrate_host(const hw::Ceilings& c);

// For each recorded op, the bytes the ops between it and the previous call of the same op (any
// pass) declared: how much the step pushed through the caches since its code last ran — the
// reuse distance that cold_cost prices. An op's first call looks back over the whole record
// (as if the recorded steps repeated).
std::vector<double> code_reuse_bytes(const profile::Profiler& p);

// For each recorded op, its operands (inputs and output, by the address of their data) with their
// reuse distance: the bytes declared by the ops since any op last touched that address, plus the
// op's own bytes. A first touch looks back around the record, as code_reuse_bytes does. An output
// written into a block the allocator recycled is priced where that block was last touched.
std::vector<std::vector<HostModel::Operand>> data_reuse(const profile::Profiler& p);

// The bytes a step touches: every distinct operand address the profiler recorded (at the most
// bytes an op touched there), plus the optimizer's state, which updates touch but do not pass as
// operands. Unlike the allocator's peak it counts blocks the allocator cycles through within a
// step, and not the tensors of other models that merely sit in memory.
double step_footprint(const profile::Profiler& p, const optim::Optimizer* opt);

// Every recorded op's context: code and data reuse, the step's footprint, whether an update.
std::vector<HostModel::Context> call_contexts(const profile::Profiler& p, double footprint);

// The median of v (0 when empty); shared by calibration and validation.
double median_of(std::vector<double> v);
// An op row's kind as HostModel::kinds keys it: "linear", "bwd:matmul", "AdamW.step".
inline std::string op_kind(const std::string& name, bool backward) { return (backward ? "bwd:" : "") + name; }

struct ValidationRow {
  std::string workload, op, pass, shapes;
  int64_t calls = 0;                 // per step
  double flops = 0, bytes = 0;       // per call
  double measured = 0, predicted = 0;  // seconds per call
  double error = 0;                  // (predicted − measured) / measured
  std::string bound;                 // "compute", "memory", "overhead" (of the prediction)
};

struct ValidationResult {
  HostModel host;
  std::vector<ValidationRow> rows;
  double median_abs_error = 0;       // over rows
  double weighted_abs_error = 0;     // |Σpred − Σmeas| / Σmeas over the step (time-weighted)
  int unpriced = 0;                  // rows with no declared work (views), not compared
  std::vector<std::pair<std::string, double>> footprints;  // per workload: the step's peak bytes
  std::vector<double> round_errors;  // merge_rounds: each round's own median |error|
};

struct ValidateOptions {
  int warmup = 2, steps = 5;
};

// Profiles each workload on one thread and compares every op row's predicted and measured time.
ValidationResult validate(std::vector<FrameworkWorkload>& workloads, const HostModel& host,
                          const ValidateOptions& o = {});

// Independent rounds (each calibrated, then measured) merged: every row's measured and predicted
// times are their medians over the rounds, so one round disturbed by another process — in its
// calibration or in its measurement — moves no row. Host, footprints and bounds come from the
// middle round (by its own median error). Rows are matched by workload, op, pass and shapes.
ValidationResult merge_rounds(const std::vector<ValidationResult>& rounds);

nlohmann::ordered_json to_json(const ValidationResult& r);
std::string format_validation(const ValidationResult& r, int top = 0);

}  // namespace tt::sim

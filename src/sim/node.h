// The single-node solver: a workload priced on one device with the Iron Law
//   T = D_vol/BW + O/(R_peak·η) + L_lat                                  (sum form)
//   T = max(D_vol/BW, O/(R_peak·η)) + L_lat                             (max form, full overlap)
//   T = max(·,·) + (1−ω)·min(·,·) + L_lat                                (overlap form, ω ∈ [0,1])
// applied op by op (each op on its own roofline; Williams et al. 2009), not once to the whole
// model. A workload is a WorkGraph: the ops of one forward (or one training step) with their FLOPs
// and bytes — synthesised from a zoo entry's geometry (transformer_graph), coarse for zoo entries
// without geometry (coarse_graph), or traced from a model built with our framework (sim_trace).
// solve_compat reproduces the reference simulator's engine exactly (docs/simulator.md).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/memory.h"
#include "sim/registry.h"
#include "sim/result.h"

namespace tt::sim {

// One op (or a group of `count` identical ops) of a workload.
struct OpCost {
  std::string name;        // "qkv", "attention", "linear", ...
  std::string pass;        // "fwd", "bwd", "opt"
  std::string shape;       // shapes for the reader, e.g. "[64, 784] x [512, 784]"
  double flops = 0;        // per call
  double bytes = 0;        // per call, read + written
  double weight_bytes = 0; // the part of `bytes` that is parameters (flash-resident on MCUs)
  double count = 1;        // calls (e.g. one per layer)
};

struct WorkGraph {
  std::string model;
  std::vector<OpCost> ops;
  double model_flops = 0;   // useful FLOPs of the step (MFU numerator: no recompute)
  double weight_bytes = 0;  // parameters in the precision
  double samples = 1;       // samples (sequences) per step, for throughput
  double tokens = 0;        // tokens per step (0 for non-sequence models)
  double footprint = 0;     // bytes resident at the step's peak, when known (traced: measured)
  double hardware_flops() const;  // Σ flops·count (HFU numerator, includes recompute)
  double total_bytes() const;
};

enum class IronLaw { sum, max, overlap };
IronLaw parse_iron_law(const std::string& s);
const char* iron_law_name(IronLaw f);

struct PriceOptions {
  Precision precision = Precision::fp16;
  double efficiency = 0.5;   // η: achieved fraction of peak FLOP/s on compute-bound work
  double mem_efficiency = 1; // achieved fraction of the memory bandwidth
  IronLaw form = IronLaw::max;
  double overlap = 0.5;      // ω of the overlap form
  // Launch overhead per op call. Accelerators launch asynchronously: an op costs
  // max(kernel, launch) (the launch hides behind the previous kernel). A CPU runs ops
  // synchronously: kernel + launch. graph = true: one launch per step (CUDA graphs, XLA).
  bool graph = false;
  double dispatch = -1;      // seconds per launch; < 0: the device's dispatch_tax
  double footprint = 0;      // bytes resident (chooses HBM, SRAM, flash or offload bandwidth)
};

struct PricedOp {
  OpCost op;
  double t_compute = 0, t_memory = 0, t_overhead = 0, time = 0;  // per call, seconds
  double intensity = 0;      // FLOP/byte
  std::string bound;         // "compute", "memory", "overhead"
};

struct NodeResult : Verdict {
  std::string model, device, precision, iron_law;
  double latency = 0;        // seconds per step (the chosen form)
  double latency_sum = 0, latency_max = 0;  // both forms, always reported
  double t_compute = 0, t_memory = 0, t_overhead = 0;  // Σ over ops of each term
  double throughput = 0;     // samples/s
  double tokens_per_s = 0;
  double flops = 0, bytes = 0, intensity = 0;  // of the whole step
  double peak = 0, bandwidth = 0, ridge = 0;   // effective (η applied to peak; tier chosen)
  std::string bandwidth_tier;                  // "HBM", "SRAM", "flash", "offload"
  double mfu = 0, hfu = 0;
  double power = 0, energy = 0;                // W, J per step
  double memory_footprint = 0, capacity = 0;
  std::string bottleneck;                      // "compute", "memory", "overhead"
  std::vector<PricedOp> ops;
};

// Prices a graph on a device (op by op, then summed).
NodeResult price(const WorkGraph& g, const Device& d, const PriceOptions& o);

struct NodeOptions {
  int batch = 1;
  int seq = 2048;            // tokens per sequence (transformers; ignored otherwise)
  Precision precision = Precision::fp16;
  double efficiency = 0.5;
  bool training = false;
  int context = 0;           // > 0: one decode step (a new token per sequence attending to
                             // `context` cached tokens) instead of a whole sequence
  Recompute recompute = Recompute::none;
  IronLaw form = IronLaw::max;
  double overlap = 0.5;
  bool graph = false;
  int zero_stage = 0, dp = 1;
  bool lora = false;
  bool compat = false;       // the reference engine's rules (solve_compat)
};

// Forward (or training-step) graph of a transformer zoo entry: per layer norms, QKV, fused causal
// attention, output projection, MLP, residuals; embedding, final norm, LM head, loss; in training
// the backward of each and the optimizer step.
WorkGraph transformer_graph(const ModelSpec& m, const NodeOptions& o);
// One op for a zoo entry without geometry: inference FLOPs × batch (× 3 training, × 4 with full
// recompute), weights read once per pass plus 10% of the weights per sample for activations
// (the reference's heuristic: the only information the entry has).
WorkGraph coarse_graph(const ModelSpec& m, const NodeOptions& o);

// Ours: the graph above priced op by op; footprint from training_memory / weights + KV cache.
NodeResult solve_node(const ModelSpec& m, const Device& d, const NodeOptions& o);
// The reference engine (mlsysim Engine.solve): O = B·flops·(1|3|4), traffic W·(1 + 0.1·B),
// T = max(O/(R·η), traffic/BW) + dispatch + layers·0.01 ms·(1|3). Golden values in tests.
NodeResult solve_compat(const ModelSpec& m, const Device& d, const NodeOptions& o);
NodeResult solve(const ModelSpec& m, const Device& d, const NodeOptions& o);  // by o.compat

// Sensitivity (which term binds): the relative change of the latency when each resource of the
// device improves by `step` (peak FLOP/s, memory bandwidth, launch overhead), all else fixed.
struct Sensitivity {
  double d_peak = 0, d_bandwidth = 0, d_dispatch = 0;  // ΔT/T (negative = faster)
  std::string binding;                                 // the resource with the largest |ΔT/T|
};
Sensitivity sensitivity(const ModelSpec& m, const Device& d, const NodeOptions& o,
                        double step = 0.10);
// The same for a graph priced with price() (traced models).
Sensitivity sensitivity(const WorkGraph& g, const Device& d, const PriceOptions& o,
                        double step = 0.10);

nlohmann::ordered_json to_json(const NodeResult& r, bool with_ops = false);
nlohmann::ordered_json to_json(const Sensitivity& s);

}  // namespace tt::sim

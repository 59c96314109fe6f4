// Distributed training on a cluster: data, tensor, pipeline and expert parallelism (3-D/4-D
// parallel training), with pipeline bubbles (GPipe, 1F1B, interleaved 1F1B), communication
// priced by collectives.h, overlap, ZeRO, and a search over the parallel split.
// Formulas and references in parallel.cpp; docs/simulator.md, "Parallelism".
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/memory.h"
#include "sim/node.h"
#include "sim/registry.h"

namespace tt::sim {

// A cluster resolved against the registry: its node, accelerator and fabric.
struct System {
  Cluster cluster;
  Node node;
  Device device;
  Fabric fabric;
  int accelerators() const { return cluster.nodes * node.accelerators; }
};
System resolve_system(const Registry& reg, const std::string& cluster_key);

enum class Schedule { gpipe, one_f_one_b, interleaved };
Schedule parse_schedule(const std::string& s);  // "gpipe", "1f1b", "interleaved"
const char* schedule_name(Schedule s);

struct ParallelOptions {
  int batch = 1;               // global batch (sequences)
  int seq = 2048;
  Precision precision = Precision::fp16;
  double efficiency = 0.5;
  int tp = 1, pp = 1, ep = 1;
  int microbatches = 1;        // per pipeline flush
  Schedule schedule = Schedule::one_f_one_b;
  int virtual_stages = 1;      // interleaved: model chunks per device
  int zero_stage = 0;
  Recompute recompute = Recompute::none;
  bool lora = false;
  bool overlap_dp = false;     // DP gradient traffic overlapped with the backward
  double overlap_efficiency = 0.85;  // fraction of it hidden when overlapped
  double tp_overlap = 0;       // ours: fraction of TP traffic hidden behind compute
  double congestion = 1;       // multiplies all communication
  double straggler = 1;        // multiplies the step (slowest worker)
  double moe_imbalance = 1;    // ≥ 1: hot experts inflate routed traffic
  int grad_accum = 1;          // DP all-reduce once per grad_accum micro-steps
  bool compat = false;         // the reference's DistributedModel rules
};

struct ParallelResult : Verdict {
  int dp = 1, tp = 1, pp = 1, ep = 1;
  int local_batch = 1;
  double t_local = 0;          // compute of one step on one accelerator
  double t_dp = 0, t_tp = 0, t_ep = 0, comm = 0;  // communication, seconds per step
  double bubble_fraction = 0, t_bubble = 0;
  double step = 0;             // seconds per training step
  double scaling_efficiency = 0;  // t_local / step
  double throughput = 0;       // samples (sequences) per second, whole cluster
  double tokens_per_s = 0;
  double mfu = 0;              // model FLOPs / (step · accelerators · peak)
  std::string dp_algorithm;    // "ring (intra-node)", "hierarchical", "none"
  TrainingMemoryResult memory; // per accelerator
};

ParallelResult solve_parallel(const ModelSpec& m, const System& s, const ParallelOptions& o);

// Search over power-of-two TP (≤ accelerators per node) and PP (≤ layers) with DP = N/(TP·PP):
// every candidate priced, infeasible ones (memory) kept and flagged; sorted by throughput.
std::vector<ParallelResult> sweep_parallel(const ModelSpec& m, const System& s,
                                           const ParallelOptions& base);

// Pipeline bubble as a fraction of the ideal (bubble-free) time: (p − 1)/(v·m) (Narayanan et
// al. 2021, §2.2); GPipe and 1F1B have v = 1.
double bubble_over_ideal(int pp, int microbatches, int virtual_stages);

nlohmann::ordered_json to_json(const ParallelResult& r);

}  // namespace tt::sim

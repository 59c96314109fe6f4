// 3-D/4-D parallel training. Ours and the reference (compat) differ where the reference is
// optimistic or inconsistent (docs/simulator.md, "Where ours differs"):
//   local compute — ours: each accelerator does 1/(TP·PP) of the local batch's work, with the
//     memory model's per-rank footprint; reference: the whole model on one accelerator;
//   TP traffic — ours: 4 all-reduces per layer on the L/PP layers a stage holds; ref: all L;
//   DP gradients — ours: the rank's 1/(TP·PP) shard (ZeRO-3 adds the weight all-gathers, 1.5×);
//     ref: 1/TP;
//   bubble — ours: (p−1)/(v·m) of the ideal time; ref: (p−1)/(v·m+p−1) of the local time;
//   throughput — ours: DP replicas × local batch / step; ref: all accelerators × local batch /
//     local time × efficiency (counts each sample TP·PP times).
#include "sim/parallel.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "sim/collectives.h"

namespace tt::sim {

System resolve_system(const Registry& reg, const std::string& key) {
  System s;
  s.cluster = reg.cluster(key);
  s.node = reg.node(s.cluster.node);
  s.device = reg.device(s.node.device);
  s.fabric = reg.fabric(s.cluster.fabric);
  return s;
}

Schedule parse_schedule(const std::string& s) {
  if (s == "gpipe") return Schedule::gpipe;
  if (s == "1f1b") return Schedule::one_f_one_b;
  if (s == "interleaved") return Schedule::interleaved;
  TT_CHECK(false, "sim: unknown pipeline schedule '", s, "' (choices: gpipe, 1f1b, interleaved)");
  return Schedule::one_f_one_b;
}

const char* schedule_name(Schedule s) {
  return s == Schedule::gpipe ? "gpipe" : s == Schedule::one_f_one_b ? "1f1b" : "interleaved";
}

double bubble_over_ideal(int pp, int m, int v) {
  TT_CHECK(pp >= 1 && m >= 1 && v >= 1, "bubble: pp, microbatches and virtual stages must be ≥ 1, "
           "got ", pp, ", ", m, ", ", v);
  return double(pp - 1) / (double(v) * m);
}

namespace {

void check(const ModelSpec& m, const System& s, const ParallelOptions& o) {
  TT_CHECK(o.tp >= 1 && o.pp >= 1 && o.ep >= 1 && o.batch >= 1 && o.seq >= 1 &&
           o.microbatches >= 1 && o.virtual_stages >= 1 && o.grad_accum >= 1,
           "parallel: tp, pp, ep, batch, seq, microbatches, virtual_stages and grad_accum must "
           "be ≥ 1");
  const int n = s.accelerators(), group = o.tp * o.pp * o.ep;
  TT_CHECK(group <= n && n % group == 0, "parallel: TP(", o.tp, ") × PP(", o.pp, ") × EP(", o.ep,
           ") = ", group, " must divide the ", n, " accelerators of '", s.cluster.key, "' exactly");
  TT_CHECK(o.efficiency > 0 && o.efficiency <= 1, "parallel: efficiency must be in (0, 1], got ",
           o.efficiency);
  TT_CHECK(o.overlap_efficiency >= 0 && o.overlap_efficiency <= 1 && o.tp_overlap >= 0 &&
           o.tp_overlap <= 1, "parallel: overlap fractions must be in [0, 1]");
  TT_CHECK(o.congestion >= 1 && o.straggler >= 1 && o.moe_imbalance >= 1,
           "parallel: congestion, straggler and moe_imbalance must be ≥ 1");
  TT_CHECK(o.pp <= std::max(1, m.layers), "parallel: PP(", o.pp, ") exceeds the ", m.layers,
           " layers of '", m.key, "'");
}

// DP gradient all-reduce: a ring inside one node when the replicas fit there, else the
// hierarchical form across ⌈DP/g⌉ nodes (intra NVLink, inter the fabric per its oversubscription).
double dp_time(const System& s, int dp, double grad_bytes, std::string& algo) {
  if (dp <= 1) return algo = "none", 0.0;
  const int g = s.node.accelerators;
  if (g > 1 && dp > g) {
    algo = "hierarchical";
    return hierarchical_allreduce(g, (dp + g - 1) / g, grad_bytes, s.node.intra_bandwidth,
                                  s.node.intra_latency,
                                  s.fabric.bandwidth / s.fabric.oversubscription,
                                  s.fabric.latency).total.total_s;
  }
  algo = "ring (intra-node)";
  return ring_allreduce(dp, grad_bytes, s.node.intra_bandwidth, s.node.intra_latency).total_s;
}

// One TP all-reduce of the layer's activations (B·S·h·b), on NVLink when TP fits in a node.
double tp_allreduce(const System& s, int tp, double bytes) {
  if (tp <= s.node.accelerators)
    return ring_allreduce(tp, bytes, s.node.intra_bandwidth, s.node.intra_latency).total_s;
  return ring_allreduce(tp, bytes, s.fabric.bandwidth / s.fabric.oversubscription,
                        s.fabric.latency).total_s;
}

TrainingMemoryResult rank_memory(const ModelSpec& m, const System& s, const ParallelOptions& o,
                                 int dp) {
  TrainingMemoryOptions t;
  t.batch = o.batch, t.seq = o.seq, t.precision = o.precision, t.recompute = o.recompute;
  t.zero_stage = o.zero_stage, t.dp = dp, t.tp = o.tp, t.pp = o.pp, t.ep = o.ep;
  t.grad_accum = o.grad_accum, t.lora = o.lora, t.compat = o.compat;
  if (!o.compat) {
    // A pipeline holds the activations of the microbatches in flight, not of the whole local
    // batch: GPipe all m of them, 1F1B at most p (Narayanan et al. 2021, §2.2).
    const int local = std::max(1, o.batch / (dp * o.grad_accum));
    const int micro = (local + o.microbatches - 1) / o.microbatches;
    const int in_flight = o.schedule == Schedule::gpipe ? o.microbatches : std::min(o.pp, o.microbatches);
    t.activation_batch = micro * in_flight;
  }
  return training_memory(m, s.device, t);
}

}  // namespace

ParallelResult solve_parallel(const ModelSpec& m, const System& s, const ParallelOptions& o) {
  check(m, s, o);
  ParallelResult r;
  const int n = s.accelerators();
  r.tp = o.tp, r.pp = o.pp, r.ep = o.ep, r.dp = n / (o.tp * o.pp * o.ep);
  r.local_batch = std::max(1, o.batch / r.dp);
  r.memory = rank_memory(m, s, o, r.dp);
  const double b = bytes_per_element(o.precision);
  const double h = m.hidden > 0 ? m.hidden : 4096;  // the reference's default width
  // Local compute.
  NodeOptions no;
  no.batch = r.local_batch, no.seq = o.seq, no.precision = o.precision;
  no.efficiency = o.efficiency, no.training = true, no.recompute = o.recompute;
  no.zero_stage = o.zero_stage, no.dp = r.dp, no.lora = o.lora, no.compat = o.compat;
  if (o.compat) {
    r.t_local = solve_compat(m, s.device, no).latency;
  } else {
    const WorkGraph g = m.is_transformer() ? transformer_graph(m, no) : coarse_graph(m, no);
    PriceOptions p;
    p.precision = o.precision, p.efficiency = o.efficiency, p.footprint = r.memory.total;
    r.t_local = price(g, s.device, p).latency / (o.tp * o.pp);
  }
  // Data-parallel gradients.
  double grad = m.params * b / (o.compat ? o.tp : double(o.tp) * o.pp);
  if (o.lora) grad *= 0.01;
  if (!o.compat && o.zero_stage == 3) grad *= 1.5;  // + weight all-gathers (ZeRO §7: 1.5×)
  r.t_dp = dp_time(s, r.dp, grad, r.dp_algorithm);
  // Tensor parallel: 2 all-reduces forward + 2 backward per layer (Shoeybi et al. 2019, §3).
  if (o.tp > 1) {
    const double layers = o.compat ? std::max(1, m.layers) : std::ceil(double(m.layers) / o.pp);
    r.t_tp = 4 * layers * tp_allreduce(s, o.tp, double(r.local_batch) * o.seq * h * b);
    if (!o.compat) r.t_tp *= 1 - o.tp_overlap;
  }
  // Expert parallel: every token's activations to its top-k experts and back (Fedus et al. 2022).
  if (o.ep > 1) {
    const double vol = double(r.local_batch) * o.seq * h * b * std::max(1, m.top_k) * o.moe_imbalance;
    r.t_ep = alltoall(o.ep, vol, s.fabric.bandwidth / s.fabric.oversubscription,
                      s.fabric.latency).total_s;
  }
  r.t_dp *= o.congestion, r.t_tp *= o.congestion, r.t_ep *= o.congestion;
  r.t_dp /= o.grad_accum;
  r.comm = r.t_dp + r.t_tp + r.t_ep;
  const int v = o.schedule == Schedule::interleaved ? o.virtual_stages : 1;
  r.bubble_fraction = double(o.pp - 1) / (double(v) * o.microbatches + o.pp - 1);
  if (o.pp > 1)
    r.t_bubble = o.compat ? r.t_local * r.bubble_fraction
                          : r.t_local * bubble_over_ideal(o.pp, o.microbatches, v);
  const double exposed_dp = o.overlap_dp ? r.t_dp * (1 - o.overlap_efficiency) : r.t_dp;
  r.step = (r.t_local + exposed_dp + r.t_tp + r.t_ep + r.t_bubble) * o.straggler;
  r.scaling_efficiency = r.t_local / r.step;
  r.throughput = o.compat ? n * (r.local_batch / r.t_local) * r.scaling_efficiency
                          : r.dp * double(r.local_batch) / r.step;
  r.tokens_per_s = r.throughput * o.seq;
  const double flops_per_seq = m.is_transformer() || m.flops_unit == "token"
      ? 6.0 * (m.active_params > 0 ? m.active_params : m.params) * o.seq
      : 3.0 * m.inference_flops;
  r.mfu = std::clamp(flops_per_seq * r.dp * r.local_batch / (r.step * n * s.device.peak(o.precision)),
                     0.0, 1.0);
  r.feasible = r.memory.feasible;
  const std::pair<double, const char*> parts[] = {{r.t_local, "compute"},
      {exposed_dp, "DP communication"}, {r.t_tp, "TP communication"},
      {r.t_ep, "EP communication"}, {r.t_bubble, "pipeline bubble"}};
  r.binding = r.feasible ? std::max_element(std::begin(parts), std::end(parts))->second
                         : "memory capacity";
  r.notes = r.memory.notes;
  return r;
}

std::vector<ParallelResult> sweep_parallel(const ModelSpec& m, const System& s,
                                           const ParallelOptions& base) {
  std::vector<ParallelResult> out;
  const int n = s.accelerators();
  for (int tp = 1; tp <= s.node.accelerators; tp *= 2)
    for (int pp = 1; pp <= std::max(1, m.layers) && tp * pp <= n; pp *= 2) {
      if (n % (tp * pp) != 0) continue;
      ParallelOptions o = base;
      o.tp = tp, o.pp = pp, o.ep = 1;
      const int dp = n / (tp * pp);
      if (base.batch < dp) continue;  // idle replicas
      // One sequence per microbatch, at least pp microbatches so the pipeline fills.
      o.microbatches = std::max(pp, base.batch / dp);
      out.push_back(solve_parallel(m, s, o));
    }
  std::stable_sort(out.begin(), out.end(), [](const ParallelResult& a, const ParallelResult& b) {
    if (a.feasible != b.feasible) return a.feasible;
    return a.throughput > b.throughput;
  });
  return out;
}

nlohmann::ordered_json to_json(const ParallelResult& r) {
  return {{"feasible", r.feasible}, {"binding", r.binding},
          {"parallelism", {{"dp", r.dp}, {"tp", r.tp}, {"pp", r.pp}, {"ep", r.ep}}},
          {"local_batch", r.local_batch}, {"t_local_s", r.t_local}, {"t_dp_s", r.t_dp},
          {"t_tp_s", r.t_tp}, {"t_ep_s", r.t_ep}, {"comm_s", r.comm},
          {"bubble_fraction", r.bubble_fraction}, {"t_bubble_s", r.t_bubble}, {"step_s", r.step},
          {"scaling_efficiency", r.scaling_efficiency}, {"throughput_per_s", r.throughput},
          {"tokens_per_s", r.tokens_per_s}, {"mfu", r.mfu}, {"dp_algorithm", r.dp_algorithm},
          {"memory", to_json(r.memory)}, {"notes", r.notes}};
}

}  // namespace tt::sim

// The single-node solver: price() (op-by-op Iron Law), solve_node (ours), solve_compat (the
// reference engine), sensitivity.
#include "sim/node.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tt::sim {

IronLaw parse_iron_law(const std::string& s) {
  if (s == "sum") return IronLaw::sum;
  if (s == "max") return IronLaw::max;
  if (s == "overlap") return IronLaw::overlap;
  TT_CHECK(false, "sim: unknown Iron Law form '", s, "' (choices: sum, max, overlap)");
  return IronLaw::max;
}

const char* iron_law_name(IronLaw f) {
  return f == IronLaw::sum ? "sum" : f == IronLaw::max ? "max" : "overlap";
}

namespace {

// Where the bytes come from. Accelerators: HBM, or on-chip SRAM when the footprint fits there
// (Cerebras, Groq, MCUs); MCUs whose weights do not fit in SRAM read them from flash. A footprint
// beyond capacity spills: that fraction of the traffic crosses the host link (PCIe), the rest
// stays in HBM (the reference sends all traffic at min(HBM, PCIe)).
struct Tiers {
  double act_bw = 0, weight_bw = 0, spill = 0, spill_bw = 0;
  std::string name;
};

Tiers choose_tiers(const Device& d, double footprint, double weight_bytes, double mem_eff) {
  Tiers t;
  t.act_bw = t.weight_bw = d.mem_bandwidth * mem_eff;
  t.name = "main memory";
  if (footprint > d.mem_capacity) {
    t.spill = (footprint - d.mem_capacity) / footprint;
    t.spill_bw = d.host_link ? d.host_link->bandwidth : 64e9;
    t.name = "offload";
  } else if (d.sram_capacity && d.sram_bandwidth && footprint <= *d.sram_capacity) {
    t.act_bw = t.weight_bw = *d.sram_bandwidth * mem_eff;
    t.name = "SRAM";
  } else if (d.flash_bandwidth && weight_bytes > d.sram_capacity.value_or(0)) {
    t.weight_bw = *d.flash_bandwidth * mem_eff;
    t.name = "flash";
  }
  return t;
}

double roofline_time(IronLaw form, double tc, double tm, double overlap) {
  switch (form) {
    case IronLaw::sum: return tc + tm;
    case IronLaw::max: return std::max(tc, tm);
    case IronLaw::overlap: return std::max(tc, tm) + (1 - overlap) * std::min(tc, tm);
  }
  return std::max(tc, tm);
}

void check_price_options(const PriceOptions& o) {
  TT_CHECK(o.efficiency > 0 && o.efficiency <= 1, "sim: efficiency must be in (0, 1], got ",
           o.efficiency);
  TT_CHECK(o.mem_efficiency > 0 && o.mem_efficiency <= 1,
           "sim: memory efficiency must be in (0, 1], got ", o.mem_efficiency);
  TT_CHECK(o.overlap >= 0 && o.overlap <= 1, "sim: overlap must be in [0, 1], got ", o.overlap);
}

}  // namespace

NodeResult price(const WorkGraph& g, const Device& d, const PriceOptions& o) {
  check_price_options(o);
  NodeResult r;
  r.model = g.model, r.device = d.key, r.precision = precision_name(o.precision);
  r.iron_law = iron_law_name(o.form);
  bool exact = true;
  r.peak = d.peak(o.precision, &exact) * o.efficiency;
  if (!exact)
    r.notes.push_back(std::string("peak: ") + d.key + " lists no " + precision_name(o.precision) +
                      " rate; using its " + precision_name(d.default_precision) + " peak");
  const Tiers tiers = choose_tiers(d, std::max(o.footprint, g.weight_bytes), g.weight_bytes,
                                   o.mem_efficiency);
  r.bandwidth = tiers.act_bw, r.bandwidth_tier = tiers.name;
  const double dispatch = o.dispatch >= 0 ? o.dispatch : d.dispatch_tax;
  const bool sync = d.category == "host";  // a CPU runs an op's launch and kernel in sequence
  double by_bound[3] = {0, 0, 0};          // compute, memory, overhead
  for (const OpCost& op : g.ops) {
    PricedOp p;
    p.op = op;
    p.t_compute = op.flops / r.peak;
    const double act = op.bytes - op.weight_bytes;
    const auto bytes_time = [&](double bytes, double bw) {
      return bytes * (1 - tiers.spill) / bw + (tiers.spill > 0 ? bytes * tiers.spill / tiers.spill_bw : 0);
    };
    p.t_memory = bytes_time(act, tiers.act_bw) + bytes_time(op.weight_bytes, tiers.weight_bw);
    const double roof = roofline_time(o.form, p.t_compute, p.t_memory, o.overlap);
    // Views and other metadata ops (no FLOPs, no bytes) launch no kernel.
    const bool kernel = op.flops > 0 || op.bytes > 0;
    const auto launch = [&](double kernel_time) {
      if (o.graph || !kernel) return 0.0;
      return sync ? dispatch : std::max(0.0, dispatch - kernel_time);
    };
    p.t_overhead = launch(roof);
    p.time = roof + p.t_overhead;
    p.intensity = op.bytes > 0 ? op.flops / op.bytes : 0;
    const int cls = p.t_overhead > roof ? 2 : p.t_compute >= p.t_memory ? 0 : 1;
    p.bound = cls == 0 ? "compute" : cls == 1 ? "memory" : "overhead";
    by_bound[cls] += p.time * op.count;
    r.t_compute += p.t_compute * op.count;
    r.t_memory += p.t_memory * op.count;
    r.t_overhead += p.t_overhead * op.count;
    r.latency += p.time * op.count;
    r.latency_sum += (p.t_compute + p.t_memory + p.t_overhead) * op.count;
    const double roof_max = std::max(p.t_compute, p.t_memory);
    r.latency_max += (roof_max + launch(roof_max)) * op.count;
    r.ops.push_back(std::move(p));
  }
  if (o.graph) r.t_overhead = dispatch, r.latency += dispatch, r.latency_sum += dispatch,
               r.latency_max += dispatch;
  r.flops = g.hardware_flops(), r.bytes = g.total_bytes();
  r.intensity = r.bytes > 0 ? r.flops / r.bytes : 0;
  r.ridge = r.peak / r.bandwidth;
  r.throughput = g.samples / r.latency;
  r.tokens_per_s = g.tokens / r.latency;
  const double peak = d.peak(o.precision);
  r.mfu = std::clamp(g.model_flops / r.latency / peak, 0.0, 1.0);
  r.hfu = std::clamp(r.flops / r.latency / peak, 0.0, 1.0);
  // Energy-proportional power (Barroso & Hölzle 2007): 30% idle floor plus 70% scaled by use.
  r.power = d.tdp * (0.30 + 0.70 * r.mfu);
  r.energy = r.power * r.latency;
  r.memory_footprint = std::max(o.footprint, g.weight_bytes);
  r.capacity = d.mem_capacity;
  const int top = int(std::max_element(by_bound, by_bound + 3) - by_bound);
  r.bottleneck = top == 0 ? "compute" : top == 1 ? "memory" : "overhead";
  r.feasible = r.memory_footprint <= r.capacity;
  r.binding = r.feasible ? r.bottleneck : "memory capacity";
  return r;
}

namespace {

double footprint_bytes(const ModelSpec& m, const Device& d, const NodeOptions& o) {
  const double w = m.params * bytes_per_element(o.precision);
  if (o.training) {
    TrainingMemoryOptions t;
    t.batch = o.batch, t.seq = o.seq, t.precision = o.precision, t.recompute = o.recompute;
    t.zero_stage = o.zero_stage, t.dp = o.dp, t.lora = o.lora, t.compat = o.compat;
    return training_memory(m, d, t).total;
  }
  if (m.is_transformer() && !o.compat) {
    KvCacheOptions k;
    k.seq = o.seq, k.batch = o.batch, k.precision = o.precision;
    return w + kv_cache(m, k).bytes;
  }
  return w;
}

void check_node_options(const NodeOptions& o) {
  TT_CHECK(o.batch >= 1, "sim: batch must be ≥ 1, got ", o.batch);
  TT_CHECK(o.seq >= 1, "sim: seq must be ≥ 1, got ", o.seq);
  TT_CHECK(o.efficiency > 0 && o.efficiency <= 1, "sim: efficiency must be in (0, 1], got ",
           o.efficiency);
  TT_CHECK(o.dp >= 1 && o.zero_stage >= 0 && o.zero_stage <= 3,
           "sim: dp must be ≥ 1 and zero_stage 0–3, got dp ", o.dp, ", zero_stage ", o.zero_stage);
}

}  // namespace

NodeResult solve_node(const ModelSpec& m, const Device& d, const NodeOptions& o) {
  check_node_options(o);
  const WorkGraph g = m.is_transformer() ? transformer_graph(m, o) : coarse_graph(m, o);
  PriceOptions p;
  p.precision = o.precision, p.efficiency = o.efficiency, p.form = o.form;
  p.overlap = o.overlap, p.graph = o.graph;
  p.footprint = footprint_bytes(m, d, o);
  NodeResult r = price(g, d, p);
  if (!m.is_transformer())
    r.notes.push_back("graph: '" + m.key + "' has no geometry in the zoo; priced as one op with "
                      "the reference's activation-traffic heuristic (0.1·W per sample)");
  return r;
}

NodeResult solve_compat(const ModelSpec& m, const Device& d, const NodeOptions& o) {
  check_node_options(o);
  NodeResult r;
  r.model = m.key, r.device = d.key, r.precision = precision_name(o.precision), r.iron_law = "max";
  const double b = bytes_per_element(o.precision);
  const double peak = d.peak(o.precision);
  const double w = m.params * b;
  const double k = o.training ? 3 : 1, k_hw = o.training && o.recompute != Recompute::none ? 4 : k;
  const double ops = o.batch * m.inference_flops * k_hw;
  // Footprint: weights; training: the transformer memory model, else W + G + 12 B/param Adam.
  double footprint = w;
  if (o.training)
    footprint = m.is_transformer() ? footprint_bytes(m, d, {.batch = o.batch, .seq = o.seq,
        .precision = o.precision, .training = true,
        .recompute = o.recompute == Recompute::none ? Recompute::none : Recompute::selective,
        .zero_stage = o.zero_stage, .dp = o.dp, .lora = o.lora, .compat = true})
                                   : m.params * (2 * b + 12);
  r.feasible = footprint <= d.mem_capacity;
  double bw = d.mem_bandwidth;
  r.bandwidth_tier = "main memory";
  if (!r.feasible) {
    bw = std::min(bw, d.host_link ? d.host_link->bandwidth : 64e9), r.bandwidth_tier = "offload";
  } else if (d.sram_capacity && d.sram_bandwidth && w <= *d.sram_capacity) {
    bw = *d.sram_bandwidth, r.bandwidth_tier = "SRAM";
  } else if (d.flash_bandwidth) {
    bw = *d.flash_bandwidth, r.bandwidth_tier = "flash";
  }
  const double traffic = w * (1 + 0.1 * o.batch);
  r.peak = peak * o.efficiency, r.bandwidth = bw, r.ridge = r.peak / bw;
  r.t_compute = ops / r.peak;
  r.t_memory = traffic / bw;
  // Framework tax: 0.01 ms per layer per launch, 3 launches per layer in training.
  r.t_overhead = d.dispatch_tax + std::max(1, m.layers) * 1e-5 * (o.training ? 3 : 1);
  r.latency = std::max(r.t_compute, r.t_memory) + r.t_overhead;
  r.latency_max = r.latency;
  r.latency_sum = r.t_compute + r.t_memory + r.t_overhead;
  r.flops = ops, r.bytes = traffic, r.intensity = ops / traffic;
  r.throughput = o.batch / r.latency;
  r.mfu = std::clamp(o.batch * m.inference_flops * k / r.latency / peak, 0.0, 1.0);
  r.hfu = std::clamp(ops / r.latency / peak, 0.0, 1.0);
  r.power = d.tdp * (0.30 + 0.70 * r.mfu);
  r.energy = r.power * r.latency;
  r.memory_footprint = footprint, r.capacity = d.mem_capacity;
  r.bottleneck = r.t_memory > r.t_compute ? "memory" : "compute";
  r.binding = r.feasible ? r.bottleneck : "memory capacity";
  return r;
}

NodeResult solve(const ModelSpec& m, const Device& d, const NodeOptions& o) {
  return o.compat ? solve_compat(m, d, o) : solve_node(m, d, o);
}

namespace {

// ΔT/T when the device's peak, bandwidths, or launch overhead improve by `step`, for any way of
// timing the device (`time_on`).
template <typename TimeOn>
Sensitivity perturb(const Device& d, double step, TimeOn time_on) {
  TT_CHECK(step > 0 && step < 1, "sensitivity: step must be in (0, 1), got ", step);
  const double base = time_on(d);
  Sensitivity s;
  Device faster = d;
  for (auto& [p, v] : faster.peak_flops) v *= 1 + step;
  s.d_peak = time_on(faster) / base - 1;
  faster = d;
  faster.mem_bandwidth *= 1 + step;
  if (faster.sram_bandwidth) *faster.sram_bandwidth *= 1 + step;
  if (faster.flash_bandwidth) *faster.flash_bandwidth *= 1 + step;
  s.d_bandwidth = time_on(faster) / base - 1;
  faster = d;
  faster.dispatch_tax /= 1 + step;
  s.d_dispatch = time_on(faster) / base - 1;
  const double a = std::abs(s.d_peak), b = std::abs(s.d_bandwidth), c = std::abs(s.d_dispatch);
  s.binding = a >= b && a >= c ? "peak compute" : b >= c ? "memory bandwidth" : "launch overhead";
  return s;
}

}  // namespace

Sensitivity sensitivity(const ModelSpec& m, const Device& d, const NodeOptions& o, double step) {
  return perturb(d, step, [&](const Device& x) { return solve(m, x, o).latency; });
}

Sensitivity sensitivity(const WorkGraph& g, const Device& d, const PriceOptions& o, double step) {
  PriceOptions p = o;
  p.dispatch = -1;  // the device's own, so that perturbing it counts
  return perturb(d, step, [&](const Device& x) { return price(g, x, p).latency; });
}

nlohmann::ordered_json to_json(const NodeResult& r, bool with_ops) {
  nlohmann::ordered_json j = {{"model", r.model}, {"device", r.device},
      {"precision", r.precision}, {"iron_law", r.iron_law}, {"feasible", r.feasible},
      {"binding", r.binding}, {"bottleneck", r.bottleneck}, {"latency_s", r.latency},
      {"latency_sum_s", r.latency_sum}, {"latency_max_s", r.latency_max},
      {"t_compute_s", r.t_compute}, {"t_memory_s", r.t_memory}, {"t_overhead_s", r.t_overhead},
      {"throughput_per_s", r.throughput}, {"tokens_per_s", r.tokens_per_s}, {"flops", r.flops},
      {"bytes", r.bytes}, {"intensity", r.intensity}, {"peak_flops", r.peak},
      {"bandwidth", r.bandwidth}, {"bandwidth_tier", r.bandwidth_tier}, {"ridge", r.ridge},
      {"mfu", r.mfu}, {"hfu", r.hfu}, {"power_w", r.power}, {"energy_j", r.energy},
      {"memory_footprint_bytes", r.memory_footprint}, {"capacity_bytes", r.capacity},
      {"notes", r.notes}};
  if (with_ops) {
    auto ops = nlohmann::ordered_json::array();
    for (const PricedOp& p : r.ops)
      ops.push_back({{"op", p.op.name}, {"pass", p.op.pass}, {"shape", p.op.shape},
                     {"count", p.op.count}, {"flops", p.op.flops}, {"bytes", p.op.bytes},
                     {"intensity", p.intensity}, {"t_compute_s", p.t_compute},
                     {"t_memory_s", p.t_memory}, {"t_overhead_s", p.t_overhead},
                     {"time_s", p.time}, {"bound", p.bound}});
    j["ops"] = ops;
  }
  return j;
}

nlohmann::ordered_json to_json(const Sensitivity& s) {
  return {{"d_peak", s.d_peak}, {"d_bandwidth", s.d_bandwidth}, {"d_dispatch", s.d_dispatch},
          {"binding", s.binding}};
}

}  // namespace tt::sim

// Serving: prefill (TTFT) is compute-bound — every prompt token through every weight; decode (ITL)
// is memory-bound — every weight and the whole KV cache read per generated token (Pope et al.
// 2022, "Efficiently Scaling Transformer Inference", §2).
#include "sim/serving.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tt::sim {

namespace {

void check(const ModelSpec& m, const ServingOptions& o) {
  TT_CHECK(m.is_transformer(), "serving: model '", m.key, "' has no transformer geometry");
  TT_CHECK(o.seq >= 1 && o.batch >= 1 && o.output_tokens >= 1, "serving: seq, batch and "
           "output_tokens must be ≥ 1, got ", o.seq, ", ", o.batch, ", ", o.output_tokens);
  TT_CHECK(o.cached_prefix >= 0 && o.cached_prefix < o.seq, "serving: cached_prefix must be in "
           "[0, seq), got ", o.cached_prefix, " with seq ", o.seq);
  TT_CHECK(o.efficiency > 0 && o.efficiency <= 1, "serving: efficiency must be in (0, 1], got ",
           o.efficiency);
  TT_CHECK(o.chunk >= 0 && o.page_tokens >= 0 && o.max_batch >= 1 && o.kv_link_bandwidth > 0,
           "serving: chunk and page_tokens must be ≥ 0, max_batch ≥ 1, kv_link_bandwidth > 0");
  TT_CHECK(o.acceptance >= 0 && o.acceptance < 1 && o.draft_tokens >= 1,
           "serving: acceptance must be in [0, 1) and draft_tokens ≥ 1, got ", o.acceptance,
           ", ", o.draft_tokens);
}

double kv_bytes(const ModelSpec& m, int seq, int batch, Precision p, int page) {
  KvCacheOptions k;
  k.seq = seq, k.batch = batch, k.precision = p, k.page_tokens = page;
  return kv_cache(m, k).bytes;
}

// Expected tokens per target-model pass with K drafted tokens accepted i.i.d. with probability α:
// 1 + α + … + α^K = (1 − α^{K+1}) / (1 − α) (Leviathan et al. 2023, eq. 1).
double expected_tokens(double alpha, int k) {
  return (1 - std::pow(alpha, k + 1)) / (1 - alpha);
}

// One decode step of `batch` sequences at `context` cached tokens, priced op by op (ours).
NodeResult decode_step(const ModelSpec& m, const Device& d, const ServingOptions& o, int batch,
                       int context, double footprint) {
  NodeOptions n;
  n.batch = batch, n.context = context, n.precision = o.precision, n.efficiency = o.efficiency;
  PriceOptions p;
  p.precision = o.precision, p.efficiency = o.efficiency, p.graph = true;  // CUDA-graph decode
  p.footprint = footprint;
  return price(transformer_graph(m, n), d, p);
}

void solve_compat(const ModelSpec& m, const Device& d, const ServingOptions& o, ServingResult& r) {
  // mlsysim ServingModel: prefill FLOPs = 2·P·new·B + 4·L·a·d·new·S·B (no causal halving),
  // TTFT = FLOPs/(R·η) + dispatch per chunk; ITL = (W + KV)/BW + L·0.01 ms.
  const double n = o.seq - o.cached_prefix, B = o.batch, S = o.seq;
  r.prefill_flops = 2 * m.params * n * B + 4.0 * m.layers * m.heads * m.head_dim() * n * S * B;
  const double chunks = o.chunk > 0 ? std::ceil(n / o.chunk) : 1;
  r.ttft = r.prefill_flops / (d.peak(o.precision) * o.efficiency) + d.dispatch_tax * chunks;
  if (o.disaggregated) r.ttft += r.kv_bytes / o.kv_link_bandwidth;
  r.itl = (r.weights_bytes + r.kv_bytes) / d.mem_bandwidth + m.layers * 1e-5;
  r.prefill_bound = "compute", r.decode_bound = "memory";
}

void solve_ours(const ModelSpec& m, const Device& d, const ServingOptions& o, ServingResult& r) {
  // Prefill: the new tokens as one forward (chunks: each chunk one forward), op by op.
  const int n = o.seq - o.cached_prefix;
  const int chunk = o.chunk > 0 ? std::min(o.chunk, n) : n;
  NodeOptions pre;
  pre.batch = o.batch, pre.seq = chunk, pre.precision = o.precision, pre.efficiency = o.efficiency;
  PriceOptions p;
  p.precision = o.precision, p.efficiency = o.efficiency, p.footprint = r.total_memory;
  const NodeResult one = price(transformer_graph(m, pre), d, p);
  const double chunks = std::ceil(double(n) / chunk);
  r.ttft = one.latency * chunks;
  r.prefill_flops = one.flops * chunks;
  r.prefill_bound = one.bottleneck;
  if (o.disaggregated) r.ttft += r.kv_bytes / o.kv_link_bandwidth;
  // Decode at the mean context over the generated tokens.
  const int ctx = o.seq + o.output_tokens / 2;
  const NodeResult dec = decode_step(m, d, o, o.batch, ctx, r.total_memory);
  r.itl = dec.latency;
  r.decode_bound = dec.bottleneck;
}

// Continuous batching (Yu et al. 2022, Orca) with a paged cache (Kwon et al. 2023): as many
// requests as the memory left after the weights holds pages for; static batching wastes the
// cache reserved for the longest request, modelled as 0.6 of the batch (the reference's factor).
void capacity(const ModelSpec& m, const Device& d, const ServingOptions& o, ServingResult& r) {
  const double per_req = kv_bytes(m, o.seq + o.output_tokens, 1, o.precision, o.page_tokens);
  const double room = d.mem_capacity - r.weights_bytes;
  r.max_concurrent = room > 0 ? int(std::min<double>(o.max_batch, std::floor(room / per_req))) : 0;
  if (r.max_concurrent < 1) return;
  const int ctx = o.seq + o.output_tokens / 2;
  const auto tok_s = [&](int n) {
    if (o.compat) return n / ((r.weights_bytes + n * per_req) / d.mem_bandwidth);
    return n / decode_step(m, d, o, n, ctx, r.weights_bytes + n * per_req).latency;
  };
  r.capacity_tokens_per_s = tok_s(r.max_concurrent);
  r.static_tokens_per_s = tok_s(std::max(1, int(0.6 * r.max_concurrent)));
}

}  // namespace

ServingResult solve_serving(const ModelSpec& m, const Device& d, const ServingOptions& o) {
  check(m, o);
  ServingResult r;
  r.weights_bytes = m.params * bytes_per_element(o.precision);
  r.kv_bytes = kv_bytes(m, o.seq, o.batch, o.precision, 0);
  r.total_memory = r.weights_bytes + r.kv_bytes;
  if (o.draft) r.total_memory += o.draft->params * bytes_per_element(o.precision);
  r.capacity = d.mem_capacity;
  r.utilization = r.total_memory / r.capacity;
  if (o.compat) solve_compat(m, d, o, r);
  else solve_ours(m, d, o, r);
  r.e2e = r.ttft + r.itl * (o.output_tokens - 1);
  r.decode_tokens_per_s = o.batch / r.itl;
  capacity(m, d, o, r);
  if (o.draft) {
    // K draft steps then one target pass verifying K+1 positions (memory-bound, so about one
    // decode step of the target): ITL_eff = (K·t_draft + t_verify) / E[tokens].
    ServingOptions dopt = o;
    dopt.draft = nullptr;
    const double t_draft = solve_serving(*o.draft, d, dopt).itl;
    r.spec_expected_tokens = expected_tokens(o.acceptance, o.draft_tokens);
    r.spec_itl = (o.draft_tokens * t_draft + r.itl) / r.spec_expected_tokens;
  }
  r.feasible = r.total_memory <= r.capacity;
  r.binding = r.feasible ? "decode " + r.decode_bound + " (ITL)" : "memory capacity";
  r.notes.push_back("memory: weights " + std::to_string(r.weights_bytes / 1e9) + " GB + KV " +
                    std::to_string(r.kv_bytes / 1e9) + " GB of " + std::to_string(r.capacity / 1e9) +
                    " GB");
  return r;
}

nlohmann::ordered_json to_json(const ServingResult& r) {
  return {{"feasible", r.feasible}, {"binding", r.binding}, {"ttft_s", r.ttft}, {"itl_s", r.itl},
          {"e2e_s", r.e2e}, {"prefill_flops", r.prefill_flops}, {"prefill_bound", r.prefill_bound},
          {"decode_bound", r.decode_bound}, {"weights_bytes", r.weights_bytes},
          {"kv_bytes", r.kv_bytes}, {"total_memory_bytes", r.total_memory},
          {"capacity_bytes", r.capacity}, {"utilization", r.utilization},
          {"decode_tokens_per_s", r.decode_tokens_per_s}, {"max_concurrent", r.max_concurrent},
          {"capacity_tokens_per_s", r.capacity_tokens_per_s},
          {"static_tokens_per_s", r.static_tokens_per_s},
          {"spec_expected_tokens", r.spec_expected_tokens}, {"spec_itl_s", r.spec_itl},
          {"notes", r.notes}};
}

}  // namespace tt::sim

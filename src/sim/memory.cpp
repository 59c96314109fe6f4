// Training memory and KV cache. All sizes in bytes.
#include "sim/memory.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tt::sim {

Recompute parse_recompute(const std::string& s) {
  if (s == "none") return Recompute::none;
  if (s == "selective") return Recompute::selective;
  if (s == "full") return Recompute::full;
  TT_CHECK(false, "sim: unknown recompute '", s, "' (choices: none, selective, full)");
  return Recompute::none;
}

const char* recompute_name(Recompute r) {
  switch (r) {
    case Recompute::none: return "none";
    case Recompute::selective: return "selective";
    case Recompute::full: return "full";
  }
  return "?";
}

OptimizerKind parse_optimizer(const std::string& s) {
  if (s == "adam" || s == "adamw") return OptimizerKind::adam;
  if (s == "sgd_momentum") return OptimizerKind::sgd_momentum;
  if (s == "sgd") return OptimizerKind::sgd;
  if (s == "none") return OptimizerKind::none;
  TT_CHECK(false, "sim: unknown optimizer '", s, "' (choices: adam, adamw, sgd_momentum, sgd, none)");
  return OptimizerKind::adam;
}

namespace {

// Optimizer state per trainable parameter. Mixed-precision Adam keeps an FP32 master copy plus
// FP32 m and v: 12 B (Rajbhandari et al. 2020, ZeRO §3: "K = 12"). In FP32 training the weights
// are the master copy, so ours keeps 8 B; the reference charges 12 B at every precision.
double optimizer_bytes_per_param(OptimizerKind k, Precision p, bool compat) {
  const bool mixed = bytes_per_element(p) < 4;
  switch (k) {
    case OptimizerKind::adam: return (mixed || compat) ? 12 : 8;
    case OptimizerKind::sgd_momentum: return (mixed || compat) ? 8 : 4;  // master + momentum
    case OptimizerKind::sgd: return compat ? 4 : (mixed ? 4 : 0);         // master copy only
    case OptimizerKind::none: return 0;
  }
  return 0;
}

// Activation bytes of one transformer layer (Korthikanti et al. 2022, "Reducing Activation
// Recomputation in Large Transformer Models", §4, Table 2). Their coefficients count FP16 bytes
// (2 B per value, 1 B dropout masks) for s tokens, b sequences, h hidden, a heads, t-way TP:
//   none       s·b·h·(10 + 24/t) + 5·a·s²·b/t
//   selective  s·b·h·(10 + 24/t)           (attention scores recomputed)
//   full       2·s·b·h                      (only each layer's input is kept)
// The reference uses t = 1 always (34·s·b·h + 5·a·s²·b); compat reproduces that.
double layer_activation_bytes(const ModelSpec& m, double s, double b, int tp, Recompute r,
                              Precision p, bool compat) {
  const double h = m.hidden, a = m.heads, t = compat ? 1.0 : tp;
  const double sbh = s * b * h;
  double fp16_bytes = 0;
  switch (r) {
    case Recompute::none: fp16_bytes = sbh * (10 + 24 / t) + 5 * a * s * s * b / t; break;
    case Recompute::selective: fp16_bytes = sbh * (10 + 24 / t); break;
    case Recompute::full: fp16_bytes = 2 * sbh; break;
  }
  return fp16_bytes * bytes_per_element(p) / 2;  // the coefficients assume 2-byte activations
}

void check_options(const TrainingMemoryOptions& o) {
  TT_CHECK(o.batch >= 1 && o.seq >= 1, "training_memory: batch and seq must be ≥ 1, got batch ",
           o.batch, ", seq ", o.seq);
  TT_CHECK(o.dp >= 1 && o.tp >= 1 && o.pp >= 1 && o.ep >= 1 && o.grad_accum >= 1,
           "training_memory: dp, tp, pp, ep and grad_accum must be ≥ 1, got dp ", o.dp, ", tp ",
           o.tp, ", pp ", o.pp, ", ep ", o.ep, ", grad_accum ", o.grad_accum);
  TT_CHECK(o.zero_stage >= 0 && o.zero_stage <= 3, "training_memory: zero_stage must be 0–3, got ",
           o.zero_stage);
  TT_CHECK(o.lora_rank >= 1, "training_memory: lora_rank must be ≥ 1, got ", o.lora_rank);
  TT_CHECK(o.activation_batch >= 0, "training_memory: activation_batch must be ≥ 0, got ",
           o.activation_batch);
}

}  // namespace

TrainingMemoryResult training_memory(const ModelSpec& m, const Device& d,
                                     const TrainingMemoryOptions& o) {
  check_options(o);
  TrainingMemoryResult r;
  const double b = bytes_per_element(o.precision);
  // Tensor, pipeline and expert parallelism each hold a slice of the parameters.
  const double p_rank = m.params / (double(o.tp) * o.pp * o.ep);
  r.params_per_rank = p_rank;
  // LoRA trains rank-r adapters A (h×r) and B (r×h) on the four attention projections of every
  // layer (Hu et al. 2021, §4.2): 2·r·h·4·L parameters.
  if (o.lora && m.hidden > 0 && m.layers > 0)
    r.trainable_fraction = std::min(1.0, 2.0 * o.lora_rank * m.hidden * 4.0 * m.layers / m.params);
  const double f = r.trainable_fraction;
  r.weights = p_rank * b;
  r.gradients = p_rank * f * b;
  r.optimizer = p_rank * f * optimizer_bytes_per_param(o.optimizer, o.precision, o.compat);
  // ZeRO (Rajbhandari et al. 2020): stage 1 shards optimizer state over DP, 2 also gradients,
  // 3 also the weights.
  if (o.zero_stage >= 1) r.optimizer /= o.dp;
  if (o.zero_stage >= 2) r.gradients /= o.dp;
  if (o.zero_stage >= 3) r.weights /= o.dp;
  // Activations: each DP rank sees ⌈B/(DP·GA)⌉ sequences per micro-step; a pipeline stage holds
  // ⌈L/PP⌉ layers.
  const double b_local = o.activation_batch > 0 ? double(o.activation_batch)
                                               : std::ceil(double(o.batch) / (double(o.dp) * o.grad_accum));
  if (m.is_transformer()) {
    const double layers = std::ceil(double(m.layers) / o.pp);
    r.activations = layers * layer_activation_bytes(m, o.seq, b_local, o.tp, o.recompute,
                                                    o.precision, o.compat);
  } else {
    r.activations_known = false;
    r.notes.push_back("activations: not modelled for '" + m.key +
                      "' (no transformer geometry in the zoo entry); trace the model for them");
  }
  // Communication buffers: gradient buckets ≈ 5% of the gradients (PyTorch DDP's 25 MB buckets
  // are a small multiple of this), plus the pipeline's send/receive activation buffers.
  r.buffers = 0.05 * r.gradients;
  if (o.pp > 1 && m.hidden > 0) r.buffers += 2.0 * b_local * o.seq * m.hidden * b;
  r.total = r.weights + r.gradients + r.optimizer + r.activations + r.buffers;
  r.capacity = d.mem_capacity;
  r.utilization = r.total / r.capacity;
  r.feasible = r.total <= r.capacity;
  if (!r.feasible) {
    r.binding = "memory capacity";
  } else {
    const std::pair<double, const char*> parts[] = {{r.weights, "weights"},
        {r.gradients, "gradients"}, {r.optimizer, "optimizer state"},
        {r.activations, "activations"}, {r.buffers, "buffers"}};
    r.binding = std::max_element(std::begin(parts), std::end(parts))->second;
  }
  r.notes.push_back("memory wall: " + std::to_string(r.total / 1e9) + " GB of " +
                    std::to_string(r.capacity / 1e9) + " GB on " + d.key +
                    (r.feasible ? " (fits)" : " (does not fit)"));
  return r;
}

KvCacheResult kv_cache(const ModelSpec& m, const KvCacheOptions& o) {
  TT_CHECK(m.is_transformer(), "kv_cache: model '", m.key,
           "' has no transformer geometry (layers, hidden, heads)");
  TT_CHECK(o.seq >= 1 && o.batch >= 1 && o.page_tokens >= 0, "kv_cache: seq and batch must be ≥ 1 "
           "and page_tokens ≥ 0, got seq ", o.seq, ", batch ", o.batch, ", page_tokens ", o.page_tokens);
  KvCacheResult r;
  const double b = bytes_per_element(o.precision);
  // Per token per layer: K and V of every KV head (2·H_kv·d values); MLA (DeepSeek-V2 §2.1)
  // caches one compressed latent of kv_lora_rank plus the decoupled RoPE key.
  double per_token_layer = 2.0 * m.kv_heads_or_heads() * m.head_dim();
  if (m.kv_lora_rank > 0) {
    per_token_layer = double(m.kv_lora_rank) + m.qk_rope_dim;
    r.latent = true;
  }
  r.bytes_per_token = per_token_layer * m.layers * b;
  // Paged attention (Kwon et al. 2023) allocates whole pages of page_tokens tokens: only the last
  // page of each sequence is partly empty.
  const double held = o.page_tokens > 0
      ? std::ceil(double(o.seq) / o.page_tokens) * o.page_tokens : double(o.seq);
  r.used_bytes = r.bytes_per_token * o.seq * o.batch;
  r.bytes = r.bytes_per_token * held * o.batch;
  r.fragmentation = r.bytes > 0 ? (r.bytes - r.used_bytes) / r.bytes : 0;
  return r;
}

nlohmann::ordered_json to_json(const TrainingMemoryResult& r) {
  return {{"feasible", r.feasible}, {"binding", r.binding}, {"weights_bytes", r.weights},
          {"gradients_bytes", r.gradients}, {"optimizer_bytes", r.optimizer},
          {"activations_bytes", r.activations}, {"buffers_bytes", r.buffers},
          {"total_bytes", r.total}, {"capacity_bytes", r.capacity},
          {"utilization", r.utilization}, {"params_per_rank", r.params_per_rank},
          {"trainable_fraction", r.trainable_fraction},
          {"activations_known", r.activations_known}, {"notes", r.notes}};
}

nlohmann::ordered_json to_json(const KvCacheResult& r) {
  return {{"bytes", r.bytes}, {"used_bytes", r.used_bytes}, {"fragmentation", r.fragmentation},
          {"bytes_per_token", r.bytes_per_token}, {"latent", r.latent}};
}

}  // namespace tt::sim

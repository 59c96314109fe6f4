// Memory solvers: what training and inference keep resident on one accelerator.
//   training_memory: weights + gradients + optimizer state + activations + buffers, with
//     activation recomputation (none / selective / full), ZeRO stages 1–3 and TP/PP/EP sharding;
//   kv_cache: the K and V tensors of every layer for a batch of sequences, plain or paged.
// Formulas and references in memory.cpp; docs/simulator.md, "Memory".
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "sim/registry.h"
#include "sim/result.h"

namespace tt::sim {

enum class Recompute { none, selective, full };
Recompute parse_recompute(const std::string& s);  // "none" | "selective" | "full"
const char* recompute_name(Recompute r);

enum class OptimizerKind { adam, sgd_momentum, sgd, none };
OptimizerKind parse_optimizer(const std::string& s);  // "adam"/"adamw", "sgd_momentum", "sgd", "none"

struct TrainingMemoryOptions {
  int batch = 1;                 // global batch (sequences or samples)
  int seq = 2048;                // tokens per sequence (transformers)
  Precision precision = Precision::fp16;
  Recompute recompute = Recompute::selective;
  OptimizerKind optimizer = OptimizerKind::adam;
  int zero_stage = 0;            // 0–3
  int dp = 1, tp = 1, pp = 1, ep = 1;
  int grad_accum = 1;            // micro-steps per optimizer step (divides the activation batch)
  int activation_batch = 0;      // > 0: sequences whose activations are held at once (pipeline
                                 // microbatches in flight), instead of ⌈batch/(dp·grad_accum)⌉
  bool lora = false;
  int lora_rank = 16;
  // compat: the reference simulator's exact rules (12 B/param optimizer state at any precision,
  // activations not divided by TP). Ours: fp32 training keeps no separate master copy (8 B/param
  // for Adam), and activations follow Korthikanti et al.'s tensor-parallel form.
  bool compat = false;
};

struct TrainingMemoryResult : Verdict {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0, buffers = 0;  // bytes
  double total = 0;              // sum of the five
  double capacity = 0;           // the device's memory (bytes)
  double utilization = 0;        // total / capacity
  double params_per_rank = 0;
  double trainable_fraction = 1;
  bool activations_known = true; // false for zoo models without transformer geometry
};

// Per-accelerator training memory of `m` on `d`. Throws tt::Error on bad options.
TrainingMemoryResult training_memory(const ModelSpec& m, const Device& d,
                                     const TrainingMemoryOptions& o);

struct KvCacheOptions {
  int seq = 2048;                // tokens held per sequence
  int batch = 1;                 // sequences
  Precision precision = Precision::fp16;  // of the cache (may differ from the weights')
  int page_tokens = 0;           // 0: contiguous; > 0: paged (vLLM uses 16)
};

struct KvCacheResult {
  double bytes = 0;              // allocated, incl. padding of the last page
  double used_bytes = 0;         // holding real tokens
  double fragmentation = 0;      // (bytes − used) / bytes
  double bytes_per_token = 0;    // per sequence token, all layers
  bool latent = false;           // MLA: compressed latent instead of K and V
};

// KV = 2·L·H_kv·d·S·B·b (d = hidden/heads); MLA stores (kv_lora_rank + qk_rope_dim)·L·S·B·b.
KvCacheResult kv_cache(const ModelSpec& m, const KvCacheOptions& o);

nlohmann::ordered_json to_json(const TrainingMemoryResult& r);
nlohmann::ordered_json to_json(const KvCacheResult& r);

}  // namespace tt::sim

// LLM serving on one device: time to first token (prefill), inter-token latency (decode),
// continuous-batching capacity with a paged KV cache, and speculative decoding.
// Formulas and references in serving.cpp; docs/simulator.md, "Serving".
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "sim/node.h"

namespace tt::sim {

struct ServingOptions {
  int seq = 2048;              // prompt tokens per request
  int batch = 1;               // concurrent requests in the batch
  int output_tokens = 128;     // generated tokens per request
  Precision precision = Precision::fp16;
  double efficiency = 0.5;     // η of prefill (compute-bound)
  int cached_prefix = 0;       // prompt tokens already in the cache (prefix caching)
  int chunk = 0;               // > 0: chunked prefill of this many tokens per chunk
  bool disaggregated = false;  // prefill and decode on separate devices: the KV cache moves
  double kv_link_bandwidth = 100e9;  // bytes/s between them
  int page_tokens = 16;        // paged KV cache for the capacity estimate (vLLM)
  int max_batch = 256;         // scheduler cap on concurrent requests
  // Speculative decoding (Leviathan et al. 2023): a draft model proposes `draft_tokens` tokens,
  // each accepted with probability `acceptance`. Off when draft is null.
  const ModelSpec* draft = nullptr;
  int draft_tokens = 4;
  double acceptance = 0.7;
  bool compat = false;         // the reference's ServingModel rules
};

struct ServingResult : Verdict {
  double ttft = 0, itl = 0, e2e = 0;   // seconds (e2e = TTFT + ITL·(output − 1))
  double prefill_flops = 0;
  std::string prefill_bound, decode_bound;
  double weights_bytes = 0, kv_bytes = 0, total_memory = 0, capacity = 0, utilization = 0;
  double decode_tokens_per_s = 0;      // batch / ITL
  int max_concurrent = 0;              // continuous batching: requests the paged cache holds
  double capacity_tokens_per_s = 0;    // decode tokens/s at max_concurrent
  double static_tokens_per_s = 0;      // static batching at the same memory (0.6 effective)
  double spec_expected_tokens = 0, spec_itl = 0;  // speculative decoding (0 when off)
};

ServingResult solve_serving(const ModelSpec& m, const Device& d, const ServingOptions& o);

nlohmann::ordered_json to_json(const ServingResult& r);

}  // namespace tt::sim

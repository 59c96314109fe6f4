// Autoregressive generation from a GPT: sampling with temperature, top-k and top-p, with or
// without the KV cache.
//
// Each step turns the last position's logits z into a distribution and draws the next token:
//   temperature τ: p ∝ exp(z/τ) (τ → 0 is greedy: τ = 0 means argmax, no randomness);
//   top-k: keep the k largest logits (Fan et al. 2018); top-p: keep the smallest set of tokens
//   whose probability reaches p (nucleus sampling, Holtzman et al. 2020); both may combine.
// With the cache, the prompt is run once (prefill) and each new token costs one position
// (decode); without it every step re-runs the whole window — O(T) vs O(T²) work per token. When
// the sequence fills the context, the cached path rebuilds its cache from the last context/2
// tokens (positions restart at 0) and the uncached path crops to the last `context` tokens.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/generator.h"
#include "nn/transformer.h"

namespace tt::nn {

struct SamplingOptions {
  int64_t max_new_tokens = 256;
  double temperature = 1.0;  // 0: greedy (argmax)
  int64_t top_k = 0;         // 0: no top-k filter
  double top_p = 1.0;        // 1: no nucleus filter
  uint64_t seed = 0;
  bool use_cache = true;
  void validate() const;     // throws naming the option and value
};

// Draws one token id from logits[0..n) (float32) by the options' rule; gen supplies the randomness.
int64_t sample_token(const float* logits, int64_t n, const SamplingOptions& o, Generator& gen);

// prompt: token ids (at least one; each in [0, vocab)). Returns prompt + max_new_tokens ids.
// on_token (optional) is called with each new id as it is produced (for streaming output).
std::vector<int64_t> generate(GPT& model, const std::vector<int64_t>& prompt, const SamplingOptions& o,
                              const std::function<void(int64_t)>& on_token = nullptr);

}  // namespace tt::nn

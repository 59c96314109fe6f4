// Multi-head attention and its KV cache.
//
// MultiHeadAttention (Vaswani et al. 2017, §3.2) with grouped-query / multi-query KV heads
// (Ainslie et al. 2023; Shazeer 2019): Hq query heads share Hkv ≤ Hq key/value heads (Hq % Hkv == 0;
// Hkv = Hq is classic MHA, Hkv = 1 is MQA), which shrinks the KV cache by Hq/Hkv.
// Parameters: "qkv" Linear(d_model → (Hq + 2·Hkv)·Dh), packed [q | k | v] like PyTorch's in_proj,
// and "proj" Linear(Hq·Dh → d_model). Optional rotary positions (RoPE) on q and k.
// Masks follow the one convention of ops::scaled_dot_product_attention: bool, true = attend.
//
// KVCache: per layer, K and V buffers (B, Hkv, max_length, Dh) allocated once; a decode step
// writes its new keys/values at position length() and attends over [0, length() + T).
// Memory = 2 · L · B · Hkv · max_length · Dh · bytes (docs/language.md, "KV cache").
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/generator.h"
#include "nn/layers.h"
#include "nn/module.h"

namespace tt::nn {

class KVCache {
 public:
  KVCache(int64_t n_layers, int64_t batch, int64_t n_kv_heads, int64_t max_length, int64_t head_dim,
          DType dtype = kFloat32);
  int64_t length() const { return length_; }      // tokens cached so far (all layers)
  int64_t capacity() const { return max_length_; }
  int64_t batch() const { return batch_; }
  int64_t n_layers() const { return static_cast<int64_t>(k_.size()); }
  int64_t memory_bytes() const;                    // 2·L·B·Hkv·max_length·Dh·element size
  void reset() { length_ = 0; }
  // Writes k, v (B, Hkv, T, Dh) for `layer` at [length(), length() + T) and returns views of the
  // cached keys and values (B, Hkv, length() + T, Dh). The length moves on only by advance(T),
  // once every layer has appended its T tokens.
  std::pair<Tensor, Tensor> append(int64_t layer, const Tensor& k, const Tensor& v);
  void advance(int64_t T);

 private:
  std::vector<Tensor> k_, v_;  // per layer (B, Hkv, max_length, Dh)
  int64_t batch_, n_kv_heads_, max_length_, head_dim_, length_ = 0;
};

struct AttentionOptions {
  int64_t n_kv_heads = 0;   // 0: = n_heads (plain multi-head attention)
  bool bias = true;         // biases of the qkv and output projections
  bool causal = false;      // self-attention sees only earlier positions
  bool rope = false;        // rotary positions on q and k (Su et al. 2021)
  double rope_base = 10000.0;
};

class MultiHeadAttention : public Module {
 public:
  MultiHeadAttention(int64_t d_model, int64_t n_heads, AttentionOptions options = {}, Generator* gen = nullptr,
                     DType dtype = kFloat32);
  // Self-attention: x (B, T, d_model) → (B, T, d_model).
  Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
  // mask: bool broadcastable to (B, Hq, T, T), true = attend (ANDed with the causal rule).
  Tensor forward(const Tensor& x, const Tensor& mask);
  // Cross-attention: queries from x (B, Tq, d_model), keys/values from context (B, Tk, d_model).
  Tensor forward_cross(const Tensor& x, const Tensor& context, const Tensor& mask = Tensor());
  // Incremental self-attention: x holds T new tokens at positions cache.length() ...; their keys
  // and values go into the cache for `layer`. Inference only (no autograd through the cache).
  Tensor forward_cached(const Tensor& x, KVCache& cache, int64_t layer);
  std::string type_name() const override { return "MultiHeadAttention"; }
  std::string extra_repr() const override;

  int64_t d_model, n_heads, n_kv_heads, head_dim;
  AttentionOptions options;
  std::shared_ptr<Linear> qkv, proj;

 private:
  void check_input(const Tensor& x, const char* what) const;
  // Splits packed projections (B, T, (Hq + 2·Hkv)·Dh) into per-head views (B, H, T, Dh), no copies.
  Tensor heads(const Tensor& packed, int64_t first_head, int64_t n) const;
  // x (B, T, d_model) → heads first_head .. first_head + n of the packed projection, (B, n, T, Dh).
  Tensor project(const Tensor& x, int64_t first_head, int64_t n) const;
  // Self-attention's q, k, v of x (each (B, H, T, Dh)), rotated for positions pos0 ... when RoPE is on.
  struct Heads {
    Tensor q, k, v;
  };
  Heads self_heads(const Tensor& x, int64_t pos0) const;
  Tensor attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal);
};

}  // namespace tt::nn

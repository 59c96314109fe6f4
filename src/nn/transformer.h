// The decoder-only transformer: FeedForward, TransformerBlock, GPT (Radford et al. 2018/2019).
//
//   block(x) = x + attn(norm1(x));  x + mlp(norm2(x))         (pre-norm residual, GPT-2 style)
//   mlp      = GELU:   proj(gelu(fc(x)))                        fc: d → h, proj: h → d (h = 4d)
//              SwiGLU: proj(silu(a) ∘ b), [a | b] = fc(x)      fc: d → 2h (Shazeer 2020)
//   GPT(ids) = head(norm_f(blocks(tok(ids) + pos)))             logits (B, T, vocab)
// Positions: learned ("pos", an Embedding over 0..context-1), sinusoidal (a fixed table), RoPE
// (rotations of q, k inside attention) or none. With tie_weights the output head reuses the token
// embedding (Press & Wolf 2017), logits = x·Eᵀ, and has no bias.
// Parameter names (state_dict) mirror a plain PyTorch implementation (tests/golden/make_golden.py):
// tok.weight, pos.weight, blocks.0.norm1.weight, blocks.0.attn.qkv.weight, blocks.0.mlp.fc.weight,
// norm_f.weight, head.weight, ...
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nn/attention.h"
#include "nn/embedding.h"
#include "nn/normalization.h"

namespace tt::nn {

enum class MlpKind { Gelu, SwiGLU };
enum class NormKind { LayerNorm, RMSNorm };
enum class PositionKind { Learned, Sinusoidal, Rope, None };
const char* mlp_kind_name(MlpKind k);            // "gelu", "swiglu"
const char* norm_kind_name(NormKind k);          // "layer_norm", "rms_norm"
const char* position_kind_name(PositionKind k);  // "learned", "sinusoidal", "rope", "none"
MlpKind parse_mlp_kind(const std::string& s);    // the names above; anything else throws
NormKind parse_norm_kind(const std::string& s);
PositionKind parse_position_kind(const std::string& s);

struct GPTConfig {
  int64_t vocab_size = 0;
  int64_t context = 64;     // longest sequence (positions 0..context-1)
  int64_t d_model = 128;
  int64_t n_layers = 4;
  int64_t n_heads = 4;
  int64_t n_kv_heads = 0;   // 0: = n_heads
  int64_t mlp_hidden = 0;   // 0: 4·d_model
  MlpKind mlp = MlpKind::Gelu;
  NormKind norm = NormKind::LayerNorm;
  PositionKind position = PositionKind::Learned;
  bool tie_weights = false;
  bool bias = true;
  double dropout = 0.0;     // on embeddings and on each residual branch (training only)
  void validate() const;    // throws naming the field and value
  int64_t head_dim() const { return d_model / n_heads; }
  int64_t kv_heads() const { return n_kv_heads ? n_kv_heads : n_heads; }
  int64_t hidden() const { return mlp_hidden ? mlp_hidden : 4 * d_model; }
};

class FeedForward : public Module {
 public:
  FeedForward(int64_t d_model, int64_t hidden, MlpKind kind, bool bias = true, Generator* gen = nullptr,
              DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "FeedForward"; }
  std::string extra_repr() const override { return std::string("kind=") + mlp_kind_name(kind); }
  MlpKind kind;
  int64_t hidden;
  std::shared_ptr<Linear> fc, proj;
};

class TransformerBlock : public Module {
 public:
  TransformerBlock(const GPTConfig& c, Generator* gen = nullptr, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override;  // (B, T, d) → (B, T, d), causal self-attention
  Tensor forward_cached(const Tensor& x, KVCache& cache, int64_t layer);
  std::string type_name() const override { return "TransformerBlock"; }
  std::shared_ptr<Module> norm1, norm2;
  std::shared_ptr<MultiHeadAttention> attn;
  std::shared_ptr<FeedForward> mlp;
  std::shared_ptr<Dropout> drop;
};

class GPT : public Module {
 public:
  explicit GPT(const GPTConfig& config, Generator* gen = nullptr, DType dtype = kFloat32);
  // ids (B, T) int64, T <= context → logits (B, T, vocab).
  Tensor forward(const Tensor& ids) override;
  // ids (B, T): T new tokens at positions cache.length() ... → their logits (B, T, vocab); the
  // cache then holds them too. Inference only.
  Tensor forward_cached(const Tensor& ids, KVCache& cache);
  // A cache for this model: max_length defaults to the context.
  KVCache make_cache(int64_t batch, int64_t max_length = 0) const;
  std::string type_name() const override { return "GPT"; }
  std::string extra_repr() const override;

  GPTConfig config;
  std::shared_ptr<Embedding> tok, pos;                    // pos only for PositionKind::Learned
  std::shared_ptr<SinusoidalPositionalEncoding> sin_pos;  // only for PositionKind::Sinusoidal
  std::vector<std::shared_ptr<TransformerBlock>> blocks;
  std::shared_ptr<Module> norm_f;
  std::shared_ptr<Linear> head;                           // null when tie_weights
  std::shared_ptr<Dropout> drop;

 private:
  Tensor embed(const Tensor& ids, int64_t pos0);
  Tensor logits(const Tensor& x);
};

}  // namespace tt::nn

// FeedForward, TransformerBlock and GPT (see transformer.h).
#include "nn/transformer.h"

#include "core/node.h"
#include "nn/init.h"
#include "ops/ops.h"

namespace tt::nn {
namespace {
template <typename E>
struct Named {
  E value;
  const char* name;
};
constexpr Named<MlpKind> kMlp[] = {{MlpKind::Gelu, "gelu"}, {MlpKind::SwiGLU, "swiglu"}};
constexpr Named<NormKind> kNorm[] = {{NormKind::LayerNorm, "layer_norm"}, {NormKind::RMSNorm, "rms_norm"}};
constexpr Named<PositionKind> kPos[] = {{PositionKind::Learned, "learned"}, {PositionKind::Sinusoidal, "sinusoidal"},
                                        {PositionKind::Rope, "rope"}, {PositionKind::None, "none"}};

template <typename E, size_t N>
const char* name_of(const Named<E> (&table)[N], E v) {
  for (auto& e : table)
    if (e.value == v) return e.name;
  return "?";
}
template <typename E, size_t N>
E parse(const Named<E> (&table)[N], const std::string& s, const char* what) {
  std::string valid;
  for (auto& e : table) {
    if (s == e.name) return e.value;
    valid += (valid.empty() ? "" : ", ") + std::string(e.name);
  }
  TT_CHECK(false, "GPTConfig: unknown ", what, " '", s, "' (valid: ", valid, ")");
  return table[0].value;
}

std::shared_ptr<Module> make_norm(NormKind kind, int64_t d, DType dtype) {
  if (kind == NormKind::RMSNorm) return std::make_shared<RMSNorm>(d, 1e-6, true, dtype);
  return std::make_shared<LayerNorm>(d, 1e-5, true, dtype);
}
}  // namespace

const char* mlp_kind_name(MlpKind k) { return name_of(kMlp, k); }
const char* norm_kind_name(NormKind k) { return name_of(kNorm, k); }
const char* position_kind_name(PositionKind k) { return name_of(kPos, k); }
MlpKind parse_mlp_kind(const std::string& s) { return parse(kMlp, s, "mlp"); }
NormKind parse_norm_kind(const std::string& s) { return parse(kNorm, s, "norm"); }
PositionKind parse_position_kind(const std::string& s) { return parse(kPos, s, "position"); }

void GPTConfig::validate() const {
  TT_CHECK(vocab_size >= 1, "GPTConfig: vocab_size must be >= 1, got ", vocab_size);
  TT_CHECK(context >= 1, "GPTConfig: context must be >= 1, got ", context);
  TT_CHECK(n_layers >= 1, "GPTConfig: n_layers must be >= 1, got ", n_layers);
  TT_CHECK(n_heads >= 1 && d_model >= 1 && d_model % n_heads == 0, "GPTConfig: d_model (", d_model,
           ") must be a positive multiple of n_heads (", n_heads, ")");
  TT_CHECK(n_kv_heads >= 0 && kv_heads() <= n_heads && n_heads % kv_heads() == 0, "GPTConfig: n_heads (", n_heads,
           ") must be a multiple of n_kv_heads (", n_kv_heads, ")");
  TT_CHECK(mlp_hidden >= 0, "GPTConfig: mlp_hidden must be >= 0, got ", mlp_hidden);
  TT_CHECK(dropout >= 0 && dropout < 1, "GPTConfig: dropout must be in [0, 1), got ", dropout);
  TT_CHECK(position != PositionKind::Rope || head_dim() % 2 == 0, "GPTConfig: rope needs an even head_dim, got ",
           head_dim());
  TT_CHECK(position != PositionKind::Sinusoidal || d_model % 2 == 0,
           "GPTConfig: sinusoidal positions need an even d_model, got ", d_model);
}

FeedForward::FeedForward(int64_t d, int64_t h, MlpKind k, bool bias, Generator* gen, DType dtype)
    : kind(k), hidden(h) {
  if (k == MlpKind::Gelu) {  // fc and GELU in one fused op (ops::linear with an activation)
    fc = register_module("fc", std::make_shared<LinearAct>(d, h, Activation::Gelu, bias, gen, dtype));
  } else {
    fc = register_module("fc", std::make_shared<Linear>(d, 2 * h, bias, gen, dtype));
  }
  proj = register_module("proj", std::make_shared<Linear>(h, d, bias, gen, dtype));
}

Tensor FeedForward::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  Tensor a = fc->forward(x);  // GELU: (B, T, h) activated; SwiGLU: (B, T, 2h) = [gate | up]
  if (kind == MlpKind::SwiGLU) a = mul(silu(a.narrow(-1, 0, hidden)), a.narrow(-1, hidden, hidden));
  return proj->forward(a);
}

TransformerBlock::TransformerBlock(const GPTConfig& c, Generator* gen, DType dtype) {
  norm1 = register_module("norm1", make_norm(c.norm, c.d_model, dtype));
  AttentionOptions o;
  o.n_kv_heads = c.kv_heads();
  o.bias = c.bias;
  o.causal = true;
  o.rope = c.position == PositionKind::Rope;
  attn = register_module("attn", std::make_shared<MultiHeadAttention>(c.d_model, c.n_heads, o, gen, dtype));
  norm2 = register_module("norm2", make_norm(c.norm, c.d_model, dtype));
  mlp = register_module("mlp", std::make_shared<FeedForward>(c.d_model, c.hidden(), c.mlp, c.bias, gen, dtype));
  if (c.dropout > 0) drop = register_module("drop", std::make_shared<Dropout>(c.dropout));
}

Tensor TransformerBlock::forward(const Tensor& x) {
  TT_MODULE_SPAN();
  Tensor a = attn->forward(norm1->forward(x));
  Tensor h = add(x, drop ? drop->forward(a) : a);
  Tensor m = mlp->forward(norm2->forward(h));
  return add(h, drop ? drop->forward(m) : m);
}

Tensor TransformerBlock::forward_cached(const Tensor& x, KVCache& cache, int64_t layer) {
  TT_MODULE_SPAN();
  Tensor h = add(x, attn->forward_cached(norm1->forward(x), cache, layer));
  return add(h, mlp->forward(norm2->forward(h)));
}

GPT::GPT(const GPTConfig& c, Generator* gen, DType dtype) : config(c) {
  c.validate();
  tok = register_module("tok", std::make_shared<Embedding>(c.vocab_size, c.d_model, gen, dtype));
  if (c.position == PositionKind::Learned)
    pos = register_module("pos", std::make_shared<Embedding>(c.context, c.d_model, gen, dtype));
  if (c.position == PositionKind::Sinusoidal)
    sin_pos = register_module("pos", std::make_shared<SinusoidalPositionalEncoding>(c.context, c.d_model, dtype));
  if (c.dropout > 0) drop = register_module("drop", std::make_shared<Dropout>(c.dropout));
  auto seq = register_module("blocks", std::make_shared<Sequential>());
  for (int64_t l = 0; l < c.n_layers; ++l) {
    blocks.push_back(std::make_shared<TransformerBlock>(c, gen, dtype));
    seq->push_back(blocks.back());
  }
  norm_f = register_module("norm_f", make_norm(c.norm, c.d_model, dtype));
  if (!c.tie_weights) head = register_module("head", std::make_shared<Linear>(c.d_model, c.vocab_size, c.bias, gen, dtype));
}

Tensor GPT::embed(const Tensor& ids, int64_t pos0) {
  TT_CHECK(ids.defined() && ids.dim() == 2, "GPT: expected token ids (B, T), got shape ",
           ids.defined() ? ids.shape() : Shape{});
  int64_t T = ids.size(1);
  TT_CHECK(pos0 + T <= config.context, "GPT: ", T, " tokens at position ", pos0, " exceed the context of ",
           config.context, " (crop the input to its last ", config.context, " tokens, or start a new cache window)");
  Tensor x = tok->forward(ids);  // (B, T, d)
  if (pos) x = add(x, pos->forward(arange(pos0, pos0 + T, 1, kInt64)));
  if (sin_pos) x = sin_pos->forward(x, pos0);
  return drop ? drop->forward(x) : x;
}

Tensor GPT::logits(const Tensor& x) {
  Tensor h = norm_f->forward(x);
  return head ? head->forward(h) : linear(h, tok->weight);  // tied: x·Eᵀ
}

Tensor GPT::forward(const Tensor& ids) {
  TT_MODULE_SPAN();
  Tensor x = embed(ids, 0);
  for (auto& b : blocks) x = b->forward(x);
  return logits(x);
}

Tensor GPT::forward_cached(const Tensor& ids, KVCache& cache) {
  TT_MODULE_SPAN();
  TT_CHECK(cache.n_layers() == config.n_layers, "GPT: the cache has ", cache.n_layers(), " layers, the model ",
           config.n_layers);
  NoGradGuard no_grad;
  Tensor x = embed(ids, cache.length());
  for (size_t l = 0; l < blocks.size(); ++l) x = blocks[l]->forward_cached(x, cache, static_cast<int64_t>(l));
  cache.advance(ids.size(1));
  return logits(x);
}

KVCache GPT::make_cache(int64_t batch, int64_t max_length) const {
  int64_t n = max_length ? max_length : config.context;
  TT_CHECK(n <= config.context, "GPT: a cache of ", n, " positions exceeds the context of ", config.context);
  return KVCache(config.n_layers, batch, config.kv_heads(), n, config.head_dim(), tok->weight.dtype());
}

std::string GPT::extra_repr() const {
  const GPTConfig& c = config;
  return "vocab=" + std::to_string(c.vocab_size) + ", context=" + std::to_string(c.context) +
         ", d_model=" + std::to_string(c.d_model) + ", layers=" + std::to_string(c.n_layers) +
         ", heads=" + std::to_string(c.n_heads) + "/" + std::to_string(c.kv_heads()) + ", mlp=" + mlp_kind_name(c.mlp) +
         ", norm=" + norm_kind_name(c.norm) + ", position=" + position_kind_name(c.position) +
         ", tied=" + (c.tie_weights ? "True" : "False");
}

}  // namespace tt::nn

// Multi-head attention and the KV cache (see attention.h).
#include "nn/attention.h"

#include "core/node.h"
#include "ops/ops.h"

namespace tt::nn {

KVCache::KVCache(int64_t n_layers, int64_t batch, int64_t n_kv_heads, int64_t max_length, int64_t head_dim,
                 DType dtype)
    : batch_(batch), n_kv_heads_(n_kv_heads), max_length_(max_length), head_dim_(head_dim) {
  TT_CHECK(n_layers >= 1 && batch >= 1 && n_kv_heads >= 1 && max_length >= 1 && head_dim >= 1,
           "KVCache: layers, batch, kv heads, max_length and head_dim must be >= 1, got ", n_layers, ", ", batch,
           ", ", n_kv_heads, ", ", max_length, ", ", head_dim);
  for (int64_t l = 0; l < n_layers; ++l) {
    k_.push_back(zeros(Shape{batch, n_kv_heads, max_length, head_dim}, dtype));
    v_.push_back(zeros(Shape{batch, n_kv_heads, max_length, head_dim}, dtype));
  }
}

int64_t KVCache::memory_bytes() const {
  int64_t per = batch_ * n_kv_heads_ * max_length_ * head_dim_ * static_cast<int64_t>(k_[0].element_size());
  return 2 * n_layers() * per;
}

std::pair<Tensor, Tensor> KVCache::append(int64_t layer, const Tensor& k, const Tensor& v) {
  TT_CHECK(layer >= 0 && layer < n_layers(), "KVCache: layer ", layer, " out of range for ", n_layers(), " layers");
  TT_CHECK(k.dim() == 4 && k.shape() == v.shape() && k.size(0) == batch_ && k.size(1) == n_kv_heads_ &&
               k.size(3) == head_dim_,
           "KVCache: expected k and v (", batch_, ", ", n_kv_heads_, ", T, ", head_dim_, "), got ", k.shape(),
           " and ", v.shape());
  int64_t T = k.size(2);
  TT_CHECK(length_ + T <= max_length_, "KVCache: appending ", T, " tokens at position ", length_,
           " exceeds the capacity of ", max_length_, " (the model's context); reset() or start a new window");
  NoGradGuard no_grad;
  k_[layer].narrow(2, length_, T).copy_(k);
  v_[layer].narrow(2, length_, T).copy_(v);
  return {k_[layer].narrow(2, 0, length_ + T), v_[layer].narrow(2, 0, length_ + T)};
}

void KVCache::advance(int64_t T) {
  TT_CHECK(T >= 0 && length_ + T <= max_length_, "KVCache: advance(", T, ") from ", length_, " exceeds capacity ",
           max_length_);
  length_ += T;
}

MultiHeadAttention::MultiHeadAttention(int64_t d, int64_t h, AttentionOptions opt, Generator* gen, DType dtype)
    : d_model(d), n_heads(h), n_kv_heads(opt.n_kv_heads ? opt.n_kv_heads : h), options(opt) {
  TT_CHECK(d >= 1 && h >= 1 && d % h == 0, "MultiHeadAttention: d_model (", d, ") must be a positive multiple of ",
           "n_heads (", h, ")");
  TT_CHECK(n_kv_heads >= 1 && h % n_kv_heads == 0, "MultiHeadAttention: n_heads (", h,
           ") must be a multiple of n_kv_heads (", n_kv_heads, ")");
  head_dim = d / h;
  TT_CHECK(!opt.rope || head_dim % 2 == 0, "MultiHeadAttention: rope needs an even head_dim, got ", head_dim);
  options.n_kv_heads = n_kv_heads;
  qkv = register_module("qkv", std::make_shared<Linear>(d, (h + 2 * n_kv_heads) * head_dim, opt.bias, gen, dtype));
  proj = register_module("proj", std::make_shared<Linear>(h * head_dim, d, opt.bias, gen, dtype));
}

void MultiHeadAttention::check_input(const Tensor& x, const char* what) const {
  TT_CHECK(x.defined() && x.dim() == 3 && x.size(2) == d_model, "MultiHeadAttention(d_model=", d_model, "): expected ",
           what, " (B, T, ", d_model, "), got shape ", x.defined() ? x.shape() : Shape{});
}

Tensor MultiHeadAttention::heads(const Tensor& packed, int64_t first_head, int64_t n) const {
  int64_t B = packed.size(0), T = packed.size(1);
  // (B, T, W) → narrow (B, T, n·Dh) → view (B, T, n, Dh) → (B, n, T, Dh); all metadata.
  return packed.narrow(2, first_head * head_dim, n * head_dim).view(Shape{B, T, n, head_dim}).transpose(1, 2);
}

Tensor MultiHeadAttention::attend(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask,
                                  bool causal) {
  int64_t B = q.size(0), Tq = q.size(2);
  Tensor y = scaled_dot_product_attention(q, k, v, mask, causal);  // (B, Hq, Tq, Dh), memory (B, Tq, Hq, Dh)
  return proj->forward(y.transpose(1, 2).reshape(Shape{B, Tq, n_heads * head_dim}));
}

Tensor MultiHeadAttention::project(const Tensor& x, int64_t first_head, int64_t n) const {
  const int64_t r0 = first_head * head_dim, rows = n * head_dim;
  const Tensor& b = qkv->bias;
  Tensor y = linear(x, qkv->weight.narrow(0, r0, rows), b.defined() ? b.narrow(0, r0, rows) : Tensor());
  return heads(y, 0, n);  // (B, n, T, Dh)
}

MultiHeadAttention::Heads MultiHeadAttention::self_heads(const Tensor& x, int64_t pos0) const {
  Heads h;
  if (grad_enabled()) {
    // Training: three GEMMs on row blocks of the packed weight. One GEMM into a packed (B, T, W)
    // output would be as fast forward, but its backward pays for slicing it: each slice's gradient
    // becomes a zero-filled (B, T, W) tensor, and the three are summed — ~30 MB of memory traffic
    // per layer at the GPT shape, against 6 MB for summing three (B, T, d) input gradients here.
    h = {project(x, 0, n_heads), project(x, n_heads, n_kv_heads), project(x, n_heads + n_kv_heads, n_kv_heads)};
  } else {  // inference: one GEMM (one dispatch per token matters when decoding)
    Tensor packed = qkv->forward(x);  // (B, T, (Hq + 2·Hkv)·Dh)
    h = {heads(packed, 0, n_heads), heads(packed, n_heads, n_kv_heads),
         heads(packed, n_heads + n_kv_heads, n_kv_heads)};
  }
  if (options.rope) {
    h.q = rope(h.q, pos0, options.rope_base);
    h.k = rope(h.k, pos0, options.rope_base);
  }
  return h;
}

Tensor MultiHeadAttention::forward(const Tensor& x, const Tensor& mask) {
  TT_MODULE_SPAN();
  check_input(x, "input");
  Heads h = self_heads(x, 0);
  return attend(h.q, h.k, h.v, mask, options.causal);
}

Tensor MultiHeadAttention::forward_cross(const Tensor& x, const Tensor& context, const Tensor& mask) {
  TT_MODULE_SPAN();
  check_input(x, "queries");
  check_input(context, "context");
  TT_CHECK(x.size(0) == context.size(0), "MultiHeadAttention: queries and context batch differ: ", x.shape(), " vs ",
           context.shape());
  // Queries from x, keys and values from the context, through the same row blocks of qkv. Cross-
  // attention has no causal order between the two sequences; RoPE is a self-attention idea.
  Tensor q = project(x, 0, n_heads), k = project(context, n_heads, n_kv_heads);
  Tensor v = project(context, n_heads + n_kv_heads, n_kv_heads);
  return attend(q, k, v, mask, false);
}

Tensor MultiHeadAttention::forward_cached(const Tensor& x, KVCache& cache, int64_t layer) {
  TT_MODULE_SPAN();
  check_input(x, "input");
  TT_CHECK(x.size(0) == cache.batch(), "MultiHeadAttention: input batch ", x.size(0), " differs from the cache's ",
           cache.batch());
  NoGradGuard no_grad;
  auto [q, k, v] = self_heads(x, cache.length());
  auto [kc, vc] = cache.append(layer, k, v);  // (B, Hkv, length + T, Dh)
  // Bottom-right causal alignment: new token i (at position length + i) sees keys 0..length + i.
  return attend(q, kc, vc, Tensor(), options.causal);
}

std::string MultiHeadAttention::extra_repr() const {
  return "d_model=" + std::to_string(d_model) + ", n_heads=" + std::to_string(n_heads) +
         ", n_kv_heads=" + std::to_string(n_kv_heads) + ", head_dim=" + std::to_string(head_dim) +
         ", causal=" + (options.causal ? "True" : "False") + ", rope=" + (options.rope ? "True" : "False");
}

}  // namespace tt::nn

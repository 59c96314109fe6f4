// Sampling and the generation loop (see generate.h).
#include "nn/generate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/node.h"
#include "ops/ops.h"

namespace tt::nn {

void SamplingOptions::validate() const {
  TT_CHECK(max_new_tokens >= 0, "generate: max_new_tokens must be >= 0, got ", max_new_tokens);
  TT_CHECK(std::isfinite(temperature) && temperature >= 0, "generate: temperature must be >= 0, got ", temperature);
  TT_CHECK(top_k >= 0, "generate: top_k must be >= 0, got ", top_k);
  TT_CHECK(top_p > 0 && top_p <= 1, "generate: top_p must be in (0, 1], got ", top_p);
}

int64_t sample_token(const float* z, int64_t n, const SamplingOptions& o, Generator& gen) {
  TT_CHECK(n >= 1, "sample_token: empty logits");
  if (o.temperature == 0) return std::max_element(z, z + n) - z;  // greedy; first maximum on ties
  // Candidates sorted by logit, descending (ties by id, so the draw is reproducible).
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  int64_t keep = o.top_k > 0 ? std::min<int64_t>(o.top_k, n) : n;
  auto by_logit = [&](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
  std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(), by_logit);
  idx.resize(keep);
  // Softmax of z/τ over the candidates, max subtracted for stability.
  std::vector<double> p(keep);
  double zmax = z[idx[0]], total = 0;
  for (int64_t i = 0; i < keep; ++i) total += p[i] = std::exp((z[idx[i]] - zmax) / o.temperature);
  // Nucleus: the shortest prefix whose probability reaches top_p (always at least one token).
  if (o.top_p < 1) {
    double cum = 0;
    int64_t cut = 0;
    while (cut < keep) {
      cum += p[cut++] / total;
      if (cum >= o.top_p) break;
    }
    keep = cut;
    total = std::accumulate(p.begin(), p.begin() + keep, 0.0);
  }
  double u = gen.uniform() * total;
  for (int64_t i = 0; i < keep; ++i) {
    if ((u -= p[i]) < 0) return idx[i];
  }
  return idx[keep - 1];  // u rounded past the end
}

namespace {
Tensor ids_tensor(const int64_t* ids, int64_t n) {
  Tensor t = empty(Shape{1, n}, kInt64);
  std::copy(ids, ids + n, t.data_ptr<int64_t>());
  return t;
}

// Logits of the last position of a (1, T, V) result, as contiguous float32.
Tensor last_logits(const Tensor& logits) {
  return logits.select(1, logits.size(1) - 1).reshape(Shape{logits.size(2)}).to(kFloat32).contiguous();
}
}  // namespace

std::vector<int64_t> generate(GPT& model, const std::vector<int64_t>& prompt, const SamplingOptions& o,
                              const std::function<void(int64_t)>& on_token) {
  o.validate();
  TT_CHECK(!prompt.empty(), "generate: the prompt must hold at least one token");
  const int64_t ctx = model.config.context, V = model.config.vocab_size;
  check_token_ids(ids_tensor(prompt.data(), static_cast<int64_t>(prompt.size())), V, "generate (prompt)");
  NoGradGuard no_grad;
  bool was_training = model.is_training();
  model.eval();
  Generator gen(o.seed);
  std::vector<int64_t> seq = prompt;
  KVCache cache = model.make_cache(1);
  Tensor z;
  auto window = [&](int64_t n) {  // the last n tokens of seq, as (1, n)
    return ids_tensor(seq.data() + seq.size() - n, n);
  };
  if (o.use_cache) z = model.forward_cached(window(std::min<int64_t>(ctx, seq.size())), cache);  // prefill
  for (int64_t i = 0; i < o.max_new_tokens; ++i) {
    if (!o.use_cache) z = model.forward(window(std::min<int64_t>(ctx, seq.size())));
    int64_t next = sample_token(last_logits(z).data_ptr<float>(), V, o, gen);
    seq.push_back(next);
    if (on_token) on_token(next);
    if (!o.use_cache || i + 1 == o.max_new_tokens) continue;
    if (cache.length() == cache.capacity()) {  // window full: rebuild from the last ctx/2 tokens
      cache.reset();
      z = model.forward_cached(window(std::max<int64_t>(1, ctx / 2)), cache);
    } else {
      z = model.forward_cached(window(1), cache);
    }
  }
  model.train(was_training);
  return seq;
}

}  // namespace tt::nn

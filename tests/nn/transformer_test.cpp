// Embedding, positional encodings, MultiHeadAttention, KV cache, GPT and generation: values
// against explicit compositions, the cache against full recomputation at every position, the
// causality probe, sampling rules, and bad input. (PyTorch parity: golden_gpt_test.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/node.h"
#include "nn/nn.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return amax(abs(sub(a.to(kFloat64), b.to(kFloat64)))).item<double>();
}

Tensor random_ids(int64_t B, int64_t T, int64_t V, uint64_t seed) {
  Generator g(seed);
  Tensor t = empty(Shape{B, T}, kInt64);
  for (int64_t i = 0; i < B * T; ++i) t.data_ptr<int64_t>()[i] = g.randint(0, V);
  return t;
}

TEST(Embedding, LooksUpRowsAndScatterAddsGradients) {
  Generator g(1);
  nn::Embedding emb(5, 3, &g, kFloat64);
  Tensor ids = from_vector(std::vector<int64_t>{4, 0, 4, 2}, Shape{2, 2});
  Tensor y = emb(ids);
  ASSERT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(max_abs_diff(y.select(0, 1).select(0, 0), emb.weight.select(0, 4)), 0.0);
  sum(y).backward();
  // Row 4 was used twice, rows 0 and 2 once, rows 1 and 3 never.
  std::vector<double> want{1, 0, 1, 0, 2};
  for (int64_t r = 0; r < 5; ++r)
    EXPECT_EQ(emb.weight.grad().select(0, r).select(0, 1).item<double>(), want[r]) << "row " << r;
}

TEST(Embedding, OutOfVocabularyIdNamesIdAndSize) {
  nn::Embedding emb(5, 3);
  EXPECT_TT_ERROR(emb(from_vector(std::vector<int64_t>{1, 5}, Shape{2})), "token id 5");
  EXPECT_TT_ERROR(emb(from_vector(std::vector<int64_t>{-1}, Shape{1})), "vocabulary of 5");
  EXPECT_TT_ERROR(emb(ones(Shape{2})), "int64 or int32");
}

TEST(Sinusoidal, TableFollowsTheFormula) {
  Tensor t = nn::sinusoidal_table(10, 6, kFloat64);
  for (int64_t p : {0, 3, 9})
    for (int64_t i = 0; i < 3; ++i) {
      double a = p / std::pow(10000.0, 2.0 * i / 6);
      EXPECT_NEAR(t.select(0, p).select(0, 2 * i).item<double>(), std::sin(a), 1e-15);
      EXPECT_NEAR(t.select(0, p).select(0, 2 * i + 1).item<double>(), std::cos(a), 1e-15);
    }
  nn::SinusoidalPositionalEncoding pe(4, 6);
  EXPECT_TT_ERROR(pe.forward(zeros(Shape{1, 3, 6}), 2), "exceed the table of 4");
}

// softmax(q kᵀ/√D + mask) v with kv heads repeated, in float64 ops: the reference for MHA.
Tensor reference_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal) {
  int64_t rep = q.size(1) / k.size(1), Tq = q.size(2), Tk = k.size(2);
  std::vector<Tensor> ks, vs;
  for (int64_t h = 0; h < q.size(1); ++h) {
    ks.push_back(k.narrow(1, h / rep, 1));
    vs.push_back(v.narrow(1, h / rep, 1));
  }
  Tensor s = div(matmul(q, cat(ks, 1).mT()), scalar_tensor(std::sqrt(double(q.size(3))), kFloat64));
  if (causal) {
    Tensor keep = empty(Shape{Tq, Tk}, kBool);
    for (int64_t i = 0; i < Tq; ++i)
      for (int64_t j = 0; j < Tk; ++j) keep.data_ptr<bool>()[i * Tk + j] = j <= i + (Tk - Tq);
    s = masked_fill(s, logical_not(keep), -INFINITY);
  }
  return matmul(softmax(s, -1), cat(vs, 1));
}

TEST(MultiHeadAttention, SelfAttentionMatchesTheComposition) {
  for (int64_t kv : {4, 2, 1}) {
    Generator g(7);
    nn::AttentionOptions o;
    o.n_kv_heads = kv;
    o.causal = true;
    nn::MultiHeadAttention mha(16, 4, o, &g, kFloat64);
    Tensor x = randn(Shape{2, 5, 16}, nullptr, kFloat64);
    Tensor packed = linear(x, mha.qkv->weight, mha.qkv->bias);
    auto heads = [&](int64_t first, int64_t n) {
      return packed.narrow(2, first * 4, n * 4).reshape(Shape{2, 5, n, 4}).permute(Shape{0, 2, 1, 3});
    };
    Tensor y = reference_attention(heads(0, 4), heads(4, kv), heads(4 + kv, kv), true);
    Tensor want = linear(y.permute(Shape{0, 2, 1, 3}).reshape(Shape{2, 5, 16}), mha.proj->weight, mha.proj->bias);
    EXPECT_LT(max_abs_diff(mha(x), want), 1e-12) << "kv heads " << kv;
  }
}

TEST(MultiHeadAttention, CrossAttentionUsesContextForKeysAndValues) {
  Generator g(8);
  nn::MultiHeadAttention mha(8, 2, {}, &g, kFloat64);
  Tensor x = randn(Shape{1, 3, 8}, nullptr, kFloat64), ctx = randn(Shape{1, 6, 8}, nullptr, kFloat64);
  Tensor y = mha.forward_cross(x, ctx);
  ASSERT_EQ(y.shape(), (Shape{1, 3, 8}));
  // Moving context rows around (a permutation of keys with their values) leaves the output alone.
  Tensor perm = from_vector(std::vector<int64_t>{5, 3, 1, 0, 2, 4}, Shape{6});
  EXPECT_LT(max_abs_diff(mha.forward_cross(x, index_select(ctx, 1, perm)), y), 1e-12);
  // A mask that hides context position 0 equals dropping it.
  Tensor mask = ones(Shape{6}, kBool);
  mask.data_ptr<bool>()[0] = false;
  EXPECT_LT(max_abs_diff(mha.forward_cross(x, ctx, mask), mha.forward_cross(x, ctx.narrow(1, 1, 5))), 1e-12);
  EXPECT_TT_ERROR(mha.forward_cross(x, randn(Shape{2, 6, 8}, nullptr, kFloat64)), "batch differ");
}

TEST(MultiHeadAttention, BadConfigurationsAndShapes) {
  EXPECT_TT_ERROR(nn::MultiHeadAttention(10, 4), "multiple of n_heads");
  nn::AttentionOptions o;
  o.n_kv_heads = 3;
  EXPECT_TT_ERROR(nn::MultiHeadAttention(12, 4, o), "multiple of n_kv_heads");
  nn::MultiHeadAttention mha(8, 2);
  EXPECT_TT_ERROR(mha(zeros(Shape{2, 3, 7})), "expected input (B, T, 8)");
}

nn::GPTConfig small_config(const std::string& variant) {
  nn::GPTConfig c;
  c.vocab_size = 13;
  c.context = 12;
  c.d_model = 16;
  c.n_layers = 2;
  c.n_heads = 4;
  if (variant == "modern") {
    c.n_kv_heads = 2;
    c.position = nn::PositionKind::Rope;
    c.norm = nn::NormKind::RMSNorm;
    c.mlp = nn::MlpKind::SwiGLU;
    c.tie_weights = true;
    c.bias = false;
  } else if (variant == "sinusoidal") {
    c.position = nn::PositionKind::Sinusoidal;
    c.n_kv_heads = 1;
  } else if (variant == "nopos") {
    c.position = nn::PositionKind::None;
  }
  return c;
}

class GptVariant : public ::testing::TestWithParam<std::string> {};

// The cache's logits equal recomputing the whole prefix, at every position, within 1e-5 (float32).
TEST_P(GptVariant, CachedLogitsEqualFullRecomputation) {
  Generator g(11);
  nn::GPT model(small_config(GetParam()), &g);
  model.eval();
  NoGradGuard ng;
  Tensor ids = random_ids(2, 12, 13, 5);
  Tensor full = model(ids);  // (2, 12, 13)
  nn::KVCache cache = model.make_cache(2);
  std::vector<Tensor> parts{model.forward_cached(ids.narrow(1, 0, 4), cache)};
  for (int64_t t = 4; t < 12; ++t) parts.push_back(model.forward_cached(ids.narrow(1, t, 1), cache));
  EXPECT_EQ(cache.length(), 12);
  EXPECT_LT(max_abs_diff(cat(parts, 1), full), 1e-5);
  // And each prefix recomputed alone gives the same logits as the cache at its last position.
  for (int64_t t = 1; t <= 12; t += 5)
    EXPECT_LT(max_abs_diff(model(ids.narrow(1, 0, t)), full.narrow(1, 0, t)), 1e-5) << "prefix " << t;
}

// Causality probe: changing a later token leaves every earlier position's logits unchanged.
TEST_P(GptVariant, ChangingALaterTokenLeavesEarlierLogitsUnchanged) {
  Generator g(12);
  nn::GPT model(small_config(GetParam()), &g);
  NoGradGuard ng;
  Tensor ids = random_ids(1, 10, 13, 6);
  Tensor a = model(ids);
  Tensor ids2 = ids.clone();
  ids2.data_ptr<int64_t>()[7] = (ids2.data_ptr<int64_t>()[7] + 1) % 13;
  Tensor b = model(ids2);
  EXPECT_EQ(max_abs_diff(a.narrow(1, 0, 7), b.narrow(1, 0, 7)), 0.0);
  EXPECT_GT(max_abs_diff(a.narrow(1, 7, 3), b.narrow(1, 7, 3)), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Variants, GptVariant, ::testing::Values("classic", "modern", "sinusoidal", "nopos"));

TEST(KVCache, MemoryIsTwoLayersBatchHeadsLengthDimBytes) {
  nn::GPTConfig c = small_config("modern");  // 2 layers, 2 kv heads of 4
  nn::GPT model(c);
  nn::KVCache cache = model.make_cache(3);
  EXPECT_EQ(cache.memory_bytes(), 2 * 2 * 3 * 2 * 12 * 4 * 4);
  EXPECT_TT_ERROR(model.make_cache(1, 13), "exceeds the context of 12");
  NoGradGuard ng;
  model.forward_cached(random_ids(3, 12, 13, 1), cache);
  EXPECT_TT_ERROR(model.forward_cached(random_ids(3, 1, 13, 2), cache), "exceed the context of 12");
  cache.reset();
  EXPECT_EQ(cache.length(), 0);
  EXPECT_TT_ERROR(model.forward_cached(random_ids(2, 1, 13, 2), cache), "differs from the cache");
}

TEST(GPT, ParameterCountMatchesTheClosedForm) {
  nn::GPTConfig c = small_config("classic");
  nn::GPT model(c);
  int64_t d = c.d_model, V = c.vocab_size, h = 4 * d;
  int64_t block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * h + h) + (h * d + d);
  EXPECT_EQ(model.num_parameters(), V * d + c.context * d + c.n_layers * block + 2 * d + (d * V + V));
}

TEST(GPT, BadInputGetsClearErrors) {
  nn::GPT model(small_config("classic"));
  EXPECT_TT_ERROR(model(random_ids(1, 13, 13, 1)), "exceed the context of 12");
  EXPECT_TT_ERROR(model(zeros(Shape{4}, kInt64)), "expected token ids (B, T)");
  EXPECT_TT_ERROR(model(from_vector(std::vector<int64_t>{3, 13}, Shape{1, 2})), "token id 13");
  nn::GPTConfig c = small_config("classic");
  c.n_heads = 5;
  EXPECT_TT_ERROR(nn::GPT{c}, "multiple of n_heads");
  EXPECT_TT_ERROR(nn::parse_position_kind("alibi"), "unknown position 'alibi'");
}

TEST(Sampling, GreedyTopKAndTopPRules) {
  std::vector<float> z{0.5f, 2.0f, 1.0f, 2.0f, -1.0f};
  Generator g(0);
  nn::SamplingOptions o;
  o.temperature = 0;
  EXPECT_EQ(nn::sample_token(z.data(), 5, o, g), 1);  // first maximum
  o.temperature = 1;
  o.top_k = 1;
  EXPECT_EQ(nn::sample_token(z.data(), 5, o, g), 1);
  o.top_k = 2;  // ids 1 and 3 only, equally likely
  std::map<int64_t, int> seen;
  for (int i = 0; i < 4000; ++i) ++seen[nn::sample_token(z.data(), 5, o, g)];
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_NEAR(seen[1] / 4000.0, 0.5, 0.05);
  o.top_k = 0;
  o.top_p = 0.3;  // p(1) = p(3) ≈ 0.36: the nucleus is the first of them
  for (int i = 0; i < 100; ++i) EXPECT_EQ(nn::sample_token(z.data(), 5, o, g), 1);
  o.top_p = 1;  // plain softmax: frequencies follow exp(z)
  seen.clear();
  for (int i = 0; i < 20000; ++i) ++seen[nn::sample_token(z.data(), 5, o, g)];
  double total = 0;
  for (float v : z) total += std::exp(v);
  for (int64_t i = 0; i < 5; ++i) EXPECT_NEAR(seen[i] / 20000.0, std::exp(z[i]) / total, 0.015) << "id " << i;
}

TEST(Generate, CacheAndRecomputationAgreeAndSeedsReproduce) {
  Generator g(13);
  nn::GPT model(small_config("modern"), &g);
  nn::SamplingOptions o;
  o.max_new_tokens = 8;  // stays inside the context: both paths see the same positions
  o.temperature = 0;
  std::vector<int64_t> prompt{1, 2, 3};
  auto cached = nn::generate(model, prompt, o);
  o.use_cache = false;
  EXPECT_EQ(nn::generate(model, prompt, o), cached);
  EXPECT_EQ(cached.size(), 11u);
  o.temperature = 0.9;
  o.top_k = 5;
  o.seed = 42;
  o.max_new_tokens = 30;  // crosses the context: the window logic runs
  o.use_cache = true;
  auto a = nn::generate(model, prompt, o), b = nn::generate(model, prompt, o);
  EXPECT_EQ(a, b);
  for (int64_t id : a) EXPECT_TRUE(id >= 0 && id < 13);
  o.seed = 43;
  EXPECT_NE(nn::generate(model, prompt, o), a);
}

TEST(Generate, BadOptionsAndPrompts) {
  nn::GPT model(small_config("classic"));
  nn::SamplingOptions o;
  EXPECT_TT_ERROR(nn::generate(model, {}, o), "at least one token");
  EXPECT_TT_ERROR(nn::generate(model, {1, 99}, o), "token id 99");
  o.top_p = 0;
  EXPECT_TT_ERROR(nn::generate(model, {1}, o), "top_p must be in (0, 1]");
  o.top_p = 1;
  o.temperature = -1;
  EXPECT_TT_ERROR(nn::generate(model, {1}, o), "temperature must be >= 0");
}

}  // namespace
}  // namespace tt

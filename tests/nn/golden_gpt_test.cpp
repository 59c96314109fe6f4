// Two small GPTs vs PyTorch 1.13 (tests/golden/gpt.json, tests/golden/make_golden_gpt.py):
// "classic" (learned positions, LayerNorm, GELU, untied head with biases) and "modern" (RoPE,
// RMSNorm, SwiGLU, grouped-query attention, no biases, tied head). Logits, loss and every
// parameter gradient, in float64 (tight) and float32; the KV-cached forward gives the same logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/node.h"
#include "nn/golden_reference.h"
#include "nn/nn.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& cases() {
  static const json f = testing::load_golden("gpt.json");
  return f.at("cases");
}

nn::GPTConfig config_of(const json& c) {
  nn::GPTConfig g;
  g.vocab_size = c.at("vocab");
  g.context = c.at("context");
  g.d_model = c.at("d");
  g.n_layers = c.at("layers");
  g.n_heads = c.at("heads");
  g.n_kv_heads = c.at("kv_heads");
  g.mlp_hidden = c.at("hidden");
  g.position = nn::parse_position_kind(c.at("position"));
  g.norm = nn::parse_norm_kind(c.at("norm"));
  g.mlp = nn::parse_mlp_kind(c.at("mlp"));
  g.tie_weights = c.at("tie");
  g.bias = c.at("bias");
  return g;
}

Tensor ids_of(const json& j) {
  return from_vector(j.at("data").get<std::vector<int64_t>>(), Shape(j.at("shape").get<std::vector<int64_t>>()));
}

std::shared_ptr<nn::GPT> load_model(const json& c, DType dt) {
  auto m = std::make_shared<nn::GPT>(config_of(c.at("config")), nullptr, dt);
  nn::StateDict sd;
  for (const auto& [k, v] : c.at("state_dict").items()) sd.emplace_back(k, testing::golden_tensor(v));
  m->load_state_dict(sd);
  return m;
}

class GoldenGpt : public ::testing::TestWithParam<testing::GoldenCase> {};

TEST_P(GoldenGpt, LogitsLossAndGradientsMatchPyTorch) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-9, 1e-12} : testing::kTolF32;
  auto model = load_model(c, dt);
  Tensor logits = model->forward(ids_of(c.at("ids")));
  EXPECT_TRUE(allclose(logits, c.at("logits"), tol)) << "logits";
  int64_t V = model->config.vocab_size;
  Tensor loss = cross_entropy(logits.reshape(Shape{-1, V}), ids_of(c.at("target")).reshape(Shape{-1}));
  EXPECT_TRUE(allclose(loss.item<double>(), c.at("loss").get<double>(), tol)) << "loss";
  loss.backward();
  ASSERT_NO_FATAL_FAILURE(testing::expect_parameter_grads(*model, c.at("grads"), tol));
}

TEST_P(GoldenGpt, CachedForwardGivesTheSameLogits) {
  const json& c = cases()[GetParam().index];
  const DType dt = GetParam().dtype;
  const testing::Tolerance tol = dt == kFloat64 ? testing::Tolerance{1e-9, 1e-12} : testing::kTolF32;
  auto model = load_model(c, dt);
  Tensor ids = ids_of(c.at("ids"));
  nn::KVCache cache = model->make_cache(ids.size(0));
  // Prefill 3 positions, then decode one at a time.
  std::vector<Tensor> parts{model->forward_cached(ids.narrow(1, 0, 3), cache)};
  for (int64_t t = 3; t < ids.size(1); ++t) parts.push_back(model->forward_cached(ids.narrow(1, t, 1), cache));
  EXPECT_TRUE(allclose(cat(parts, 1), c.at("logits"), tol));
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenGpt, ::testing::ValuesIn(testing::golden_cases(cases(), {kFloat64, kFloat32})),
                         [](const auto& info) { return testing::golden_case_name(cases(), info.param); });

TEST(GoldenGpt, StateDictNamesMatchTheReference) {
  for (const json& c : cases()) {
    std::vector<std::string> ours, theirs;
    for (const auto& [k, v] : load_model(c, kFloat64)->state_dict()) ours.push_back(k);
    for (const auto& [k, v] : c.at("state_dict").items()) theirs.push_back(k);
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs) << c.at("case");
  }
}

}  // namespace
}  // namespace tt

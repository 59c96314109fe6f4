// scaled_dot_product_attention, rms_norm and rope vs PyTorch 1.13 (tests/golden/attention.json,
// made by make_attention() in tests/golden/make_golden.py; PyTorch 1.13 has no fused SDPA, so the
// file holds softmax(q·kᵀ·scale, masked)·v computed explicitly in float64): forward values and the
// input gradients of sum(out·grad_out), in float64 and float32; attention also on head views
// sliced out of one fused (B, T, 3·H·D)-style buffer (the strided path).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/golden_reference.h"
#include "ops/ops.h"

namespace tt {
namespace {

using testing::allclose;
using testing::json;

const json& file() {
  static const json f = testing::load_golden("attention.json");
  return f;
}
const json& att_cases() { return file().at("attention"); }

// float64 runs one fused kernel in double: far below the files' general 1e-5.
testing::Tolerance tol(DType dt) { return dt == kFloat64 ? testing::Tolerance{1e-10, 1e-13} : testing::kTolF32; }

// A (B, H, T, E) tensor as a strided view: stored (B, T, H, E) inside a buffer twice as wide in E,
// so that no dim but the last is contiguous (as head views of a fused qkv projection).
Tensor heads_view(const Tensor& t) {
  const int64_t B = t.size(0), H = t.size(1), T = t.size(2), E = t.size(3);
  Tensor buf = zeros({B, T, H, 2 * E}, t.dtype());
  buf.slice(3, 0, E).copy_(t.transpose(1, 2));
  return buf.slice(3, 0, E).transpose(1, 2);
}

class GoldenAttention : public ::testing::TestWithParam<testing::GoldenCase> {
 protected:
  const json& c() const { return att_cases()[GetParam().index]; }
  DType dt() const { return GetParam().dtype; }
  void run(bool strided) {
    auto in = [&](const char* name) {
      Tensor t = testing::golden_tensor(c().at(name), dt());
      return (strided ? heads_view(t) : t).detach().requires_grad_();
    };
    Tensor q = in("q"), k = in("k"), v = in("v");
    Tensor mask = c().contains("mask") ? ne(testing::golden_tensor(c().at("mask")), scalar_tensor(0.0, kFloat64))
                                       : Tensor();
    Tensor o = scaled_dot_product_attention(q, k, v, mask, c().at("causal").get<bool>(),
                                            c().at("scale").get<double>());
    EXPECT_EQ(o.dtype(), dt());
    EXPECT_TRUE(allclose(o, c().at("o"), tol(dt()))) << "forward";
    o.backward(testing::golden_tensor(c().at("grad_out"), dt()));
    EXPECT_TRUE(allclose(q.grad(), c().at("grad_q"), tol(dt()))) << "grad_q";
    EXPECT_TRUE(allclose(k.grad(), c().at("grad_k"), tol(dt()))) << "grad_k";
    EXPECT_TRUE(allclose(v.grad(), c().at("grad_v"), tol(dt()))) << "grad_v";
  }
};

TEST_P(GoldenAttention, OpMatchesPyTorch) { run(false); }
TEST_P(GoldenAttention, StridedHeadViewsMatchPyTorch) { run(true); }

std::string att_label(const ::testing::TestParamInfo<testing::GoldenCase>& info) {
  return testing::golden_case_name(att_cases(), info.param);
}
INSTANTIATE_TEST_SUITE_P(AllCases, GoldenAttention,
                         ::testing::ValuesIn(testing::golden_cases(att_cases(), {kFloat64, kFloat32})), att_label);

TEST(GoldenRmsNorm, OpMatchesPyTorch) {
  for (DType dt : {kFloat64, kFloat32})
    for (const json& c : file().at("rms_norm")) {
      SCOPED_TRACE(c.at("case").get<std::string>() + " " + testing::dtype_tag(dt));
      Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
      Tensor w = testing::golden_tensor(c.at("weight"), dt).requires_grad_();
      Tensor y = rms_norm(x, {x.size(-1)}, w, c.at("eps").get<double>());
      EXPECT_TRUE(allclose(y, c.at("y"), tol(dt))) << "forward";
      y.backward(testing::golden_tensor(c.at("grad_out"), dt));
      EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tol(dt))) << "grad_x";
      EXPECT_TRUE(allclose(w.grad(), c.at("grad_weight"), tol(dt))) << "grad_weight";
    }
}

TEST(GoldenRope, OpMatchesHuggingFaceLlamaRotateHalf) {
  for (DType dt : {kFloat64, kFloat32})
    for (const json& c : file().at("rope")) {
      SCOPED_TRACE(c.at("case").get<std::string>() + " " + testing::dtype_tag(dt));
      Tensor x = testing::golden_tensor(c.at("x"), dt).requires_grad_();
      Tensor y = rope(x, c.at("pos0").get<int64_t>(), c.at("base").get<double>());
      EXPECT_TRUE(allclose(y, c.at("y"), tol(dt))) << "forward";
      y.backward(testing::golden_tensor(c.at("grad_out"), dt));
      EXPECT_TRUE(allclose(x.grad(), c.at("grad_x"), tol(dt))) << "grad_x";
    }
}

}  // namespace
}  // namespace tt

// Op scaled_dot_product_attention: the fused forward and backward against the same math built from
// composite float64 ops (matmul, masked_fill, softmax: their own autograd) over many shapes (causal
// with Tq == Tk, Tq < Tk and Tq > Tk, GQA and MQA, broadcast bool masks, fully masked rows, several
// key blocks, head dims that are not multiples of 16); strided q/k/v read without a copy; the
// output layout that makes the head merge a free view; determinism across thread counts; the
// register-tile kernels (D = 16, 32) against the tile path, and the generic tiles; costs; size-0
// shapes; bad input. PyTorch golden values: attention_golden_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/attention/attention_cpu.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// softmax(q·kᵀ·scale masked)·v from composite ops; kv heads repeated for GQA. Hidden scores are
// filled with −1e30 (not −inf) and the probabilities zeroed after, so a fully masked row yields
// zeros and zero gradient, the fused op's contract.
Tensor ref_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal,
                     double scale) {
  const int64_t B = q.size(0), Hq = q.size(1), Tq = q.size(2), Hkv = k.size(1), Tk = k.size(2);
  const int64_t G = Hq / Hkv;
  Tensor kk = k.unsqueeze(2).expand({B, Hkv, G, Tk, k.size(3)}).reshape({B, Hq, Tk, k.size(3)});
  Tensor vv = v.unsqueeze(2).expand({B, Hkv, G, Tk, v.size(3)}).reshape({B, Hq, Tk, v.size(3)});
  Tensor s = matmul(q, kk.transpose(-1, -2)) * scale;  // (B, Hq, Tq, Tk)
  Tensor visible = ones({Tq, Tk}, kBool);
  if (causal) {
    Tensor i = arange(0, Tq, 1, kInt64).reshape({Tq, 1}), j = arange(0, Tk, 1, kInt64).reshape({1, Tk});
    visible = le(j, i + static_cast<double>(Tk - Tq));
  }
  if (mask.defined()) visible = logical_and(visible, mask);
  Tensor hidden = logical_not(visible);
  Tensor p = masked_fill(softmax(masked_fill(s, hidden, -1e30), -1), hidden, 0.0);
  return matmul(p, vv);
}

struct Result {
  Tensor o, dq, dk, dv;
};

// Output and gradients of sum(f(q, k, v)·r) for fresh leaf copies of q, k, v.
template <typename F>
Result run(F f, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& r) {
  Tensor ql = q.detach().clone().requires_grad_(), kl = k.detach().clone().requires_grad_();
  Tensor vl = v.detach().clone().requires_grad_();
  Tensor o = f(ql, kl, vl);
  sum(o * r).backward();
  return {o.detach(), ql.grad(), kl.grad(), vl.grad()};
}

enum class MaskKind { None, PerPair, PerKey };  // (Tq, Tk) or (B, 1, 1, Tk)

struct Case {
  int64_t B, Hq, Hkv, Tq, Tk, D, Dv;
  bool causal;
  MaskKind mask = MaskKind::None;
};

Tensor make_mask(const Case& c, Generator& g) {
  if (c.mask == MaskKind::None) return Tensor();
  Shape s = c.mask == MaskKind::PerPair ? Shape{c.Tq, c.Tk} : Shape{c.B, 1, 1, c.Tk};
  return gt(rand(s, &g, kFloat64), scalar_tensor(0.3, kFloat64));  // ~70% visible
}

void expect_matches_reference(const Case& c, DType dt, double tol) {
  SCOPED_TRACE(::testing::Message() << "B " << c.B << " Hq " << c.Hq << " Hkv " << c.Hkv << " Tq " << c.Tq << " Tk "
                                    << c.Tk << " D " << c.D << " Dv " << c.Dv << " causal " << c.causal << " mask "
                                    << int(c.mask) << " " << dt);
  Generator g(17);
  Tensor q = randn({c.B, c.Hq, c.Tq, c.D}, &g, kFloat64), k = randn({c.B, c.Hkv, c.Tk, c.D}, &g, kFloat64);
  Tensor v = randn({c.B, c.Hkv, c.Tk, c.Dv}, &g, kFloat64), r = randn({c.B, c.Hq, c.Tq, c.Dv}, &g, kFloat64);
  Tensor mask = make_mask(c, g);
  const double scale = 1.0 / std::sqrt(double(c.D));
  Result got = run([&](const Tensor& a, const Tensor& b, const Tensor& e) {
    return scaled_dot_product_attention(a, b, e, mask, c.causal);
  }, q.to(dt), k.to(dt), v.to(dt), r.to(dt));
  Result want = run([&](const Tensor& a, const Tensor& b, const Tensor& e) {
    return ref_attention(a, b, e, mask, c.causal, scale);
  }, q, k, v, r);
  EXPECT_EQ(got.o.dtype(), dt);
  EXPECT_TRUE(tensors_near(got.o, want.o, tol)) << "o";
  EXPECT_TRUE(tensors_near(got.dq, want.dq, tol)) << "dq";
  EXPECT_TRUE(tensors_near(got.dk, want.dk, tol)) << "dk";
  EXPECT_TRUE(tensors_near(got.dv, want.dv, tol)) << "dv";
}

const Case kCases[] = {
    {2, 2, 2, 5, 5, 8, 8, false},
    {2, 2, 2, 7, 7, 8, 8, true},                    // Tq == Tk: the lower triangle
    {1, 3, 3, 3, 9, 16, 16, true},                  // Tq < Tk: bottom-right aligned
    {1, 2, 2, 6, 4, 8, 8, true},                    // Tq > Tk: the first two rows see no key
    {2, 4, 2, 6, 6, 8, 8, true},                    // GQA, 2 query heads per kv head
    {2, 4, 1, 5, 8, 8, 4, false},                   // MQA, Dv != D
    {2, 2, 2, 5, 7, 8, 8, false, MaskKind::PerPair},
    {3, 2, 2, 4, 6, 8, 8, true, MaskKind::PerKey},
    {1, 4, 2, 9, 9, 5, 3, true, MaskKind::PerPair},   // GQA + mask + causal, odd head dims
    {1, 2, 2, 150, 150, 20, 12, true},                // two key blocks, D not a multiple of 16
    {1, 1, 1, 3, 300, 5, 7, false, MaskKind::PerKey}, // three key blocks: the online rescale
    {2, 4, 4, 1, 64, 32, 32, true},                   // a decode step: Tq = 1 sees every key
    {2, 4, 4, 64, 64, 32, 32, true},                  // the char-GPT training shape (B cut)
    // Float32 runs these through the register-tile kernels (attention_d32.h):
    {2, 4, 4, 20, 20, 32, 32, false},    // a short last row block, no causal mask
    {1, 4, 2, 13, 29, 32, 32, true},     // GQA, Tq < Tk
    {1, 2, 2, 12, 5, 32, 32, true},      // Tq > Tk: rows 0..6 see no key
    {1, 2, 2, 200, 200, 32, 32, true},   // two online-softmax steps, two backward key blocks
    {1, 2, 1, 150, 150, 16, 16, false},  // D = 16, MQA
    {1, 4, 1, 1, 37, 32, 32, true},      // decode, four query heads on one kv head: K rows in place
    {1, 2, 2, 2, 300, 16, 16, false},    // K rows in place, Tk past two steps of 128
    {2, 8, 2, 3, 50, 32, 32, true},      // GQA 4, Tq = 3: packed Kᵀ
};

TEST(Attention, MatchesCompositeOpsInFloat64) {
  for (const Case& c : kCases) expect_matches_reference(c, kFloat64, 1e-11);
}

TEST(Attention, MatchesCompositeOpsInFloat32) {
  for (const Case& c : kCases) expect_matches_reference(c, kFloat32, 2e-4);
}

TEST(Attention, GenericTilesMatchTheVectorTiles) {
  // The portable fallback (no AVX-512) runs the same algorithm through plain loops.
  ASSERT_TRUE(kernels::force_attention_isa("generic"));
  for (const Case& c : {kCases[4], kCases[9], kCases[10]}) expect_matches_reference(c, kFloat32, 2e-4);
  kernels::force_attention_isa(nullptr);
}

// Outputs and gradients of the same float32 call under the current kernels.
Result run_f32(const Case& c, Generator& g) {
  Tensor q = randn({c.B, c.Hq, c.Tq, c.D}, &g), k = randn({c.B, c.Hkv, c.Tk, c.D}, &g);
  Tensor v = randn({c.B, c.Hkv, c.Tk, c.Dv}, &g), r = randn({c.B, c.Hq, c.Tq, c.Dv}, &g);
  return run([&](const Tensor& a, const Tensor& b, const Tensor& e) {
    return scaled_dot_product_attention(a, b, e, Tensor(), c.causal);
  }, q, k, v, r);
}

TEST(Attention, RegisterTileKernelsMatchTheTilePath) {
  // Heads of width 16 or 32 without a bool mask take attention_d32_avx512.cpp; the AVX-512 tiles of
  // attention_tiles.h compute the same sums in another order.
  if (std::string(kernels::attention_isa()) != "avx512") GTEST_SKIP() << "no AVX-512";
  for (const Case& c : {kCases[12], kCases[13], kCases[15], kCases[16], kCases[17], kCases[18], kCases[20]}) {
    SCOPED_TRACE(::testing::Message() << "Tq " << c.Tq << " Tk " << c.Tk << " D " << c.D);
    Generator g1(8), g2(8);
    Result fast = run_f32(c, g1);
    ASSERT_TRUE(kernels::force_attention_isa("avx512-tiles"));
    EXPECT_STREQ(kernels::attention_isa(), "avx512-tiles");
    Result tiles = run_f32(c, g2);
    kernels::force_attention_isa(nullptr);
    EXPECT_TRUE(tensors_near(fast.o, tiles.o, 1e-5)) << "o";
    EXPECT_TRUE(tensors_near(fast.dq, tiles.dq, 1e-5)) << "dq";
    EXPECT_TRUE(tensors_near(fast.dk, tiles.dk, 1e-5)) << "dk";
    EXPECT_TRUE(tensors_near(fast.dv, tiles.dv, 1e-5)) << "dv";
  }
}

TEST(Attention, FullyMaskedRowsGiveZerosAndZeroGradient) {
  Generator g(3);
  Tensor q = randn({1, 2, 3, 4}, &g, kFloat64), k = randn({1, 2, 5, 4}, &g, kFloat64);
  Tensor v = randn({1, 2, 5, 4}, &g, kFloat64);
  Tensor mask = ones({3, 5}, kBool);
  mask.select(0, 1).fill_(0);  // query row 1 sees nothing
  Result got = run([&](const Tensor& a, const Tensor& b, const Tensor& c) {
    return scaled_dot_product_attention(a, b, c, mask);
  }, q, k, v, ones({1, 2, 3, 4}, kFloat64));
  EXPECT_VALUES(got.o.select(2, 1).flatten(), {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_VALUES(got.dq.select(2, 1).flatten(), {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(std::isfinite(sum(abs(got.dk)).item()) && std::isfinite(sum(abs(got.o)).item()));
  // Causal with Tq > Tk: rows 0 and 1 precede every key.
  Tensor o = scaled_dot_product_attention(randn({1, 1, 4, 2}, &g), randn({1, 1, 2, 2}, &g), randn({1, 1, 2, 2}, &g),
                                          Tensor(), true);
  EXPECT_VALUES(o.slice(2, 0, 2).flatten(), {0, 0, 0, 0});
  // Tk = 0: no key at all.
  EXPECT_VALUES(scaled_dot_product_attention(ones({1, 1, 2, 3}), ones({1, 1, 0, 3}), ones({1, 1, 0, 2})).flatten(),
                {0, 0, 0, 0});
}

// Counts `copy` events (contiguous() and friends) while installed.
struct CopyCounter {
  int copies = 0;
  static void on_event(const ops::OpEvent& ev, void* ctx) {
    if (ev.op == ops::OpId::copy) ++static_cast<CopyCounter*>(ctx)->copies;
  }
};

void expect_head_views_read_in_place(int64_t D) {
  SCOPED_TRACE(::testing::Message() << "D " << D);
  const int64_t B = 2, T = 6, H = 3;
  Generator g(9);
  Tensor qkv = randn({B, T, 3 * H * D}, &g).view({B, T, 3, H, D});
  auto part = [&](int64_t i) { return qkv.select(2, i).transpose(1, 2); };  // (B, H, T, D), strided
  Tensor q = part(0), k = part(1), v = part(2);
  ASSERT_FALSE(q.is_contiguous());
  CopyCounter counter;
  ops::set_op_observer(&CopyCounter::on_event, &counter);
  Tensor o = scaled_dot_product_attention(q, k, v, Tensor(), true);
  ops::set_op_observer(nullptr, nullptr);
  EXPECT_EQ(counter.copies, 0);
  Tensor want = scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous(), Tensor(), true);
  EXPECT_TRUE(testing::bitwise_equal(o, want));
  // A last dim that is not contiguous is copied once, with the same result.
  Tensor qt = q.contiguous().transpose(2, 3).contiguous().transpose(2, 3);  // (B, H, T, D), stride(3) = T
  ASSERT_NE(qt.stride(3), 1);
  EXPECT_TRUE(testing::bitwise_equal(scaled_dot_product_attention(qt, k, v, Tensor(), true), want));
  // Backward through the views: the gradient of the fused buffer holds dq, dk, dv.
  Tensor leaf = qkv.detach().requires_grad_(), r = randn({B, H, T, D}, &g);
  Tensor lv = leaf.view({B, T, 3, H, D});
  auto lpart = [&](int64_t i) { return lv.select(2, i).transpose(1, 2); };
  scaled_dot_product_attention(lpart(0), lpart(1), lpart(2), Tensor(), true).backward(r);
  Result ref = run([](const Tensor& a, const Tensor& b, const Tensor& c) {
    return scaled_dot_product_attention(a, b, c, Tensor(), true);
  }, q.contiguous(), k.contiguous(), v.contiguous(), r);
  Tensor grads = leaf.grad().view({B, T, 3, H, D});
  EXPECT_TRUE(testing::bitwise_equal(grads.select(2, 0).transpose(1, 2).contiguous(), ref.dq));
  EXPECT_TRUE(testing::bitwise_equal(grads.select(2, 1).transpose(1, 2).contiguous(), ref.dk));
  EXPECT_TRUE(testing::bitwise_equal(grads.select(2, 2).transpose(1, 2).contiguous(), ref.dv));
}

TEST(Attention, HeadViewsOfAFusedQkvProjectionAreReadWithoutACopy) {
  // D = 8 pads V and K rows to 16 lanes in scratch; D = 32 reads them in place at the view's stride.
  for (int64_t D : {8, 32}) expect_head_views_read_in_place(D);
}

TEST(Attention, MergingHeadsOfTheOutputIsAFreeView) {
  const int64_t B = 2, H = 4, T = 5, D = 8;
  Generator g(4);
  Tensor o = scaled_dot_product_attention(randn({B, H, T, D}, &g), randn({B, H, T, D}, &g), randn({B, H, T, D}, &g));
  EXPECT_EQ(o.shape(), Shape({B, H, T, D}));
  Tensor merged = o.transpose(1, 2).reshape({B, T, H * D});
  EXPECT_TRUE(merged.is_contiguous());
  EXPECT_EQ(merged.storage(), o.storage());  // shares storage: reshape did not copy
  EXPECT_EQ(merged.raw_data(), o.raw_data());
}

TEST(Attention, Float32AgreesWithFloat64) {
  Generator g(21);
  Tensor q = randn({2, 4, 33, 24}, &g, kFloat64), k = randn({2, 2, 40, 24}, &g, kFloat64);
  Tensor v = randn({2, 2, 40, 24}, &g, kFloat64);
  Tensor o64 = scaled_dot_product_attention(q, k, v, Tensor(), true);
  Tensor o32 = scaled_dot_product_attention(q.to(kFloat32), k.to(kFloat32), v.to(kFloat32), Tensor(), true);
  EXPECT_TRUE(tensors_near(o32, o64, 1e-5));
}

TEST(Attention, ResultsAreBitwiseIdenticalOnOneAndTwoThreads) {
  Generator g(5);
  Tensor q = randn({3, 4, 37, 16}, &g), k = randn({3, 2, 37, 16}, &g), v = randn({3, 2, 37, 16}, &g);
  Tensor r = randn({3, 4, 37, 16}, &g), mask = gt(rand({37, 37}, &g), scalar_tensor(0.2));
  auto f = [&](const Tensor& a, const Tensor& b, const Tensor& c) {
    return scaled_dot_product_attention(a, b, c, mask, true);
  };
  const int threads = get_num_threads();
  set_num_threads(1);
  Result one = run(f, q, k, v, r);
  set_num_threads(2);
  Result two = run(f, q, k, v, r), again = run(f, q, k, v, r);
  set_num_threads(threads);
  for (const Result* x : {&two, &again}) {
    EXPECT_TRUE(testing::bitwise_equal(one.o, x->o));
    EXPECT_TRUE(testing::bitwise_equal(one.dq, x->dq));
    EXPECT_TRUE(testing::bitwise_equal(one.dk, x->dk));
    EXPECT_TRUE(testing::bitwise_equal(one.dv, x->dv));
  }
}

TEST(Attention, RegisterTileResultsAreBitwiseIdenticalOnOneAndTwoThreads) {
  // The training shape's kernels (D = 32, causal, no mask), and a decode step split across threads.
  const int threads = get_num_threads();
  for (const Case& c : {Case{4, 4, 4, 40, 40, 32, 32, true}, Case{2, 4, 4, 1, 100, 32, 32, true}}) {
    Generator g1(12), g2(12), g3(12);
    set_num_threads(1);
    Result one = run_f32(c, g1);
    set_num_threads(2);
    Result two = run_f32(c, g2), again = run_f32(c, g3);
    for (const Result* x : {&two, &again}) {
      EXPECT_TRUE(testing::bitwise_equal(one.o, x->o));
      EXPECT_TRUE(testing::bitwise_equal(one.dq, x->dq));
      EXPECT_TRUE(testing::bitwise_equal(one.dk, x->dk));
      EXPECT_TRUE(testing::bitwise_equal(one.dv, x->dv));
    }
  }
  set_num_threads(threads);
}

TEST(Attention, ExplicitScaleAndDefaultScale) {
  Generator g(6);
  Tensor q = randn({1, 2, 4, 9}, &g, kFloat64), k = randn({1, 2, 4, 9}, &g, kFloat64);
  Tensor v = randn({1, 2, 4, 9}, &g, kFloat64);
  EXPECT_TRUE(tensors_near(scaled_dot_product_attention(q, k, v, Tensor(), false, 0.25),
                           ref_attention(q, k, v, Tensor(), false, 0.25), 1e-12));
  EXPECT_TRUE(tensors_near(scaled_dot_product_attention(q, k, v), ref_attention(q, k, v, Tensor(), false, 1.0 / 3),
                           1e-12));
}

TEST(Attention, SizeZeroShapes) {
  Tensor q = zeros({0, 2, 3, 4}, kFloat64).requires_grad_(), k = zeros({0, 2, 5, 4}, kFloat64).requires_grad_();
  Tensor v = zeros({0, 2, 5, 4}, kFloat64).requires_grad_();
  Tensor o = scaled_dot_product_attention(q, k, v, Tensor(), true);
  EXPECT_EQ(o.shape(), Shape({0, 2, 3, 4}));
  sum(o).backward();
  EXPECT_EQ(q.grad().shape(), q.shape());
  EXPECT_EQ(scaled_dot_product_attention(zeros({1, 2, 0, 4}), zeros({1, 2, 5, 4}), zeros({1, 2, 5, 3})).shape(),
            Shape({1, 2, 0, 3}));
  EXPECT_EQ(scaled_dot_product_attention(zeros({1, 2, 3, 4}), zeros({1, 2, 5, 4}), zeros({1, 2, 5, 0})).shape(),
            Shape({1, 2, 3, 0}));
  EXPECT_EQ(scaled_dot_product_attention(zeros({1, 0, 3, 4}), zeros({1, 0, 5, 4}), zeros({1, 0, 5, 4})).shape(),
            Shape({1, 0, 3, 4}));
  // Tk = 0 in backward: dq = 0, dk and dv are empty.
  Tensor q2 = ones({1, 1, 2, 3}, kFloat64).requires_grad_(), k2 = zeros({1, 1, 0, 3}, kFloat64).requires_grad_();
  Tensor v2 = zeros({1, 1, 0, 2}, kFloat64).requires_grad_();
  sum(scaled_dot_product_attention(q2, k2, v2)).backward();
  EXPECT_VALUES(q2.grad().flatten(), {0, 0, 0, 0, 0, 0});
  EXPECT_EQ(k2.grad().shape(), k2.shape());
  // The same in float32 with D = 32 (the register-tile kernels), causal or not, and Tq = 0.
  for (bool causal : {false, true}) {
    for (int64_t Tq : {3, 9}) {  // 3: K rows read in place, 9: the block kernels
      Tensor q3 = ones({1, 1, Tq, 32}).requires_grad_(), k3 = zeros({1, 1, 0, 32}).requires_grad_();
      Tensor v3 = zeros({1, 1, 0, 32}).requires_grad_();
      Tensor o3 = scaled_dot_product_attention(q3, k3, v3, Tensor(), causal);
      EXPECT_EQ(sum(abs(o3)).item(), 0.0);
      sum(o3).backward();
      EXPECT_EQ(sum(abs(q3.grad())).item(), 0.0);
    }
  }
  Tensor k4 = ones({1, 2, 5, 32}).requires_grad_(), v4 = ones({1, 2, 5, 32}).requires_grad_();
  sum(scaled_dot_product_attention(zeros({1, 2, 0, 32}).requires_grad_(), k4, v4, Tensor(), true)).backward();
  EXPECT_EQ(sum(abs(k4.grad())).item(), 0.0);
  EXPECT_EQ(sum(abs(v4.grad())).item(), 0.0);
}

TEST(Attention, BadInputNamesTheOpAndShapes) {
  const char* op = "scaled_dot_product_attention";
  Tensor q = zeros({2, 4, 3, 8}), k = zeros({2, 2, 5, 8}), v = zeros({2, 2, 5, 6});
  EXPECT_TT_ERROR(scaled_dot_product_attention(zeros({4, 3, 8}), k, v), op, "rank-4", "[4, 3, 8]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(zeros({3, 4, 3, 8}), k, v), op, "batch", "[3, 4, 3, 8]", "[2, 2, 5, 8]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, zeros({2, 2, 5, 7}), v), op, "head dim", "[2, 4, 3, 8]",
                  "[2, 2, 5, 7]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k, zeros({2, 2, 4, 6})), op, "[2, 2, 5, 8]", "[2, 2, 4, 6]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, zeros({2, 3, 5, 8}), zeros({2, 3, 5, 6})), op, "Hq = 4", "Hkv = 3");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k, v, zeros({3, 5})), op, "mask", "bool", "float32", "[3, 5]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k, v, ones({3, 4}, kBool)), op, "mask", "[3, 4]", "[2, 4, 3, 5]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k, v, ones({1, 2, 4, 3, 5}, kBool)), op, "mask", "[1, 2, 4, 3, 5]");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k.to(kFloat64), v), op, "dtypes", "float32", "float64");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q.to(kInt64), k.to(kInt64), v.to(kInt64)), op, "floating", "int64");
  EXPECT_TT_ERROR(scaled_dot_product_attention(q, k, v, Tensor(), false, INFINITY), op, "scale", "inf");
  EXPECT_TT_ERROR(scaled_dot_product_attention(Tensor(), k, v), op, "undefined");
}

// Cost: closed forms of the shapes (attention.cpp's header), causal pairs counted exactly.
struct Recorder {
  std::vector<ops::OpEvent> events;
  static void on_event(const ops::OpEvent& ev, void* ctx) { static_cast<Recorder*>(ctx)->events.push_back(ev); }
};

TEST(Attention, DeclaresClosedFormCosts) {
  const double B = 2, Hq = 4, Hkv = 2, Tq = 3, Tk = 5, D = 8, Dv = 6;
  Tensor q = ones({2, 4, 3, 8}).requires_grad_(), k = ones({2, 2, 5, 8}).requires_grad_();
  Tensor v = ones({2, 2, 5, 6}).requires_grad_();
  Recorder rec;
  ops::set_op_observer(&Recorder::on_event, &rec);
  Tensor o = scaled_dot_product_attention(q, k, v, ones({3, 5}, kBool), true);
  sum(o).backward();
  ops::set_op_observer(nullptr, nullptr);
  const ops::OpEvent *f = nullptr, *b = nullptr;
  for (const auto& e : rec.events) {
    if (e.op == ops::OpId::scaled_dot_product_attention) f = &e;
    if (e.op == ops::OpId::attention_backward) b = &e;
  }
  ASSERT_TRUE(f && b);
  const double pairs = 3 + 4 + 5;  // causal, Tk − Tq = 2: rows see 3, 4, 5 keys
  EXPECT_EQ(f->cost.flops, B * Hq * pairs * (2 * (D + Dv) + 5));
  EXPECT_EQ(f->cost.bytes_read, 4 * (B * Hq * Tq * D + B * Hkv * Tk * (D + Dv)) + 15);  // + the bool mask
  EXPECT_EQ(f->cost.bytes_written, 4 * (B * Hq * Tq * Dv + B * Hq * Tq));              // o, lse
  EXPECT_TRUE(b->backward);
  EXPECT_EQ(b->cost.flops, B * Hq * (pairs * (2 * (3 * D + 2 * Dv) + 4) + 2 * Tq * Dv));
  EXPECT_EQ(b->cost.bytes_written, 4 * (B * Hq * Tq * D + B * Hkv * Tk * (D + Dv)));  // dq, dk, dv
  EXPECT_EQ(b->cost.bytes_read, 4 * (B * Hq * Tq * D + B * Hkv * Tk * (D + Dv) + 2 * B * Hq * Tq * Dv + B * Hq * Tq) +
                                    15);  // q, k, v, o, dO, lse, mask
}

}  // namespace
}  // namespace tt

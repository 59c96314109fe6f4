// Op layer_norm: forward and fused backward against the same formula built from composite ops
// (mean, var, sub, div, mul: their own autograd) in float64; precision for rows with a large mean;
// dw/db bitwise independent of the thread count and accurate over many float32 rows; non-contiguous
// and size-0 inputs; bad input.
// PyTorch golden values are in tests/nn/golden_layer_norm_test.cpp, gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// The trailing `n` dims of x's shape, and their indices as reduction dims.
Shape trailing(const Tensor& x, int n) { return Shape(x.shape().begin() + (x.dim() - n), x.shape().end()); }
Shape trailing_dims(const Tensor& x, int n) {
  Shape d;
  for (int i = x.dim() - n; i < x.dim(); ++i) d.push_back(i);
  return d;
}

// y = (x − mean)/√(var + eps)·w + b from composite differentiable ops.
Tensor ref_layer_norm(const Tensor& x, int n, const Tensor& w, const Tensor& b, double eps) {
  Shape dims = trailing_dims(x, n);
  Tensor mu = mean(x, dims, true), v = var(x, dims, 0, true);
  Tensor y = (x - mu) / sqrt(v + eps);
  if (w.defined()) y = y * w;
  if (b.defined()) y = y + b;
  return y;
}

struct Grads {
  Tensor y, dx, dw, db;
};

// Output and gradients of sum(f(x, w, b)·r) for fresh leaf copies of x, w, b (w, b optional).
template <typename F>
Grads run(F f, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& r) {
  Tensor xl = x.detach().clone().requires_grad_();
  Tensor wl = w.defined() ? w.detach().clone().requires_grad_() : Tensor();
  Tensor bl = b.defined() ? b.detach().clone().requires_grad_() : Tensor();
  Tensor y = f(xl, wl, bl);
  sum(y * r).backward();
  return {y.detach(), xl.grad(), wl.defined() ? wl.grad() : Tensor(), bl.defined() ? bl.grad() : Tensor()};
}

void expect_matches_reference(const Shape& shape, int n, bool with_w, bool with_b, DType dt, double tol) {
  SCOPED_TRACE(::testing::Message() << "shape " << shape << " over " << n << " dims, w " << with_w << " b " << with_b
                                    << " " << dt);
  Generator g(11);
  Tensor x = randn(shape, &g, kFloat64), r = randn(shape, &g, kFloat64);
  Tensor w = with_w ? randn(trailing(x, n), &g, kFloat64) : Tensor();
  Tensor b = with_b ? randn(trailing(x, n), &g, kFloat64) : Tensor();
  auto cast_opt = [&](const Tensor& t) { return t.defined() ? t.to(dt) : Tensor(); };
  Grads got = run([&](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
    return layer_norm(xl, trailing(xl, n), wl, bl, 1e-5);
  }, x.to(dt), cast_opt(w), cast_opt(b), r.to(dt));
  Grads want = run([&](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
    return ref_layer_norm(xl, n, wl, bl, 1e-5);
  }, x, w, b, r);
  EXPECT_EQ(got.y.dtype(), dt);
  EXPECT_TRUE(tensors_near(got.y, want.y, tol)) << "y";
  EXPECT_TRUE(tensors_near(got.dx, want.dx, tol)) << "dx";
  if (with_w) {
    EXPECT_TRUE(tensors_near(got.dw, want.dw, tol)) << "dw";
  }
  if (with_b) {
    EXPECT_TRUE(tensors_near(got.db, want.db, tol)) << "db";
  }
}

TEST(LayerNorm, MatchesCompositeOpsForwardAndBackward) {
  // 19 and 7·5 columns leave SIMD-lane tails; 37 rows span several row chunks.
  for (DType dt : {kFloat64, kFloat32}) {
    const double tol = dt == kFloat64 ? 1e-12 : 2e-5;
    expect_matches_reference({37, 19}, 1, true, true, dt, tol);
    expect_matches_reference({37, 19}, 1, false, false, dt, tol);
    expect_matches_reference({4, 7, 5}, 2, true, false, dt, tol);
    expect_matches_reference({4, 7, 5}, 2, false, true, dt, tol);
    expect_matches_reference({2, 3, 64}, 1, true, true, dt, tol);
    expect_matches_reference({9}, 1, true, true, dt, tol);
    expect_matches_reference({3, 2100}, 1, true, true, dt, tol);  // float32 rows sum in blocks of 1024
  }
}

TEST(LayerNorm, RowsWithLargeMeanKeepFloat32Precision) {
  // mean 1e4, std 0.1: E[x²] − E[x]² in float32 would lose every digit of the variance.
  Generator g(3);
  Tensor x32 = (randn({6, 50}, &g) * 0.1 + 1e4).to(kFloat32);
  Tensor x64 = x32.to(kFloat64);  // the same values, exactly
  Tensor got = layer_norm(x32, {50});
  Tensor want = ref_layer_norm(x64, 1, Tensor(), Tensor(), 1e-5);
  EXPECT_TRUE(tensors_near(got, want, 1e-5));
}

TEST(LayerNorm, Float32WeightAndBiasGradientsStayAccurateOverManyRows) {
  // dw = Σ_rows dy·x̂ over 4000 rows cancels down to ~±60 from terms ~±1: float32 partial sums were
  // 1.2e-5 off here, the double partials 6e-7. The reference sees the same float32 inputs.
  Generator g(9);
  Tensor x = randn({4000, 128}, &g), w = randn({128}, &g), b = randn({128}, &g), r = randn({4000, 128}, &g);
  Grads got = run([](const Tensor& xl, const Tensor& wl, const Tensor& bl) { return layer_norm(xl, {128}, wl, bl); },
                  x, w, b, r);
  Grads want = run([](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
    return ref_layer_norm(xl, 1, wl, bl, 1e-5);
  }, x.to(kFloat64), w.to(kFloat64), b.to(kFloat64), r.to(kFloat64));
  EXPECT_TRUE(tensors_near(got.dw, want.dw, 3e-6)) << "dw";
  EXPECT_TRUE(tensors_near(got.db, want.db, 3e-6)) << "db";
}

TEST(LayerNorm, RowsNormalisedFourAtATimeMatchOneAtATimeBitwise) {
  // float32 forward runs rows in groups of four (N <= 1024) and the rest one by one, with the same
  // arithmetic per row: every row of a 7-row call equals that row normalised alone.
  Generator g(12);
  Tensor x = randn({7, 100}, &g) * 3.0 + 2.0, w = randn({100}, &g), b = randn({100}, &g);
  Tensor all = layer_norm(x, {100}, w, b);
  for (int64_t i = 0; i < 7; ++i)
    EXPECT_TRUE(testing::bitwise_equal(all.narrow(0, i, 1), layer_norm(x.narrow(0, i, 1), {100}, w, b))) << "row " << i;
}

TEST(LayerNorm, WeightAndBiasGradientsDoNotDependOnThreadCount) {
  Generator g(5);
  Tensor x = randn({1000, 33}, &g), w = randn({33}, &g), b = randn({33}, &g), r = randn({1000, 33}, &g);
  auto f = [](const Tensor& xl, const Tensor& wl, const Tensor& bl) { return layer_norm(xl, {33}, wl, bl); };
  const int threads = get_num_threads();
  set_num_threads(1);
  Grads one = run(f, x, w, b, r);
  set_num_threads(std::max(2, threads));
  Grads many = run(f, x, w, b, r);
  set_num_threads(threads);
  EXPECT_TRUE(testing::bitwise_equal(one.y, many.y));
  EXPECT_TRUE(testing::bitwise_equal(one.dx, many.dx));
  EXPECT_TRUE(testing::bitwise_equal(one.dw, many.dw));
  EXPECT_TRUE(testing::bitwise_equal(one.db, many.db));
}

TEST(LayerNorm, NonContiguousInputsMatchContiguousCopies) {
  Generator g(7);
  Tensor x = randn({8, 6}, &g, kFloat64).t();        // (6, 8), strides (1, 6)
  Tensor w = randn({16}, &g, kFloat64).slice(0, 0, 16, 2);  // (8), stride 2
  Tensor b = randn({1}, &g, kFloat64).expand({8});          // stride 0
  EXPECT_TRUE(tensors_near(layer_norm(x, {8}, w, b), layer_norm(x.contiguous(), {8}, w.contiguous(), b.contiguous()),
                           1e-15));
}

TEST(LayerNorm, SizeZeroInputs) {
  Tensor w = ones({4}, kFloat64).requires_grad_(), b = zeros({4}, kFloat64).requires_grad_();
  Tensor x = zeros({0, 4}, kFloat64).requires_grad_();
  Tensor y = layer_norm(x, {4}, w, b);
  EXPECT_EQ(y.shape(), Shape({0, 4}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), Shape({0, 4}));
  EXPECT_VALUES(w.grad(), {0, 0, 0, 0});  // empty sums over no rows
  EXPECT_VALUES(b.grad(), {0, 0, 0, 0});
  EXPECT_EQ(layer_norm(zeros({3, 0}), {0}).shape(), Shape({3, 0}));
}

TEST(LayerNorm, EachRowHasZeroMeanAndUnitVariance) {
  Tensor x = tensor<double>({{1, 2, 3, 4}, {-10, 0, 10, 20}});
  Tensor y = layer_norm(x, {4}, Tensor(), Tensor(), 0.0);
  EXPECT_VALUES_NEAR(mean(y, {1}), 1e-15, {0, 0});
  EXPECT_VALUES_NEAR(var(y, {1}, 0), 1e-14, {1, 1});
  // A constant row has var 0: y = 0·rstd = 0 with eps > 0 (no NaN).
  EXPECT_VALUES(layer_norm(full({1, 3}, 5.0, kFloat64), {3}), {0, 0, 0});
}

TEST(LayerNorm, BadInputNamesTheOpAndShapes) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_TT_ERROR(layer_norm(x, {3}), "layer_norm", "normalized_shape", "[3]", "[2, 3, 4]");
  EXPECT_TT_ERROR(layer_norm(x, {4, 3}), "layer_norm", "[4, 3]", "[2, 3, 4]");
  EXPECT_TT_ERROR(layer_norm(x, {1, 2, 3, 4}), "layer_norm", "[1, 2, 3, 4]", "[2, 3, 4]");
  EXPECT_TT_ERROR(layer_norm(x, {}), "layer_norm", "at least one dim");
  EXPECT_TT_ERROR(layer_norm(x, {4}, zeros({3})), "layer_norm", "weight", "[3]", "[4]");
  EXPECT_TT_ERROR(layer_norm(x, {3, 4}, zeros({3, 4}), zeros({4})), "layer_norm", "bias", "[4]", "[3, 4]");
  EXPECT_TT_ERROR(layer_norm(x, {4}, zeros({4}, kFloat64)), "layer_norm", "weight", "float64", "float32");
  EXPECT_TT_ERROR(layer_norm(zeros({2, 4}, kInt64), {4}), "layer_norm", "int64", "[2, 4]");
  EXPECT_TT_ERROR(layer_norm(x, {4}, Tensor(), Tensor(), -1.0), "layer_norm", "eps", "-1");
  EXPECT_TT_ERROR(layer_norm(Tensor(), {4}), "layer_norm", "undefined");
}

}  // namespace
}  // namespace tt

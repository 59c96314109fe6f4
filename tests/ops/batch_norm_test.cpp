// Op batch_norm: forward and fused backward against the same formula built from composite ops
// (mean, var, sub, div, mul: their own autograd) in float64, in training and evaluation, for [N, C],
// [N, C, L] and [N, C, H, W] inputs (odd sizes: SIMD-lane tails, several channel tiles); the
// running-statistics update (unbiased variance); precision with a large mean; bitwise determinism
// across thread counts; non-contiguous and size-0 inputs; bad input. PyTorch golden values are in
// tests/nn/golden_pool_bn_test.cpp, gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// The reduction dims of batch norm (all but the channel dim 1) and a [C] tensor's broadcast shape.
Shape reduce_dims(const Tensor& x) {
  Shape d{0};
  for (int i = 2; i < x.dim(); ++i) d.push_back(i);
  return d;
}
Tensor per_channel(const Tensor& v, const Tensor& x) {
  Shape s;
  for (int i = 0; i < x.dim(); ++i) s.push_back(i == 1 ? x.size(1) : 1);
  return v.reshape(s);
}

// y = (x − μ)/√(σ² + eps)·w + b from composite differentiable ops; batch statistics when
// training, else the given running statistics (constants).
Tensor ref_batch_norm(const Tensor& x, const Tensor& rm, const Tensor& rv, const Tensor& w, const Tensor& b,
                      bool training, double eps) {
  Tensor mu = training ? mean(x, reduce_dims(x), true) : per_channel(rm, x);
  Tensor v = training ? var(x, reduce_dims(x), 0, true) : per_channel(rv, x);
  Tensor y = (x - mu) / sqrt(v + eps);
  if (w.defined()) y = y * per_channel(w, x);
  if (b.defined()) y = y + per_channel(b, x);
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

void expect_matches_reference(const Shape& shape, bool affine, bool training, DType dt, double tol) {
  SCOPED_TRACE(::testing::Message() << "shape " << shape << " affine " << affine << " training " << training << " "
                                    << dt);
  Generator g(31);
  const int64_t C = shape[1];
  Tensor x = randn(shape, &g, kFloat64) * 2.0 + 0.5, r = randn(shape, &g, kFloat64);
  Tensor w = affine ? randn({C}, &g, kFloat64) : Tensor(), b = affine ? randn({C}, &g, kFloat64) : Tensor();
  Tensor rm = randn({C}, &g, kFloat64), rv = rand({C}, &g, kFloat64) + 0.5;
  auto cast_opt = [&](const Tensor& t) { return t.defined() ? t.to(dt) : Tensor(); };
  Grads got = run([&](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
    return batch_norm(xl, rm.to(dt), rv.to(dt), wl, bl, training, 0.1, 1e-5);
  }, x.to(dt), cast_opt(w), cast_opt(b), r.to(dt));
  Grads want = run([&](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
    return ref_batch_norm(xl, rm, rv, wl, bl, training, 1e-5);
  }, x, w, b, r);
  EXPECT_EQ(got.y.dtype(), dt);
  EXPECT_TRUE(tensors_near(got.y, want.y, tol)) << "y";
  EXPECT_TRUE(tensors_near(got.dx, want.dx, tol)) << "dx";
  if (affine) {
    EXPECT_TRUE(tensors_near(got.dw, want.dw, tol)) << "dw";
    EXPECT_TRUE(tensors_near(got.db, want.db, tol)) << "db";
  }
}

TEST(BatchNorm, MatchesCompositeOpsInTrainingAndEvaluation) {
  for (DType dt : {kFloat64, kFloat32}) {
    const double tol = dt == kFloat64 ? 1e-11 : 5e-5;
    for (bool training : {true, false}) {
      expect_matches_reference({7, 37}, true, training, dt, tol);        // [N, C]: 3 channel tiles, a tail
      expect_matches_reference({5, 3}, false, training, dt, tol);
      expect_matches_reference({3, 4, 13}, true, training, dt, tol);     // [N, C, L]: lane tail
      expect_matches_reference({2, 5, 7, 9}, true, training, dt, tol);   // [N, C, H, W]
      expect_matches_reference({4, 3, 5, 5}, false, training, dt, tol);
      expect_matches_reference({2, 2, 3, 2, 2}, true, training, dt, tol);  // 3 spatial dims
    }
  }
}

TEST(BatchNorm, TrainingUpdatesRunningStatsWithTheUnbiasedVariance) {
  Generator g(32);
  for (Shape shape : {Shape{6, 4}, Shape{3, 4, 2, 5}}) {
    Tensor x = randn(shape, &g, kFloat64) * 3.0 + 1.0;
    Tensor rm = randn({4}, &g, kFloat64), rv = rand({4}, &g, kFloat64) + 0.5;
    Tensor rm0 = rm.clone(), rv0 = rv.clone();
    batch_norm(x, rm, rv, Tensor(), Tensor(), true, 0.25);
    Tensor want_m = rm0 * 0.75 + mean(x, reduce_dims(x)) * 0.25;
    Tensor want_v = rv0 * 0.75 + var(x, reduce_dims(x), 1) * 0.25;  // correction 1: M/(M − 1)
    EXPECT_TRUE(tensors_near(rm, want_m, 1e-14)) << shape;
    EXPECT_TRUE(tensors_near(rv, want_v, 1e-14)) << shape;
  }
  // Evaluation leaves them alone.
  Tensor rm = zeros({2}, kFloat64), rv = ones({2}, kFloat64);
  batch_norm(randn({3, 2}, nullptr, kFloat64), rm, rv, Tensor(), Tensor(), false);
  EXPECT_VALUES(rm, {0, 0});
  EXPECT_VALUES(rv, {1, 1});
}

TEST(BatchNorm, ChannelsWithLargeMeanKeepFloat32Precision) {
  // mean 1e4, std 0.1: E[x²] − E[x]² in float32 would lose every digit of the variance.
  Generator g(33);
  Tensor x32 = (randn({16, 3, 6, 6}, &g) * 0.1 + 1e4).to(kFloat32);
  Tensor x64 = x32.to(kFloat64);  // the same values, exactly
  Tensor got = batch_norm(x32, Tensor(), Tensor(), Tensor(), Tensor(), true);
  Tensor want = ref_batch_norm(x64, Tensor(), Tensor(), Tensor(), Tensor(), true, 1e-5);
  EXPECT_TRUE(tensors_near(got, want, 1e-4));
}

TEST(BatchNorm, ResultsAndGradientsDoNotDependOnThreadCount) {
  Generator g(34);
  for (Shape shape : {Shape{512, 70}, Shape{8, 16, 30, 30}}) {
    const int64_t C = shape[1];
    Tensor x = randn(shape, &g), w = randn({C}, &g), b = randn({C}, &g), r = randn(shape, &g);
    auto f = [](const Tensor& xl, const Tensor& wl, const Tensor& bl) {
      return batch_norm(xl, Tensor(), Tensor(), wl, bl, true);
    };
    const int threads = get_num_threads();
    set_num_threads(1);
    Grads one = run(f, x, w, b, r);
    set_num_threads(2);
    Grads two = run(f, x, w, b, r);
    set_num_threads(threads);
    EXPECT_TRUE(testing::bitwise_equal(one.y, two.y)) << shape;
    EXPECT_TRUE(testing::bitwise_equal(one.dx, two.dx)) << shape;
    EXPECT_TRUE(testing::bitwise_equal(one.dw, two.dw)) << shape;
    EXPECT_TRUE(testing::bitwise_equal(one.db, two.db)) << shape;
  }
}

TEST(BatchNorm, NonContiguousInputsMatchContiguousCopies) {
  Generator g(35);
  Tensor x = randn({2, 5, 6, 3}, &g, kFloat64).permute({0, 3, 1, 2});  // NHWC memory seen as [2, 3, 5, 6]
  Tensor w = randn({6}, &g, kFloat64).slice(0, 0, 6, 2);                  // [3], stride 2
  Tensor b = randn({1}, &g, kFloat64).expand({3});                        // stride 0
  Tensor rm = zeros({3}, kFloat64), rv = ones({3}, kFloat64), rm2 = rm.clone(), rv2 = rv.clone();
  EXPECT_TRUE(tensors_near(batch_norm(x, rm, rv, w, b, true),
                           batch_norm(x.contiguous(), rm2, rv2, w.contiguous(), b.contiguous(), true), 1e-15));
  EXPECT_TRUE(tensors_near(rm, rm2, 0) && tensors_near(rv, rv2, 0));
  // Non-contiguous running statistics are updated through their strides.
  Tensor big = zeros({6}, kFloat64), rmv = big.slice(0, 0, 6, 2);
  batch_norm(x, rmv, ones({3}, kFloat64), w, b, true, 1.0);
  EXPECT_TRUE(tensors_near(rmv, mean(x, {0, 2, 3}), 1e-14));
  EXPECT_VALUES(big.slice(0, 1, 6, 2), {0, 0, 0});
}

TEST(BatchNorm, SizeZeroInputs) {
  Tensor w = ones({4}, kFloat64).requires_grad_(), b = zeros({4}, kFloat64).requires_grad_();
  Tensor x = zeros({0, 4, 3}, kFloat64).requires_grad_();
  Tensor y = batch_norm(x, zeros({4}, kFloat64), ones({4}, kFloat64), w, b, false);  // eval: no batch needed
  EXPECT_EQ(y.shape(), Shape({0, 4, 3}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_VALUES(w.grad(), {0, 0, 0, 0});  // empty sums
  EXPECT_VALUES(b.grad(), {0, 0, 0, 0});
  EXPECT_EQ(batch_norm(zeros({5, 0, 2}), Tensor(), Tensor(), Tensor(), Tensor(), true).shape(), Shape({5, 0, 2}));
}

TEST(BatchNorm, EachChannelHasZeroMeanAndUnitVarianceInTraining) {
  Tensor x = tensor<double>({{1, -10}, {2, 0}, {3, 10}, {4, 20}});
  Tensor y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0.0);
  EXPECT_VALUES_NEAR(mean(y, {0}), 1e-15, {0, 0});
  EXPECT_VALUES_NEAR(var(y, {0}, 0), 1e-14, {1, 1});
  // A constant channel has var 0: y = 0·rstd = 0 with eps > 0 (no NaN).
  EXPECT_VALUES(batch_norm(full({3, 1, 2}, 5.0, kFloat64), Tensor(), Tensor(), Tensor(), Tensor(), true), {0, 0, 0, 0, 0, 0});
}

TEST(BatchNorm, BadInputNamesTheOpAndShapes) {
  Tensor x = zeros({2, 3, 4, 4}), c3 = zeros({3}), o3 = ones({3});
  EXPECT_TT_ERROR(batch_norm(x, c3, o3, zeros({4})), "batch_norm", "weight", "[4]", "[2, 3, 4, 4]", "3 channels");
  EXPECT_TT_ERROR(batch_norm(x, c3, o3, c3, zeros({2, 3})), "batch_norm", "bias", "[2, 3]");
  EXPECT_TT_ERROR(batch_norm(x, zeros({5}), ones({5})), "batch_norm", "running_mean", "[5]", "[2, 3, 4, 4]");
  EXPECT_TT_ERROR(batch_norm(x, c3, ones({2})), "batch_norm", "running_var", "[2]");
  EXPECT_TT_ERROR(batch_norm(x, c3, Tensor(), Tensor(), Tensor(), true), "batch_norm", "both");
  EXPECT_TT_ERROR(batch_norm(x, Tensor(), Tensor()), "batch_norm", "evaluation", "running_mean");
  EXPECT_TT_ERROR(batch_norm(zeros({1, 3}), c3, o3, Tensor(), Tensor(), true), "batch_norm", "more than 1 value",
                  "[1, 3]");
  EXPECT_TT_ERROR(batch_norm(zeros({4}), Tensor(), Tensor(), Tensor(), Tensor(), true), "batch_norm", "[4]");
  EXPECT_TT_ERROR(batch_norm(zeros({2, 3}, kInt64), c3, o3), "batch_norm", "int64");
  EXPECT_TT_ERROR(batch_norm(x, c3, o3, zeros({3}, kFloat64)), "batch_norm", "weight", "float64", "float32");
  EXPECT_TT_ERROR(batch_norm(x, c3, o3, Tensor(), Tensor(), false, 0.1, -1.0), "batch_norm", "eps", "-1");
  Tensor rm = zeros({3}).requires_grad_();
  EXPECT_TT_ERROR(batch_norm(x, rm, o3, Tensor(), Tensor(), true), "batch_norm", "require grad");
  EXPECT_TT_ERROR(batch_norm(Tensor(), c3, o3), "batch_norm", "undefined");
}

}  // namespace
}  // namespace tt

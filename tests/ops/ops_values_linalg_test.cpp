// Values of matmul (1-D, 2-D, batched, broadcast-batched, transposed/sliced/expanded operands,
// size 0) and linear against a naive float64 loop; softmax / log_softmax (stability for large
// inputs); cross_entropy (mean/sum/none, label smoothing, ignore_index) against a float64 formula.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "core/generator.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// C = A·B for 2-D tensors, triple loop in float64.
Tensor ref_mm(const Tensor& a, const Tensor& b) {
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>(), c(M * N, 0.0);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) c[i * N + j] += av[i * K + k] * bv[k * N + j];
  return from_vector(c, Shape{M, N});
}

TEST(Matmul, TwoDMatchesNaiveLoopAcrossSizes) {
  Generator g(1);
  for (auto [M, K, N] : std::vector<std::array<int64_t, 3>>{{1, 1, 1}, {2, 3, 4}, {17, 33, 9}, {1, 40, 23},
                                                            {23, 40, 1}, {70, 130, 65}, {200, 300, 150}}) {
    SCOPED_TRACE(::testing::Message() << M << "x" << K << "x" << N);
    Tensor a = randn({M, K}, &g), b = randn({K, N}, &g);
    EXPECT_TRUE(tensors_near(matmul(a, b), ref_mm(a, b), 1e-4));
    Tensor a64 = a.to(kFloat64), b64 = b.to(kFloat64);
    EXPECT_TRUE(tensors_near(matmul(a64, b64), ref_mm(a, b), 1e-12));
  }
}

TEST(Matmul, TransposedSlicedAndExpandedOperands) {
  Generator g(2);
  Tensor A = randn({30, 20}, &g), B = randn({30, 25}, &g);
  Tensor ref_tn = ref_mm(A.t().contiguous(), B);
  EXPECT_TRUE(tensors_near(matmul(A.t(), B), ref_tn, 1e-4));                       // Aᵀ·B
  Tensor C = randn({25, 20}, &g);
  EXPECT_TRUE(tensors_near(matmul(A, C.t()), ref_mm(A, C.t().contiguous()), 1e-4));  // A·Cᵀ
  EXPECT_TRUE(tensors_near(matmul(C, A.t()).t(), ref_mm(A, C.t().contiguous()), 1e-4));
  Tensor D = randn({20, 30}, &g);
  EXPECT_TRUE(tensors_near(matmul(A.t(), D.t()), ref_mm(A.t().contiguous(), D.t().contiguous()), 1e-4));  // Aᵀ·Dᵀ
  Tensor S = A.slice(0, 0, 30, 3).slice(1, 0, 20, 2);  // (10, 10), no unit stride
  Tensor T = C.slice(0, 5, 15);                        // (10, 20) row slice, leading dim 20
  EXPECT_TRUE(tensors_near(matmul(S, T), ref_mm(S.contiguous(), T), 1e-4));
  Tensor row = randn({1, 20}, &g).expand({7, 20});     // stride-0 rows
  EXPECT_TRUE(tensors_near(matmul(row, C.t()), ref_mm(row.contiguous(), C.t().contiguous()), 1e-4));
  Tensor a64 = A.to(kFloat64);
  EXPECT_TRUE(tensors_near(matmul(a64.t(), a64), ref_mm(a64.t().contiguous(), a64), 1e-12));
}

TEST(Matmul, OneDOperandsArePromotedAndSqueezed) {
  Tensor v = tensor<double>({1, 2, 3}), w = tensor<double>({4, 5, 6});
  Tensor dot = matmul(v, w);
  EXPECT_EQ(dot.dim(), 0);
  EXPECT_VALUES(dot, {32});
  Tensor m = arange(6.0, kFloat64).reshape({3, 2});
  EXPECT_EQ(matmul(v, m).shape(), Shape({2}));
  EXPECT_VALUES(matmul(v, m), {16, 22});
  EXPECT_EQ(matmul(m.t(), v).shape(), Shape({2}));
  EXPECT_VALUES(matmul(m.t(), v), {16, 22});
  Tensor batch = arange(12.0, kFloat64).reshape({2, 3, 2});
  EXPECT_EQ(matmul(v, batch).shape(), Shape({2, 2}));
  EXPECT_VALUES(matmul(v, batch), {16, 22, 52, 58});
  EXPECT_EQ(matmul(batch.mT(), v).shape(), Shape({2, 2}));
  EXPECT_VALUES(v.matmul(w), {32});
}

TEST(Matmul, BatchedAndBroadcastBatched) {
  Generator g(3);
  Tensor a = randn({4, 5, 6}, &g, kFloat64), b = randn({4, 6, 3}, &g, kFloat64);
  Tensor c = matmul(a, b);
  EXPECT_EQ(c.shape(), Shape({4, 5, 3}));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(tensors_near(c[i], ref_mm(a[i], b[i]), 1e-12));
  Tensor p = randn({2, 1, 5, 6}, &g, kFloat64), q = randn({3, 6, 4}, &g, kFloat64);
  Tensor r = matmul(p, q);
  EXPECT_EQ(r.shape(), Shape({2, 3, 5, 4}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_TRUE(tensors_near(r[i][j], ref_mm(p[i][0], q[j]), 1e-12));
  Tensor w = randn({6, 2}, &g, kFloat64);  // 2-D right operand shared by every batch
  Tensor s = matmul(a, w);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(tensors_near(s[i], ref_mm(a[i], w), 1e-12));
  Tensor at = a.mT();  // batched transposed views
  Tensor u = matmul(at, a);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(tensors_near(u[i], ref_mm(a[i].t().contiguous(), a[i]), 1e-12));
  Tensor f32 = matmul(a.to(kFloat32), b.to(kFloat32).transpose(1, 2).contiguous().transpose(1, 2));
  EXPECT_TRUE(tensors_near(f32, c, 1e-4));
}

TEST(Matmul, SizeZeroDims) {
  EXPECT_EQ(matmul(zeros({0, 3}), zeros({3, 4})).shape(), Shape({0, 4}));
  Tensor k0 = matmul(zeros({3, 0}), zeros({0, 4}));  // empty inner dim: all zeros, not garbage
  EXPECT_EQ(k0.shape(), Shape({3, 4}));
  EXPECT_TRUE(testing::values_near(k0, std::vector<double>(12, 0.0), 0));
  EXPECT_EQ(matmul(zeros({0, 2, 3}), zeros({3, 4})).shape(), Shape({0, 2, 4}));
  EXPECT_EQ(matmul(zeros({2, 0, 3}), zeros({2, 3, 4})).shape(), Shape({2, 0, 4}));
  Tensor bk0 = matmul(zeros({2, 3, 0}, kFloat64), zeros({2, 0, 4}, kFloat64));
  EXPECT_EQ(bk0.shape(), Shape({2, 3, 4}));
  EXPECT_TRUE(testing::values_near(bk0, std::vector<double>(24, 0.0), 0));
  EXPECT_VALUES(matmul(zeros({0}), zeros({0})), {0});
}

TEST(Linear, WithAndWithoutBiasMatchesMatmul) {
  Generator g(4);
  Tensor x = randn({5, 7}, &g, kFloat64), w = randn({3, 7}, &g, kFloat64), b = randn({3}, &g, kFloat64);
  Tensor ref = ref_mm(x, w.t().contiguous());
  EXPECT_TRUE(tensors_near(linear(x, w), ref, 1e-12));
  EXPECT_TRUE(tensors_near(linear(x, w, b), ref + b, 1e-12));
  Tensor x32 = x.to(kFloat32), w32 = w.to(kFloat32), b32 = b.to(kFloat32);
  EXPECT_TRUE(tensors_near(linear(x32, w32, b32), ref + b, 1e-5));
  EXPECT_EQ(linear(x32, w32, b32).dtype(), kFloat32);
}

TEST(Linear, ThreeDAndOneDInputsAndNonContiguousOperands) {
  Generator g(5);
  Tensor x = randn({2, 4, 6}, &g, kFloat64), w = randn({6, 5}, &g, kFloat64).t(), b = randn({5}, &g, kFloat64);
  Tensor y = linear(x, w, b);  // w is a transposed view (5, 6)
  EXPECT_EQ(y.shape(), Shape({2, 4, 5}));
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(tensors_near(y[i], ref_mm(x[i], w.t().contiguous()) + b, 1e-12));
  Tensor xt = x.transpose(0, 1);  // (4, 2, 6), not viewable as (8, 6)
  EXPECT_TRUE(tensors_near(linear(xt, w, b), y.transpose(0, 1), 1e-12));
  Tensor v = x[0][0];
  Tensor yv = linear(v, w, b);
  EXPECT_EQ(yv.shape(), Shape({5}));
  EXPECT_TRUE(tensors_near(yv, y[0][0], 1e-12));
  Tensor bs = randn({10}, &g, kFloat64).slice(0, 0, 10, 2);  // strided bias
  EXPECT_TRUE(tensors_near(linear(x, w, bs), linear(x, w) + bs, 1e-12));
}

TEST(Linear, SizeZeroRowsAndFeatures) {
  Tensor w = ones({3, 4}), b = tensor<float>({1, 2, 3});
  EXPECT_EQ(linear(zeros({0, 4}), w, b).shape(), Shape({0, 3}));
  Tensor y = linear(zeros({2, 0}), zeros({3, 0}), b);  // no input features: y = b
  EXPECT_VALUES(y, {1, 2, 3, 1, 2, 3});
  EXPECT_VALUES(linear(zeros({2, 0}), zeros({3, 0})), {0, 0, 0, 0, 0, 0});
  // Regression: reshape(x, {-1, 0}) cannot infer -1, so 1-D and 3-D inputs with 0 features threw.
  EXPECT_VALUES(linear(zeros({0}), zeros({3, 0}), b), {1, 2, 3});
  Tensor y3 = linear(zeros({2, 1, 0}), zeros({3, 0}), b);
  EXPECT_EQ(y3.shape(), Shape({2, 1, 3}));
  EXPECT_VALUES(y3, {1, 2, 3, 1, 2, 3});
}

// log Σ exp in float64, the reference for softmax and cross-entropy.
std::vector<double> ref_log_softmax_row(const std::vector<double>& x) {
  double m = -INFINITY, s = 0;
  for (double v : x) m = std::max(m, v);
  for (double v : x) s += std::exp(v - m);
  std::vector<double> out;
  for (double v : x) out.push_back(v - m - std::log(s));
  return out;
}

TEST(Softmax, MatchesReferenceAlongEveryDim) {
  Generator g(6);
  Tensor x = randn({3, 4, 5}, &g, kFloat64) * 3.0;
  for (int d = 0; d < 3; ++d) {
    Tensor xt = x.transpose(d, 2).contiguous();  // softmax dim last
    std::vector<double> v = xt.to_vector<double>(), ref;
    const int64_t n = x.size(d);
    for (size_t r = 0; r < v.size(); r += n) {
      std::vector<double> row(v.begin() + r, v.begin() + r + n), l = ref_log_softmax_row(row);
      ref.insert(ref.end(), l.begin(), l.end());
    }
    Tensor ref_log = from_vector(ref, xt.shape()).transpose(d, 2);
    EXPECT_TRUE(tensors_near(log_softmax(x, d), ref_log, 1e-13)) << "dim " << d;
    EXPECT_TRUE(tensors_near(softmax(x, d - 3), exp(ref_log), 1e-13)) << "dim " << d;
  }
  EXPECT_TRUE(tensors_near(sum(softmax(x, 1), {1}), ones({3, 5}), 1e-14));
  Tensor xt = x.transpose(0, 2);  // non-contiguous input
  EXPECT_TRUE(tensors_near(xt.softmax(0), softmax(xt.contiguous(), 0), 0));
  EXPECT_TRUE(tensors_near(xt.log_softmax(1), log_softmax(xt.contiguous(), 1), 0));
}

TEST(Softmax, StableForLargeAndInfiniteInputs) {
  Tensor x = tensor<float>({1000, 1001, 1002});
  double e1 = std::exp(-1.0), e2 = std::exp(-2.0), z = 1 + e1 + e2;
  EXPECT_VALUES_NEAR(softmax(x, 0), 1e-6, {e2 / z, e1 / z, 1 / z});
  EXPECT_VALUES_NEAR(log_softmax(x, 0), 1e-6, {-2 - std::log(z), -1 - std::log(z), -std::log(z)});
  EXPECT_VALUES_NEAR(softmax(-x, 0), 1e-6, {1 / z, e1 / z, e2 / z});
  EXPECT_VALUES(softmax(tensor<float>({-INFINITY, 0, -INFINITY}), 0), {0, 1, 0});
  EXPECT_VALUES(log_softmax(tensor<float>({-INFINITY, 0}), 0), {-INFINITY, 0});
  EXPECT_VALUES(softmax(scalar_tensor(5), 0), {1});
  EXPECT_EQ(softmax(zeros({3, 0}), 1).shape(), Shape({3, 0}));
  EXPECT_EQ(softmax(zeros({0, 4}), 1).shape(), Shape({0, 4}));
}

// Per-row cross-entropy with label smoothing eps, in float64.
double ref_ce_row(const std::vector<double>& row, int64_t t, double eps) {
  std::vector<double> lp = ref_log_softmax_row(row);
  double smooth = 0;
  for (double v : lp) smooth -= v;
  return (1 - eps) * -lp[t] + eps / row.size() * smooth;
}

TEST(CrossEntropy, ReductionsMatchReference) {
  Generator g(7);
  Tensor x = randn({6, 5}, &g, kFloat64) * 2.0;
  Tensor t = tensor<int64_t>({0, 4, 2, 2, 1, 3});
  std::vector<double> per;
  for (int i = 0; i < 6; ++i) per.push_back(ref_ce_row(x[i].to_vector<double>(), t[i].item<int64_t>(), 0));
  double total = 0;
  for (double v : per) total += v;
  EXPECT_TRUE(testing::values_near(cross_entropy(x, t, Reduction::None), per, 1e-13));
  EXPECT_VALUES_NEAR(cross_entropy(x, t, Reduction::Sum), 1e-13, {total});
  EXPECT_VALUES_NEAR(cross_entropy(x, t), 1e-13, {total / 6});
  EXPECT_EQ(cross_entropy(x, t).dim(), 0);
  EXPECT_VALUES_NEAR(cross_entropy(x.to(kFloat32), t.to(kInt32)), 1e-6, {total / 6});
  EXPECT_VALUES_NEAR(cross_entropy(x.t().contiguous().t(), t), 1e-13, {total / 6});  // non-contiguous logits
  EXPECT_EQ(parse_reduction("sum", "cross_entropy"), Reduction::Sum);
}

TEST(CrossEntropy, LabelSmoothingAndIgnoreIndex) {
  Generator g(8);
  Tensor x = randn({4, 3}, &g, kFloat64);
  Tensor t = tensor<int64_t>({1, -100, 0, 2});
  std::vector<double> per;
  for (int i = 0; i < 4; ++i) {
    int64_t ti = t[i].item<int64_t>();
    per.push_back(ti == -100 ? 0 : ref_ce_row(x[i].to_vector<double>(), ti, 0.1));
  }
  EXPECT_TRUE(testing::values_near(cross_entropy(x, t, Reduction::None, -100, 0.1), per, 1e-13));
  EXPECT_VALUES_NEAR(cross_entropy(x, t, Reduction::Mean, -100, 0.1), 1e-13, {(per[0] + per[2] + per[3]) / 3});
  EXPECT_VALUES_NEAR(cross_entropy(x, t, Reduction::Sum, -100, 0.1), 1e-13, {per[0] + per[2] + per[3]});
  Tensor t2 = tensor<int64_t>({1, 1, 0, 2});  // ignore_index that is a valid class
  double kept = ref_ce_row(x[0].to_vector<double>(), 1, 0) + ref_ce_row(x[1].to_vector<double>(), 1, 0) +
                ref_ce_row(x[3].to_vector<double>(), 2, 0);
  EXPECT_VALUES_NEAR(cross_entropy(x, t2, Reduction::Mean, 0), 1e-13, {kept / 3});
  EXPECT_TRUE(std::isnan(cross_entropy(x, full({4}, -100, kInt64)).item<double>()));  // all ignored → NaN
}

TEST(CrossEntropy, OneDLogitsStableForLargeLogitsAndEmptyBatch) {
  Tensor x = tensor<float>({1000, 0, -1000});
  EXPECT_VALUES_NEAR(cross_entropy(x, scalar_tensor(0, kInt64)), 1e-6, {0});
  EXPECT_VALUES_NEAR(cross_entropy(x, scalar_tensor(1, kInt64), Reduction::None), 1e-6, {1000});
  EXPECT_EQ(cross_entropy(x, scalar_tensor(1, kInt64), Reduction::None).dim(), 0);
  // Large float32 logits keep log Σ's digits (regression: lse = m + log Σ rounded them away).
  Tensor big = tensor<float>({1000, 1001, 1002});
  const double lz = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  EXPECT_VALUES_NEAR(cross_entropy(big, scalar_tensor(0, kInt64)), 1e-6, {2 + lz});
  EXPECT_VALUES_NEAR(cross_entropy(big, scalar_tensor(0, kInt64), Reduction::Mean, -100, 0.3), 1e-6,
                     {0.7 * (2 + lz) + 0.1 * (3 * lz + 3)});
  EXPECT_EQ(cross_entropy(zeros({0, 3}), zeros({0}, kInt64), Reduction::None).shape(), Shape({0}));
  EXPECT_VALUES(cross_entropy(zeros({0, 3}), zeros({0}, kInt64), Reduction::Sum), {0});
}

}  // namespace
}  // namespace tt

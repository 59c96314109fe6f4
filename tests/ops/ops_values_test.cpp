// Values of the elementwise ops (binary, unary, clamp, where, masked_fill, logical) and the in-place
// methods against hand-computed or float64 std:: references: broadcasting, non-contiguous inputs,
// size-0 inputs, dtype promotion; plus bitwise determinism of threaded kernels.
// Siblings: ops_values_reduce_test.cpp, ops_values_linalg_test.cpp, ops_values_index_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/generator.h"
#include "core/node.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// f applied elementwise in float64: the reference for unary ops.
Tensor map_ref(const Tensor& x, double (*f)(double)) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = f(e);
  return from_vector(v, x.shape());
}

TEST(Binary, ArithmeticValues) {
  Tensor a = tensor<float>({1, 2, 3, 4}), b = tensor<float>({2, 4, 6, 8});
  EXPECT_VALUES(a + b, {3, 6, 9, 12});
  EXPECT_VALUES(a - b, {-1, -2, -3, -4});
  EXPECT_VALUES(a * b, {2, 8, 18, 32});
  EXPECT_VALUES(b / a, {2, 2, 2, 2});
  EXPECT_VALUES(add(a, b, 2.0), {5, 10, 15, 20});
  EXPECT_VALUES(sub(a, b, 0.5), {0, 0, 0, 0});
  EXPECT_VALUES(-a, {-1, -2, -3, -4});
  EXPECT_VALUES(a + 1.0, {2, 3, 4, 5});
  EXPECT_VALUES(10.0 - a, {9, 8, 7, 6});
  EXPECT_VALUES(2.0 * a, {2, 4, 6, 8});
  EXPECT_VALUES(1.0 / tensor<float>({2, 4}), {0.5, 0.25});
  EXPECT_VALUES(a / 2.0, {0.5, 1, 1.5, 2});
}

TEST(Binary, BroadcastsLikeNumPy) {
  Tensor col = tensor<float>({1, 2, 3}).reshape({3, 1}), row = tensor<float>({10, 20, 30, 40}).reshape({1, 4});
  Tensor s = col + row;
  EXPECT_EQ(s.shape(), Shape({3, 4}));
  EXPECT_VALUES(s, {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43});
  Tensor m = arange(6.0, kFloat32).reshape({2, 3});
  EXPECT_VALUES(m * tensor<float>({1, 10, 100}), {0, 10, 200, 3, 40, 500});
  EXPECT_VALUES(m - scalar_tensor(1), {-1, 0, 1, 2, 3, 4});
  Tensor b3 = arange(2.0, kFloat32).reshape({2, 1, 1}) + m;  // (2,1,1) + (2,3) → (2,2,3)
  EXPECT_EQ(b3.shape(), Shape({2, 2, 3}));
  EXPECT_EQ(element_at(b3, {1, 1, 2}), 6.0);
}

TEST(Binary, NonContiguousInputs) {
  Tensor m = arange(12.0, kFloat64).reshape({3, 4});
  Tensor t = m.t();                        // (4, 3) transposed
  Tensor s = m.slice(1, 0, 4, 2);          // (3, 2) strided
  Tensor e = tensor<double>({1, 2, 3}).unsqueeze(0).expand({4, 3});
  EXPECT_TRUE(tensors_near(t + e, t.contiguous() + e.contiguous(), 0));
  EXPECT_TRUE(tensors_near(t * t, t.contiguous() * t.contiguous(), 0));
  EXPECT_VALUES(s * 2.0, {0, 4, 8, 12, 16, 20});
  EXPECT_VALUES(s.t() - s.t(), {0, 0, 0, 0, 0, 0});
  Tensor big = arange(100000.0, kFloat32).reshape({1000, 100}).t();  // large, threaded, strided
  EXPECT_TRUE(tensors_near(big + big, big.contiguous() * 2.0, 0));
}

TEST(Binary, SizeZeroInputs) {
  Tensor z = zeros({0, 3}) + ones({1, 3});
  EXPECT_EQ(z.shape(), Shape({0, 3}));
  EXPECT_EQ((zeros({2, 0}) * zeros({0})).shape(), Shape({2, 0}));
  EXPECT_EQ(eq(zeros({0}), zeros({0})).dtype(), kBool);
}

TEST(Binary, DTypePromotion) {
  Tensor i = tensor<int32_t>({7, -7}), f = tensor<float>({0.5f, 0.5f});
  EXPECT_EQ((i + f).dtype(), kFloat32);
  EXPECT_VALUES(i + f, {7.5, -6.5});
  EXPECT_EQ((i + tensor<int64_t>({1, 1})).dtype(), kInt64);
  EXPECT_EQ((f + tensor<double>({1, 1})).dtype(), kFloat64);
  Tensor q = i / tensor<int32_t>({2, 2});  // true division, as torch.div
  EXPECT_EQ(q.dtype(), kFloat32);
  EXPECT_VALUES(q, {3.5, -3.5});
  EXPECT_EQ((i * 2.0).dtype(), kInt32);      // scalars do not promote within a kind
  EXPECT_EQ((i * 2.5).dtype(), kFloat32);    // a float scalar makes an int tensor float
  EXPECT_VALUES(i * 2.5, {17.5, -17.5});
  EXPECT_EQ((f * 2.0).dtype(), kFloat32);
  EXPECT_EQ((tensor<uint8_t>({200}) + tensor<uint8_t>({100})).dtype(), kUInt8);
  EXPECT_VALUES(tensor<uint8_t>({200}) + tensor<uint8_t>({100}), {44});  // wraps like PyTorch
  EXPECT_EQ(lt(i, f).dtype(), kBool);
  EXPECT_VALUES(lt(i, f), {0, 1});
}

TEST(Binary, PowValues) {
  Tensor a = tensor<double>({1, 2, 3, 0.5});
  EXPECT_VALUES(pow(a, 2.0), {1, 4, 9, 0.25});
  EXPECT_VALUES_NEAR(a.pow(0.5), 1e-15, {1, std::sqrt(2.0), std::sqrt(3.0), std::sqrt(0.5)});
  EXPECT_VALUES(pow(a, tensor<double>({3, 0, -1, 2})), {1, 1, 1.0 / 3, 0.25});
  EXPECT_VALUES(pow(tensor<int64_t>({2, 3}), 3.0), {8, 27});
  EXPECT_EQ(pow(tensor<int64_t>({2, 3}), 3.0).dtype(), kInt64);
  EXPECT_EQ(pow(tensor<int64_t>({4}), 0.5).dtype(), kFloat32);
  EXPECT_VALUES(pow(tensor<int64_t>({4}), 0.5), {2});
  EXPECT_VALUES(pow(tensor<double>({2}).expand({3}), tensor<double>({1, 2, 3})), {2, 4, 8});
}

TEST(Binary, MaximumMinimumPropagateNaN) {
  Tensor a = tensor<float>({1, 5, NAN, 2}), b = tensor<float>({3, 4, 1, NAN});
  EXPECT_VALUES(maximum(a, b), {3, 5, NAN, NAN});
  EXPECT_VALUES(minimum(a, b), {1, 4, NAN, NAN});
  EXPECT_VALUES(maximum(tensor<int32_t>({1, 9}), tensor<int32_t>({4, 2})), {4, 9});
  EXPECT_VALUES(minimum(arange(4.0, kFloat32), scalar_tensor(2)), {0, 1, 2, 2});
}

TEST(Binary, ComparisonsAndLogical) {
  Tensor a = tensor<float>({1, 2, 3}), b = tensor<float>({3, 2, 1});
  EXPECT_VALUES(a == b, {0, 1, 0});
  EXPECT_VALUES(a != b, {1, 0, 1});
  EXPECT_VALUES(a < b, {1, 0, 0});
  EXPECT_VALUES(a <= b, {1, 1, 0});
  EXPECT_VALUES(a > b, {0, 0, 1});
  EXPECT_VALUES(a >= b, {0, 1, 1});
  EXPECT_VALUES(a > 1.5, {0, 1, 1});
  EXPECT_VALUES(a == 2.0, {0, 1, 0});
  EXPECT_EQ((a == b).dtype(), kBool);
  EXPECT_VALUES(tensor<float>({NAN}) == tensor<float>({NAN}), {0});
  Tensor p = tensor({true, true, false, false}), q = tensor({true, false, true, false});
  EXPECT_VALUES(p & q, {1, 0, 0, 0});
  EXPECT_VALUES(p | q, {1, 1, 1, 0});
  EXPECT_VALUES(logical_not(p), {0, 0, 1, 1});
  EXPECT_VALUES(logical_not(tensor<float>({0, 2.5})), {1, 0});
  EXPECT_VALUES(logical_and(tensor<int32_t>({0, 3}), tensor<float>({1, 1})), {0, 1});
}

TEST(Unary, MatchFloat64Reference) {
  Generator g(5);
  Tensor x = randn({4, 5}, &g, kFloat64) * 3.0;
  Tensor pos = rand({4, 5}, &g, kFloat64) * 4.0 + 0.1;
  const double tol = 1e-14;
  EXPECT_TRUE(tensors_near(neg(x), map_ref(x, [](double v) { return -v; }), tol));
  EXPECT_TRUE(tensors_near(exp(x), map_ref(x, [](double v) { return std::exp(v); }), tol));
  EXPECT_TRUE(tensors_near(log(pos), map_ref(pos, [](double v) { return std::log(v); }), tol));
  EXPECT_TRUE(tensors_near(log1p(pos), map_ref(pos, [](double v) { return std::log1p(v); }), tol));
  EXPECT_TRUE(tensors_near(sqrt(pos), map_ref(pos, [](double v) { return std::sqrt(v); }), tol));
  EXPECT_TRUE(tensors_near(abs(x), map_ref(x, [](double v) { return std::fabs(v); }), tol));
  EXPECT_TRUE(tensors_near(sign(x), map_ref(x, [](double v) { return double((v > 0) - (v < 0)); }), tol));
  EXPECT_TRUE(tensors_near(relu(x), map_ref(x, [](double v) { return v > 0 ? v : 0; }), tol));
  EXPECT_TRUE(tensors_near(leaky_relu(x, 0.2), map_ref(x, [](double v) { return v > 0 ? v : 0.2 * v; }), tol));
  EXPECT_TRUE(tensors_near(elu(x, 1.5), map_ref(x, [](double v) { return v > 0 ? v : 1.5 * std::expm1(v); }), tol));
  EXPECT_TRUE(tensors_near(sigmoid(x), map_ref(x, [](double v) { return 1 / (1 + std::exp(-v)); }), tol));
  EXPECT_TRUE(tensors_near(tanh(x), map_ref(x, [](double v) { return std::tanh(v); }), tol));
  EXPECT_TRUE(tensors_near(gelu(x), map_ref(x, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }),
                           tol));
  EXPECT_TRUE(tensors_near(gelu(x, "tanh"), map_ref(x, [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  }), tol));
  EXPECT_TRUE(tensors_near(silu(x), map_ref(x, [](double v) { return v / (1 + std::exp(-v)); }), tol));
}

TEST(Unary, Float32CloseToFloat64AndNonContiguous) {
  Generator g(6);
  Tensor x64 = randn({6, 7}, &g, kFloat64);
  Tensor x32 = x64.to(kFloat32).t();  // transposed view
  Tensor r = x64.t();
  EXPECT_TRUE(tensors_near(exp(x32), exp(r), 1e-6));
  EXPECT_TRUE(tensors_near(sigmoid(x32), sigmoid(r), 1e-6));
  EXPECT_TRUE(tensors_near(gelu(x32), gelu(r), 1e-6));
  EXPECT_TRUE(tensors_near(tanh(x32.slice(0, 0, 7, 3)), tanh(r.slice(0, 0, 7, 3)), 1e-6));
  EXPECT_TRUE(tensors_near(silu(x32.select(1, 2).unsqueeze(0).expand({3, 7})),
                           silu(r.select(1, 2)).unsqueeze(0).expand({3, 7}), 1e-6));
}

TEST(Unary, SigmoidAndSiluStableForLargeInputs) {
  Tensor x = tensor<float>({-1000, -100, 0, 100, 1000});
  EXPECT_VALUES_NEAR(sigmoid(x), 1e-30, {0, std::exp(-100.0), 0.5, 1, 1});
  EXPECT_VALUES_NEAR(silu(x), 1e-30, {-0.0, -100 * std::exp(-100.0), 0, 100, 1000});
  EXPECT_VALUES(exp(tensor<float>({-INFINITY, 0})), {0, 1});
}

TEST(Unary, IntegerInputs) {
  Tensor i = tensor<int64_t>({-2, 0, 3});
  EXPECT_EQ(neg(i).dtype(), kInt64);
  EXPECT_VALUES(neg(i), {2, 0, -3});
  EXPECT_VALUES(abs(i), {2, 0, 3});
  EXPECT_VALUES(relu(i), {0, 0, 3});
  EXPECT_VALUES(sign(i), {-1, 0, 1});
  EXPECT_EQ(exp(i).dtype(), kFloat32);  // float functions compute int inputs in float32
  EXPECT_VALUES_NEAR(exp(i), 1e-7, {std::exp(-2.0), 1, std::exp(3.0)});
  EXPECT_VALUES_NEAR(sqrt(tensor<uint8_t>({4, 9})), 0, {2, 3});
  EXPECT_EQ(relu(zeros({0, 2})).shape(), Shape({0, 2}));
}

TEST(Clamp, BoundsAndNaN) {
  Tensor x = tensor<float>({-2, -0.5, 0.5, 2, NAN});
  EXPECT_VALUES(clamp(x, -1.0, 1.0), {-1, -0.5, 0.5, 1, NAN});
  EXPECT_VALUES(clamp(x, 0.0, std::nullopt), {0, 0, 0.5, 2, NAN});
  EXPECT_VALUES(clamp(x, std::nullopt, 0.0), {-2, -0.5, 0, 0, NAN});
  EXPECT_VALUES(x.clamp(1, 1), {1, 1, 1, 1, NAN});
  EXPECT_VALUES(clamp(tensor<int64_t>({-5, 5, 50}), 0.0, 10.0), {0, 5, 10});
  EXPECT_VALUES(clamp(arange(6.0, kFloat32).reshape({2, 3}).t(), 1.0, 4.0), {1, 3, 1, 4, 2, 4});
}

TEST(Where, SelectsWithBroadcastAndPromotion) {
  Tensor cond = tensor({true, false, true});
  Tensor a = tensor<float>({1, 2, 3}), b = tensor<float>({-1, -2, -3});
  EXPECT_VALUES(where(cond, a, b), {1, -2, 3});
  Tensor w = where(cond.reshape({3, 1}), a.reshape({1, 3}), scalar_tensor(0));
  EXPECT_EQ(w.shape(), Shape({3, 3}));
  EXPECT_VALUES(w, {1, 2, 3, 0, 0, 0, 1, 2, 3});
  EXPECT_VALUES(where(tensor<int32_t>({0, 5}), tensor<float>({1, 1}), tensor<float>({2, 2})), {2, 1});
  Tensor mixed = where(cond, tensor<int64_t>({1, 2, 3}), tensor<double>({0.5, 0.5, 0.5}));
  EXPECT_EQ(mixed.dtype(), kFloat64);
  EXPECT_VALUES(mixed, {1, 0.5, 3});
}

TEST(MaskedFill, FillsWhereMaskIsTrue) {
  Tensor x = arange(6.0, kFloat32).reshape({2, 3});
  Tensor m = tensor({false, true, false});
  EXPECT_VALUES(masked_fill(x, m, -1.0), {0, -1, 2, 3, -1, 5});
  EXPECT_VALUES(masked_fill(x, x > 3.5, -INFINITY), {0, 1, 2, 3, -INFINITY, -INFINITY});
  EXPECT_EQ(masked_fill(x.t(), m.reshape({3, 1}), 9.0).shape(), Shape({3, 2}));
  EXPECT_VALUES(masked_fill(x.t(), m.reshape({3, 1}), 9.0), {0, 3, 9, 9, 2, 5});
}

TEST(InPlace, AddMulFillZeroCopy) {
  Tensor x = tensor<float>({1, 2, 3});
  x.add_(tensor<float>({1, 1, 1}));
  EXPECT_VALUES(x, {2, 3, 4});
  x.add_(tensor<float>({1, 2, 3}), -2.0);
  EXPECT_VALUES(x, {0, -1, -2});
  x.add_(scalar_tensor(10, kFloat64));  // broadcast and dtype conversion of `other`
  EXPECT_VALUES(x, {10, 9, 8});
  x.mul_(0.5);
  EXPECT_VALUES(x, {5, 4.5, 4});
  x.fill_(7);
  EXPECT_VALUES(x, {7, 7, 7});
  x.zero_();
  EXPECT_VALUES(x, {0, 0, 0});
  Tensor m = zeros({2, 3});
  m.copy_(tensor<int64_t>({1, 2, 3}));  // broadcast rows, convert dtype
  EXPECT_VALUES(m, {1, 2, 3, 1, 2, 3});
  m.t().copy_(arange(6.0, kFloat64).reshape({3, 2}));  // into a transposed view
  EXPECT_VALUES(m, {0, 2, 4, 1, 3, 5});
}

TEST(InPlace, UpdatesThroughViewsReachTheBase) {
  Tensor m = zeros({3, 4}, kFloat64);
  m.select(1, 2).fill_(1);
  m.slice(0, 0, 3, 2).add_(ones({4}, kFloat64));
  m.t()[0].mul_(3);
  EXPECT_VALUES(m, {3, 1, 2, 1, 0, 0, 1, 0, 3, 1, 2, 1});
  Tensor i = arange(4.0, kInt32);
  i.add_(tensor<int32_t>({1, 1, 1, 1}), 3);
  EXPECT_VALUES(i, {3, 4, 5, 6});
}

TEST(InPlace, CopyRejectsSourceThatDoesNotBroadcastToDestination) {  // regression: silently read a corner
  Tensor dst = zeros({3, 1});
  EXPECT_TT_ERROR(dst.copy_(ones({3, 4})), "copy_", "[3, 4]", "[3, 1]");
  EXPECT_TT_ERROR(dst.add_(ones({3, 4})), "add_", "[3, 4]", "[3, 1]");
}

TEST(Determinism, ThreadedOpsAreBitwiseReproducible) {
  const int saved = get_num_threads();
  set_num_threads(2);
  Generator g(77);
  Tensor x = randn({1 << 20}, &g);  // 1,048,576 elements
  Tensor m = x.reshape({1024, 1024});
  Tensor s1 = sum(x), e1 = exp(x), r1 = sum(m, {1}), c1 = sum(m, {0}), p1 = m.t() * 2.0 + m;
  Tensor s2 = sum(x), e2 = exp(x), r2 = sum(m, {1}), c2 = sum(m, {0}), p2 = m.t() * 2.0 + m;
  EXPECT_TRUE(testing::bitwise_equal(s1, s2));
  EXPECT_TRUE(testing::bitwise_equal(e1, e2));
  EXPECT_TRUE(testing::bitwise_equal(r1, r2));
  EXPECT_TRUE(testing::bitwise_equal(c1, c2));
  EXPECT_TRUE(testing::bitwise_equal(p1, p2));
  Tensor mm1 = matmul(m.slice(0, 0, 256), m.slice(1, 0, 256)), mm2 = matmul(m.slice(0, 0, 256), m.slice(1, 0, 256));
  EXPECT_TRUE(testing::bitwise_equal(mm1, mm2));
  // And the same answer as one thread for the elementwise ops (no reduction order involved).
  set_num_threads(1);
  EXPECT_TRUE(testing::bitwise_equal(exp(x), e1));
  EXPECT_NEAR(sum(x.to(kFloat64)).item<double>(), s1.item<double>(), 0.1);
  set_num_threads(saved);
}

}  // namespace
}  // namespace tt

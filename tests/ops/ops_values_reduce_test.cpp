// Values of the reductions (sum, mean, amax, amin, var, std, max/min with indices, argmax/argmin)
// against hand-computed results and a float64 loop reference: single, multiple and negative dims,
// keepdim, every kernel layout (contiguous rows, kept-contiguous columns, strided), size-0 inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/generator.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// Reference reduction in float64 over `dims` (all when empty) by visiting every element.
Tensor ref_reduce(const Tensor& x, std::vector<int> dims, bool keepdim, double init,
                  const std::function<double(double, double)>& op) {
  std::vector<bool> red(x.dim(), dims.empty());
  for (int d : dims) red[d < 0 ? d + x.dim() : d] = true;
  Shape out_shape, keep_shape;
  for (int i = 0; i < x.dim(); ++i) {
    keep_shape.push_back(red[i] ? 1 : x.shape()[i]);
    if (!red[i]) out_shape.push_back(x.shape()[i]);
    else if (keepdim) out_shape.push_back(1);
  }
  std::vector<double> out(keep_shape.numel(), init), v = x.to_vector<double>();
  Strides ks = contiguous_strides(keep_shape);
  for (int64_t n = 0; n < x.numel(); ++n) {
    int64_t rem = n, o = 0;
    for (int i = x.dim() - 1; i >= 0; --i) {
      int64_t c = rem % x.shape()[i];
      rem /= x.shape()[i];
      if (!red[i]) o += c * ks[i];
    }
    out[o] = op(out[o], v[n]);
  }
  return from_vector(out, out_shape);
}
double plus(double a, double b) { return a + b; }

TEST(Sum, AllDimsSingleMultipleNegativeKeepdim) {
  Tensor x = arange(24.0, kFloat32).reshape({2, 3, 4});
  EXPECT_VALUES(sum(x), {276});
  EXPECT_EQ(sum(x).dim(), 0);
  EXPECT_VALUES(x.sum({0}), {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34});
  EXPECT_VALUES(x.sum({-1}), {6, 22, 38, 54, 70, 86});
  EXPECT_VALUES(x.sum({0, 2}), {60, 92, 124});
  EXPECT_VALUES(x.sum({2, 0}), {60, 92, 124});
  EXPECT_EQ(x.sum({1}, true).shape(), Shape({2, 1, 4}));
  EXPECT_EQ(x.sum({0, -1}, true).shape(), Shape({1, 3, 1}));
  EXPECT_EQ(x.sum({0, 1, 2}).shape(), Shape({}));
  EXPECT_VALUES(sum(scalar_tensor(3), {0}), {3});
}

TEST(Sum, MatchesReferenceOnEveryLayout) {
  Generator g(3);
  Tensor base = randn({5, 6, 7}, &g, kFloat64);
  for (const Tensor& x : {base, base.transpose(0, 2), base.permute({1, 2, 0}), base.slice(1, 0, 6, 2),
                          base.select(1, 3).unsqueeze(1).expand({5, 4, 7})}) {
    for (std::vector<int> dims : std::vector<std::vector<int>>{{}, {0}, {1}, {2}, {0, 1}, {1, 2}, {0, 2}}) {
      Shape sd;
      for (int d : dims) sd.push_back(d);
      for (bool keep : {false, true}) {
        SCOPED_TRACE(::testing::Message() << "shape " << x.shape() << " strides " << x.strides() << " dims " << sd
                                          << " keep " << keep);
        EXPECT_TRUE(tensors_near(sum(x, sd, keep), ref_reduce(x, dims, keep, 0, plus), 1e-12));
        EXPECT_TRUE(tensors_near(amax(x, sd, keep), ref_reduce(x, dims, keep, -INFINITY, [](double a, double b) {
          return std::max(a, b);
        }), 0));
      }
    }
  }
}

TEST(Sum, Float32LargeRowsCloseToFloat64) {
  Generator g(4);
  Tensor x = randn({3, 100000}, &g, kFloat32);
  EXPECT_TRUE(tensors_near(sum(x, {1}), sum(x.to(kFloat64), {1}), 1e-4));
  EXPECT_TRUE(tensors_near(sum(x.t(), {0}), sum(x.to(kFloat64), {1}), 1e-4));
}

TEST(Sum, IntegerAndBoolAccumulateInInt64) {
  Tensor i8 = full({300}, 100, kInt8);
  EXPECT_EQ(sum(i8).dtype(), kInt64);
  EXPECT_VALUES(sum(i8), {30000});
  EXPECT_EQ(sum(tensor({true, true, false})).dtype(), kInt64);
  EXPECT_VALUES(sum(tensor({true, true, false})), {2});
  EXPECT_VALUES(sum(tensor<int32_t>({1, 2, 3, 4}).reshape({2, 2}), {0}), {4, 6});
}

TEST(Sum, SizeZeroInputs) {
  EXPECT_VALUES(sum(zeros({0})), {0});
  EXPECT_VALUES(sum(zeros({0, 3}), {0}), {0, 0, 0});
  EXPECT_EQ(sum(zeros({0, 3}), {1}).shape(), Shape({0}));
  EXPECT_EQ(sum(zeros({2, 0, 3}), {1}, true).shape(), Shape({2, 1, 3}));
  EXPECT_VALUES(sum(zeros({2, 0, 3}), {1}, true), {0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(std::isnan(mean(zeros({0})).item<double>()));
  EXPECT_EQ(amax(zeros({0, 3}), {1}).shape(), Shape({0}));
}

TEST(Mean, Values) {
  Tensor x = arange(6.0, kFloat64).reshape({2, 3});
  EXPECT_VALUES(mean(x), {2.5});
  EXPECT_VALUES(x.mean({0}), {1.5, 2.5, 3.5});
  EXPECT_VALUES(x.mean({-1}, true), {1, 4});
  EXPECT_EQ(x.mean({-1}, true).shape(), Shape({2, 1}));
  EXPECT_VALUES(mean(x.t(), {1}), {1.5, 2.5, 3.5});
  EXPECT_EQ(mean(x.to(kFloat32)).dtype(), kFloat32);
}

TEST(Extremes, AmaxAminValuesAndNaN) {
  Tensor x = tensor({{1.f, 7.f, 3.f}, {9.f, -2.f, 9.f}});
  EXPECT_VALUES(amax(x), {9});
  EXPECT_VALUES(amin(x), {-2});
  EXPECT_VALUES(amax(x, {1}), {7, 9});
  EXPECT_VALUES(amin(x, {0}), {1, -2, 3});
  EXPECT_VALUES(x.max(), {9});
  EXPECT_VALUES(x.min(), {-2});
  EXPECT_VALUES(amax(tensor<float>({1, NAN, 3})), {NAN});
  EXPECT_VALUES(amin(tensor<float>({NAN, 1, 3})), {NAN});
  EXPECT_VALUES(amax(arange(20.0, kFloat32).reshape({2, 10}), {1}), {9, 19});  // 8-way unrolled row
  EXPECT_VALUES(amax(tensor<int32_t>({-5, -3}).reshape({1, 2}), {1}), {-3});
  EXPECT_VALUES(amin(tensor<uint8_t>({200, 100})), {100});
  EXPECT_VALUES(amax(full({3}, -INFINITY)), {-INFINITY});
  // Regression: bool amax/amin wrote nothing (uninitialised output).
  Tensor b = tensor({false, true, false, false}).reshape({2, 2});
  EXPECT_EQ(amax(b).dtype(), kBool);
  EXPECT_VALUES(amax(b, {1}), {1, 0});
  EXPECT_VALUES(amin(b, {0}), {0, 0});
  EXPECT_VALUES(amin(tensor({true, true})), {1});
}

TEST(VarStd, CorrectionZeroAndOne) {
  Tensor x = tensor<double>({1, 2, 3, 4});  // mean 2.5, Σ(x−x̄)² = 5
  EXPECT_VALUES_NEAR(var(x), 1e-15, {5.0 / 3});
  EXPECT_VALUES_NEAR(var(x, {}, 0), 1e-15, {1.25});
  EXPECT_VALUES_NEAR(tt::std(x), 1e-15, {std::sqrt(5.0 / 3)});
  EXPECT_VALUES_NEAR(tt::std(x, {}, 0), 1e-15, {std::sqrt(1.25)});
  Tensor m = tensor({{1., 2., 3.}, {4., 6., 8.}});
  EXPECT_VALUES_NEAR(var(m, {1}), 1e-15, {1, 4});
  EXPECT_VALUES_NEAR(var(m, {0}, 0), 1e-15, {2.25, 4, 6.25});
  EXPECT_EQ(var(m, {1}, 1, true).shape(), Shape({2, 1}));
  EXPECT_VALUES_NEAR(m.std({-1}, 1, true), 1e-15, {1, 2});
  EXPECT_VALUES_NEAR(var(m.t(), {0}), 1e-15, {1, 4});
  EXPECT_VALUES_NEAR(var(m, {0, 1}, 0), 1e-15, {34.0 / 6});  // mean 4, squares 9 4 1 0 4 16
  EXPECT_TRUE(std::isnan(var(tensor<double>({3})).item<double>()));  // one sample, correction 1
  EXPECT_VALUES(var(full({5}, 2.0, kFloat32)), {0});
}

TEST(MaxMinDim, ValuesAndIndicesWithFirstOccurrenceOnTies) {
  Tensor x = tensor({{1.f, 5.f, 5.f, 0.f}, {2.f, 2.f, -1.f, -1.f}});
  ValuesIndices mx = max(x, 1);
  EXPECT_VALUES(mx.values, {5, 2});
  EXPECT_VALUES(mx.indices, {1, 0});
  EXPECT_EQ(mx.indices.dtype(), kInt64);
  ValuesIndices mn = min(x, -1);
  EXPECT_VALUES(mn.values, {0, -1});
  EXPECT_VALUES(mn.indices, {3, 2});
  ValuesIndices m0 = max(x, 0, true);
  EXPECT_EQ(m0.values.shape(), Shape({1, 4}));
  EXPECT_VALUES(m0.values, {2, 5, 5, 0});
  EXPECT_VALUES(m0.indices, {1, 0, 0, 0});
  EXPECT_VALUES(x.max(1), {5, 2});
  EXPECT_VALUES(x.min(0), {1, 2, -1, -1});
  ValuesIndices t = max(x.t(), 0);  // non-contiguous
  EXPECT_VALUES(t.values, {5, 2});
  EXPECT_VALUES(t.indices, {1, 0});
  ValuesIndices s = max(scalar_tensor(4), 0);
  EXPECT_EQ(s.values.dim(), 0);
  EXPECT_VALUES(s.indices, {0});
}

TEST(MaxMinDim, NaNPropagatesWithItsIndex) {
  Tensor x = tensor({{1.f, NAN, 3.f, NAN}, {4.f, 0.f, 9.f, 2.f}});
  ValuesIndices mx = max(x, 1), mn = min(x, 1);
  EXPECT_VALUES(mx.values, {NAN, 9});
  EXPECT_VALUES(mx.indices, {1, 2});
  EXPECT_VALUES(mn.values, {NAN, 0});
  EXPECT_VALUES(mn.indices, {1, 1});
}

TEST(ArgMax, WithAndWithoutDim) {
  Tensor x = tensor({{1.f, 9.f, 3.f}, {9.f, 0.f, 2.f}});
  EXPECT_VALUES(argmax(x), {1});  // flattened, first of the ties
  EXPECT_EQ(argmax(x).dim(), 0);
  EXPECT_VALUES(argmin(x), {4});
  EXPECT_VALUES(argmax(x, 0), {1, 0, 0});
  EXPECT_VALUES(argmax(x, 1), {1, 0});
  EXPECT_VALUES(argmin(x, -1), {0, 1});
  EXPECT_EQ(argmax(x, 1, true).shape(), Shape({2, 1}));
  EXPECT_VALUES(x.argmax(0), {1, 0, 0});
  EXPECT_VALUES(argmax(x.t()), {1});  // flattened in logical order of the view
  EXPECT_VALUES(argmax(tensor<int64_t>({3, 7, 7})), {1});
  EXPECT_VALUES(argmax(tensor({false, true, true})), {1});
  Tensor big = zeros({5000});
  big.select(0, 4321).fill_(1);
  EXPECT_VALUES(argmax(big), {4321});
}

}  // namespace
}  // namespace tt

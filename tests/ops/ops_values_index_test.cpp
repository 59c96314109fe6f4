// Values of the joining ops (cat, stack, split, chunk) and the indexing ops (index_select, gather,
// scatter_add, index_add, one_hot) on contiguous, non-contiguous and size-0 inputs.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

Tensor iota(const Shape& shape, DType dt = kFloat32) { return arange(double(shape.numel()), dt).reshape(shape); }

TEST(Cat, AlongEveryDimIncludingNegative) {
  Tensor a = iota({2, 2}), b = iota({2, 2}) + 10.0;
  EXPECT_VALUES(cat({a, b}), {0, 1, 2, 3, 10, 11, 12, 13});
  EXPECT_EQ(cat({a, b}).shape(), Shape({4, 2}));
  EXPECT_VALUES(cat({a, b}, 1), {0, 1, 10, 11, 2, 3, 12, 13});
  EXPECT_VALUES(cat({a, b, a}, -1), {0, 1, 10, 11, 0, 1, 2, 3, 12, 13, 2, 3});
  EXPECT_VALUES(cat({a}), {0, 1, 2, 3});
}

TEST(Cat, NonContiguousAndSizeZeroInputs) {
  Tensor a = iota({2, 3});
  Tensor c = cat({a.t(), a.t().slice(0, 0, 3, 2), zeros({0, 2})}, 0);
  EXPECT_EQ(c.shape(), Shape({5, 2}));
  EXPECT_VALUES(c, {0, 3, 1, 4, 2, 5, 0, 3, 2, 5});
  EXPECT_VALUES(cat({tensor<int64_t>({1}).expand({3}), tensor<int64_t>({2})}), {1, 1, 1, 2});
  EXPECT_EQ(cat({zeros({0, 3}), zeros({0, 3})}).shape(), Shape({0, 3}));
  EXPECT_EQ(cat({zeros({2, 0}), zeros({2, 0})}, 1).shape(), Shape({2, 0}));
  EXPECT_EQ(cat({zeros({2}, kBool), ones({1}, kBool)}).dtype(), kBool);
}

TEST(Stack, InsertsANewDim) {
  Tensor a = tensor<float>({1, 2}), b = tensor<float>({3, 4});
  EXPECT_EQ(stack({a, b}).shape(), Shape({2, 2}));
  EXPECT_VALUES(stack({a, b}), {1, 2, 3, 4});
  EXPECT_EQ(stack({a, b}, 1).shape(), Shape({2, 2}));
  EXPECT_VALUES(stack({a, b}, 1), {1, 3, 2, 4});
  EXPECT_VALUES(stack({a, b}, -1), {1, 3, 2, 4});
  EXPECT_EQ(stack({scalar_tensor(1), scalar_tensor(2)}).shape(), Shape({2}));
  EXPECT_EQ(stack({iota({2, 3}).t(), iota({2, 3}).t()}, 2).shape(), Shape({3, 2, 2}));
}

TEST(Split, SizesAndEqualParts) {
  Tensor x = iota({5, 2});
  std::vector<Tensor> p = split(x, 2);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].shape(), Shape({2, 2}));
  EXPECT_EQ(p[2].shape(), Shape({1, 2}));
  EXPECT_VALUES(p[2], {8, 9});
  EXPECT_EQ(p[1].storage().get(), x.storage().get());  // views, not copies
  std::vector<Tensor> q = split(x, std::vector<int64_t>{1, 0, 4});
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[1].shape(), Shape({0, 2}));
  EXPECT_VALUES(q[2], {2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<Tensor> r = split(x, 1, 1);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_VALUES(r[1], {1, 3, 5, 7, 9});
  EXPECT_VALUES(split(x.t(), 3, -1)[1], {6, 8, 7, 9});
}

TEST(Chunk, MatchesTorchChunk) {
  Tensor x = iota({5});
  std::vector<Tensor> c = chunk(x, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_VALUES(c[0], {0, 1, 2});
  EXPECT_VALUES(c[1], {3, 4});
  EXPECT_EQ(chunk(x, 5).size(), 5u);
  EXPECT_EQ(chunk(iota({6}), 4).size(), 3u);  // chunks of 2, as torch.chunk
  EXPECT_EQ(chunk(iota({2, 6}), 3, 1)[2].shape(), Shape({2, 2}));
}

TEST(IndexSelect, SelectsRowsAndColumnsWithRepeats) {
  Tensor x = iota({3, 4});
  EXPECT_VALUES(index_select(x, 0, tensor<int64_t>({2, 0, 2})), {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11});
  EXPECT_VALUES(index_select(x, 1, tensor<int32_t>({3, 1})), {3, 1, 7, 5, 11, 9});
  EXPECT_VALUES(index_select(x.t(), -1, tensor<int64_t>({1})), {4, 5, 6, 7});
  EXPECT_EQ(index_select(x, 0, zeros({0}, kInt64)).shape(), Shape({0, 4}));
  EXPECT_VALUES(index_select(x, 0, scalar_tensor(1, kInt64)), {4, 5, 6, 7});
  EXPECT_VALUES(index_select(tensor<int64_t>({5, 6, 7}), 0, tensor<int64_t>({2, 2})), {7, 7});
}

TEST(Gather, PicksAlongDim) {
  Tensor x = tensor({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_VALUES(gather(x, 1, tensor({{int64_t(0), int64_t(0)}, {int64_t(1), int64_t(0)}})), {1, 1, 4, 3});
  EXPECT_VALUES(gather(x, 0, tensor({{int64_t(1), int64_t(0)}})), {3, 2});
  Tensor y = iota({3, 4});
  Tensor idx = tensor({{int64_t(3)}, {int64_t(0)}, {int64_t(2)}});
  EXPECT_VALUES(gather(y, 1, idx), {3, 4, 10});  // index smaller than input: allowed
  EXPECT_VALUES(gather(y.t(), 0, tensor({{int64_t(2), int64_t(1), int64_t(0)}})), {2, 5, 8});
  EXPECT_EQ(gather(y, 1, zeros({3, 0}, kInt64)).shape(), Shape({3, 0}));
}

TEST(ScatterAdd, AccumulatesDuplicates) {
  Tensor x = zeros({2, 3});
  Tensor idx = tensor({{int64_t(0), int64_t(1), int64_t(0)}, {int64_t(2), int64_t(2), int64_t(2)}});
  Tensor src = tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_VALUES(scatter_add(x, 1, idx, src), {4, 2, 0, 0, 0, 15});
  EXPECT_VALUES(x, {0, 0, 0, 0, 0, 0});  // out of place
  Tensor i0 = tensor({{int64_t(1), int64_t(0), int64_t(1)}});
  EXPECT_VALUES(scatter_add(ones({2, 3}), 0, i0, src), {1, 3, 1, 2, 1, 4});  // src larger than index
  EXPECT_VALUES(scatter_add(zeros({3}, kInt64), 0, tensor<int64_t>({0, 0, 2}), tensor<int64_t>({5, 6, 7})), {11, 0, 7});
  EXPECT_VALUES(scatter_add(zeros({2, 2}).t(), 0, tensor({{int64_t(1), int64_t(1)}}), src.t().slice(0, 0, 1)),
                {0, 0, 1, 4});
}

TEST(IndexAdd, AddsRowsAtIndices) {
  Tensor x = ones({3, 2});
  Tensor src = tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});
  EXPECT_VALUES(index_add(x, 0, tensor<int64_t>({2, 0, 2}), src), {4, 5, 1, 1, 7, 9});
  EXPECT_VALUES(index_add(x, 1, tensor<int64_t>({1}), src.slice(1, 0, 1)), {1, 2, 1, 4, 1, 6});
  EXPECT_VALUES(x, {1, 1, 1, 1, 1, 1});
  EXPECT_VALUES(index_add(zeros({2}, kFloat64), 0, tensor<int64_t>({1, 1}), tensor<double>({0.5, 0.25})), {0, 0.75});
  EXPECT_VALUES(index_add(x, 0, zeros({0}, kInt64), zeros({0, 2})), {1, 1, 1, 1, 1, 1});
}

TEST(OneHot, EncodesIndices) {
  Tensor o = one_hot(tensor<int64_t>({0, 2, 1}), 4);
  EXPECT_EQ(o.shape(), Shape({3, 4}));
  EXPECT_EQ(o.dtype(), kInt64);
  EXPECT_VALUES(o, {1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0});
  EXPECT_EQ(one_hot(tensor<int64_t>({0, 3})).shape(), Shape({2, 4}));  // classes inferred from the max
  EXPECT_EQ(one_hot(tensor({{int64_t(1)}, {int64_t(0)}}), 2).shape(), Shape({2, 1, 2}));
  EXPECT_VALUES(one_hot(arange(4.0).reshape({2, 2}).t(), 4), {1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1});
}

}  // namespace
}  // namespace tt

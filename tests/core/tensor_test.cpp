// Tests for Tensor metadata: storage shared by views, (shape, strides, offset) of every view op,
// contiguous() copying only when needed, and NumPy broadcasting rules.
// Siblings: creation_test.cpp (dtypes, factories, RNG), print_test.cpp, allocator_test.cpp.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

Tensor iota(const Shape& shape, DType dt = kFloat32) { return arange(double(shape.numel()), dt).reshape(shape); }

void expect_layout(const Tensor& t, const Shape& shape, const Strides& strides, int64_t offset) {
  EXPECT_EQ(t.shape(), shape);
  EXPECT_EQ(t.strides(), strides);
  EXPECT_EQ(t.offset(), offset);
}

TEST(Storage, WriteThroughViewIsSeenInBase) {
  Tensor base = zeros({2, 3});
  Tensor row = base.select(0, 1);
  EXPECT_EQ(row.storage().get(), base.storage().get());
  row.data_ptr<float>()[2] = 7.f;  // row is contiguous, element (1, 2) of base
  EXPECT_EQ(element_at(base, {1, 2}), 7.0);
  Tensor col = base.t().select(0, 0);  // column 0, stride 3
  col.fill_(5.0);
  EXPECT_VALUES(base, {5, 0, 0, 5, 0, 7});
}

TEST(Storage, ViewKeepsStorageAliveAfterBaseDies) {
  Tensor v;
  {
    Tensor base = iota({4});
    v = base.slice(0, 2, 4);
  }
  EXPECT_VALUES(v, {2, 3});
}

TEST(Storage, DetachSharesStorage) {
  Tensor a = iota({3});
  Tensor d = a.detach();
  EXPECT_EQ(d.storage().get(), a.storage().get());
  d.fill_(1.0);
  EXPECT_VALUES(a, {1, 1, 1});
}

TEST(View, ViewAndReshapeOfContiguousShareStorage) {
  Tensor x = iota({2, 3, 4});
  Tensor v = x.view({4, -1});
  expect_layout(v, {4, 6}, {6, 1}, 0);
  EXPECT_EQ(v.storage().get(), x.storage().get());
  expect_layout(x.reshape({-1}), {24}, {1}, 0);
  expect_layout(x.view({2, 1, 12}), {2, 1, 12}, {12, 12, 1}, 0);
  EXPECT_EQ(x.reshape({3, 8}).storage().get(), x.storage().get());
}

TEST(View, ViewOfNonContiguousButViewableInput) {
  // Slicing the last dim leaves dims 0 and 1 contiguous with each other: they can merge.
  Tensor x = iota({2, 3, 4}).slice(2, 0, 2);
  Tensor v = x.view({6, 2});
  expect_layout(v, {6, 2}, {4, 1}, 0);
  EXPECT_VALUES(v, {0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21});
  // A transposed matrix can split a dim: (4, 3) strides (1, 4) -> (2, 2, 3) strides (2, 1, 4).
  Tensor t = iota({3, 4}).t();
  Tensor s = t.view({2, 2, 3});
  expect_layout(s, {2, 2, 3}, {2, 1, 4}, 0);
  EXPECT_TRUE(testing::tensors_near(s, t.contiguous().view({2, 2, 3}), 0));
}

TEST(View, NonViewableInputErrorsButReshapeCopies) {
  Tensor t = iota({3, 4}).t();
  EXPECT_TT_ERROR(t.view({12}), "view", "[4, 3]", "[12]");
  Tensor r = t.reshape({12});
  EXPECT_NE(r.storage().get(), t.storage().get());
  EXPECT_VALUES(r, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
}

TEST(View, MinusOneInfersTheMissingDim) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(x.view({-1, 4}).shape(), Shape({6, 4}));
  EXPECT_EQ(x.view({2, -1, 2}).shape(), Shape({2, 6, 2}));
  EXPECT_EQ(zeros({0, 4}).reshape({-1, 2}).shape(), Shape({0, 2}));
}

TEST(View, TransposeSharesStorageWithoutCopy) {
  Tensor x = iota({2, 3, 4});
  Tensor t = x.transpose(0, 2);
  expect_layout(t, {4, 3, 2}, {1, 4, 12}, 0);
  EXPECT_EQ(t.storage().get(), x.storage().get());
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(element_at(t, {3, 2, 1}), element_at(x, {1, 2, 3}));
  expect_layout(x.transpose(-1, -2), {2, 4, 3}, {12, 1, 4}, 0);
  expect_layout(x.mT(), {2, 4, 3}, {12, 1, 4}, 0);
}

// Dense = the elements fill numel() consecutive slots in some dimension order.
TEST(View, IsDenseAcceptsPermutationsOfContiguousOnly) {
  Tensor x = zeros(Shape{2, 3, 4});
  EXPECT_TRUE(x.is_dense());
  EXPECT_TRUE(x.permute(Shape{2, 0, 1}).is_dense());
  EXPECT_TRUE(x.transpose(0, 2).is_dense());
  EXPECT_TRUE(x.narrow(0, 1, 1).is_dense());       // one whole slab, at an offset
  EXPECT_FALSE(x.narrow(2, 0, 3).is_dense());      // gaps between rows
  EXPECT_FALSE(x.slice(1, 0, 3, 2).is_dense());    // every other row
  EXPECT_FALSE(zeros(Shape{3}).expand(Shape{4, 3}).is_dense());  // overlapping (stride 0)
  EXPECT_TRUE(zeros(Shape{1, 5}).expand(Shape{1, 5}).is_dense());
  EXPECT_TRUE(zeros(Shape{0, 3}).t().is_dense());
}

// empty_like_layout keeps a dense tensor's memory order and falls back to contiguous.
TEST(View, EmptyLikeLayoutKeepsDenseOrder) {
  Tensor t = zeros(Shape{4, 3}).t();  // (3, 4), strides {1, 3}
  Tensor e = empty_like_layout(t);
  EXPECT_EQ(e.shape(), t.shape());
  EXPECT_EQ(e.strides(), t.strides());
  EXPECT_EQ(e.storage()->nbytes(), t.nbytes());  // exactly numel elements
  EXPECT_EQ(empty_like_layout(t, kFloat64).dtype(), kFloat64);
  EXPECT_TRUE(empty_like_layout(zeros(Shape{4, 6}).slice(1, 0, 6, 2)).is_contiguous());
}

TEST(View, PermuteReordersShapeAndStrides) {
  Tensor x = iota({2, 3, 4});
  Tensor p = x.permute({1, 2, 0});
  expect_layout(p, {3, 4, 2}, {4, 1, 12}, 0);
  EXPECT_EQ(element_at(p, {2, 3, 1}), element_at(x, {1, 2, 3}));
  expect_layout(x.permute({-1, 0, 1}), {4, 2, 3}, {1, 12, 4}, 0);
}

TEST(View, SliceWithStepAndNegativeBounds) {
  Tensor x = iota({2, 3, 4});
  expect_layout(x.slice(2, 1, 4, 2), {2, 3, 2}, {12, 4, 2}, 1);
  EXPECT_VALUES(x.slice(2, 1, 4, 2).select(0, 0).select(0, 0), {1, 3});
  expect_layout(x.slice(2, -3, -1), {2, 3, 2}, {12, 4, 1}, 1);
  expect_layout(x.slice(-2, 1, 3), {2, 2, 4}, {12, 4, 1}, 4);
  expect_layout(iota({10}).slice(0, 0, 10, 3), {4}, {3}, 0);
  EXPECT_VALUES(iota({10}).slice(0, 0, 10, 3), {0, 3, 6, 9});
}

TEST(View, SliceClampsOutOfRangeBounds) {
  Tensor x = iota({5});
  EXPECT_VALUES(x.slice(0, -100, 100), {0, 1, 2, 3, 4});
  EXPECT_VALUES(x.slice(0, 3, 100), {3, 4});
  EXPECT_EQ(x.slice(0, 4, 2).shape(), Shape({0}));
  EXPECT_EQ(x.slice(0, 7, 9).shape(), Shape({0}));
}

TEST(View, NarrowAndSelect) {
  Tensor x = iota({2, 3, 4});
  expect_layout(x.narrow(1, 1, 2), {2, 2, 4}, {12, 4, 1}, 4);
  expect_layout(x.narrow(-1, -2, 2), {2, 3, 2}, {12, 4, 1}, 2);
  expect_layout(x.select(1, -1), {2, 4}, {12, 1}, 8);
  expect_layout(x.select(2, 3), {2, 3}, {12, 4}, 3);
  expect_layout(x[1], {3, 4}, {4, 1}, 12);
  Tensor s = x[1][2][3];
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<double>(), 23.0);
}

TEST(View, ExpandUsesZeroStrides) {
  Tensor c = iota({3, 1});
  Tensor e = c.expand({2, 3, 4});
  expect_layout(e, {2, 3, 4}, {0, 1, 0}, 0);
  EXPECT_EQ(e.storage().get(), c.storage().get());
  EXPECT_EQ(element_at(e, {1, 2, 3}), 2.0);
  EXPECT_EQ(c.expand({-1, 5}).shape(), Shape({3, 5}));
  EXPECT_EQ(iota({1}).expand({0}).shape(), Shape({0}));
  EXPECT_EQ(c.expand_as(zeros({3, 2})).shape(), Shape({3, 2}));
}

TEST(View, SqueezeAndUnsqueeze) {
  Tensor x = iota({2, 1, 3, 1});
  EXPECT_EQ(x.squeeze().shape(), Shape({2, 3}));
  EXPECT_EQ(x.squeeze(1).shape(), Shape({2, 3, 1}));
  EXPECT_EQ(x.squeeze(0).shape(), Shape({2, 1, 3, 1}));  // not size 1: no-op
  EXPECT_EQ(x.squeeze(-1).shape(), Shape({2, 1, 3}));
  Tensor y = iota({2, 3});
  expect_layout(y.unsqueeze(0), {1, 2, 3}, {6, 3, 1}, 0);
  expect_layout(y.unsqueeze(-1), {2, 3, 1}, {3, 1, 1}, 0);
  EXPECT_EQ(y.unsqueeze(1).shape(), Shape({2, 1, 3}));
  EXPECT_EQ(y.t().unsqueeze(1).strides()[0], 1);  // works on non-contiguous input, shares storage
  EXPECT_EQ(y.t().unsqueeze(1).storage().get(), y.storage().get());
  EXPECT_EQ(scalar_tensor(1).unsqueeze(0).shape(), Shape({1}));
}

TEST(View, Flatten) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(x.flatten().shape(), Shape({24}));
  EXPECT_EQ(x.flatten(1).shape(), Shape({2, 12}));
  EXPECT_EQ(x.flatten(0, 1).shape(), Shape({6, 4}));
  EXPECT_EQ(x.flatten(-2, -1).shape(), Shape({2, 12}));
  EXPECT_EQ(scalar_tensor(2).flatten().shape(), Shape({1}));
  Tensor t = x.transpose(0, 2).flatten();  // not viewable: copies, in logical order
  EXPECT_EQ(element_at(t, {1}), element_at(x, {1, 0, 0}));
}

TEST(View, ViewOfExpandedTensor) {
  Tensor e = iota({3, 1}).expand({3, 4});
  Tensor u = e.unsqueeze(0);
  EXPECT_EQ(u.shape(), Shape({1, 3, 4}));
  EXPECT_EQ(u.strides()[2], 0);
  EXPECT_TRUE(testing::tensors_near(e.reshape({12}), e.contiguous().view({12}), 0));
}

TEST(Contiguous, ReturnsSameTensorWhenAlreadyContiguous) {
  Tensor x = iota({3, 4});
  EXPECT_TRUE(x.contiguous().is_same(x));
  EXPECT_TRUE(x.slice(0, 1, 2).is_contiguous());  // one row of a matrix is contiguous
  EXPECT_TRUE(x.unsqueeze(1).is_contiguous());
}

TEST(Contiguous, CopiesNonContiguousInLogicalOrder) {
  Tensor x = iota({3, 4});
  Tensor t = x.t();
  EXPECT_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.storage().get(), x.storage().get());
  EXPECT_EQ(c.strides(), Strides({3, 1}));
  EXPECT_VALUES(c, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  Tensor s = x.slice(1, 0, 4, 2).contiguous();
  EXPECT_VALUES(s, {0, 2, 4, 6, 8, 10});
  Tensor e = iota({2}).expand({3, 2}).contiguous();
  EXPECT_VALUES(e, {0, 1, 0, 1, 0, 1});
}

TEST(Contiguous, CloneAlwaysCopies) {
  Tensor x = iota({3});
  Tensor c = x.clone();
  EXPECT_NE(c.storage().get(), x.storage().get());
  c.fill_(9.0);
  EXPECT_VALUES(x, {0, 1, 2});
}

TEST(Broadcast, ShapesFollowNumPyRules) {
  EXPECT_EQ(broadcast_shapes({3, 1}, {1, 4}, "t"), Shape({3, 4}));
  EXPECT_EQ(broadcast_shapes({5, 1, 4}, {3, 1}, "t"), Shape({5, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {2, 3}, "t"), Shape({2, 3}));
  EXPECT_EQ(broadcast_shapes({0}, {1}, "t"), Shape({0}));
  EXPECT_EQ(broadcast_shapes({2, 0, 3}, {0, 1}, "t"), Shape({2, 0, 3}));
  EXPECT_EQ(broadcast_shapes({4}, {2, 3, 4}, "t"), Shape({2, 3, 4}));
}

TEST(Broadcast, IncompatibleShapesErrorNamingBoth) {
  EXPECT_TT_ERROR(broadcast_shapes({2, 3}, {3, 2}, "add"), "add", "[2, 3]", "[3, 2]");
  EXPECT_TT_ERROR(broadcast_shapes({3}, {4}, "mul"), "mul", "[3]", "[4]");
  EXPECT_TT_ERROR(broadcast_shapes({0}, {2}, "sub"), "sub", "[0]", "[2]");
}

TEST(Broadcast, StridesAreZeroOnBroadcastDims) {
  EXPECT_EQ(broadcast_strides({3, 1}, {1, 1}, {2, 3, 4}), Strides({0, 1, 0}));
  Tensor a = iota({3, 1}), b = iota({1, 4});
  EXPECT_VALUES(a + b, {0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5});
}

TEST(Metadata, SizeStrideWrapNegativeDims) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(x.size(-1), 4);
  EXPECT_EQ(x.stride(-3), 12);
  EXPECT_EQ(x.numel(), 24);
  EXPECT_EQ(x.nbytes(), 96u);
  EXPECT_TT_ERROR(x.size(3), "size", "3");
  // every dim from both ends, and just past each end (size/stride are inline with an error path)
  for (int64_t d = 0; d < 3; ++d) {
    EXPECT_EQ(x.size(d), x.size(d - 3));
    EXPECT_EQ(x.stride(d), x.stride(d - 3));
  }
  EXPECT_EQ(x.stride(0), 12);
  EXPECT_EQ(x.size(1), 3);
  EXPECT_TT_ERROR(x.size(-4), "size", "-4", "[-3, 2]");
  EXPECT_TT_ERROR(x.stride(3), "stride", "3");
  EXPECT_TT_ERROR(x.stride(-4), "stride", "-4");
  EXPECT_TT_ERROR(iota({}).size(1), "size", "1");  // a 0-d tensor takes dims 0 and -1 only
  EXPECT_EQ(contiguous_strides({2, 0, 3}), Strides({3, 3, 1}));
}

TEST(Metadata, DataPtrChecksDtype) {
  Tensor x = zeros({2}, kInt32);
  EXPECT_NE(x.data_ptr<int32_t>(), nullptr);
  EXPECT_TT_ERROR(x.data_ptr<float>(), "data_ptr", "int32", "float32");
}

TEST(Metadata, ShapeRejectsMoreThanMaxDims) {
  Shape s;
  for (int i = 0; i < kMaxDims; ++i) s.push_back(1);
  EXPECT_TT_ERROR(s.push_back(1), "shape", "8");
}

}  // namespace
}  // namespace tt

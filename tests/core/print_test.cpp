// Tests that printing matches PyTorch 1.13's str(tensor) exactly (expected strings were produced by
// torch itself): float modes (fixed, integer-valued, scientific), widths, dtype / requires_grad /
// grad_fn suffixes, empty tensors, line wrapping at 80 columns and summarisation past 1000 elements.
#include <gtest/gtest.h>

#include <cmath>

#include "core/node.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

TEST(Print, IntegerValuedFloatsPrintWithTrailingDot) {
  EXPECT_EQ(to_string(tensor({{1.f, 2.f}, {3.f, 4.f}})), "tensor([[1., 2.],\n        [3., 4.]])");
  EXPECT_EQ(to_string(zeros({3})), "tensor([0., 0., 0.])");
  EXPECT_EQ(to_string(full({3}, -0.0)), "tensor([-0., -0., -0.])");
  EXPECT_EQ(to_string(arange(8.0, kFloat32).reshape({2, 2, 2})),
            "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])");
}

TEST(Print, FractionalFloatsUseFourDecimalsRightAligned) {
  EXPECT_EQ(to_string(tensor<float>({0.1f, 0.2f})), "tensor([0.1000, 0.2000])");
  EXPECT_EQ(to_string(tensor({{-1.5f, 2.25f}, {3.f, 4.f}})), "tensor([[-1.5000,  2.2500],\n        [ 3.0000,  4.0000]])");
}

TEST(Print, ScientificWhenMagnitudesSpanMoreThanAThousand) {
  EXPECT_EQ(to_string(tensor<float>({1e-5f, 1.f})), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(to_string(tensor<float>({1.f, 2000.f})), "tensor([1.0000e+00, 2.0000e+03])");
  EXPECT_EQ(to_string(tensor<float>({1e9f, 2.f})), "tensor([1.0000e+09, 2.0000e+00])");
}

TEST(Print, NonFiniteValuesDoNotWidenTheFormat) {
  EXPECT_EQ(to_string(tensor<float>({1.5f, NAN, INFINITY})), "tensor([1.5000,    nan,    inf])");
  EXPECT_EQ(to_string(tensor<float>({1.f, -INFINITY})), "tensor([1., -inf])");
  EXPECT_EQ(to_string(tensor<float>({0.f, NAN})), "tensor([0., nan])");
  EXPECT_EQ(to_string(tensor<float>({1e-5f, NAN, 0.f})), "tensor([1.0000e-05,        nan, 0.0000e+00])");
}

TEST(Print, ZeroDimTensors) {
  EXPECT_EQ(to_string(scalar_tensor(3)), "tensor(3.)");
  EXPECT_EQ(to_string(scalar_tensor(0.25)), "tensor(0.2500)");
  EXPECT_EQ(to_string(scalar_tensor(7, kInt64)), "tensor(7)");
  EXPECT_EQ(to_string(scalar_tensor(NAN)), "tensor(nan)");
}

TEST(Print, IntegerAndBoolTensors) {
  EXPECT_EQ(to_string(tensor({{int64_t(1), int64_t(-20)}, {int64_t(300), int64_t(4)}})),
            "tensor([[  1, -20],\n        [300,   4]])");
  EXPECT_EQ(to_string(tensor({true, false})), "tensor([ True, False])");
  EXPECT_EQ(to_string(tensor<int32_t>({1, 2})), "tensor([1, 2], dtype=torch.int32)");
  EXPECT_EQ(to_string(tensor<uint8_t>({1, 2})), "tensor([1, 2], dtype=torch.uint8)");
  EXPECT_EQ(to_string(tensor<int8_t>({-1, 2})), "tensor([-1,  2], dtype=torch.int8)");
}

TEST(Print, Float64HasDTypeSuffix) {
  EXPECT_EQ(to_string(tensor<double>({1, 2})), "tensor([1., 2.], dtype=torch.float64)");
  EXPECT_EQ(to_string(tensor<double>({0.5})), "tensor([0.5000], dtype=torch.float64)");
}

TEST(Print, AutogradSuffixes) {
  Tensor x = tensor<float>({1, 2});
  x.requires_grad_();
  EXPECT_EQ(to_string(x), "tensor([1., 2.], requires_grad=True)");
  EXPECT_EQ(to_string(x * 2.0), "tensor([2., 4.], grad_fn=<MulBackward0>)");
  Tensor d = tensor<double>({1, 2});
  d.requires_grad_();
  EXPECT_EQ(to_string(d), "tensor([1., 2.], dtype=torch.float64, requires_grad=True)");
  Tensor big = arange(20.0, kFloat32).reshape({4, 5}).detach();
  big.requires_grad_();
  EXPECT_EQ(to_string(big),
            "tensor([[ 0.,  1.,  2.,  3.,  4.],\n        [ 5.,  6.,  7.,  8.,  9.],\n"
            "        [10., 11., 12., 13., 14.],\n        [15., 16., 17., 18., 19.]], requires_grad=True)");
  NoGradGuard ng;
  EXPECT_EQ(to_string(x * 2.0), "tensor([2., 4.])");
}

TEST(Print, EmptyTensors) {
  EXPECT_EQ(to_string(zeros({0})), "tensor([])");
  EXPECT_EQ(to_string(zeros({0, 3})), "tensor([], size=(0, 3))");
  EXPECT_EQ(to_string(zeros({0}, kInt64)), "tensor([], dtype=torch.int64)");
  EXPECT_EQ(to_string(Tensor()), "tensor(undefined)");
}

TEST(Print, LongRowsWrapAtEightyColumns) {
  Tensor x = arange(10.0, kFloat32) / 3.0;
  EXPECT_EQ(to_string(x),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        3.0000])");
  Tensor y = arange(30.0, kFloat32).reshape({2, 15}) / 7.0;
  EXPECT_EQ(to_string(y),
            "tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
            "         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000],\n"
            "        [2.1429, 2.2857, 2.4286, 2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857,\n"
            "         3.4286, 3.5714, 3.7143, 3.8571, 4.0000, 4.1429]])");
}

TEST(Print, SummarisesMoreThanAThousandElements) {
  EXPECT_EQ(to_string(arange(2000)), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  EXPECT_EQ(to_string(arange(1100).reshape({1100, 1})),
            "tensor([[   0],\n        [   1],\n        [   2],\n        ...,\n        [1097],\n        [1098],\n"
            "        [1099]])");
  EXPECT_EQ(to_string(arange(1600).reshape({2, 4, 200})),
            "tensor([[[   0,    1,    2,  ...,  197,  198,  199],\n"
            "         [ 200,  201,  202,  ...,  397,  398,  399],\n"
            "         [ 400,  401,  402,  ...,  597,  598,  599],\n"
            "         [ 600,  601,  602,  ...,  797,  798,  799]],\n\n"
            "        [[ 800,  801,  802,  ...,  997,  998,  999],\n"
            "         [1000, 1001, 1002,  ..., 1197, 1198, 1199],\n"
            "         [1200, 1201, 1202,  ..., 1397, 1398, 1399],\n"
            "         [1400, 1401, 1402,  ..., 1597, 1598, 1599]]])");
  std::string s = to_string(arange(1600).reshape({8, 2, 100}));
  EXPECT_NE(s.find("599]],\n\n        ...,\n\n        [[1000"), std::string::npos) << s;
  EXPECT_EQ(to_string(arange(1000)).find("..."), std::string::npos);  // 1000 is not summarised
}

TEST(Print, SuffixesWrapPastLineWidth) {
  Tensor x = arange(3.0, kFloat64).reshape({1, 3}).detach();
  x.requires_grad_();
  std::string s = to_string(x * ones({70, 1}, kFloat64));
  EXPECT_TRUE(s.ends_with("\n        [0., 1., 2.]], dtype=torch.float64, grad_fn=<MulBackward0>)")) << s;
}

TEST(Print, NonContiguousViewsPrintLogicalOrder) {
  Tensor x = arange(6.0, kFloat32).reshape({2, 3});
  EXPECT_EQ(to_string(x.t()), "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])");
  EXPECT_EQ(to_string(x.slice(1, 0, 3, 2)), "tensor([[0., 2.],\n        [3., 5.]])");
}

}  // namespace
}  // namespace tt

// Bad input gets a tt::Error whose message names the op and the offending shapes or values (never
// a crash, never a silent wrong answer). One test per rule; EXPECT_TT_ERROR checks both the throw
// and the message (tensor_expect.h).
#include <gtest/gtest.h>

#include "core/node.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

Tensor leaf(const Shape& s) {
  Tensor t = ones(s);
  t.requires_grad_();
  return t;
}

TEST(OpErrors, MatmulInnerDimMismatch) {
  EXPECT_TT_ERROR(matmul(zeros({2, 3}), zeros({4, 5})), "matmul", "[2, 3]", "[4, 5]");
  EXPECT_TT_ERROR(matmul(zeros({3}), zeros({4})), "matmul", "[3]", "[4]");
  EXPECT_TT_ERROR(matmul(zeros({2, 2, 3}), zeros({2})), "matmul", "[2, 2, 3]", "[2, 1]");
}

TEST(OpErrors, MatmulDTypeMismatchAndScalarOperand) {
  EXPECT_TT_ERROR(matmul(zeros({2, 3}), zeros({3, 2}, kFloat64)), "matmul", "float32", "float64");
  EXPECT_TT_ERROR(matmul(zeros({2, 3}, kInt64), zeros({3, 2}, kInt64)), "matmul", "int64");
  EXPECT_TT_ERROR(matmul(scalar_tensor(1), zeros({3})), "matmul", "[]", "[3]");
}

TEST(OpErrors, MatmulBatchDimsDoNotBroadcast) {
  EXPECT_TT_ERROR(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})), "matmul", "[2]", "[3]");
}

TEST(OpErrors, AddBroadcastingFailure) {
  EXPECT_TT_ERROR(add(zeros({2, 3}), zeros({4})), "add", "[2, 3]", "[4]");
  EXPECT_TT_ERROR(zeros({2, 3}) * zeros({3, 2}), "mul", "[2, 3]", "[3, 2]");
  EXPECT_TT_ERROR(where(tensor({true, false}), zeros({3}), zeros({3})), "where", "[2]", "[3]");
}

TEST(OpErrors, ReshapeToWrongNumel) {
  EXPECT_TT_ERROR(zeros({2, 3}).reshape({4, 2}), "reshape", "[4, 2]", "[2, 3]", "6");
  EXPECT_TT_ERROR(zeros({2, 3}).view({4, -1}), "view", "[4, -1]", "[2, 3]");
  EXPECT_TT_ERROR(zeros({2, 3}).reshape({-2, 3}), "reshape", "-2");
}

TEST(OpErrors, TwoMinusOnes) {
  EXPECT_TT_ERROR(zeros({2, 3}).view({-1, -1}), "view", "only one dimension can be -1", "[-1, -1]");
}

TEST(OpErrors, ViewOfNonViewable) {
  EXPECT_TT_ERROR(zeros({3, 4}).t().view({12}), "view", "[4, 3]", "[1, 4]", "[12]", "reshape");
}

TEST(OpErrors, PermuteWrongLengthOrRepeatedDim) {
  EXPECT_TT_ERROR(zeros({2, 3, 4}).permute({0, 1}), "permute", "[0, 1]", "[2, 3, 4]");
  EXPECT_TT_ERROR(zeros({2, 3, 4}).permute({0, 2, 0}), "permute", "dim 0 repeated", "[0, 2, 0]");
  EXPECT_TT_ERROR(zeros({2, 3}).permute({0, 2}), "permute", "dim 2 out of range");
}

TEST(OpErrors, DimOutOfRange) {
  EXPECT_TT_ERROR(sum(zeros({2, 3}), {2}), "sum", "dim 2", "2-d");
  EXPECT_TT_ERROR(sum(zeros({2, 3}), {-3}), "sum", "dim -3");
  EXPECT_TT_ERROR(softmax(zeros({2, 3}), 5), "softmax", "dim 5");
  EXPECT_TT_ERROR(log_softmax(zeros({2, 3}), -3), "log_softmax", "dim -3");
  EXPECT_TT_ERROR(zeros({2, 3}).select(2, 0), "select", "dim 2");
  EXPECT_TT_ERROR(zeros({2, 3}).transpose(0, 3), "transpose", "dim 3");
  EXPECT_TT_ERROR(max(zeros({2, 3}), 2), "max", "dim 2");
  EXPECT_TT_ERROR(zeros({2, 3}).unsqueeze(4), "unsqueeze", "dim 4");
  EXPECT_TT_ERROR(sum(zeros({2, 3}), {1, -1}), "sum", "dim 1 appears twice");
}

TEST(OpErrors, SelectIndexOutOfRange) {
  EXPECT_TT_ERROR(zeros({2, 3}).select(1, 3), "select", "index 3", "size 3", "[2, 3]");
  EXPECT_TT_ERROR(zeros({2, 3})[-3], "select", "index -3", "size 2");
  EXPECT_TT_ERROR(scalar_tensor(1).select(0, 0), "select", "0-d");
}

TEST(OpErrors, NarrowOutOfRange) {
  EXPECT_TT_ERROR(zeros({3, 4}).narrow(1, 2, 3), "narrow", "start 2", "length 3", "size 4", "[3, 4]");
  EXPECT_TT_ERROR(zeros({3, 4}).narrow(0, 0, -1), "narrow", "length -1");
  EXPECT_TT_ERROR(zeros({3, 4}).narrow(0, -5, 1), "narrow", "start -2");
}

TEST(OpErrors, SliceStepMustBePositive) {
  EXPECT_TT_ERROR(zeros({3}).slice(0, 0, 3, 0), "slice", "step", "0");
  EXPECT_TT_ERROR(zeros({3}).slice(0, 3, 0, -1), "slice", "step", "-1");
}

TEST(OpErrors, ExpandIncompatible) {
  EXPECT_TT_ERROR(zeros({3}).expand({2, 4}), "expand", "[3]", "[2, 4]", "3 vs 4");
  EXPECT_TT_ERROR(zeros({2, 3}).expand({3}), "expand", "[3]", "[2, 3]");
  EXPECT_TT_ERROR(zeros({1}).expand({-2}), "expand", "[-2]");
}

TEST(OpErrors, CatMismatchedShapesDTypesOrEmpty) {
  EXPECT_TT_ERROR(cat({zeros({2, 3}), zeros({2, 4})}), "cat", "[2, 4]", "[2, 3]", "dim 0");
  EXPECT_TT_ERROR(cat({zeros({2, 3}), zeros({2, 3}, kFloat64)}), "cat", "float64", "float32");
  EXPECT_TT_ERROR(cat({}), "cat", "non-empty");
  EXPECT_TT_ERROR(cat({zeros({2, 3}), zeros({3})}), "cat", "[3]", "[2, 3]");
  EXPECT_TT_ERROR(cat({scalar_tensor(1), scalar_tensor(2)}), "cat", "zero-dimensional");
}

TEST(OpErrors, StackMismatched) {
  EXPECT_TT_ERROR(stack({zeros({2}), zeros({3})}), "stack", "tensor 1", "[3]", "[2]");
  EXPECT_TT_ERROR(stack({}), "stack", "non-empty");
}

TEST(OpErrors, SplitSizesNotSumming) {
  EXPECT_TT_ERROR(split(zeros({5, 2}), std::vector<int64_t>{1, 3}), "split", "4", "size 5");
  EXPECT_TT_ERROR(split(zeros({5, 2}), std::vector<int64_t>{6, -1}), "split", "negative", "-1");
  EXPECT_TT_ERROR(split(zeros({5}), 0), "split", "split_size", "0");
  EXPECT_TT_ERROR(chunk(zeros({5}), 0), "chunk", "0");
}

TEST(OpErrors, IndexSelectOutOfRangeOrFloatIndex) {
  EXPECT_TT_ERROR(index_select(zeros({3, 2}), 0, tensor<int64_t>({0, 5})), "index_select", "index 5", "size 3");
  EXPECT_TT_ERROR(index_select(zeros({3, 2}), 0, tensor<int64_t>({-1})), "index_select", "index -1");
  EXPECT_TT_ERROR(index_select(zeros({3, 2}), 0, tensor<float>({0, 1})), "index_select", "float32", "int64");
  EXPECT_TT_ERROR(index_select(zeros({3, 2}), 0, zeros({2, 2}, kInt64)), "index_select", "1-D", "[2, 2]");
}

TEST(OpErrors, GatherShapeMismatch) {
  EXPECT_TT_ERROR(gather(zeros({2, 3}), 1, zeros({2}, kInt64)), "gather", "[2]", "[2, 3]");
  EXPECT_TT_ERROR(gather(zeros({2, 3}), 1, zeros({3, 3}, kInt64)), "gather", "[3, 3]", "[2, 3]", "dim 0");
  EXPECT_TT_ERROR(gather(zeros({2, 3}), 1, full({2, 3}, 3, kInt64)), "gather", "index 3", "size 3");
}

TEST(OpErrors, ScatterAndIndexAddBadArguments) {
  Tensor idx = zeros({2, 3}, kInt64);
  EXPECT_TT_ERROR(scatter_add(zeros({2, 3}), 1, idx, zeros({2, 3}, kFloat64)), "scatter_add", "float64", "float32");
  EXPECT_TT_ERROR(scatter_add(zeros({2, 3}), 1, idx, zeros({2, 2})), "scatter_add", "[2, 3]", "[2, 2]");
  EXPECT_TT_ERROR(index_add(zeros({3, 2}), 0, tensor<int64_t>({0, 1}), zeros({3, 2})), "index_add", "[3, 2]", "[2, 2]");
  EXPECT_TT_ERROR(index_add(zeros({3, 2}), 0, tensor<int64_t>({7}), zeros({1, 2})), "index_add", "index 7", "size 3");
  EXPECT_TT_ERROR(one_hot(tensor<int64_t>({0, 4}), 3), "one_hot", "index 4", "3");
  EXPECT_TT_ERROR(masked_fill(zeros({2}), ones({2}), 1.0), "masked_fill", "bool", "float32");
}

TEST(OpErrors, CrossEntropyTargetOutOfRange) {
  EXPECT_TT_ERROR(cross_entropy(zeros({2, 3}), tensor<int64_t>({0, 5})), "cross_entropy", "target 5", "position 1",
                  "3 classes");
  EXPECT_TT_ERROR(cross_entropy(zeros({2, 3}), tensor<int64_t>({-1, 0})), "cross_entropy", "target -1");
}

TEST(OpErrors, CrossEntropyWrongTargetShapeOrDType) {
  EXPECT_TT_ERROR(cross_entropy(zeros({4, 3}), zeros({3}, kInt64)), "cross_entropy", "[3]", "[4, 3]");
  EXPECT_TT_ERROR(cross_entropy(zeros({4, 3}), zeros({4, 1}, kInt64)), "cross_entropy", "[4, 1]", "[4, 3]");
  EXPECT_TT_ERROR(cross_entropy(zeros({4, 3}), zeros({4})), "cross_entropy", "target", "float32");
  EXPECT_TT_ERROR(cross_entropy(zeros({2, 3, 4}), zeros({2}, kInt64)), "cross_entropy", "[2, 3, 4]");
  EXPECT_TT_ERROR(cross_entropy(zeros({4, 3}), zeros({4}, kInt64), Reduction::Mean, -100, 1.5), "cross_entropy",
                  "label_smoothing", "1.5");
  EXPECT_TT_ERROR(parse_reduction("avg", "cross_entropy"), "cross_entropy", "\"avg\"");
}

TEST(OpErrors, LinearBadShapes) {
  EXPECT_TT_ERROR(linear(zeros({2, 4}), zeros({3, 5})), "linear", "4", "[3, 5]", "[2, 4]");
  EXPECT_TT_ERROR(linear(zeros({2, 5}), zeros({3, 5}), zeros({4})), "linear", "bias", "[4]", "[3, 5]");
  EXPECT_TT_ERROR(linear(zeros({2, 5}), zeros({3, 5}), zeros({1, 3})), "linear", "bias", "[1, 3]");
  EXPECT_TT_ERROR(linear(zeros({2, 4}), zeros({2, 3, 4})), "linear", "weight", "[2, 3, 4]");
  EXPECT_TT_ERROR(linear(zeros({2, 4}), zeros({3, 4}, kFloat64)), "linear", "float32", "float64");
}

TEST(OpErrors, ReductionsOfEmptyAndBadDTypes) {
  EXPECT_TT_ERROR(amax(zeros({0, 3})), "amax", "[0, 3]");
  EXPECT_TT_ERROR(max(zeros({2, 0}), 1), "max", "size 0", "[2, 0]");
  EXPECT_TT_ERROR(argmax(zeros({0})), "max", "size 0");
  EXPECT_TT_ERROR(mean(tensor<int64_t>({1, 2})), "mean", "int64");
  EXPECT_TT_ERROR(var(tensor<int32_t>({1, 2})), "var", "int32");
  EXPECT_TT_ERROR(softmax(tensor<int64_t>({1, 2}), 0), "softmax", "int64");
}

TEST(OpErrors, RequiresGradOnIntTensor) {
  Tensor i = zeros({2}, kInt64);
  EXPECT_TT_ERROR(i.requires_grad_(), "requires_grad_", "int64");
  Tensor y = leaf({2}) * 2.0;
  EXPECT_TT_ERROR(y.requires_grad_(), "requires_grad_", "leaf");
}

TEST(OpErrors, BackwardOnNonScalarWithoutGradient) {
  Tensor y = leaf({2, 3}) * 2.0;
  EXPECT_TT_ERROR(y.backward(), "backward", "scalar", "[2, 3]");
  EXPECT_TT_ERROR(y.backward(ones({3, 2})), "backward", "[3, 2]", "[2, 3]");
  EXPECT_TT_ERROR(ones({1}).backward(), "backward", "does not require grad");
}

TEST(OpErrors, BackwardTwiceWithoutRetainGraph) {
  Tensor x = leaf({3});
  Tensor loss = sum(x * x);
  loss.backward();
  EXPECT_TT_ERROR(loss.backward(), "backward", "second time", "SumBackward", "retain_graph");
}

TEST(OpErrors, InPlaceOnLeafRequiringGradOutsideNoGrad) {
  Tensor w = leaf({3});
  EXPECT_TT_ERROR(w.add_(ones({3})), "add_", "requires grad", "NoGradGuard");
  EXPECT_TT_ERROR(w.mul_(2.0), "mul_", "requires grad");
  EXPECT_TT_ERROR(w.fill_(0), "fill_", "requires grad");
  EXPECT_TT_ERROR(w.zero_(), "fill_", "requires grad");
  EXPECT_TT_ERROR(w.copy_(ones({3})), "copy_", "requires grad");
  NoGradGuard ng;
  w.add_(ones({3}));  // allowed under the guard
  EXPECT_VALUES(w, {2, 2, 2});
}

TEST(OpErrors, ItemOnMultiElement) {
  EXPECT_TT_ERROR(zeros({2, 2}).item<double>(), "item", "[2, 2]");
  EXPECT_TT_ERROR(zeros({0}).item<float>(), "item", "[0]");
}

TEST(OpErrors, ClampMinGreaterThanMax) {
  EXPECT_TT_ERROR(clamp(zeros({2}), 2.0, 1.0), "clamp", "min 2", "max 1");
  EXPECT_TT_ERROR(clamp(zeros({2}), std::nullopt, std::nullopt), "clamp", "min", "max");
  EXPECT_TT_ERROR(clamp(zeros({2}, kBool), 0.0, 1.0), "clamp", "bool");
}

TEST(OpErrors, GeluBadApproximateString) {
  EXPECT_TT_ERROR(gelu(zeros({2}), "tanhh"), "gelu", "\"tanhh\"", "none");
  EXPECT_TT_ERROR(neg(tensor({true})), "neg", "bool");
}

TEST(OpErrors, CreationBadArguments) {
  EXPECT_TT_ERROR(arange(0, 10, 0), "arange", "step");
  EXPECT_TT_ERROR(arange(0, INFINITY), "arange", "inf");
  EXPECT_TT_ERROR(zeros({2, -1}), "zeros", "[2, -1]");
  EXPECT_TT_ERROR(ones({-3}), "full", "[-3]");
  EXPECT_TT_ERROR(empty({-1}), "empty", "[-1]");
  EXPECT_TT_ERROR(linspace(0, 1, -2), "linspace", "-2");
  EXPECT_TT_ERROR(eye(-1), "eye", "-1");
  EXPECT_TT_ERROR(randperm(-1), "randperm", "-1");
}

TEST(OpErrors, MiscViewArguments) {
  EXPECT_TT_ERROR(zeros({2, 3, 4}).flatten(2, 1), "flatten", "2", "1");
  EXPECT_TT_ERROR(zeros({2, 3, 4}).t(), "t", "[2, 3, 4]");
  EXPECT_TT_ERROR(zeros({2, 3}).squeeze(2), "squeeze", "dim 2");
}

}  // namespace
}  // namespace tt

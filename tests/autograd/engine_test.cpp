// Tests for the backward engine: diamond graphs accumulate (topological order), leaf gradients
// accumulate across backward calls, retain_graph, NoGradGuard, detach, graph memory freed after
// backward, backward through views and joins, 10,000-deep graphs, and mixed-dtype leaves.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"
#include "core/allocator.h"
#include "core/generator.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

Tensor leaf(Tensor t) {
  t.requires_grad_();
  return t;
}

TEST(Engine, DiamondGraphAccumulatesBothPaths) {
  Tensor x = leaf(tensor<double>({0.5, -1.0, 0.25}));
  Tensor y = x * x + x;         // y used by both branches below
  Tensor z = sum(exp(y) + y * y);  // f(y) = exp(y), g(y) = y²
  z.backward();
  // dz/dx = (e^y + 2y)(2x + 1)
  std::vector<double> xv = x.to_vector<double>(), expected;
  for (double v : xv) {
    double yv = v * v + v;
    expected.push_back((std::exp(yv) + 2 * yv) * (2 * v + 1));
  }
  EXPECT_TRUE(testing::values_near(x.grad(), expected, 1e-14));
}

TEST(Engine, LeafUsedTwiceInOneOpGetsBothGradients) {
  Tensor x = leaf(tensor<double>({3.0}));
  sum(x * x).backward();
  EXPECT_VALUES(x.grad(), {6});
  Tensor w = leaf(tensor<double>({1, 2}));
  sum(w + w + w).backward();
  EXPECT_VALUES(w.grad(), {3, 3});
}

TEST(Engine, LeafGradientsAccumulateAcrossBackwardCalls) {
  Tensor x = leaf(tensor<float>({1, 2}));
  sum(x * 2.0).backward();
  EXPECT_VALUES(x.grad(), {2, 2});
  sum(x * x).backward();
  EXPECT_VALUES(x.grad(), {4, 6});
  Tensor g = x.grad();
  sum(x).backward();
  EXPECT_VALUES(g, {5, 7});  // accumulated in place, like PyTorch's .grad
  x.set_grad(Tensor());
  sum(x * 3.0).backward();
  EXPECT_VALUES(x.grad(), {3, 3});
}

// Note [Gradient layout]: a dense leaf stored transposed gets its gradient in its own memory order
// (whatever order the incoming gradient had), and keeps it while gradients accumulate; a
// contiguous leaf always gets a contiguous gradient.
TEST(Engine, GradientsFollowTheLeafsMemoryOrder) {
  Generator g(4);
  Tensor w = leaf(contiguous(randn(Shape{4, 3}, &g)).t());  // (3, 4), strides {1, 3}
  Tensor c = randn(Shape{3, 4}, &g);
  sum(mul(w, c)).backward();  // the incoming gradient c is contiguous
  EXPECT_EQ(w.grad().strides(), w.strides());
  EXPECT_TRUE(testing::bitwise_equal(w.grad(), c));
  sum(mul(w, c)).backward();
  EXPECT_EQ(w.grad().strides(), w.strides());
  EXPECT_TRUE(testing::tensors_near(w.grad(), add(c, c), 0));

  Tensor a = leaf(randn(Shape{3, 4}, &g));
  Tensor c2 = randn(Shape{4, 3}, &g);
  sum(mul(a.t(), c2)).backward();  // arrives as a transposed view
  EXPECT_TRUE(a.grad().is_contiguous());
  EXPECT_TRUE(testing::bitwise_equal(a.grad(), c2.t()));
}

TEST(Engine, RetainGraphAllowsASecondBackward) {
  Tensor x = leaf(tensor<double>({1, 2, 3}));
  Tensor loss = sum(exp(x) * x);
  loss.backward(Tensor(), /*retain_graph=*/true);
  std::vector<double> once = x.grad().to_vector<double>();
  loss.backward();
  for (size_t i = 0; i < once.size(); ++i) EXPECT_DOUBLE_EQ(element_at(x.grad(), {int64_t(i)}), 2 * once[i]);
  EXPECT_THROW(loss.backward(), Error);  // the second backward freed the graph
}

TEST(Engine, ExplicitGradientForNonScalarOutput) {
  Tensor x = leaf(tensor<double>({1, 2, 3}));
  Tensor y = x * x;
  y.backward(tensor<double>({1, 0.5, -1}));
  EXPECT_VALUES(x.grad(), {2, 2, -6});
  Tensor l = leaf(tensor<double>({4}));
  l.backward(tensor<double>({2}));  // backward on a leaf accumulates the given gradient
  EXPECT_VALUES(l.grad(), {2});
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Tensor x = leaf(randn({3}));
  {
    NoGradGuard ng;
    EXPECT_FALSE(grad_enabled());
    Tensor y = exp(x) * 2.0 + x;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_FALSE(matmul(x.unsqueeze(0), x.unsqueeze(1)).requires_grad());
    EXPECT_FALSE(x.slice(0, 0, 2).requires_grad());
    {
      EnableGradGuard eg;  // nested re-enable
      EXPECT_TRUE((x * 2.0).requires_grad());
    }
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_TRUE(grad_enabled());
  Tensor z = x * 2.0;
  EXPECT_TRUE(z.requires_grad());
  EXPECT_NE(z.grad_fn(), nullptr);
  EXPECT_STREQ(z.grad_fn()->name(), "MulBackward0");
  EXPECT_FALSE((ones({2}) * 2.0).requires_grad());  // no input requires grad: no node
}

TEST(Engine, DetachSharesStorageAndStopsGradients) {
  Tensor x = leaf(tensor<double>({2, 3}));
  Tensor d = x.detach();
  EXPECT_EQ(d.storage().get(), x.storage().get());
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.grad_fn(), nullptr);
  sum(d * x).backward();  // d is a constant: d/dx (d·x) = d
  EXPECT_VALUES(x.grad(), {2, 3});
  Tensor y = exp(x);
  Tensor yd = y.detach();
  EXPECT_TRUE(yd.is_leaf());
  EXPECT_FALSE(yd.requires_grad());
}

TEST(Engine, NonLeafGradIsNotRetainedAndIntermediateHasGradFn) {
  Tensor x = leaf(tensor<double>({1, 2}));
  Tensor y = x * 3.0;
  EXPECT_FALSE(y.is_leaf());
  sum(y).backward();
  EXPECT_FALSE(y.grad().defined());
  EXPECT_VALUES(x.grad(), {3, 3});
}

TEST(Engine, GraphIsFreedAfterBackward) {
  Tensor x = leaf(randn({256, 256}));
  Tensor w = leaf(randn({256, 256}));
  const int64_t before = memory_stats().bytes_in_use;
  const int64_t grads = 2 * (int64_t(256 * 256 * 4));
  {
    Tensor h = tanh(matmul(x, w));  // each step saves 256 KiB tensors for backward
    Tensor loss = sum(exp(h) * h);
    h = Tensor();
    EXPECT_GE(memory_stats().bytes_in_use - before, 3 * 256 * 256 * 4);  // mm, h, exp(h) saved
    loss.backward();
    // With retain_graph = false every node released its saved tensors: only the grads and the
    // 0-d loss remain.
    EXPECT_LE(memory_stats().bytes_in_use - before, grads + 4096);
  }
  EXPECT_EQ(memory_stats().bytes_in_use - before, grads);
  {
    Tensor loss = sum(relu(matmul(x, w)));  // dropped without backward: freed with the graph
  }
  EXPECT_EQ(memory_stats().bytes_in_use - before, grads);
  {
    Tensor loss = sum(sigmoid(matmul(x, w)));
    loss.backward(Tensor(), /*retain_graph=*/true);
  }
  EXPECT_EQ(memory_stats().bytes_in_use - before, grads);
}

TEST(Engine, BackwardThroughViews) {
  Tensor x = leaf(arange(12.0, kFloat64).reshape({3, 4}).detach());
  sum(x.slice(1, 1, 4, 2) * 2.0).backward();
  EXPECT_VALUES(x.grad(), {0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2});
  x.set_grad(Tensor());
  Tensor s = x.select(0, 1);
  sum(s * s).backward();
  EXPECT_VALUES(x.grad(), {0, 0, 0, 0, 8, 10, 12, 14, 0, 0, 0, 0});
  x.set_grad(Tensor());
  Tensor c = leaf(tensor<double>({1, 2, 3}));
  sum(c.unsqueeze(1).expand({3, 5}) * x.slice(1, 0, 1).expand({3, 5})).backward();
  EXPECT_VALUES(c.grad(), {0, 20, 40});  // 5 copies of x[:, 0] = 0, 4, 8
  EXPECT_VALUES(x.grad(), {5, 0, 0, 0, 10, 0, 0, 0, 15, 0, 0, 0});
  x.set_grad(Tensor());
  Tensor p = x.reshape({3, 2, 2}).permute({2, 0, 1});
  sum(p * arange(12.0, kFloat64).reshape({2, 3, 2})).backward();
  // p[k][i][j] = x[i][2j + k] is weighted by 6k + 2i + j.
  EXPECT_VALUES(x.grad(), {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11});
  x.set_grad(Tensor());
  sum(x.t().flatten()[5] * 1.0).backward();  // flatten of a transposed view copies
  EXPECT_VALUES(x.grad(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0});  // element 5 of xᵀ is x[2][1]
}

// A slice over a whole dim passes its gradient through as is (no zero-filled copy); the gradient it
// hands on may alias the one it got, so a tensor sliced twice must still sum both uses, and the
// upstream gradient must come out unchanged.
TEST(Engine, FullRangeSlicePassesTheGradientThrough) {
  Tensor x = leaf(arange(6.0, kFloat64).reshape({2, 3}).detach());
  Tensor g = arange(6.0, kFloat64).reshape({2, 3}) + 1.0;
  Tensor whole = x.narrow(1, 0, 3);
  (whole * 1.0).backward(g);
  EXPECT_VALUES(x.grad(), {1, 2, 3, 4, 5, 6});
  EXPECT_VALUES(g, {1, 2, 3, 4, 5, 6});
  x.set_grad(Tensor());
  Tensor y = x * 1.0;  // a non-leaf: both slices' gradients meet in y's node
  (sum(y.narrow(0, 0, 2) * 2.0 + y.slice(1, 0, 3) * 3.0) + sum(y.narrow(1, 1, 2))).backward();
  EXPECT_VALUES(x.grad(), {5, 6, 6, 5, 6, 6});
}

TEST(Engine, BackwardThroughCatAndSplit) {
  Tensor a = leaf(tensor<double>({1, 2})), b = leaf(tensor<double>({3, 4, 5}));
  Tensor c = cat({a, b});
  sum(c * arange(5.0, kFloat64)).backward();
  EXPECT_VALUES(a.grad(), {0, 1});
  EXPECT_VALUES(b.grad(), {2, 3, 4});
  Tensor x = leaf(arange(6.0, kFloat64).reshape({3, 2}).detach());
  std::vector<Tensor> parts = split(x, std::vector<int64_t>{1, 2});
  sum(parts[0] * 10.0 + 0.0).backward(Tensor(), true);
  sum(parts[1] * parts[1]).backward();
  EXPECT_VALUES(x.grad(), {10, 10, 4, 6, 8, 10});
  Tensor u = leaf(tensor<double>({1, 2})), v = leaf(tensor<double>({3, 4}));
  Tensor st = stack({u, v}, 1);  // (2, 2): [[1, 3], [2, 4]]
  sum(st.select(1, 0) * 2.0 + st.select(0, 1)).backward();
  EXPECT_VALUES(u.grad(), {2, 3});
  EXPECT_VALUES(v.grad(), {0, 1});
}

TEST(Engine, TenThousandAddsDoNotOverflowTheStack) {
  Tensor x = leaf(tensor<double>({1, 2}));
  Tensor y = x;
  for (int i = 0; i < 10000; ++i) y = y + x;
  sum(y).backward();
  EXPECT_VALUES(x.grad(), {10001, 10001});
}

TEST(Engine, DroppingADeepGraphWithoutBackwardDoesNotOverflowTheStack) {
  Tensor x = leaf(tensor<float>({1}));
  for (int depth : {10000, 300000}) {
    Tensor y = x;
    for (int i = 0; i < depth; ++i) y = y * 1.0;
    y = Tensor();  // destroys the whole chain of nodes
  }
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y + 1.0;
  sum(y).backward(Tensor(), /*retain_graph=*/true);  // a retained graph is freed afterwards
  EXPECT_VALUES(x.grad(), {1});
}

TEST(Engine, Float32LeafGetsFloat32GradInMixedDTypeExpressions) {
  Tensor x32 = leaf(tensor<float>({1, 2}));
  Tensor w64 = leaf(tensor<double>({3, 4}));
  Tensor y = sum(x32 * w64);
  EXPECT_EQ(y.dtype(), kFloat64);
  y.backward();
  EXPECT_EQ(x32.grad().dtype(), kFloat32);
  EXPECT_EQ(w64.grad().dtype(), kFloat64);
  EXPECT_VALUES(x32.grad(), {3, 4});
  EXPECT_VALUES(w64.grad(), {1, 2});
  // A float32 matmul feeding a float64 product: the gradient reaching matmul is cast back first.
  Tensor a = leaf(ones({2, 3})), b = leaf(ones({3, 2}));
  sum(matmul(a, b) * tensor<double>({1, 2})).backward();
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_VALUES(a.grad(), {3, 3, 3, 3, 3, 3});
  EXPECT_VALUES(b.grad(), {2, 4, 2, 4, 2, 4});
  Tensor i = tensor<int64_t>({1, 2});
  Tensor z = leaf(tensor<float>({1, 1}));
  sum(z * i + i.to(kFloat64)).backward();
  EXPECT_EQ(z.grad().dtype(), kFloat32);
  EXPECT_VALUES(z.grad(), {1, 2});
}

TEST(Engine, RootGradientOfAnotherDTypeIsCastToTheOutputDType) {
  // Regression: a float64 gradient for a float32 output reached MatmulBackward as float64 and
  // failed with "matmul: dtypes differ".
  Tensor a = leaf(ones({2, 3})), b = leaf(ones({3, 2}));
  Tensor y = matmul(a, b);
  y.backward(ones({2, 2}, kFloat64));
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_VALUES(a.grad(), {2, 2, 2, 2, 2, 2});
  Tensor x = leaf(tensor<float>({1, 2}));
  exp(x).backward(tensor<int64_t>({1, 0}));
  EXPECT_TRUE(testing::values_near(x.grad(), {std::exp(1.0), 0}, 1e-6));
}

// A node whose first backward throws, to test the engine's clean-up after an error.
struct FlakyIdentity : Node {
  int calls = 0;
  std::vector<Tensor> backward(const Tensor& g) override {
    if (calls++ == 0) throw Error("flaky: first backward fails");
    return {g};
  }
  const char* name() const override { return "FlakyIdentity"; }
};

TEST(Engine, ErrorDuringBackwardLeavesNoStalePartialGradients) {
  Tensor x = leaf(tensor<double>({1, 2}));
  Tensor y = x * 2.0;
  Tensor z = y.detach() * 1.0;
  attach_node(z, std::make_shared<FlakyIdentity>(), {&y});
  Tensor loss = sum(z + y * 3.0);  // y's node gets 3 from one branch before the other throws
  EXPECT_THROW(loss.backward(Tensor(), /*retain_graph=*/true), Error);
  x.set_grad(Tensor());
  loss.backward(Tensor(), /*retain_graph=*/true);
  EXPECT_VALUES(x.grad(), {8, 8});  // (1 + 3) · 2, without the failed pass's leftovers
  EXPECT_FALSE(ops::in_backward_pass());
}

TEST(Engine, BackwardThroughWhereReductionsAndNonDifferentiableBranches) {
  Tensor x = leaf(tensor<double>({-1, 2, -3, 4}));
  Tensor y = where(x > 0.0, x * x, -x);  // comparison branch carries no gradient
  sum(y).backward();
  EXPECT_VALUES(x.grad(), {-1, 4, -1, 8});
  x.set_grad(Tensor());
  sum(amax(x.reshape({2, 2}), {1}) + max(x.reshape({2, 2}), 0).values).backward();
  EXPECT_VALUES(x.grad(), {1, 1, 0, 2});  // amax of rows: 2, 4; max of columns: -1, 4
  x.set_grad(Tensor());
  Tensor am = argmax(x);  // not differentiable: no node
  EXPECT_FALSE(am.requires_grad());
  cross_entropy(x.reshape({1, 4}), tensor<int64_t>({3})).backward();
  Tensor p = softmax(x, 0);
  EXPECT_TRUE(testing::values_near(x.grad(), {p[0].item<double>(), p[1].item<double>(), p[2].item<double>(),
                                              p[3].item<double>() - 1}, 1e-15));
}

TEST(Engine, GradOfExpandedLeafAndBroadcastInputs) {
  Tensor b = leaf(tensor<double>({1, 2, 3}));
  Tensor m = leaf(ones({2, 3}, kFloat64));
  sum((m + b) * 2.0).backward();
  EXPECT_VALUES(b.grad(), {4, 4, 4});
  EXPECT_EQ(b.grad().shape(), Shape({3}));
  Tensor s = leaf(scalar_tensor(2, kFloat64));
  sum(m * s).backward();
  EXPECT_EQ(s.grad().dim(), 0);
  EXPECT_VALUES(s.grad(), {6});
}

}  // namespace
}  // namespace tt

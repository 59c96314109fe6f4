// Op linear with a fused activation: forward and backward equal the unfused composition
// act(linear(x, W, b)) (the unary ops' own kernels and backward) for every activation, in float32
// and float64, on contiguous, non-contiguous, 1-D and 3-D inputs, with and without grad recording.
// PyTorch golden values are in tests/nn/golden_layer_norm_test.cpp, gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include "core/generator.h"
#include "core/node.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

constexpr Activation kActs[] = {Activation::None, Activation::Relu, Activation::Gelu, Activation::GeluTanh,
                                Activation::Silu};

// The same from separate ops: matmul, add (the bias) and the activation, none of them linear's.
Tensor unfused(Activation act, const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor y = add(matmul(x, w.t()), b);
  switch (act) {
    case Activation::None: return y;
    case Activation::Relu: return relu(y);
    case Activation::Gelu: return gelu(y);
    case Activation::GeluTanh: return gelu(y, "tanh");
    case Activation::Silu: return silu(y);
  }
  return y;
}

struct Result {
  Tensor y, dx, dw, db;
};

// y and the gradients of sum(y·r) (or of sum(y) when r is undefined: a stride-0 incoming gradient).
template <typename F>
Result run(F f, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& r) {
  Tensor xl = x.detach().clone().requires_grad_(), wl = w.detach().clone().requires_grad_();
  Tensor bl = b.detach().clone().requires_grad_();
  Tensor y = f(xl, wl, bl);
  (r.defined() ? sum(y * r) : sum(y)).backward();
  return {y.detach(), xl.grad(), wl.grad(), bl.grad()};
}

void expect_fused_matches_unfused(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& r, double tol) {
  for (Activation act : kActs) {
    SCOPED_TRACE(::testing::Message() << activation_name(act) << " x " << x.shape() << " " << x.dtype()
                                      << (r.defined() ? "" : " (grad of sum)"));
    auto fused = [act](const Tensor& xl, const Tensor& wl, const Tensor& bl) { return linear(xl, wl, bl, act); };
    auto plain = [act](const Tensor& xl, const Tensor& wl, const Tensor& bl) { return unfused(act, xl, wl, bl); };
    Result got = run(fused, x, w, b, r), want = run(plain, x, w, b, r);
    EXPECT_TRUE(tensors_near(got.y, want.y, tol)) << "y";
    EXPECT_TRUE(tensors_near(got.dx, want.dx, tol)) << "dx";
    EXPECT_TRUE(tensors_near(got.dw, want.dw, tol)) << "dw";
    EXPECT_TRUE(tensors_near(got.db, want.db, tol)) << "db";
    NoGradGuard ng;  // inference path: f applied in place, nothing saved
    EXPECT_TRUE(tensors_near(linear(x, w, b, act), want.y, tol)) << "no_grad";
  }
}

TEST(LinearActivation, FusedMatchesLinearThenActivation) {
  Generator g(21);
  for (DType dt : {kFloat64, kFloat32}) {
    const double tol = dt == kFloat64 ? 1e-12 : 1e-5;
    Tensor x = randn({7, 13}, &g, dt), w = randn({11, 13}, &g, dt), b = randn({11}, &g, dt);
    expect_fused_matches_unfused(x, w, b, randn({7, 11}, &g, dt), tol);
    expect_fused_matches_unfused(x, w, b, Tensor(), tol);
    Tensor x3 = randn({2, 3, 13}, &g, dt);
    expect_fused_matches_unfused(x3, w, b, randn({2, 3, 11}, &g, dt), tol);
    expect_fused_matches_unfused(randn({13}, &g, dt), w, b, randn({11}, &g, dt), tol);
  }
}

TEST(LinearActivation, NonContiguousOperands) {
  Generator g(22);
  Tensor x = randn({13, 7}, &g, kFloat64).t();                      // (7, 13) transposed
  Tensor w = randn({22, 13}, &g, kFloat64).slice(0, 0, 22, 2);      // (11, 13) every other row
  Tensor b = randn({1}, &g, kFloat64).expand({11});                 // stride 0
  expect_fused_matches_unfused(x, w, b, randn({11, 7}, &g, kFloat64).t(), 1e-12);
}

TEST(LinearActivation, LargeBatchUsesThreadsAndStaysExact) {
  Generator g(23);
  Tensor x = randn({300, 40}, &g), w = randn({70, 40}, &g), b = randn({70}, &g);
  expect_fused_matches_unfused(x, w, b, randn({300, 70}, &g), 1e-5);
}

// float32 products big enough for the blocked GEMM (K across its 512-deep blocks, C split over
// threads): the bias and f run as the GEMM's block epilogue, so they must give what linear + bias +
// f gives as separate ops, on 1 and 2 threads, also with a strided bias.
TEST(LinearActivation, BlockedGemmEpilogueMatchesSeparateOps) {
  Generator g(24);
  Tensor x = randn({1100, 600}, &g), w = randn({150, 600}, &g), r = randn({1100, 150}, &g);
  Tensor b = randn({150}, &g), b_strided = randn({300}, &g).slice(0, 0, 300, 2);
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    SCOPED_TRACE(::testing::Message() << threads << " threads");
    expect_fused_matches_unfused(x, w, b, r, 1e-4);
    expect_fused_matches_unfused(x, w, b_strided, r, 1e-4);
  }
  set_num_threads(1);
}

TEST(LinearActivation, ActivationNamesAndBadActivation) {
  EXPECT_STREQ(activation_name(Activation::None), "none");
  EXPECT_STREQ(activation_name(Activation::Relu), "relu");
  EXPECT_STREQ(activation_name(Activation::Gelu), "gelu");
  EXPECT_STREQ(activation_name(Activation::GeluTanh), "gelu_tanh");
  EXPECT_STREQ(activation_name(Activation::Silu), "silu");
  EXPECT_TT_ERROR(linear(zeros({2, 3}), zeros({4, 3}), Tensor(), static_cast<Activation>(42)), "linear",
                  "activation", "42");
  EXPECT_TT_ERROR(linear(zeros({2, 4}), zeros({3, 5}), Tensor(), Activation::Relu), "linear", "[3, 5]", "[2, 4]");
}

TEST(LinearActivation, SizeZeroInputs) {
  for (Activation act : kActs) {
    EXPECT_EQ(linear(zeros({0, 4}), zeros({3, 4}), zeros({3}), act).shape(), Shape({0, 3}));
    // no input features: y = f(b)
    Tensor b = tensor<double>({-1, 0.5, 2});
    EXPECT_TRUE(tensors_near(linear(zeros({2, 0}, kFloat64), zeros({3, 0}, kFloat64), b, act),
                             unfused(act, zeros({2, 0}, kFloat64), zeros({3, 0}, kFloat64), b), 1e-15));
  }
}

}  // namespace
}  // namespace tt

// Op rms_norm: forward and fused backward against the same formula built from composite ops
// (mul, mean, pow: their own autograd) in float64 and float32; dw bitwise independent of the thread
// count; non-contiguous and size-0 inputs; costs; bad input. Gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

Shape trailing(const Tensor& x, int n) { return Shape(x.shape().begin() + (x.dim() - n), x.shape().end()); }

// y = x/√(mean(x²) + eps)·w from composite differentiable ops.
Tensor ref_rms_norm(const Tensor& x, int n, const Tensor& w, double eps) {
  Shape dims;
  for (int i = x.dim() - n; i < x.dim(); ++i) dims.push_back(i);
  Tensor y = x * pow(mean(x * x, dims, true) + eps, -0.5);
  return w.defined() ? y * w : y;
}

struct Grads {
  Tensor y, dx, dw;
};

template <typename F>
Grads run(F f, const Tensor& x, const Tensor& w, const Tensor& r) {
  Tensor xl = x.detach().clone().requires_grad_();
  Tensor wl = w.defined() ? w.detach().clone().requires_grad_() : Tensor();
  Tensor y = f(xl, wl);
  sum(y * r).backward();
  return {y.detach(), xl.grad(), wl.defined() ? wl.grad() : Tensor()};
}

void expect_matches_reference(const Shape& shape, int n, bool with_w, DType dt, double tol) {
  SCOPED_TRACE(::testing::Message() << "shape " << shape << " over " << n << " dims, w " << with_w << " " << dt);
  Generator g(11);
  Tensor x = randn(shape, &g, kFloat64), r = randn(shape, &g, kFloat64);
  Tensor w = with_w ? randn(trailing(x, n), &g, kFloat64) : Tensor();
  Grads got = run([&](const Tensor& xl, const Tensor& wl) { return rms_norm(xl, trailing(xl, n), wl, 1e-6); },
                  x.to(dt), with_w ? w.to(dt) : Tensor(), r.to(dt));
  Grads want = run([&](const Tensor& xl, const Tensor& wl) { return ref_rms_norm(xl, n, wl, 1e-6); }, x, w, r);
  EXPECT_EQ(got.y.dtype(), dt);
  EXPECT_TRUE(tensors_near(got.y, want.y, tol)) << "y";
  EXPECT_TRUE(tensors_near(got.dx, want.dx, tol)) << "dx";
  if (with_w) {
    EXPECT_TRUE(tensors_near(got.dw, want.dw, tol)) << "dw";
  }
}

TEST(RmsNorm, MatchesCompositeOpsForwardAndBackward) {
  // 19 and 7·5 columns leave SIMD-lane tails; 37 rows span several row chunks; 128 is a model width.
  for (DType dt : {kFloat64, kFloat32}) {
    const double tol = dt == kFloat64 ? 1e-12 : 2e-5;
    expect_matches_reference({37, 19}, 1, true, dt, tol);
    expect_matches_reference({37, 19}, 1, false, dt, tol);
    expect_matches_reference({4, 7, 5}, 2, true, dt, tol);
    expect_matches_reference({2, 64, 128}, 1, true, dt, tol);
    expect_matches_reference({9}, 1, true, dt, tol);
  }
}

TEST(RmsNorm, EachRowHasUnitRootMeanSquare) {
  Tensor x = tensor<double>({{1, 2, 3, 4}, {-10, 0, 10, 20}});
  Tensor y = rms_norm(x, {4}, Tensor(), 0.0);
  EXPECT_VALUES_NEAR(mean(y * y, {1}), 1e-15, {1, 1});
  // RMSNorm does not centre: a constant row maps to ±1, and a zero row to 0 (eps > 0, no NaN).
  EXPECT_VALUES_NEAR(rms_norm(full({1, 3}, -5.0, kFloat64), {3}, Tensor(), 0.0), 1e-15, {-1, -1, -1});
  EXPECT_VALUES(rms_norm(zeros({1, 3}, kFloat64), {3}), {0, 0, 0});
}

TEST(RmsNorm, WeightGradientDoesNotDependOnThreadCount) {
  Generator g(5);
  Tensor x = randn({1000, 33}, &g), w = randn({33}, &g), r = randn({1000, 33}, &g);
  auto f = [](const Tensor& xl, const Tensor& wl) { return rms_norm(xl, {33}, wl); };
  const int threads = get_num_threads();
  set_num_threads(1);
  Grads one = run(f, x, w, r);
  set_num_threads(2);
  Grads two = run(f, x, w, r);
  set_num_threads(threads);
  EXPECT_TRUE(testing::bitwise_equal(one.y, two.y));
  EXPECT_TRUE(testing::bitwise_equal(one.dx, two.dx));
  EXPECT_TRUE(testing::bitwise_equal(one.dw, two.dw));
}

TEST(RmsNorm, NonContiguousInputsMatchContiguousCopies) {
  Generator g(7);
  Tensor x = randn({8, 6}, &g, kFloat64).t();               // (6, 8), strides (1, 6)
  Tensor w = randn({16}, &g, kFloat64).slice(0, 0, 16, 2);  // (8), stride 2
  EXPECT_TRUE(tensors_near(rms_norm(x, {8}, w), rms_norm(x.contiguous(), {8}, w.contiguous()), 1e-15));
}

TEST(RmsNorm, SizeZeroInputs) {
  Tensor w = ones({4}, kFloat64).requires_grad_();
  Tensor x = zeros({0, 4}, kFloat64).requires_grad_();
  Tensor y = rms_norm(x, {4}, w);
  EXPECT_EQ(y.shape(), Shape({0, 4}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), Shape({0, 4}));
  EXPECT_VALUES(w.grad(), {0, 0, 0, 0});  // an empty sum over no rows
  EXPECT_EQ(rms_norm(zeros({3, 0}), {0}).shape(), Shape({3, 0}));
}

struct Recorder {
  std::vector<ops::OpEvent> events;
  static void on_event(const ops::OpEvent& ev, void* ctx) { static_cast<Recorder*>(ctx)->events.push_back(ev); }
};

TEST(RmsNorm, DeclaresClosedFormCosts) {
  Tensor x = ones({3, 4}).requires_grad_(), w = ones({4}).requires_grad_();
  Recorder rec;
  ops::set_op_observer(&Recorder::on_event, &rec);
  sum(rms_norm(x, {4}, w)).backward();
  ops::set_op_observer(nullptr, nullptr);
  const ops::OpEvent *f = nullptr, *b = nullptr;
  for (const auto& e : rec.events) {
    if (e.op == ops::OpId::rms_norm) f = &e;
    if (e.op == ops::OpId::rms_norm_backward) b = &e;
  }
  ASSERT_TRUE(f && b);
  EXPECT_EQ(f->cost.flops, 5.0 * 12);                   // 4 per element, +1 for w
  EXPECT_EQ(f->cost.bytes_read, (12 + 4) * 4.0);        // x, w
  EXPECT_EQ(f->cost.bytes_written, 12 * 4.0 + 3 * 8.0);  // y; rstd (float64)
  EXPECT_TRUE(b->backward);
  EXPECT_EQ(b->cost.flops, 10.0 * 12);
  EXPECT_EQ(b->cost.bytes_read, (12 + 12 + 4) * 4.0 + 3 * 8.0);  // dy, x, w; rstd
  EXPECT_EQ(b->cost.bytes_written, (12 + 4) * 4.0);             // dx, dw
}

TEST(RmsNorm, BadInputNamesTheOpAndShapes) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_TT_ERROR(rms_norm(x, {3}), "rms_norm", "normalized_shape", "[3]", "[2, 3, 4]");
  EXPECT_TT_ERROR(rms_norm(x, {1, 2, 3, 4}), "rms_norm", "[1, 2, 3, 4]", "[2, 3, 4]");
  EXPECT_TT_ERROR(rms_norm(x, {}), "rms_norm", "at least one dim");
  EXPECT_TT_ERROR(rms_norm(x, {4}, zeros({3})), "rms_norm", "weight", "[3]", "[4]");
  EXPECT_TT_ERROR(rms_norm(x, {4}, zeros({4}, kFloat64)), "rms_norm", "weight", "float64", "float32");
  EXPECT_TT_ERROR(rms_norm(zeros({2, 4}, kInt64), {4}), "rms_norm", "int64", "[2, 4]");
  EXPECT_TT_ERROR(rms_norm(x, {4}, Tensor(), -1.0), "rms_norm", "eps", "-1");
  EXPECT_TT_ERROR(rms_norm(Tensor(), {4}), "rms_norm", "undefined");
}

}  // namespace
}  // namespace tt

// Op rope: values against the formula evaluated element by element in double (rotate-half, as
// Hugging Face LLaMA); a rotation keeps norms; pos0 > 0 equals the matching slice of a longer
// sequence (a KV-cache decode step); backward = the inverse rotation; strided head views read in
// place; float32 vs float64; costs; size-0 and bad input. Gradchecks in tests/autograd.
#include <gtest/gtest.h>

#include <cmath>

#include "core/generator.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::tensors_near;

// x (N, T, D) contiguous → rope by the formula, one element at a time.
Tensor ref_rope(const Tensor& x, int64_t pos0, double base) {
  const int64_t T = x.size(-2), D = x.size(-1), h = D / 2, rows = x.numel() / D;
  std::vector<double> in = x.to_vector<double>(), out(in.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < h; ++i) {
      const double a = double(pos0 + r % T) * std::pow(base, -2.0 * i / D), c = std::cos(a), s = std::sin(a);
      const double x1 = in[r * D + i], x2 = in[r * D + h + i];
      out[r * D + i] = x1 * c - x2 * s;
      out[r * D + h + i] = x2 * c + x1 * s;
    }
  return from_vector(out, x.shape());
}

TEST(Rope, MatchesTheFormula) {
  Generator g(1);
  for (Shape s : {Shape{2, 3, 5, 8}, Shape{7, 36}, Shape{1, 4, 64, 32}, Shape{3, 2, 2}}) {
    SCOPED_TRACE(::testing::Message() << s);
    Tensor x = randn(s, &g, kFloat64);
    EXPECT_TRUE(tensors_near(rope(x), ref_rope(x, 0, 10000.0), 1e-14));
    EXPECT_TRUE(tensors_near(rope(x, 5, 500.0), ref_rope(x, 5, 500.0), 1e-14));
    EXPECT_TRUE(tensors_near(rope(x.to(kFloat32), 3), ref_rope(x, 3, 10000.0), 2e-6));
  }
}

TEST(Rope, PositionZeroIsIdentityAndNormsArePreserved) {
  Generator g(2);
  Tensor x = randn({2, 1, 16}, &g, kFloat64);
  EXPECT_TRUE(tensors_near(rope(x), x, 0));  // one position, p = 0: cos 1, sin 0
  Tensor y = randn({3, 10, 12}, &g, kFloat64);
  // Each pair (i, i + D/2) is rotated, so every row keeps its length.
  EXPECT_TRUE(tensors_near(sum(rope(y, 7) * rope(y, 7), {2}), sum(y * y, {2}), 1e-13));
}

TEST(Rope, StartPositionEqualsTheSliceOfALongerSequence) {
  Generator g(3);
  Tensor x = randn({2, 3, 12, 8}, &g);
  Tensor full = rope(x);
  for (int64_t p : {1, 5, 11}) {
    Tensor tail = x.slice(2, p, 12).contiguous();
    EXPECT_TRUE(testing::bitwise_equal(rope(tail, p), full.slice(2, p, 12).contiguous())) << "pos0 " << p;
  }
  // A decode step: one new token at position 11.
  EXPECT_TRUE(testing::bitwise_equal(rope(x.slice(2, 11, 12).contiguous(), 11), full.slice(2, 11, 12).contiguous()));
}

TEST(Rope, BackwardIsTheInverseRotation) {
  Generator g(4);
  Tensor x = randn({2, 6, 10}, &g, kFloat64).requires_grad_();
  Tensor dy = randn({2, 6, 10}, &g, kFloat64);
  sum(rope(x, 2, 100.0) * dy).backward();
  // Rotating the gradient forward again undoes the inverse rotation.
  EXPECT_TRUE(tensors_near(rope(x.grad(), 2, 100.0), dy, 1e-14));
  // And the gradient is the transpose: <rope(x), dy> = <x, dx>.
  EXPECT_NEAR(sum(rope(x.detach(), 2, 100.0) * dy).item(), sum(x.detach() * x.grad()).item(), 1e-12);
}

TEST(Rope, HeadViewsAreReadInPlaceAndMatchContiguousCopies) {
  const int64_t B = 2, T = 5, H = 3, D = 8;
  Generator g(5);
  Tensor qkv = randn({B, T, 3 * H * D}, &g).view({B, T, 3, H, D});
  Tensor q = qkv.select(2, 0).transpose(1, 2);  // (B, H, T, D), last dim contiguous
  ASSERT_FALSE(q.is_contiguous());
  EXPECT_TRUE(testing::bitwise_equal(rope(q, 4), rope(q.contiguous(), 4)));
  Tensor qt = q.contiguous().transpose(-1, -2).contiguous().transpose(-1, -2);  // stride(-1) != 1: copied
  EXPECT_TRUE(testing::bitwise_equal(rope(qt, 4), rope(q.contiguous(), 4)));
  Tensor e = randn({1, T, D}, &g).expand({4, T, D});  // stride-0 leading dim
  EXPECT_TRUE(testing::bitwise_equal(rope(e), rope(e.contiguous())));
}

TEST(Rope, SizeZeroInputs) {
  Tensor x = zeros({2, 0, 8}, kFloat64).requires_grad_();
  Tensor y = rope(x);
  EXPECT_EQ(y.shape(), Shape({2, 0, 8}));
  sum(y).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_EQ(rope(zeros({0, 3, 4})).shape(), Shape({0, 3, 4}));
  EXPECT_EQ(rope(zeros({3, 0})).shape(), Shape({3, 0}));
}

struct Recorder {
  std::vector<ops::OpEvent> events;
  static void on_event(const ops::OpEvent& ev, void* ctx) { static_cast<Recorder*>(ctx)->events.push_back(ev); }
};

TEST(Rope, DeclaresClosedFormCosts) {
  Tensor x = ones({2, 3, 4}).requires_grad_();
  Recorder rec;
  ops::set_op_observer(&Recorder::on_event, &rec);
  sum(rope(x)).backward();
  ops::set_op_observer(nullptr, nullptr);
  const ops::OpEvent *f = nullptr, *b = nullptr;
  for (const auto& e : rec.events) {
    if (e.op == ops::OpId::rope) f = &e;
    if (e.op == ops::OpId::rope_backward) b = &e;
  }
  ASSERT_TRUE(f && b);
  EXPECT_EQ(f->cost.flops, 3.0 * 24);
  EXPECT_EQ(f->cost.bytes_read, (24 + 2 * 3 * 2) * 4.0);  // x, cos and sin (T, D/2)
  EXPECT_EQ(f->cost.bytes_written, 24 * 4.0);
  EXPECT_TRUE(b->backward);
  EXPECT_EQ(b->cost.flops, 3.0 * 24);
}

TEST(Rope, BadInputNamesTheOpAndValues) {
  EXPECT_TT_ERROR(rope(zeros({2, 3, 5})), "rope", "D = 5", "even", "[2, 3, 5]");
  EXPECT_TT_ERROR(rope(zeros({4})), "rope", "at least 2 dims", "[4]");
  EXPECT_TT_ERROR(rope(zeros({2, 4}, kInt64)), "rope", "int64");
  EXPECT_TT_ERROR(rope(zeros({2, 4}), -1), "rope", "pos0", "-1");
  EXPECT_TT_ERROR(rope(zeros({2, 4}), 0, 0.0), "rope", "base", "0");
  EXPECT_TT_ERROR(rope(zeros({2, 4}), 0, NAN), "rope", "base", "nan");
  EXPECT_TT_ERROR(rope(Tensor()), "rope", "undefined");
}

}  // namespace
}  // namespace tt

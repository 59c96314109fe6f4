// Tests for the generic call path's bookkeeping: an installed observer receives one event per op
// with the declared cost (closed forms of the shapes) and the backward-pass flag; with no observer
// installed nothing is reported.
#include <gtest/gtest.h>

#include <vector>

#include "core/node.h"
#include "ops/op_record.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

struct Recorder {
  std::vector<ops::OpEvent> events;
  static void on_event(const ops::OpEvent& ev, void* ctx) { static_cast<Recorder*>(ctx)->events.push_back(ev); }
};

class OpCost : public ::testing::Test {
 protected:
  void SetUp() override { ops::set_op_observer(&Recorder::on_event, &rec); }
  void TearDown() override { ops::set_op_observer(nullptr, nullptr); }
  const ops::OpEvent* find(ops::OpId id, bool backward = false) const {
    for (const auto& e : rec.events)
      if (e.op == id && e.backward == backward) return &e;
    return nullptr;
  }
  Recorder rec;
};

TEST_F(OpCost, MatmulCountsTwoFlopsPerMultiplyAdd) {
  Tensor c = matmul(ones({2, 3}), ones({3, 4}));
  const ops::OpEvent* e = find(ops::OpId::matmul);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->cost.flops, 2.0 * 2 * 3 * 4);
  EXPECT_EQ(e->cost.bytes_read, (6 + 12) * 4.0);
  EXPECT_EQ(e->cost.bytes_written, 8 * 4.0);
  EXPECT_LE(e->start_ns, e->end_ns);
  EXPECT_EQ(e->output->shape(), Shape({2, 4}));
}

TEST_F(OpCost, ElementwiseReductionAndViewCosts) {
  Tensor a = ones({2, 3}, kFloat64), b = ones({3}, kFloat64);
  Tensor s = sum(a + b);
  const ops::OpEvent* add_ev = find(ops::OpId::add);
  ASSERT_NE(add_ev, nullptr);
  EXPECT_EQ(add_ev->cost.flops, 6);
  EXPECT_EQ(add_ev->cost.bytes_read, (6 + 3) * 8.0);
  EXPECT_EQ(add_ev->num_inputs, 2);
  const ops::OpEvent* sum_ev = find(ops::OpId::sum);
  ASSERT_NE(sum_ev, nullptr);
  EXPECT_EQ(sum_ev->cost.bytes_written, 8);
  Tensor v = a.t();
  const ops::OpEvent* view_ev = find(ops::OpId::permute);
  ASSERT_NE(view_ev, nullptr);
  EXPECT_EQ(view_ev->cost.flops, 0);
  EXPECT_EQ(view_ev->cost.bytes_read + view_ev->cost.bytes_written, 0);
}

TEST_F(OpCost, BackwardOpsAreFlaggedAsBackward) {
  Tensor x = ones({4, 5});
  x.requires_grad_();
  Tensor loss = sum(tanh(x));
  EXPECT_EQ(find(ops::OpId::unary_backward, true), nullptr);
  loss.backward();
  EXPECT_NE(find(ops::OpId::unary_backward, true), nullptr);
  EXPECT_NE(find(ops::OpId::tanh, false), nullptr);
  EXPECT_FALSE(ops::in_backward_pass());
}

TEST_F(OpCost, LayerNormForwardAndBackwardCosts) {
  Tensor x = ones({3, 4}), w = ones({4}), b = zeros({4});
  x.requires_grad_(), w.requires_grad_(), b.requires_grad_();
  Tensor y = layer_norm(x, {4}, w, b);
  const ops::OpEvent* f = find(ops::OpId::layer_norm);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->cost.flops, (6 + 2) * 12.0);                  // 6 per element, +1 each for w and b
  EXPECT_EQ(f->cost.bytes_read, (12 + 4 + 4) * 4.0);         // x, w, b
  EXPECT_EQ(f->cost.bytes_written, 12 * 4.0 + (3 + 3) * 8.0);  // y; mean, rstd (float64)
  EXPECT_EQ(f->num_inputs, 3);
  sum(y).backward();
  const ops::OpEvent* bw = find(ops::OpId::layer_norm_backward, true);
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->cost.flops, 12.0 * 12);
  EXPECT_EQ(bw->cost.bytes_read, (12 + 12 + 4) * 4.0 + (3 + 3) * 8.0);  // dy, x, w; mean, rstd
  EXPECT_EQ(bw->cost.bytes_written, (12 + 4 + 4) * 4.0);         // dx, dw, db
}

TEST_F(OpCost, LinearWithActivationAddsTheActivationsFlops) {
  Tensor x = ones({2, 3}), w = ones({4, 3}), b = zeros({4});
  Tensor y = linear(x, w, b, Activation::Relu);
  const ops::OpEvent* e = find(ops::OpId::linear);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->cost.flops, 2.0 * 2 * 3 * 4 + 2 * 4 + 1.0 * 2 * 4);  // GEMM + bias + relu
  EXPECT_EQ(e->cost.bytes_written, 8 * 4.0);
  w.requires_grad_();
  Tensor z = linear(x, w, b, Activation::Gelu);  // keeps the pre-activation for backward
  ops::OpEvent g{};
  for (const auto& ev : rec.events)
    if (ev.op == ops::OpId::linear) g = ev;  // the last linear: the gelu one
  EXPECT_EQ(g.cost.flops, 2.0 * 2 * 3 * 4 + 2 * 4 + 6.0 * 2 * 4);
  EXPECT_EQ(g.cost.bytes_written, 2 * 8 * 4.0);  // y and pre
  sum(z).backward();
  const ops::OpEvent* fold = find(ops::OpId::linear_act_backward, true);
  ASSERT_NE(fold, nullptr);
  EXPECT_EQ(fold->cost.flops, 2 * 6.0 * 8);
  EXPECT_EQ(fold->cost.bytes_written, 8 * 4.0);
}

TEST(OpCostNoObserver, NothingIsReportedWhenNoObserverIsInstalled) {
  EXPECT_EQ(ops::g_op_observer, nullptr);
  Recorder rec;
  ops::set_op_observer(&Recorder::on_event, &rec);
  ops::set_op_observer(nullptr, nullptr);
  Tensor y = exp(ones({3}));
  EXPECT_TRUE(rec.events.empty());
}

}  // namespace
}  // namespace tt

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

TEST_F(OpCost, PoolingCostsCountWindowTaps) {
  Tensor x = ones({2, 3, 4, 4});  // 6 planes of 16; 2x2 windows give 24 outputs
  Tensor y = max_pool2d(x, 2);    // inference: no indices saved
  const ops::OpEvent* f = find(ops::OpId::max_pool2d);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->cost.flops, 24 * 4.0);  // one comparison per window tap
  EXPECT_EQ(f->cost.bytes_read, 96 * 4.0);
  EXPECT_EQ(f->cost.bytes_written, 24 * 4.0);
  rec.events.clear();
  x.requires_grad_();
  sum(max_pool2d(x, 2)).backward();
  EXPECT_EQ(find(ops::OpId::max_pool2d)->cost.bytes_written, 24 * 4.0 + 24 * 4.0);  // y and int32 argmax
  const ops::OpEvent* mb = find(ops::OpId::max_pool2d_backward, true);
  ASSERT_NE(mb, nullptr);
  EXPECT_EQ(mb->cost.flops, 24);
  EXPECT_EQ(mb->cost.bytes_read, 24 * 4.0 + 24 * 4.0);
  EXPECT_EQ(mb->cost.bytes_written, 96 * 4.0);
  sum(avg_pool2d(x, 2)).backward();
  const ops::OpEvent* af = find(ops::OpId::avg_pool2d);
  ASSERT_NE(af, nullptr);
  EXPECT_EQ(af->cost.flops, 24 * 4.0 + 24);  // taps + one division per output
  EXPECT_EQ(find(ops::OpId::avg_pool2d_backward, true)->cost.bytes_written, 96 * 4.0);
  // H = 4 into 3 rows: windows [0, 2), [1, 3), [2, 4), 6 rows in all; likewise W: 36 taps per plane.
  sum(adaptive_avg_pool2d(x, 3)).backward();
  EXPECT_EQ(find(ops::OpId::adaptive_avg_pool2d)->cost.flops, 6 * 36.0 + 54);
  EXPECT_EQ(find(ops::OpId::adaptive_avg_pool2d_backward, true)->cost.flops, 6 * 36.0 + 54);
}

TEST_F(OpCost, BatchNormForwardAndBackwardCosts) {
  Tensor x = ones({2, 3, 4, 4}), w = ones({3}), b = zeros({3}), rm = zeros({3}), rv = ones({3});
  x.requires_grad_(), w.requires_grad_(), b.requires_grad_();
  Tensor y = batch_norm(x, rm, rv, w, b, true);
  const ops::OpEvent* f = find(ops::OpId::batch_norm);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->cost.flops, (7 + 2) * 96.0);                             // 7 per element, +1 each for w and b
  EXPECT_EQ(f->cost.bytes_read, (96 + 3 + 3 + 3 + 3) * 4.0);            // x, w, b, running stats
  EXPECT_EQ(f->cost.bytes_written, (96 + 3 + 3) * 4.0 + (3 + 3) * 8.0);  // y, running stats; mean, rstd
  EXPECT_EQ(f->num_inputs, 3);
  sum(y).backward();
  const ops::OpEvent* bw = find(ops::OpId::batch_norm_backward, true);
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->cost.flops, 10.0 * 96);
  EXPECT_EQ(bw->cost.bytes_read, (96 + 96 + 3) * 4.0 + (3 + 3) * 8.0);  // dy, x, w; mean, rstd
  EXPECT_EQ(bw->cost.bytes_written, (96 + 3 + 3) * 4.0);                 // dx, dw, db
  rec.events.clear();
  batch_norm(x.detach(), rm, rv, Tensor(), Tensor(), false);
  EXPECT_EQ(find(ops::OpId::batch_norm)->cost.flops, 2.0 * 96);  // evaluation: (x − μ)·rstd
}

TEST_F(OpCost, ConvolutionCostsCountTheGemmMultiplyAdds) {
  Tensor x = ones({2, 3, 6, 6}), w = ones({4, 3, 3, 3}), b = zeros({4});
  x.requires_grad_(), w.requires_grad_(), b.requires_grad_();
  Tensor y = conv2d(x, w, b, {.padding = 1});  // y [2, 4, 6, 6]: 288 outputs, 27 taps each
  const ops::OpEvent* f = find(ops::OpId::conv2d);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->cost.flops, 2.0 * 288 * 27 + 288);  // multiply-adds + bias
  EXPECT_EQ(f->cost.bytes_read, (216 + 108 + 4) * 4.0);
  EXPECT_EQ(f->cost.bytes_written, 288 * 4.0);
  sum(y).backward();
  const ops::OpEvent* bw = find(ops::OpId::conv2d_backward, true);
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->cost.flops, 2 * (2.0 * 288 * 27) + 288);  // dx and dW GEMMs + db
  EXPECT_EQ(bw->cost.bytes_read, (288 + 216 + 108) * 4.0);  // dy, x, w
  EXPECT_EQ(bw->cost.bytes_written, (216 + 108 + 4) * 4.0);
  // conv_transpose2d: each of the 2·3·2·2 = 24 inputs meets (O/groups)·kH·kW = 2·9 weights
  Tensor xt = ones({2, 3, 2, 2}), wt = ones({3, 2, 3, 3}), bt = zeros({2});
  xt.requires_grad_(), wt.requires_grad_(), bt.requires_grad_();
  Tensor yt = conv_transpose2d(xt, wt, bt, {.stride = 2});  // [2, 2, 5, 5]
  const ops::OpEvent* t = find(ops::OpId::conv_transpose2d);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->cost.flops, 2.0 * 24 * 18 + 100);
  EXPECT_EQ(t->cost.bytes_written, 100 * 4.0);
  sum(yt).backward();
  const ops::OpEvent* tb = find(ops::OpId::conv_transpose2d_backward, true);
  ASSERT_NE(tb, nullptr);
  EXPECT_EQ(tb->cost.flops, 2 * (2.0 * 24 * 18) + 100);
  EXPECT_EQ(tb->cost.bytes_read, (100 + 24 + 54) * 4.0);   // dy, x, w
  EXPECT_EQ(tb->cost.bytes_written, (24 + 54 + 2) * 4.0);  // dx, dw, db
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

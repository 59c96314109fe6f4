// Tests of the profiler's recording and reports: one record per op with shapes, pass, declared cost
// and module; spans nest; parameter counts, FLOP counts and memory figures equal their closed forms
// for Linear, Conv2d and attention; the optimizer's update is priced; off means no observer.
#include <gtest/gtest.h>

#include <thread>

#include "core/allocator.h"
#include "core/node.h"
#include "nn/nn.h"
#include "ops/ops.h"
#include "optim/optimizer.h"
#include "profile/report.h"
#include "profile/session.h"
#include "tensor_expect.h"

namespace tt::profile {
namespace {

// Bytes the caching allocator accounts for an n-byte tensor (Note [Size classes]).
int64_t cls(int64_t n) {
  if (n <= 4096) return (n + 63) / 64 * 64;
  int64_t c = 4096;
  while (c < n) c <<= 1;
  return c;
}

const OpRecord* find(const Profiler& p, ops::OpId id, bool backward) {
  for (const OpRecord& r : p.ops())
    if (r.op == id && r.backward == backward) return &r;
  return nullptr;
}

double flops_of(const Profiler& p, bool backward) {
  double f = 0;
  for (const OpRecord& r : p.ops())
    if (r.backward == backward && r.op != ops::OpId::optimizer_step) f += r.cost.flops;
  return f;
}

TEST(Profiler, OffByDefaultAndInstalledOnlyWhileRunning) {
  EXPECT_EQ(ops::g_op_observer, nullptr);
  EXPECT_EQ(g_span_observer, nullptr);
  Profiler p;
  {
    ProfileGuard g(p);
    EXPECT_NE(ops::g_op_observer, nullptr);
    EXPECT_NE(g_span_observer, nullptr);
    Profiler other;
    EXPECT_THROW(other.start(), Error);  // one at a time
  }
  EXPECT_EQ(ops::g_op_observer, nullptr);
  EXPECT_EQ(g_span_observer, nullptr);
  add(ones({2}), ones({2}));  // nothing recorded once stopped
  EXPECT_TRUE(p.ops().empty());
}

TEST(Profiler, RecordsShapesPassCostAndModulePerOp) {
  nn::Sequential model{std::make_shared<nn::Linear>(8, 4), std::make_shared<nn::ReLU>()};
  Tensor x = randn({3, 8});
  Profiler p;
  p.name_modules(model);
  {
    ProfileGuard g(p);
    sum(model.forward(x)).backward();
  }
  const OpRecord* lin = find(p, ops::OpId::linear, false);
  ASSERT_NE(lin, nullptr);
  EXPECT_EQ(lin->num_inputs, 3);
  EXPECT_EQ(lin->inputs[0], Shape({3, 8}));
  EXPECT_EQ(lin->output, Shape({3, 4}));
  EXPECT_EQ(lin->cost.flops, 2.0 * 3 * 8 * 4 + 3 * 4);
  EXPECT_EQ(p.module_label(p.module_of(*lin)), "0");
  EXPECT_LE(lin->start_ns, lin->end_ns);
  EXPECT_GT(lin->bytes_in_use, 0);
  // Backward ops are attributed to the module whose forward created their node.
  const OpRecord* relu_bwd = find(p, ops::OpId::unary_backward, true);
  ASSERT_NE(relu_bwd, nullptr);
  EXPECT_EQ(p.module_label(p.module_of(*relu_bwd)), "1");
  int linear_backward_ops = 0;
  for (const OpRecord& r : p.ops())
    if (r.backward && p.module_label(p.module_of(r)) == "0") ++linear_backward_ops;
  EXPECT_GE(linear_backward_ops, 1);
  // The root is named by its type; children by their paths.
  EXPECT_EQ(p.module_label(0), "Sequential");
}

TEST(Profiler, SpansNestAndCloseInsideTheRun) {
  using Mods = std::initializer_list<std::shared_ptr<nn::Module>>;
  auto inner = std::make_shared<nn::Sequential>(Mods{std::make_shared<nn::Linear>(4, 4)});
  auto outer = std::make_shared<nn::Sequential>(Mods{inner});
  Profiler p;
  p.name_modules(*outer);
  {
    ProfileGuard g(p);
    Region r("step");
    outer->forward(randn({2, 4}));
  }
  ASSERT_GE(p.spans().size(), 4u);  // step ⊃ Sequential ⊃ 0 ⊃ 0.0
  for (const SpanRecord& s : p.spans()) {
    EXPECT_GE(s.end_ns, s.start_ns) << s.name;
    if (s.parent >= 0) {
      const SpanRecord& up = p.spans()[s.parent];
      EXPECT_LE(up.start_ns, s.start_ns) << s.name;
      EXPECT_GE(up.end_ns, s.end_ns) << s.name;
    }
  }
  EXPECT_EQ(p.spans()[0].kind, SpanKind::region);
  EXPECT_EQ(p.spans()[0].name, "step");
  EXPECT_EQ(p.spans().back().name, "0.0");
}

TEST(Profiler, OpsOnOtherThreadsGetTheirOwnThreadIndex) {
  Profiler p;
  {
    ProfileGuard g(p);
    std::thread t([] { add(ones({4}), ones({4})); });
    t.join();
    add(ones({4}), ones({4}));
  }
  int main_adds = 0, other_adds = 0;
  for (const OpRecord& r : p.ops())
    if (r.op == ops::OpId::add) (r.thread == 0 ? main_adds : other_adds)++;
  EXPECT_EQ(main_adds, 1);
  EXPECT_EQ(other_adds, 1);
}

// Linear(in, out) at batch N: 2·N·in·out + N·out FLOPs forward; backward dX and dW are 2·N·in·out
// each, db N·out; parameters in·out + out. For backward a Linear keeps its input and weight, both
// allocated before the forward, so the step's activations are only the scalar loss.
TEST(ProfilerClosedForms, LinearFlopsParametersAndMemory) {
  const int64_t N = 32, in = 64, out = 128;
  nn::Linear lin(in, out);
  Tensor x = randn({N, in}).requires_grad_();
  optim::Adam opt(lin.parameters(), {{"lr", 1e-3}});
  Workload w{&lin, x, nullptr, [](const Tensor& y) { return sum(y); }};
  Profiler p;
  run_profiled(p, w, &opt, {.train = true, .warmup = 1, .steps = 1});
  EXPECT_DOUBLE_EQ(find(p, ops::OpId::linear, false)->cost.flops, 2.0 * N * in * out + N * out);
  EXPECT_DOUBLE_EQ(flops_of(p, true), 2 * 2.0 * N * in * out + N * out);
  auto mods = module_table(p);
  ASSERT_EQ(mods.size(), 1u);
  EXPECT_EQ(mods[0].parameters, in * out + out);
  EXPECT_EQ(mods[0].calls, 1);
  MemoryBreakdown m = memory_breakdown(p, lin, &opt);
  const int64_t params = (in * out + out) * 4;
  EXPECT_EQ(m.parameters, params);
  EXPECT_EQ(m.gradients, params);
  EXPECT_EQ(m.optimizer_state, 2 * params);  // Adam: exp_avg and exp_avg_sq
  EXPECT_EQ(m.activations, cls(4));
  EXPECT_GE(m.peak, m.parameters + m.gradients + m.optimizer_state);
  EXPECT_EQ(m.peak, m.parameters + m.gradients + m.optimizer_state + m.activations + m.other);
}

// Two Linears: the second keeps its input, the first one's output (N × mid floats), for backward.
TEST(ProfilerClosedForms, StackedLinearsKeepTheHiddenActivation) {
  const int64_t N = 64, in = 32, mid = 256, out = 16;
  nn::Sequential model{std::make_shared<nn::Linear>(in, mid), std::make_shared<nn::Linear>(mid, out)};
  optim::SGD opt(model.parameters(), {{"lr", 0.1}});
  Workload w{&model, randn({N, in}), nullptr, [](const Tensor& y) { return sum(y); }};
  Profiler p;
  run_profiled(p, w, &opt, {.train = true, .warmup = 1, .steps = 2});
  MemoryBreakdown m = memory_breakdown(p, model, &opt);
  EXPECT_EQ(m.activations, cls(N * mid * 4) + cls(4));
  EXPECT_EQ(m.optimizer_state, 0);  // plain SGD keeps no state
  EXPECT_EQ(m.parameters, (in * mid + mid + mid * out + out) * 4);
  auto mods = module_table(p);
  ASSERT_EQ(mods.size(), 3u);  // Sequential, 0, 1 in tree order
  EXPECT_EQ(mods[0].parameters, mods[1].parameters + mods[2].parameters);
  EXPECT_EQ(mods[1].calls, 2);
  EXPECT_GE(mods[0].forward_ns, mods[1].forward_ns + mods[2].forward_ns);
  EXPECT_DOUBLE_EQ(mods[0].flops, mods[1].flops + mods[2].flops);
}

// Conv2d(C, O, k) on [N, C, H, W] (stride 1, no padding): 2·N·O·OH·OW·C·k² FLOPs + N·O·OH·OW for
// the bias; parameters O·C·k² + O.
TEST(ProfilerClosedForms, Conv2dFlopsAndParameters) {
  const int64_t N = 2, C = 3, O = 8, k = 3, H = 10, W = 12, OH = H - k + 1, OW = W - k + 1;
  nn::Conv2d conv(C, O, k);
  Profiler p;
  p.name_modules(conv);
  {
    ProfileGuard g(p);
    NoGradGuard ng;
    conv.forward(randn({N, C, H, W}));
  }
  const OpRecord* r = find(p, ops::OpId::conv2d, false);
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->cost.flops, 2.0 * N * O * OH * OW * C * k * k + N * O * OH * OW);
  auto mods = module_table(p);
  ASSERT_EQ(mods.size(), 1u);
  EXPECT_EQ(mods[0].parameters, O * C * k * k + O);
  EXPECT_DOUBLE_EQ(mods[0].flops, r->cost.flops);
}

// Causal attention over T positions, H heads of size D: T(T+1)/2 visible pairs per head, each
// 2·(D + D) + 5 FLOPs; it keeps only o (B, T, H, D) and the row logsumexp (B, H, T) for backward —
// O(T) memory, never the T × T probabilities.
TEST(ProfilerClosedForms, AttentionFlopsAndLinearMemory) {
  const int64_t B = 2, H = 4, T = 256, D = 16;
  Tensor q = randn({B, H, T, D}).requires_grad_(), k = randn({B, H, T, D}).requires_grad_(),
         v = randn({B, H, T, D}).requires_grad_();
  Profiler p;
  Tensor o;
  {
    ProfileGuard g(p);
    Region f("forward");
    o = scaled_dot_product_attention(q, k, v, Tensor(), true);
  }
  const OpRecord* r = find(p, ops::OpId::scaled_dot_product_attention, false);
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->cost.flops, double(B) * H * (T * (T + 1) / 2.0) * (2.0 * (D + D) + 5));
  nn::Linear unused(1, 1);  // memory_breakdown needs a module; this one's parameters are not counted below
  MemoryBreakdown m = memory_breakdown(p, unused, nullptr);
  EXPECT_EQ(m.activations, cls(B * T * H * D * 4) + cls(B * H * T * 4));
  EXPECT_LT(m.activations, B * H * T * T * 4 / 8);
}

TEST(ProfilerClosedForms, OptimizerUpdateIsPricedPerParameter) {
  nn::Linear lin(16, 8);
  optim::Adam opt(lin.parameters(), {{"lr", 1e-3}});
  sum(lin.forward(randn({4, 16}))).backward();
  Profiler p;
  {
    ProfileGuard g(p);
    opt.step();
  }
  std::vector<const OpRecord*> steps;
  for (const OpRecord& r : p.ops())
    if (r.op == ops::OpId::optimizer_step) steps.push_back(&r);
  ASSERT_EQ(steps.size(), 2u);  // weight and bias
  EXPECT_STREQ(steps[0]->label, "Adam");
  EXPECT_DOUBLE_EQ(steps[0]->cost.flops, 13.0 * 16 * 8);
  // reads p, g, exp_avg, exp_avg_sq; writes p, exp_avg, exp_avg_sq
  EXPECT_DOUBLE_EQ(steps[0]->cost.bytes_read, 4.0 * 16 * 8 * 4);
  EXPECT_DOUBLE_EQ(steps[0]->cost.bytes_written, 3.0 * 16 * 8 * 4);
}

TEST(ProfilerReport, OpTableAggregatesCallsAndPlacesRowsOnTheRoof) {
  Profiler p;
  Tensor a = randn({256, 256}), b = randn({256, 256});
  {
    ProfileGuard g(p);
    for (int i = 0; i < 3; ++i) matmul(a, b);
    add(a, b);
  }
  Roof roof{100.0, 10.0, 1};  // ridge 10 FLOP/B
  auto rows = op_table(p, roof);
  const OpStat* mm = nullptr;
  const OpStat* ad = nullptr;
  for (const OpStat& s : rows) {
    if (s.name == "matmul") mm = &s;
    if (s.name == "add") ad = &s;
  }
  ASSERT_NE(mm, nullptr);
  ASSERT_NE(ad, nullptr);
  EXPECT_EQ(mm->calls, 3);
  EXPECT_EQ(mm->shapes, "[256, 256] [256, 256] -> [256, 256]");
  EXPECT_DOUBLE_EQ(mm->intensity, 2.0 * 256 * 256 * 256 / (3.0 * 256 * 256 * 4));
  EXPECT_EQ(mm->limit, Limit::compute);  // 42.7 FLOP/B > ridge 10
  EXPECT_DOUBLE_EQ(mm->bound_gflops, 100.0);
  EXPECT_NEAR(mm->pct_of_bound, roof.bound_ns(mm->flops, mm->bytes) / mm->total_ns, 1e-12);
  EXPECT_DOUBLE_EQ(ad->intensity, 1.0 / 12);  // one FLOP per 12 bytes
  EXPECT_DOUBLE_EQ(ad->bound_gflops, 10.0 / 12);
  EXPECT_NE(ad->limit, Limit::compute);
  EXPECT_GE(rows.front().total_ns, rows.back().total_ns);  // sorted by time
  auto by_op = op_table(p, roof, {.by_shape = false});
  EXPECT_EQ(by_op.size(), 2u);
}

TEST(ProfilerReport, SummaryAddsUpOverSteps) {
  std::vector<OpStat> rows(2);
  rows[0].total_ns = 400, rows[0].flops = 4000, rows[0].bytes = 40, rows[0].limit = Limit::compute;
  rows[1].total_ns = 200, rows[1].flops = 0, rows[1].bytes = 2000, rows[1].limit = Limit::memory;
  Roof roof{100.0, 10.0, 1};
  StepSummary s = summarize(rows, roof, 500, 2);  // totals over 2 steps; a step takes 500 ns
  EXPECT_DOUBLE_EQ(s.op_ns, 300);
  EXPECT_DOUBLE_EQ(s.flops, 2000);
  EXPECT_DOUBLE_EQ(s.roofline_ns, (40.0 + 200.0) / 2);  // max(4000/100, 40/10) + 2000/10, per step
  EXPECT_DOUBLE_EQ(s.compute_ns, 200);
  EXPECT_DOUBLE_EQ(s.memory_ns, 100);
  EXPECT_DOUBLE_EQ(s.outside_ops_ns(), 200);
  EXPECT_DOUBLE_EQ(s.efficiency(), 120.0 / 500);
}

TEST(ProfilerSession, RejectsBadOptions) {
  nn::Linear lin(2, 2);
  Profiler p;
  Workload w{&lin, randn({1, 2}), nullptr, nullptr};
  EXPECT_THROW(run_profiled(p, w, nullptr, {.train = true}), Error);  // no optimizer, no loss
  EXPECT_THROW(run_profiled(p, w, nullptr, {.train = false, .warmup = 0, .steps = 0}), Error);
  EXPECT_FALSE(p.running());
  EXPECT_EQ(ops::g_op_observer, nullptr);
}

}  // namespace
}  // namespace tt::profile

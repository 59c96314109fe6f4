// Tracing our models into simulator graphs, and the host model used by `tito sim validate`.
#include <gtest/gtest.h>

#include <cmath>

#include "profile/profiler.h"
#include "sim/registry.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tt::sim {
namespace {

struct Mlp {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::AdamW> opt;
  FrameworkWorkload w;
};

// Linear(16→32) → ReLU → Linear(32→4), batch 8.
Mlp make_mlp(bool train) {
  Generator g(3);
  Mlp m;
  m.model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(16, 32, true, &g), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(32, 4, true, &g)});
  m.opt = std::make_unique<optim::AdamW>(m.model->parameters(), optim::Options{{"lr", 1e-3}});
  m.w.name = "mlp";
  m.w.work.model = m.model.get();
  m.w.work.input = randn(Shape{8, 16});
  Tensor y = randint(0, 4, Shape{8});
  m.w.work.loss = [y](const Tensor& out) { return cross_entropy(out, y); };
  m.w.optimizer = train ? m.opt.get() : nullptr;
  m.w.train = train;
  m.w.samples = 8;
  return m;
}

double flops_of(const WorkGraph& g, const std::string& name, const std::string& pass) {
  double f = 0;
  for (const OpCost& op : g.ops)
    if (op.name == name && op.pass == pass) f += op.flops * op.count;
  return f;
}

TEST(SimTrace, TracedGraphCarriesTheDeclaredCosts) {
  Mlp m = make_mlp(true);
  const WorkGraph g = trace_workload(m.w, Precision::fp32);
  // Forward linears: 2·B·in·out each (plus the bias adds the op declares).
  EXPECT_GE(flops_of(g, "linear", "fwd"), 2.0 * 8 * (16 * 32 + 32 * 4));
  EXPECT_LE(flops_of(g, "linear", "fwd"), 2.0 * 8 * (16 * 32 + 32 * 4) + 8 * (32 + 4) * 2);
  EXPECT_GT(flops_of(g, "AdamW.step", "opt"), 0);
  EXPECT_DOUBLE_EQ(g.weight_bytes, (16 * 32 + 32 + 32 * 4 + 4) * 4.0);
  EXPECT_GT(g.footprint, 0);
  // At fp16 every tensor is half the bytes, FLOPs unchanged.
  Mlp m16 = make_mlp(true);
  const WorkGraph h = trace_workload(m16.w, Precision::fp16);
  EXPECT_NEAR(h.total_bytes(), g.total_bytes() / 2, 1e-9 * g.total_bytes());
  EXPECT_DOUBLE_EQ(h.hardware_flops(), g.hardware_flops());
}

TEST(SimTrace, TracedGraphPricesOnRegistryDevices) {
  Mlp m = make_mlp(false);
  const WorkGraph g = trace_workload(m.w, Precision::fp16);
  const Registry reg = load_registry(registry_dir(), false);
  PriceOptions o;
  o.footprint = g.footprint;
  const NodeResult h100 = price(g, reg.device("H100"), o);
  const NodeResult esp = price(g, reg.device("ESP32-S3"), o);
  EXPECT_GT(h100.latency, 0);
  EXPECT_GT(esp.latency, h100.latency);  // a microcontroller is slower than an H100
  EXPECT_EQ(h100.ops.size(), g.ops.size());
}

TEST(SimTrace, HostModelArithmetic) {
  HostModel h;
  h.peak_flops = 100e9;
  h.tiers = {{"L1", 1000, 200e9}, {"DRAM", INFINITY, 20e9}};
  h.op_overhead = 1e-6;
  h.kinds["linear"] = {2e-6, 0.5, 3};
  EXPECT_DOUBLE_EQ(h.bandwidth_for(800), 200e9);
  EXPECT_DOUBLE_EQ(h.bandwidth_for(2000), 20e9);
  EXPECT_DOUBLE_EQ(h.roofline(1e6, 100), 1e-5);              // compute-bound
  EXPECT_DOUBLE_EQ(h.roofline(1, 2e6), 2e6 / 20e9);          // memory-bound, DRAM tier
  EXPECT_DOUBLE_EQ(h.predict("linear", 1e6, 100), 2e-6 + 1e-5 / 0.5);
  EXPECT_DOUBLE_EQ(h.predict("relu", 1e6, 100), 1e-6 + 1e-5);  // uncalibrated kind
  HostModel empty;
  EXPECT_THROW(empty.bandwidth_for(1), Error);
}

// A host with L1 1 kB, L2 10 kB, L3 100 kB: cold costs by reuse distance, updates by footprint.
HostModel three_level_host() {
  HostModel h;
  h.peak_flops = 100e9;
  h.tiers = {{"L1", 1e3, 400e9}, {"L2", 1e4, 200e9}, {"L3", 1e5, 100e9}, {"DRAM", INFINITY, 20e9}};
  h.cold_mid = 1e-6, h.cold_llc = 5e-6;
  h.cold_update_mid = 0.1e-6, h.cold_update_llc = 0.5e-6;
  h.update_overhead = 1e-6, h.update_eta_llc = 0.8, h.update_eta_dram = 0.5;
  h.kinds["AdamW.step"] = {9e-6, 0.1, 3};  // not used: updates are measured directly
  h.kinds["relu"] = {0.2e-6, 0.5, 3};
  return h;
}

TEST(SimTrace, ColdCostsFollowTheReuseDistance) {
  const HostModel h = three_level_host();
  EXPECT_DOUBLE_EQ(h.cold_cost(5e3), 0);                      // fits L2: warm
  EXPECT_DOUBLE_EQ(h.cold_cost(1e4), 0);
  EXPECT_DOUBLE_EQ(h.cold_cost(5.5e4), 1e-6 + 4e-6 * 0.5);    // halfway through L3
  EXPECT_DOUBLE_EQ(h.cold_cost(1e5), 5e-6);
  EXPECT_DOUBLE_EQ(h.cold_cost(1e9), 5e-6);                   // beyond the last level
  EXPECT_DOUBLE_EQ(h.cold_update_cost(1e9), 0.5e-6);
  // An op pays its code's cold cost (reuse); an update its tensors' (footprint) and, when the
  // ops since the optimizer last ran evicted it, its code's.
  EXPECT_DOUBLE_EQ(h.context_cold({1e9, 0, false, {}}), 5e-6);
  EXPECT_DOUBLE_EQ(h.context_cold({1e9, 0, true, {}}), 5e-6);  // the step's first update: its code is cold
  EXPECT_DOUBLE_EQ(h.context_cold({0, 1e9, true, {}}), 0.5e-6);
  EXPECT_DOUBLE_EQ(h.context_cold({1e9, 1e9, true, {}}), 5.5e-6);
  // An op: t0 + cold + roofline(own bytes)/η. 800 B fit L1.
  EXPECT_DOUBLE_EQ(h.predict("relu", 0, 800, {1e9, 1e9, false, {}}), 0.2e-6 + 5e-6 + 800 / 400e9 / 0.5);
  // An update: its measured fixed cost, its cold cost, its bytes from the footprint's tier (DRAM
  // here) at the η measured there.
  EXPECT_DOUBLE_EQ(h.predict("AdamW.step", 0, 800, {0, 1e9, true, {}}), 1e-6 + 0.5e-6 + 800 / 20e9 / 0.5);
  // With a footprint filling L3 by 4/9 past L2, 4/9 of the bytes come from DRAM (at DRAM's η),
  // the rest from L3 (at L3's); inside L2, from the footprint's tier.
  const double t = (5e4 - 1e4) / (1e5 - 1e4);
  EXPECT_DOUBLE_EQ(h.predict("AdamW.step", 0, 800, {0, 5e4, true, {}}),
                   1e-6 + h.cold_update_cost(5e4) + 800 * ((1 - t) / (100e9 * 0.8) + t / (20e9 * 0.5)));
  EXPECT_DOUBLE_EQ(h.update_seconds(800, 5e3), 800 / 200e9);
  EXPECT_DOUBLE_EQ(h.fixed_cost("AdamW.step", {0, 5e3, true, {}}), 1e-6);
  HostModel flat;  // DRAM only: nothing to flush, no cold cost
  flat.tiers = {{"DRAM", INFINITY, 20e9}};
  flat.cold_llc = 1;
  EXPECT_DOUBLE_EQ(flat.cold_cost(1e12), 0);
}

TEST(SimTrace, OperandsArePricedAtTheTierOfTheirReuseDistance) {
  const HostModel h = three_level_host();
  HostModel::Context c;
  // No operands: the call's own bytes pick the tier (5 kB: L2).
  EXPECT_DOUBLE_EQ(h.memory_seconds(5e3, c), 5e3 / 200e9);
  // Half the operand bytes hot in L1, half from DRAM: the time of each share at its bandwidth.
  c.operands = {{100, 500}, {100, 1e6}};
  EXPECT_DOUBLE_EQ(h.memory_seconds(400, c), 200 / 400e9 + 200 / 20e9);
  // An update ignores operands: its tensors stream as update_seconds says.
  c.optimizer = true, c.footprint = 5e4;
  EXPECT_DOUBLE_EQ(h.memory_seconds(400, c), h.update_seconds(400, 5e4));
}

TEST(SimTrace, DataReuseFollowsEachOperandsAddress) {
  Tensor a = randn(Shape{100}), b = randn(Shape{100});
  profile::Profiler p;
  p.start();
  Tensor c = add(a, b);  // op 0: a, b, c first touched
  Tensor d = relu(a);    // op 1: a again, right after op 0
  Tensor e = mul(c, b);  // op 2: c and b again, after op 1
  p.stop();
  ASSERT_EQ(p.ops().size(), 3u);
  std::vector<double> own;
  for (const profile::OpRecord& r : p.ops()) own.push_back(r.cost.bytes_read + r.cost.bytes_written);
  EXPECT_EQ(p.ops()[0].addr[0], reinterpret_cast<uintptr_t>(a.raw_data()));
  EXPECT_EQ(p.ops()[0].nbytes[0], 400);
  EXPECT_EQ(p.ops()[0].addr[profile::OpRecord::kOutputSlot], reinterpret_cast<uintptr_t>(c.raw_data()));
  const auto reuse = data_reuse(p);
  ASSERT_EQ(reuse.size(), 3u);
  ASSERT_EQ(reuse[1].size(), 2u);                 // relu: its input a, its output d
  EXPECT_DOUBLE_EQ(reuse[1][0].distance, own[1]);  // a: nothing between op 0 and op 1
  ASSERT_EQ(reuse[2].size(), 3u);                 // mul: c, b, e
  EXPECT_DOUBLE_EQ(reuse[2][0].distance, own[1] + own[2]);  // c: relu ran in between
  EXPECT_DOUBLE_EQ(reuse[2][1].distance, own[1] + own[2]);
  // e is touched once: around the record, every other op's bytes lie between.
  EXPECT_DOUBLE_EQ(reuse[2][2].distance, own[0] + own[1] + own[2]);
  // a's first touch (op 0) looks back around the record to its last touch (op 1).
  EXPECT_DOUBLE_EQ(reuse[0][0].distance, own[2] + own[0]);
  const auto ctx = call_contexts(p, 1e6);
  EXPECT_EQ(ctx[2].operands.size(), 3u);
  EXPECT_FALSE(ctx[2].optimizer);
  EXPECT_DOUBLE_EQ(ctx[2].footprint, 1e6);
}

TEST(SimTrace, RoundsMergeByMedians) {
  const auto round = [](double meas, double pred, double err) {
    ValidationResult r;
    r.median_abs_error = err;
    r.rows.push_back({"mlp", "relu", "fwd", "[4]", 1, 0, 16, meas, pred, (pred - meas) / meas, "overhead"});
    r.rows.push_back({"mlp", "add", "fwd", "[4]", 2, 4, 48, 2 * meas, pred, 0, "overhead"});
    return r;
  };
  // The second round was disturbed: its times are 10× the others'.
  const ValidationResult m = merge_rounds({round(1e-6, 1.1e-6, 0.1), round(1e-5, 1e-5, 0.5), round(1.2e-6, 1.2e-6, 0.2)});
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(m.rows[0].measured, 1.2e-6);
  EXPECT_DOUBLE_EQ(m.rows[0].predicted, 1.2e-6);
  EXPECT_DOUBLE_EQ(m.rows[0].error, 0);
  EXPECT_DOUBLE_EQ(m.rows[1].measured, 2.4e-6);
  EXPECT_NEAR(m.rows[1].error, (1.2e-6 - 2.4e-6) / 2.4e-6, 1e-12);
  EXPECT_NEAR(m.median_abs_error, 0.25, 1e-12);
  EXPECT_EQ(m.round_errors, (std::vector<double>{0.1, 0.5, 0.2}));
  // Step-weighted: Σpred·calls vs Σmeas·calls.
  EXPECT_NEAR(m.weighted_abs_error, std::abs(1.2e-6 + 2 * 1.2e-6 - (1.2e-6 + 2 * 2.4e-6)) / (1.2e-6 + 2 * 2.4e-6), 1e-12);
  EXPECT_THROW(merge_rounds({}), Error);
}

TEST(SimTrace, CodeReuseBytesCountTheOpsBetweenTwoCalls) {
  Tensor a = randn(Shape{100}), b = randn(Shape{100});
  profile::Profiler p;
  p.start();
  (void)add(a, b);
  (void)relu(a);
  (void)mul(a, b);
  (void)add(a, b);
  p.stop();
  ASSERT_EQ(p.ops().size(), 4u);
  std::vector<double> bytes;
  for (const profile::OpRecord& r : p.ops()) bytes.push_back(r.cost.bytes_read + r.cost.bytes_written);
  const std::vector<double> rd = code_reuse_bytes(p);
  ASSERT_EQ(rd.size(), 4u);
  EXPECT_DOUBLE_EQ(rd[3], bytes[1] + bytes[2]);             // add again after relu and mul
  EXPECT_DOUBLE_EQ(rd[0], 0);                               // wraps to the last add: nothing after it
  EXPECT_DOUBLE_EQ(rd[1], bytes[2] + bytes[3] + bytes[0]);  // relu's only call: the rest of the record
  EXPECT_DOUBLE_EQ(rd[2], bytes[3] + bytes[0] + bytes[1]);
}

TEST(SimTrace, ValidateReportsEveryPricedRow) {
  Mlp m = make_mlp(true);
  HostModel h;
  h.peak_flops = 100e9;
  h.tiers = {{"DRAM", INFINITY, 20e9}};
  h.op_overhead = 1e-6;
  std::vector<FrameworkWorkload> w{m.w};
  const ValidationResult r = validate(w, h, {1, 2});
  ASSERT_FALSE(r.rows.empty());
  std::vector<double> errs;
  for (const ValidationRow& row : r.rows) {
    EXPECT_GT(row.measured, 0);
    EXPECT_NEAR(row.error, (row.predicted - row.measured) / row.measured, 1e-12);
    EXPECT_GT(row.flops + row.bytes, 0);  // views are not compared
    errs.push_back(std::abs(row.error));
  }
  std::sort(errs.begin(), errs.end());
  const size_t n = errs.size();
  EXPECT_NEAR(r.median_abs_error, n % 2 ? errs[n / 2] : (errs[n / 2 - 1] + errs[n / 2]) / 2, 1e-12);
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_EQ(j.begin().key(), "median_abs_error");
  EXPECT_EQ(std::next(j.begin()).key(), "ops");
}

}  // namespace
}  // namespace tt::sim

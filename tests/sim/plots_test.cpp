// The simulator's SVG charts (sim/plots.h): each is well-formed XML with the labels a reader needs,
// never prints NaN or infinity, says so when it has nothing to draw, and the roofline puts an op
// where the roofs say it must be. Inputs are built by hand (no registry files).
#include "sim/plots.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "xml_check.h"

namespace tt::sim {
namespace {

using Attrs = tt::testing::XmlAttrs;

std::string xml_problem(const std::string& doc) { return tt::testing::xml_problem(doc, "svg"); }

// "nan" or "inf" as a word (coordinates, labels), not inside words.
bool has_non_finite(const std::string& doc) {
  static const std::regex re("(^|[^a-z])-?(nan|inf)([^a-z]|$)", std::regex::icase);
  return std::regex_search(doc, re);
}

std::size_t count(const std::string& doc, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t i = doc.find(what); i != std::string::npos; i = doc.find(what, i + 1)) ++n;
  return n;
}

Device h100() {
  Device d;
  d.key = "H100", d.name = "NVIDIA H100 SXM5 80GB", d.category = "cloud";
  d.peak_flops = {{Precision::fp32, 67e12},  {Precision::tf32, 495e12}, {Precision::bf16, 989e12},
                  {Precision::fp16, 989e12}, {Precision::fp8, 1979e12}, {Precision::int8, 1979e12}};
  d.mem_capacity = 80.0 * (1ull << 30), d.mem_bandwidth = 3.35e12;
  return d;
}

// An op priced at efficiency eta on `peak` FLOP/s against `bw` bytes/s (max form).
PricedOp op(const std::string& name, const std::string& pass, double flops, double bytes,
            double count = 1, double eta = 0.5, double peak = 989e12, double bw = 3.35e12) {
  PricedOp p;
  p.op = {name, pass, "", flops, bytes, 0, count};
  p.t_compute = flops / (peak * eta), p.t_memory = bytes / bw;
  p.time = std::max(p.t_compute, p.t_memory);
  p.intensity = bytes > 0 ? flops / bytes : 0;
  p.bound = p.t_compute >= p.t_memory ? "compute" : "memory";
  return p;
}

NodeResult step_result() {
  NodeResult r;
  r.model = "GPT-2 XL", r.device = "H100", r.precision = "fp16";
  r.latency = 0.123, r.peak = 0.5 * 989e12, r.bandwidth = 3.35e12;
  r.ops = {op("mlp_up", "fwd", 4e12, 2e9, 48),     op("layernorm", "fwd", 1e8, 1e9, 96),
           op("attention", "fwd", 2e12, 1e10, 48), op("mlp_up", "bwd", 8e12, 4e9, 48),
           op("adamw", "opt", 1e10, 2.4e10, 1),    op("softmax", "bwd", 5e8, 4e9, 48)};
  return r;
}

// cy of the circle with data-op="index" and the y of the compute roof polyline.
void roof_and_point(const std::string& svg, int index, double& cy, double& roof_y, double& cx,
                    double& ridge_x) {
  cy = roof_y = cx = ridge_x = NAN;
  tt::testing::walk_xml(svg, [&](const std::string& tag, const Attrs& a, const std::string&) {
    if (tag == "circle" && a.count("data-op") && a.at("data-op") == std::to_string(index)) {
      cx = std::stod(a.at("cx")), cy = std::stod(a.at("cy"));
    }
    if (tag == "polyline" && a.count("id") && a.at("id") == "roof-compute") {
      std::istringstream in(a.at("points"));  // "x0,y0 x1,y1": flat, so y0 == y1
      char comma = 0;
      in >> ridge_x >> comma >> roof_y;
    }
  });
}

TEST(SimPlots, RooflineIsWellFormedWithRidgeRoofsAndOpLabels) {
  const std::string svg = device_roofline_svg(h100(), Precision::fp16, step_result(), {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_NE(svg.find("GPT-2 XL on NVIDIA H100 SXM5 80GB, fp16"), std::string::npos);
  EXPECT_NE(svg.find("ridge 295 FLOP/B"), std::string::npos);  // 989e12 / 3.35e12
  EXPECT_NE(svg.find("fp16 989 TFLOP/s"), std::string::npos);
  EXPECT_NE(svg.find("fp8/int8"), std::string::npos);  // other peaks, equal values merged
  EXPECT_NE(svg.find("fp32"), std::string::npos);
  EXPECT_EQ(svg.find("bf16"), std::string::npos);  // same peak as fp16: no second roof
  EXPECT_NE(svg.find("\u03b7 = 0.50"), std::string::npos);
  for (const char* s : {">mlp_up<", ">mlp_up (bwd)<", ">attention<", ">forward<", ">backward<",
                        ">optimizer<", "1 T<", "100 T<", ">100<"}) {
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  }
  EXPECT_EQ(count(svg, "data-op="), 6u);
}

TEST(SimPlots, RooflineCountsOpsWithoutFlopsOrBytesInAFootnote) {
  NodeResult r = step_result();
  r.ops.push_back(op("reshape", "fwd", 1e6, 0, 1));    // no bytes
  r.ops.push_back(op("dropout_mask", "fwd", 0, 1e6));  // no FLOPs
  const std::string svg = device_roofline_svg(h100(), Precision::fp16, r, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_NE(svg.find("2 ops not placed (no FLOPs or no bytes)"), std::string::npos);
  EXPECT_EQ(count(svg, "data-op="), 6u);
}

TEST(SimPlots, RooflinePutsComputeBoundOpsOnOrBelowTheComputeRoof) {
  NodeResult r = step_result();
  r.ops.push_back(op("at_peak", "fwd", 1e13, 1e9, 1, /*eta=*/1.0));  // attains the full peak
  const std::string svg = device_roofline_svg(h100(), Precision::fp16, r, {});
  double cy = 0, roof_y = 0, cx = 0, ridge_x = 0;
  roof_and_point(svg, 0, cy, roof_y, cx, ridge_x);  // mlp_up: I = 2000, compute-bound at η 0.5
  ASSERT_TRUE(std::isfinite(cy) && std::isfinite(roof_y));
  EXPECT_GT(cy, roof_y);   // SVG y grows downwards: below the roof
  EXPECT_GT(cx, ridge_x);  // right of the ridge
  roof_and_point(svg, 6, cy, roof_y, cx, ridge_x);
  EXPECT_NEAR(cy, roof_y, 0.02);                    // on the roof
  roof_and_point(svg, 1, cy, roof_y, cx, ridge_x);  // layernorm: I = 0.1, memory-bound
  EXPECT_LT(cx, ridge_x);
  EXPECT_GT(cy, roof_y);
}

TEST(SimPlots, RooflineDrawsSramRoofAndHandlesEmptyOrBrokenInput) {
  Device d = h100();
  d.sram_bandwidth = 33e12, d.sram_capacity = 50e6;
  NodeResult empty;
  std::string svg = device_roofline_svg(d, Precision::fp8, empty, {.title = "a < b & \"c\""});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_NE(svg.find("SRAM 33 TB/s"), std::string::npos);
  EXPECT_NE(svg.find("no ops to place"), std::string::npos);
  EXPECT_NE(svg.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("ridge 591 FLOP/B"), std::string::npos);  // fp8: 1979e12 / 3.35e12
  d.mem_bandwidth = 0;
  NodeResult bad = step_result();
  bad.ops[0].time = NAN, bad.ops[1].op.flops = INFINITY, bad.ops[2].intensity = NAN;
  svg = device_roofline_svg(d, Precision::fp16, bad, {.title = "", .width = 10, .height = 10});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_NE(svg.find("no positive peak FLOP/s and memory bandwidth"), std::string::npos);
  svg = device_roofline_svg(h100(), Precision::fp16, bad, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
}

TrainingMemoryResult memory(double weights_gb, double act_gb) {
  TrainingMemoryResult m;
  m.weights = weights_gb * 1e9, m.gradients = weights_gb * 1e9, m.optimizer = 6 * weights_gb * 1e9;
  m.activations = act_gb * 1e9, m.buffers = 1e9;
  m.total = m.weights + m.gradients + m.optimizer + m.activations + m.buffers;
  m.capacity = 80.0 * (1ull << 30);
  m.feasible = m.total <= m.capacity;
  return m;
}

TEST(SimPlots, MemoryStackMarksOverCapacityConfigsAndShowsTheCapacity) {
  const std::vector<std::pair<std::string, TrainingMemoryResult>> configs = {
      {"none", memory(4, 70)},
      {"selective", memory(4, 20)},
      {"full", memory(4, 4)},
      {"ZeRO-1 <dp=8>", memory(4, 2)}};
  const std::string svg = memory_stack_svg(configs, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_NE(svg.find("HBM 80 GiB"), std::string::npos);
  EXPECT_EQ(count(svg, ">OOM<"), 1u);  // only "none": 103 GB
  EXPECT_EQ(count(svg, "data-oom="), 1u);
  EXPECT_NE(svg.find("data-config=\"0\" data-oom=\"1\""), std::string::npos);
  for (const char* s : {">weights<", ">gradients<", ">optimizer state<", ">activations<",
                        ">buffers<", ">selective<", ">ZeRO-1 &lt;dp=8&gt;<", ">103.0 GB<"}) {
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  }
  const std::string fits = memory_stack_svg({configs[2]}, {});
  EXPECT_EQ(xml_problem(fits), "");
  EXPECT_EQ(fits.find("OOM"), std::string::npos);
}

TEST(SimPlots, MemoryStackHandlesEmptyAndNonFiniteInput) {
  std::string svg = memory_stack_svg({}, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("no configurations"), std::string::npos);
  TrainingMemoryResult bad = memory(1, 1);
  bad.weights = NAN, bad.activations = INFINITY, bad.capacity = 0, bad.activations_known = false;
  svg = memory_stack_svg({{"bad", bad}}, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_EQ(svg.find("HBM"), std::string::npos);  // no capacity, no line
}

ParallelResult run(int tp, int pp, int dp, double throughput, bool feasible) {
  ParallelResult r;
  r.tp = tp, r.pp = pp, r.dp = dp, r.throughput = throughput, r.feasible = feasible;
  r.t_local = 1.0, r.t_dp = 0.2, r.t_tp = 0.1 * tp, r.t_bubble = 0.05 * pp;
  r.step = r.t_local + r.t_dp + r.t_tp + r.t_bubble, r.mfu = 0.4;
  return r;
}

// The data-run index of the group marked data-best, or -1.
int best_index(const std::string& svg) {
  int best = -1;
  tt::testing::walk_xml(svg, [&](const std::string& tag, const Attrs& a, const std::string&) {
    if (tag == "g" && a.count("data-best")) best = std::stoi(a.at("data-run"));
  });
  return best;
}

TEST(SimPlots, ParallelSweepHighlightsTheBestFeasibleAndHatchesOom) {
  const std::vector<ParallelResult> runs = {run(1, 1, 256, 900, false), run(8, 4, 8, 610, true),
                                            run(4, 8, 8, 550, true), run(8, 8, 4, 400, true)};
  const std::string svg = parallel_sweep_svg(runs, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_EQ(best_index(svg), 1);  // run 0 is faster but does not fit
  EXPECT_NE(svg.find("best: TP\u00d7PP\u00d7DP = 8\u00d74\u00d78"), std::string::npos);
  EXPECT_EQ(count(svg, ">OOM<"), 1u);
  EXPECT_NE(svg.find("url(#hatch)"), std::string::npos);
  for (const char* s : {">1\u00d71\u00d7256<", ">4\u00d78\u00d78<", ">compute<", ">DP comm<",
                        ">TP comm<", ">EP comm<", ">pipeline bubble<", ">best<"}) {
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  }
}

TEST(SimPlots, ParallelSweepHandlesEmptyAllOomAndNonFiniteInput) {
  std::string svg = parallel_sweep_svg({}, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("no configurations"), std::string::npos);
  ParallelResult zero = run(2, 2, 2, 0, false);
  zero.t_local = zero.t_dp = zero.t_tp = zero.t_bubble = 0;
  svg = parallel_sweep_svg({run(8, 1, 1, INFINITY, false), zero, run(1, 1, 8, NAN, true)}, {});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_FALSE(has_non_finite(svg));
  EXPECT_EQ(best_index(svg), -1);
  EXPECT_NE(svg.find("no configuration fits in memory"), std::string::npos);
  std::vector<ParallelResult> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(run(1 << (i % 4), 1 << (i % 3), 64, 100 + i, i % 5 != 0));
  svg = parallel_sweep_svg(many, {.title = "sweep", .width = 600, .height = 400});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(best_index(svg), 39);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST(SimPlots, WritersAreAtomicAndNameThePathOnFailure) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tt_sim_plots_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string path = (dir / "sub" / "roof.svg").string();
  write_device_roofline_svg(path, h100(), Precision::fp16, step_result());
  EXPECT_EQ(slurp(path), device_roofline_svg(h100(), Precision::fp16, step_result()));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  write_memory_stack_svg((dir / "mem.svg").string(), {{"full", memory(4, 4)}});
  write_parallel_sweep_svg((dir / "par.svg").string(), {run(8, 4, 8, 610, true)});
  EXPECT_EQ(xml_problem(slurp((dir / "mem.svg").string())), "");
  EXPECT_EQ(xml_problem(slurp((dir / "par.svg").string())), "");
  const std::string bad = (dir / "mem.svg" / "x.svg").string();  // parent is a file
  try {
    write_parallel_sweep_svg(bad, {});
    ADD_FAILURE() << "expected tt::Error";
  } catch (const tt::Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tt::sim

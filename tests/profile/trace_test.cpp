// The Chrome trace is what a trace viewer loads: valid JSON in the Trace Event Format, complete
// events with non-negative durations that nest properly on each track (a viewer draws a child that
// pokes out of its parent wrongly), module spans around their ops in forward and backward, and a
// memory counter track.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "nn/nn.h"
#include "nn/transformer.h"
#include "ops/ops.h"
#include "optim/optimizer.h"
#include "profile/session.h"
#include "profile/trace.h"
#include "temp_dir.h"

namespace tt::profile {
namespace {

using Json = nlohmann::json;

// A tiny GPT's training step profiled once, its trace parsed back from text.
Json gpt_trace(Profiler& p) {
  nn::GPTConfig c;
  c.vocab_size = 11, c.context = 8, c.d_model = 16, c.n_layers = 2, c.n_heads = 2;
  Generator g(0);
  nn::GPT model(c, &g);
  optim::AdamW opt(model.parameters(), {{"lr", 1e-3}});
  Tensor ids = randint(0, 11, {2, 8}, &g), y = randint(0, 11, {16}, &g);
  Workload w{&model, ids, nullptr, [&](const Tensor& logits) { return cross_entropy(logits.reshape({-1, 11}), y); }};
  run_profiled(p, w, &opt, {.train = true, .warmup = 1, .steps = 1});
  return Json::parse(chrome_trace(p).dump());
}

std::vector<Json> complete_events(const Json& trace, int tid) {
  std::vector<Json> out;
  for (const Json& e : trace["traceEvents"])
    if (e["ph"] == "X" && e["tid"] == tid) out.push_back(e);
  return out;
}

TEST(ChromeTrace, EventsHaveTheFieldsAViewerNeeds) {
  Profiler p;
  Json t = gpt_trace(p);
  ASSERT_TRUE(t.contains("traceEvents"));
  ASSERT_TRUE(t["traceEvents"].is_array());
  std::set<std::string> phases;
  for (const Json& e : t["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("name") && e.contains("pid")) << e.dump();
    phases.insert(e["ph"].get<std::string>());
    if (e["ph"] == "X") {
      ASSERT_TRUE(e["ts"].is_number() && e["dur"].is_number() && e.contains("tid")) << e.dump();
      EXPECT_GE(e["dur"].get<double>(), 0.0) << e.dump();
      EXPECT_GE(e["ts"].get<double>(), 0.0) << e.dump();
    }
  }
  EXPECT_EQ(phases, (std::set<std::string>{"M", "X", "C"}));
}

TEST(ChromeTrace, CompleteEventsNestProperlyOnTheMainTrack) {
  Profiler p;
  Json t = gpt_trace(p);
  std::vector<Json> ev = complete_events(t, 0);
  ASSERT_GT(ev.size(), 50u);
  // Parents first: by start, then longest. Times are µs with ns decimals; allow rounding.
  std::sort(ev.begin(), ev.end(), [](const Json& a, const Json& b) {
    double ta = a["ts"], tb = b["ts"];
    return ta != tb ? ta < tb : a["dur"].get<double>() > b["dur"].get<double>();
  });
  std::vector<std::pair<double, std::string>> open;  // end, name
  const double eps = 1.5e-3;
  for (const Json& e : ev) {
    double start = e["ts"], end = start + e["dur"].get<double>();
    while (!open.empty() && open.back().first <= start + eps) open.pop_back();
    if (!open.empty()) {
      EXPECT_LE(end, open.back().first + eps) << e["name"] << " crosses the end of " << open.back().second;
    }
    open.push_back({end, e["name"]});
  }
}

TEST(ChromeTrace, ModuleSpansWrapTheirOpsInForwardAndBackward) {
  Profiler p;
  Json t = gpt_trace(p);
  std::map<std::string, int> count;
  for (const Json& e : complete_events(t, 0)) count[e["name"].get<std::string>()]++;
  for (const char* name : {"GPT", "blocks.0", "blocks.0.attn", "blocks.1.mlp.fc", "head", "step", "forward",
                           "backward", "optimizer", "blocks.0.attn (backward)", "GPT (backward)",
                           "scaled_dot_product_attention", "attention_backward", "AdamW"})
    EXPECT_GE(count[name], 1) << name;
  // Each attention op sits inside its block's attention module span.
  for (const Json& e : complete_events(t, 0))
    if (e["name"] == "scaled_dot_product_attention") {
      EXPECT_EQ(e["args"]["module"].get<std::string>().substr(0, 7), "blocks.");
    }
}

TEST(ChromeTrace, MemoryCounterFollowsTheAllocator) {
  Profiler p;
  Json t = gpt_trace(p);
  int64_t peak = 0;
  int counters = 0;
  for (const Json& e : t["traceEvents"])
    if (e["ph"] == "C") {
      ++counters;
      peak = std::max(peak, e["args"]["bytes_in_use"].get<int64_t>());
    }
  EXPECT_EQ(counters, static_cast<int>(p.ops().size()));
  EXPECT_LE(peak, p.peak_bytes());
  EXPECT_GT(peak, 0);
}

class ChromeTraceFile : public testing::TempDirTest {};

TEST_F(ChromeTraceFile, WritesAFileThatParses) {
  Profiler p;
  gpt_trace(p);
  std::string path = this->path("trace.json");
  write_chrome_trace(path, p);
  std::ifstream in(path);
  Json t = Json::parse(in);
  EXPECT_GT(t["traceEvents"].size(), 50u);
}

}  // namespace
}  // namespace tt::profile

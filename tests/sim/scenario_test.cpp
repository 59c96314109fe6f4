// Scenario files: the shipped examples pass; a failing assertion fails the scenario; malformed
// scenarios are errors naming the file and the field.
#include <gtest/gtest.h>

#include "core/error.h"
#include "sim/scenario.h"

namespace tt::sim {
namespace {

const Registry& reg() {
  static const Registry r = load_registry(registry_dir(), false);
  return r;
}

std::string example(const char* name) { return std::string(TT_SOURCE_DIR) + "/examples/sim/" + name; }

TEST(SimScenario, ShippedExamplesPass) {
  for (const char* f : {"chatbot_h100.json", "research_256_llama.json"}) {
    const ScenarioResult r = run_scenario_file(example(f), reg());
    EXPECT_TRUE(r.passed()) << f << ": " << to_json(r).dump();
    EXPECT_FALSE(r.checks.empty());
  }
}

nlohmann::json chatbot() {
  return nlohmann::json::parse(R"({"workload": {"model": "Llama-3-8B", "mode": "serving"},
                                   "system": {"device": "H100"}})");
}

TEST(SimScenario, FailingChecksFailTheScenario) {
  nlohmann::json s = chatbot();
  s["sla"] = {{"ttft_ms", 1.0}};  // 2048 tokens of prefill take far longer than 1 ms
  ScenarioResult r = evaluate_scenario(s, reg(), "t.json");
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_FALSE(r.passed());
  s.erase("sla");
  s["assertions"] = {{{"metric", "serving.feasible"}, {"op", "=="}, {"value", false}}};
  EXPECT_FALSE(evaluate_scenario(s, reg(), "t.json").passed());
  s["assertions"] = {{{"metric", "serving.itl_s"}, {"op", "<"}, {"value", 1.0}}};
  EXPECT_TRUE(evaluate_scenario(s, reg(), "t.json").passed());
}

void expect_error(const nlohmann::json& s, const std::string& needle) {
  try {
    evaluate_scenario(s, reg(), "bad.json");
    ADD_FAILURE() << "no error for " << s.dump();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

TEST(SimScenario, MalformedScenariosNameFileAndField) {
  nlohmann::json s = chatbot();
  s["sla"] = {{"ttft_ms", 500}, {"tfft_ms", 1}};
  expect_error(s, "sla.tfft_ms");
  s = chatbot();
  s["workload"]["batch"] = "eight";
  expect_error(s, "workload.batch");
  s = chatbot();
  s["workload"]["batch"] = -1;
  expect_error(s, "workload.batch");
  s = chatbot();
  s["assertions"] = {{{"metric", "serving.nonesuch"}, {"value", 1}}};
  expect_error(s, "serving.nonesuch");
  s = chatbot();
  s["assertions"] = {{{"metric", "serving.itl_s"}, {"op", "~"}, {"value", 1}}};
  expect_error(s, "'~'");
  s = chatbot();
  s["system"] = {{"device", "H100"}, {"cluster", "Research_256"}};
  expect_error(s, "exactly one");
  s = chatbot();
  s.erase("workload");
  expect_error(s, "'workload'");
  EXPECT_THROW(run_scenario_file("/nonexistent/x.json", reg()), Error);
}

}  // namespace
}  // namespace tt::sim

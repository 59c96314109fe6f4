// Scenarios: a workload on a system against an SLA, from a JSON file, evaluated by the solvers,
// with assertions a teacher or a CI job can check (`tito sim scenario FILE.json` exits 3 when one
// fails). The file format is in docs/simulator.md ("Scenarios"); examples in examples/sim/.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/registry.h"

namespace tt::sim {

struct ScenarioCheck {
  std::string name;         // "sla.ttft_ms" or "assertion 2"
  std::string metric;       // dotted path into the results ("serving.ttft_s")
  std::string op;           // "<=", "<", ">=", ">", "=="
  nlohmann::ordered_json value, limit;
  bool passed = false;
};

struct ScenarioResult {
  std::string name;
  nlohmann::ordered_json results;   // one object per analysis: node, memory, serving, queue, ...
  std::vector<ScenarioCheck> checks;
  bool passed() const;
};

// Evaluates a parsed scenario. `file` names it in errors: a malformed scenario (unknown field,
// wrong type, unknown model or device, a metric path that does not exist) throws tt::Error
// naming the file and the field.
ScenarioResult evaluate_scenario(const nlohmann::json& s, const Registry& reg, const std::string& file);
// Reads and evaluates a scenario file.
ScenarioResult run_scenario_file(const std::string& path, const Registry& reg);

nlohmann::ordered_json to_json(const ScenarioResult& r);

}  // namespace tt::sim

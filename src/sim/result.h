// What every solver returns beside its numbers: whether the configuration is feasible and which
// constraint binds (the term that sets the answer, or the limit that is violated), in words a
// learner can act on. Each solver's typed result derives from Verdict.
#pragma once
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tt::sim {

struct Verdict {
  bool feasible = true;
  std::string binding;             // e.g. "compute", "memory bandwidth", "HBM capacity", "P99 SLA"
  std::vector<std::string> notes;  // one line per constraint checked, in order
};

// A number for the JSON forms of results: unknown (NaN) or unbounded (∞) values become null.
inline nlohmann::ordered_json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

}  // namespace tt::sim

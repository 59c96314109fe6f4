// Scenario files: parse, run the solvers the workload and system call for, check SLA and
// assertions.
#include "sim/scenario.h"

#include <cmath>
#include <fstream>
#include <set>

#include "core/error.h"
#include "sim/economics.h"
#include "sim/memory.h"
#include "sim/node.h"
#include "sim/parallel.h"
#include "sim/queueing.h"
#include "sim/reliability.h"
#include "sim/serving.h"

namespace tt::sim {

bool ScenarioResult::passed() const {
  for (const ScenarioCheck& c : checks)
    if (!c.passed) return false;
  return true;
}

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// Typed field access with errors naming the file and the field.
struct Reader {
  const std::string& file;
  void only(const json& o, const std::string& where, std::set<std::string> allowed) const {
    TT_CHECK(o.is_object(), file, ": '", where, "' must be a JSON object");
    for (const auto& [k, v] : o.items())
      TT_CHECK(allowed.count(k), file, ": unknown field '", where.empty() ? k : where + "." + k, "'");
  }
  template <typename T>
  T get(const json& o, const std::string& where, const std::string& key, T dflt) const {
    if (!o.contains(key)) return dflt;
    try {
      return o.at(key).get<T>();
    } catch (const json::exception&) {
      TT_CHECK(false, file, ": field '", where, ".", key, "' has the wrong type (", o.at(key).dump(), ")");
    }
    return dflt;
  }
};

double positive(const Reader& rd, const json& o, const std::string& where, const std::string& key, double dflt) {
  const double v = rd.get<double>(o, where, key, dflt);
  TT_CHECK(std::isfinite(v) && v > 0, rd.file, ": field '", where, ".", key, "' must be > 0, got ", v);
  return v;
}

// Looks up "serving.ttft_s" in the results.
const ojson& lookup(const ojson& results, const std::string& path, const std::string& file) {
  const ojson* cur = &results;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    TT_CHECK(cur->is_object() && cur->contains(key), file, ": metric '", path, "' does not exist (no '", key,
             "'); results have: ", results.dump().substr(0, 200));
    cur = &(*cur)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *cur;
}

bool compare(const ojson& v, const std::string& op, const ojson& limit, const std::string& file) {
  if (v.is_boolean() || limit.is_boolean() || v.is_string() || limit.is_string()) {
    TT_CHECK(op == "==", file, ": booleans and strings compare with '==' only, got '", op, "'");
    return v == limit;
  }
  TT_CHECK(v.is_number() && limit.is_number(), file, ": cannot compare ", v.dump(), " ", op, " ", limit.dump());
  const double a = v.get<double>(), b = limit.get<double>();
  if (op == "<=") return a <= b;
  if (op == "<") return a < b;
  if (op == ">=") return a >= b;
  if (op == ">") return a > b;
  if (op == "==") return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
  TT_CHECK(false, file, ": unknown comparison '", op, "' (<=, <, >=, >, ==)");
  return false;
}

void add_check(ScenarioResult& r, const std::string& name, const std::string& metric, const std::string& op,
               const ojson& limit, double scale, const std::string& file) {
  ojson v = lookup(r.results, metric, file);
  if (scale != 1 && v.is_number()) v = v.get<double>() * scale;
  r.checks.push_back({name, metric, op, v, limit, compare(v, op, limit, file)});
}

struct Work {
  std::string model, mode;
  int batch, seq, output;
  Precision precision;
  double efficiency;
  Recompute recompute;
  bool compat;
};

Work read_workload(const Reader& rd, const json& w, bool compat) {
  rd.only(w, "workload", {"model", "mode", "batch", "seq", "precision", "efficiency", "output_tokens", "recompute"});
  Work k;
  k.model = rd.get<std::string>(w, "workload", "model", "");
  TT_CHECK(!k.model.empty(), rd.file, ": field 'workload.model' is required");
  k.mode = rd.get<std::string>(w, "workload", "mode", "inference");
  TT_CHECK(k.mode == "inference" || k.mode == "training" || k.mode == "serving", rd.file,
           ": field 'workload.mode' must be inference, training or serving, got '", k.mode, "'");
  k.batch = int(positive(rd, w, "workload", "batch", 1));
  k.seq = int(positive(rd, w, "workload", "seq", 2048));
  k.output = int(positive(rd, w, "workload", "output_tokens", 128));
  k.precision = parse_precision(rd.get<std::string>(w, "workload", "precision", "fp16"));
  k.efficiency = positive(rd, w, "workload", "efficiency", 0.5);
  k.recompute = parse_recompute(rd.get<std::string>(w, "workload", "recompute",
                                                    k.mode == "training" ? "selective" : "none"));
  k.compat = compat;
  return k;
}

void run_device(ScenarioResult& r, const Reader& rd, const json& s, const Work& k, const ModelSpec& m,
                const Device& d) {
  if (k.mode == "serving") {
    ServingOptions o;
    o.seq = k.seq, o.batch = k.batch, o.output_tokens = k.output, o.precision = k.precision;
    o.efficiency = k.efficiency, o.compat = k.compat;
    const ServingResult sr = solve_serving(m, d, o);
    r.results["serving"] = to_json(sr);
    if (s.contains("traffic")) {
      const json& t = s["traffic"];
      rd.only(t, "traffic", {"qps", "service_cv2", "replicas"});
      const double qps = positive(rd, t, "traffic", "qps", 1);
      const double mu = k.batch / sr.e2e;  // requests per second one replica completes
      const int c = int(positive(rd, t, "traffic", "replicas", 1));
      r.results["queue"] = to_json(mgc(qps, mu, c, rd.get<double>(t, "traffic", "service_cv2", 1.0)));
    }
    return;
  }
  NodeOptions o;
  o.batch = k.batch, o.seq = k.seq, o.precision = k.precision, o.efficiency = k.efficiency;
  o.training = k.mode == "training", o.recompute = k.recompute, o.compat = k.compat;
  const NodeResult nr = solve(m, d, o);
  r.results["node"] = to_json(nr);
  if (o.training) {
    TrainingMemoryOptions t;
    t.batch = k.batch, t.seq = k.seq, t.precision = k.precision, t.recompute = k.recompute, t.compat = k.compat;
    r.results["memory"] = to_json(training_memory(m, d, t));
  }
}

void run_cluster(ScenarioResult& r, const Reader& rd, const json& sys, const json& s, const Work& k,
                 const ModelSpec& m, const Registry& reg) {
  TT_CHECK(k.mode == "training", rd.file, ": a cluster system runs 'training' workloads, got '", k.mode, "'");
  const System sy = resolve_system(reg, rd.get<std::string>(sys, "system", "cluster", ""));
  ParallelOptions o;
  o.batch = k.batch, o.seq = k.seq, o.precision = k.precision, o.efficiency = k.efficiency;
  o.recompute = k.compat ? Recompute::none : k.recompute;  // the reference's DistributedModel never recomputes
  o.tp = rd.get<int>(sys, "system", "tp", 1), o.pp = rd.get<int>(sys, "system", "pp", 1);
  o.ep = rd.get<int>(sys, "system", "ep", 1), o.microbatches = rd.get<int>(sys, "system", "microbatches", 1);
  o.zero_stage = rd.get<int>(sys, "system", "zero", 0);
  o.schedule = parse_schedule(rd.get<std::string>(sys, "system", "schedule", "1f1b"));
  o.virtual_stages = rd.get<int>(sys, "system", "virtual_stages", 1);
  o.overlap_dp = rd.get<bool>(sys, "system", "overlap_dp", false), o.compat = k.compat;
  const ParallelResult pr = solve_parallel(m, sy, o);
  r.results["parallel"] = to_json(pr);
  if (!s.contains("operations")) return;
  const json& op = s["operations"];
  rd.only(op, "operations", {"days", "mfu", "grid", "usd_per_kwh", "checkpoint_write_s", "recovery_s"});
  const double days = positive(rd, op, "operations", "days", 1);
  const double mfu = rd.get<double>(op, "operations", "mfu", pr.mfu);
  const Grid& g = reg.grid(rd.get<std::string>(op, "operations", "grid", sy.cluster.grid));
  r.results["sustainability"] = to_json(sustainability(sy.cluster, sy.node, sy.device, g, mfu, 24 * days));
  TcoOptions to;
  to.usd_per_kwh = positive(rd, op, "operations", "usd_per_kwh", 0.12);
  r.results["tco"] = to_json(tco(sy.cluster, sy.node, sy.device, g, mfu, days, to));
  const FleetReliability fr = fleet_reliability(sy.node, sy.cluster.nodes, days * 86400);
  r.results["reliability"] = to_json(fr);
  r.results["checkpoint"] = to_json(optimal_checkpoint(positive(rd, op, "operations", "checkpoint_write_s", 60),
                                                       positive(rd, op, "operations", "recovery_s", 300),
                                                       fr.cluster_mtbf_s));
}

// SLA keys → (metric, comparison, unit scale of the metric to the SLA's unit).
void check_sla(ScenarioResult& r, const Reader& rd, const json& sla) {
  rd.only(sla, "sla", {"latency_ms", "ttft_ms", "itl_ms", "p99_ms", "step_s", "power_w", "fits_memory",
                       "min_throughput", "max_carbon_kg", "max_tco_usd"});
  const ojson& res = r.results;
  const auto has = [&](const char* k) { return sla.contains(k); };
  if (has("latency_ms"))
    add_check(r, "sla.latency_ms", res.contains("node") ? "node.latency_s" : "serving.e2e_s", "<=", sla["latency_ms"], 1e3, rd.file);
  if (has("ttft_ms")) add_check(r, "sla.ttft_ms", "serving.ttft_s", "<=", sla["ttft_ms"], 1e3, rd.file);
  if (has("itl_ms")) add_check(r, "sla.itl_ms", "serving.itl_s", "<=", sla["itl_ms"], 1e3, rd.file);
  if (has("p99_ms")) add_check(r, "sla.p99_ms", "queue.latency_s.p99", "<=", sla["p99_ms"], 1e3, rd.file);
  if (has("step_s")) add_check(r, "sla.step_s", "parallel.step_s", "<=", sla["step_s"], 1, rd.file);
  if (has("power_w")) add_check(r, "sla.power_w", "node.power_w", "<=", sla["power_w"], 1, rd.file);
  if (has("max_carbon_kg"))
    add_check(r, "sla.max_carbon_kg", "sustainability.total_carbon_kg", "<=", sla["max_carbon_kg"], 1, rd.file);
  if (has("max_tco_usd")) add_check(r, "sla.max_tco_usd", "tco.tco_usd", "<=", sla["max_tco_usd"], 1, rd.file);
  if (has("min_throughput"))
    add_check(r, "sla.min_throughput", res.contains("parallel") ? "parallel.throughput_per_s" : "node.throughput_per_s",
              ">=", sla["min_throughput"], 1, rd.file);
  if (rd.get<bool>(sla, "sla", "fits_memory", false))
    for (const char* sec : {"node", "serving", "memory", "parallel"})
      if (res.contains(sec)) add_check(r, std::string("sla.fits_memory (") + sec + ")", std::string(sec) + ".feasible",
                                       "==", true, 1, rd.file);
}

}  // namespace

ScenarioResult evaluate_scenario(const json& s, const Registry& reg, const std::string& file) {
  const Reader rd{file};
  rd.only(s, "", {"name", "description", "workload", "system", "traffic", "operations", "sla", "assertions", "compat"});
  TT_CHECK(s.contains("workload") && s.contains("system"), file, ": 'workload' and 'system' are required");
  ScenarioResult r;
  r.name = rd.get<std::string>(s, "", "name", file);
  const Work k = read_workload(rd, s["workload"], rd.get<bool>(s, "", "compat", false));
  const ModelSpec& m = reg.model(k.model);
  const json& sys = s["system"];
  rd.only(sys, "system", {"device", "cluster", "tp", "pp", "ep", "microbatches", "zero", "schedule",
                          "virtual_stages", "overlap_dp"});
  TT_CHECK(sys.contains("device") != sys.contains("cluster"), file,
           ": 'system' needs exactly one of 'device' or 'cluster'");
  if (sys.contains("device")) run_device(r, rd, s, k, m, reg.device(rd.get<std::string>(sys, "system", "device", "")));
  else run_cluster(r, rd, sys, s, k, m, reg);
  if (s.contains("sla")) check_sla(r, rd, s["sla"]);
  if (s.contains("assertions")) {
    TT_CHECK(s["assertions"].is_array(), file, ": 'assertions' must be an array");
    int i = 0;
    for (const json& a : s["assertions"]) {
      const std::string where = "assertions[" + std::to_string(i++) + "]";
      rd.only(a, where, {"metric", "op", "value"});
      TT_CHECK(a.contains("metric") && a.contains("value"), file, ": '", where, "' needs 'metric' and 'value'");
      add_check(r, where, rd.get<std::string>(a, where, "metric", ""), rd.get<std::string>(a, where, "op", "<="),
                ojson(a["value"]), 1, file);
    }
  }
  return r;
}

ScenarioResult run_scenario_file(const std::string& path, const Registry& reg) {
  std::ifstream in(path);
  TT_CHECK(in.good(), path, ": cannot open the scenario file");
  json s;
  try {
    s = json::parse(in);
  } catch (const json::parse_error& e) {
    TT_CHECK(false, path, ": not valid JSON: ", e.what());
  }
  return evaluate_scenario(s, reg, path);
}

nlohmann::ordered_json to_json(const ScenarioResult& r) {
  ojson checks = ojson::array();
  for (const ScenarioCheck& c : r.checks)
    checks.push_back({{"name", c.name}, {"metric", c.metric}, {"op", c.op}, {"value", c.value},
                      {"limit", c.limit}, {"passed", c.passed}});
  return {{"scenario", r.name}, {"passed", r.passed()}, {"checks", checks}, {"results", r.results}};
}

}  // namespace tt::sim

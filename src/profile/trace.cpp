// Chrome trace export (see trace.h). Timestamps are microseconds (the format's unit) with
// nanosecond decimals, relative to Profiler::start().
#include "profile/trace.h"

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "profile/report.h"

namespace tt::profile {
namespace {

using Json = nlohmann::ordered_json;

double us(int64_t ns) { return static_cast<double>(ns) * 1e-3; }

Json complete(const std::string& name, const char* cat, int64_t start, int64_t end, uint32_t tid) {
  return Json{{"name", name}, {"cat", cat}, {"ph", "X"}, {"ts", us(start)},
              {"dur", us(std::max<int64_t>(0, end - start))}, {"pid", 1}, {"tid", tid}};
}

const char* span_category(SpanKind k) {
  switch (k) {
    case SpanKind::module: return "module";
    case SpanKind::backward_node: return "autograd";
    case SpanKind::region: return "region";
  }
  return "span";
}

// The modules from the root down to m.
std::vector<int32_t> chain(const Profiler& p, int32_t m) {
  std::vector<int32_t> c;
  for (; m >= 0; m = p.modules()[m].parent) c.insert(c.begin(), m);
  return c;
}

// Backward has no module calls to draw, only autograd nodes, each stamped with the module that
// created it. At every depth of the module tree, a run of consecutive nodes (same enclosing span)
// whose modules share the ancestor at that depth becomes one "<module> (backward)" span: runs at
// depth d lie inside runs at depth d − 1, so the spans nest as the forward's do.
void backward_module_spans(const Profiler& p, Json& events) {
  std::vector<const SpanRecord*> nodes;
  std::vector<std::vector<int32_t>> chains;
  size_t depth = 0;
  for (const SpanRecord& s : p.spans())
    if (s.kind == SpanKind::backward_node) {
      nodes.push_back(&s);
      chains.push_back(chain(p, s.module));
      depth = std::max(depth, chains.back().size());
    }
  for (size_t d = 0; d < depth; ++d) {
    size_t i = 0;
    while (i < nodes.size()) {
      int32_t m = d < chains[i].size() ? chains[i][d] : -1;
      size_t j = i + 1;
      while (j < nodes.size() && nodes[j]->parent == nodes[i]->parent && m >= 0 &&
             (d < chains[j].size() ? chains[j][d] : -1) == m)
        ++j;
      if (m >= 0) {
        Json e = complete(p.module_label(m) + " (backward)", "module_backward", nodes[i]->start_ns, nodes[j - 1]->end_ns, 0);
        e["args"] = {{"module", p.module_label(m)}, {"nodes", j - i}};
        events.push_back(std::move(e));
      }
      i = j;
    }
  }
}

Json op_event(const Profiler& p, const OpRecord& r, double self_ns) {
  Json e = complete(r.name(), r.backward ? "op_backward" : "op", r.start_ns, r.end_ns, r.thread);
  double ns = static_cast<double>(r.end_ns - r.start_ns);
  double bytes = r.cost.bytes_read + r.cost.bytes_written;
  e["args"] = {{"shapes", shapes_string(r)},
               {"module", p.module_label(p.module_of(r))},
               {"flops", r.cost.flops},
               {"bytes", bytes},
               {"gflops", ns > 0 ? r.cost.flops / ns : 0},
               {"gbs", ns > 0 ? bytes / ns : 0},
               {"self_us", self_ns * 1e-3},
               {"bytes_in_use", r.bytes_in_use}};
  return e;
}

}  // namespace

nlohmann::ordered_json chrome_trace(const Profiler& p, const std::string& process_name) {
  Json events = Json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", process_name}}}});
  uint32_t max_thread = 0;
  for (const OpRecord& r : p.ops()) max_thread = std::max(max_thread, r.thread);
  for (uint32_t t = 0; t <= max_thread; ++t)
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", t},
                      {"args", {{"name", t == 0 ? std::string("main") : "thread " + std::to_string(t)}}}});
  for (const SpanRecord& s : p.spans()) {
    Json e = complete(s.name, span_category(s.kind), s.start_ns, s.end_ns, 0);
    e["args"] = {{"module", p.module_label(s.module)}, {"bytes_at_begin", s.bytes_at_begin},
                 {"bytes_at_end", s.bytes_at_end}};
    events.push_back(std::move(e));
  }
  backward_module_spans(p, events);
  std::vector<double> self = self_times(p);
  for (size_t i = 0; i < p.ops().size(); ++i) {
    const OpRecord& r = p.ops()[i];
    events.push_back(op_event(p, r, self[i]));
    if (r.thread == 0)
      events.push_back({{"name", "memory"}, {"ph", "C"}, {"ts", us(r.end_ns)}, {"pid", 1},
                        {"args", {{"bytes_in_use", r.bytes_in_use}}}});
  }
  return Json{{"traceEvents", std::move(events)},
              {"displayTimeUnit", "ns"},
              {"otherData", {{"producer", "tinytorch profiler"}, {"threads", p.threads()},
                             {"duration_us", us(p.duration_ns())}, {"peak_bytes", p.peak_bytes()}}}};
}

void write_chrome_trace(const std::string& path, const Profiler& p, const std::string& process_name) {
  std::string s = chrome_trace(p, process_name).dump();
  io::write_file_atomic(path, s.data(), s.size());
}

}  // namespace tt::profile

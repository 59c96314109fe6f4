// The registry loader: reads every *.json in the registry directory, checks each entry field by
// field (every error names the file, the entry and the field), resolves references between
// entries, and adds this machine as device "host" from the `tito hw probe` cache (never probing).
//
// Note [Registry schema] (quantities are strings with units, see units.h; counts are numbers;
// every entry may carry a free-text "notes"; any other unknown field is an error):
//   devices.json  {"devices": [{key, name, category: cloud|workstation|mobile|edge|tiny, year,
//       default_precision, peak: {<precision>: "989 TFLOP/s" | "35 TOPS", ...},
//       memory: {capacity, bandwidth, l2?}, sram?: {capacity?, bandwidth?}, flash?: {capacity?, bandwidth?},
//       host_link?/scale_up?: {name, bandwidth, direction: per_direction|bidirectional, latency?},
//       tdp, price_usd?, dispatch? (default "0.01 ms"), embodied_carbon_kg?,
//       sources: {peak, memory, tdp, + sram/flash/links/price/dispatch/embodied when present}}]}
//     "bidirectional" means the figure sums both directions; it is halved at load.
//     default_precision must have a peak entry; MCUs put SRAM as memory (and as sram), weights in flash.
//   systems.json  {"fabrics": [{key, name, bandwidth, latency, oversubscription? (>= 1),
//                               topology? fat_tree|dragonfly|torus_3d|ring, source}],
//                  "nodes": [{key, device, accelerators, intra_link: "scale_up" | {name?, bandwidth,
//                             direction, latency?}, nics?, psus?, price_usd?, source}],
//                  "clusters": [{key, node, nodes, fabric, grid, source}]}
//   grids.json    {"grids": [{key, name, carbon_g_per_kwh (>= 0), pue (>= 1), wue_l_per_kwh (>= 0), source}]}
//   models.json   {"models": [{key, name, family: transformer|moe|cnn|mlp|ssm|diffusion|vla, params,
//       active_params? (default params), inference_flops, flops_unit: token|sequence|sample,
//       layers?, hidden?, heads?, kv_heads?, ffn?, vocab?, seq_len?, experts?, top_k?, kv_lora_rank?,
//       qk_rope_dim?, state_size?, training_tokens?, training_flops?, source}]}
//     heads > 0 needs hidden % heads == 0 and heads % kv_heads == 0; layers <= 200.
// Keys are unique per kind across all files; references (node.device, cluster.node/fabric/grid)
// must resolve. Siblings: registry_reader.h (field-by-field JSON checks), units.h.
#include "sim/registry.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.h"
#include "hw/ceilings.h"
#include "sim/registry_reader.h"
#include "sim/units.h"

namespace tt::sim {

// ---- precisions ------------------------------------------------------------------------------

const std::vector<Precision>& all_precisions() {
  static const std::vector<Precision> all = {Precision::fp32, Precision::tf32, Precision::bf16, Precision::fp16,
                                             Precision::fp8,  Precision::int8, Precision::int4, Precision::fp4};
  return all;
}

double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::fp32: case Precision::tf32: return 4;  // tf32 is stored in 32-bit words
    case Precision::bf16: case Precision::fp16: return 2;
    case Precision::fp8: case Precision::int8: return 1;
    case Precision::int4: case Precision::fp4: return 0.5;
  }
  return 4;
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::int4: return "int4";
    case Precision::fp4: return "fp4";
  }
  return "?";
}

std::optional<Precision> find_precision(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  for (Precision p : all_precisions())
    if (l == precision_name(p)) return p;
  return std::nullopt;
}

std::string precision_choices() {
  std::string out;
  for (Precision p : all_precisions()) out += (out.empty() ? "" : ", ") + std::string(precision_name(p));
  return out;
}

Precision parse_precision(const std::string& s) {
  const auto p = find_precision(s);
  TT_CHECK(p.has_value(), "precision '", s, "' is not one of ", precision_choices());
  return *p;
}

double Device::peak(Precision p, bool* exact) const {
  auto it = peak_flops.find(p);
  if (exact) *exact = it != peak_flops.end();
  if (it == peak_flops.end()) it = peak_flops.find(default_precision);
  TT_CHECK(it != peak_flops.end(), "device '", key, "': no peak for its default precision ",
           precision_name(default_precision));
  return it->second;
}

// ---- lookups ---------------------------------------------------------------------------------

namespace {

std::string normalized(const std::string& s) {  // "Jetson_Orin-NX" -> "jetsonorinnx"
  std::string out;
  for (unsigned char c : s)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

template <typename T>
const T& lookup(const std::map<std::string, T>& m, const std::string& key, const char* kind) {
  const auto it = m.find(key);
  if (it != m.end()) return it->second;
  std::vector<std::string> keys;
  for (const auto& kv : m) keys.push_back(kv.first);
  detail::throw_error(detail::str_cat("registry: no ", kind, " '", key, "'; ", near_matches(keys, key, kind)));
}

}  // namespace

std::string near_matches(const std::vector<std::string>& keys, const std::string& key, const std::string& kind) {
  const std::string q = normalized(key);
  std::vector<std::string> near;
  for (const auto& k : keys) {
    const std::string n = normalized(k);
    const bool prefix = !q.empty() && (n.rfind(q, 0) == 0 || q.rfind(n, 0) == 0);
    const bool same_start = q.size() >= 3 && n.size() >= 3 && n.compare(0, 3, q, 0, 3) == 0;
    if (!n.empty() && (prefix || same_start)) near.push_back(k);
  }
  const bool found = !near.empty();
  const std::vector<std::string>& shown = found ? near : keys;
  std::string list;
  for (size_t i = 0; i < shown.size() && i < 12; ++i) list += (i ? ", " : "") + shown[i];
  if (shown.size() > 12) list += detail::str_cat(", ... (", shown.size() - 12, " more)");
  if (found) return "did you mean " + list + "?";
  return shown.empty() ? "the registry has no " + kind + "s" : "known " + kind + "s: " + list;
}

const Device& Registry::device(const std::string& key) const { return lookup(devices, key, "device"); }
const Fabric& Registry::fabric(const std::string& key) const { return lookup(fabrics, key, "fabric"); }
const Node& Registry::node(const std::string& key) const { return lookup(nodes, key, "node"); }
const Cluster& Registry::cluster(const std::string& key) const { return lookup(clusters, key, "cluster"); }
const Grid& Registry::grid(const std::string& key) const { return lookup(grids, key, "grid"); }
const ModelSpec& Registry::model(const std::string& key) const { return lookup(models, key, "model"); }

// ---- loading ---------------------------------------------------------------------------------

std::string registry_dir() {
  const char* env = std::getenv("TT_SIM_REGISTRY");
  if (env && *env) return env;
#ifdef TT_SOURCE_DIR
  return std::string(TT_SOURCE_DIR) + "/src/sim/registry";
#else
  return "src/sim/registry";  // ad-hoc builds without CMake's definition: run from the repo root
#endif
}

namespace {

// Bytes of RAM on this machine: MemTotal from /proc/meminfo, else sysconf.
double host_memory_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string name, unit;
  double kib = 0;
  while (f >> name >> kib >> unit)
    if (name == "MemTotal:") return kib * 1024;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * page : 0;
}

// Note [Host TDP estimate]: nothing here can read the CPU's power draw, and a device needs a
// TDP > 0 for the energy solvers, so the host gets 15 W per probed thread (a server core's share
// of a 150-300 W package), marked "estimate" in its sources.
Device host_device(const std::string& key, const hw::Ceilings& c, int threads, double gflops, double gbs) {
  Device d;
  d.key = key;
  d.name = detail::str_cat("this machine: ", c.cpu, " (", threads, threads == 1 ? " thread)" : " threads)");
  d.category = "host";
  d.year = std::atoi(c.measured_at.substr(0, 4).c_str());  // "2026-01-02T..." -> 2026; junk -> 0
  d.default_precision = Precision::fp32;
  d.peak_flops[Precision::fp32] = gflops * 1e9;
  d.mem_capacity = host_memory_bytes();
  d.mem_bandwidth = gbs * 1e9;
  d.tdp = 15.0 * threads;
  // Our framework runs each op call synchronously with a fixed cost of a few tenths of a
  // microsecond (`tito sim validate` measures it per op kind); 0.3 us stands for it here.
  d.dispatch_tax = 0.3e-6;
  const std::string when = " (tito hw probe, " + c.measured_at + ")";
  d.sources = {{"peak", "measured FP32 FMA peak, " + c.isa + when},
               {"memory", "measured STREAM triad bandwidth" + when + "; capacity from /proc/meminfo"},
               {"tdp", "estimate: 15 W per thread (no power reading)"},
               {"dispatch", "estimate: our per-op fixed cost, 0.2-0.4 us in tito sim validate"}};
  return d;
}

// Adds "host" and "host-1t" when the ceilings cache exists and was measured on this CPU. A missing,
// foreign or corrupt cache only means no host device: loading must not depend on this machine.
void add_host_devices(Registry& reg) {
  std::optional<hw::Ceilings> c;
  try {
    c = hw::load_cache();
    if (!c || c->cpu != hw::cpu_model()) return;
  } catch (const std::exception&) {
    return;
  }
  reg.devices["host"] = host_device("host", *c, c->threads, c->peak_gflops_all, c->triad_gbs_all);
  reg.devices["host-1t"] = host_device("host-1t", *c, 1, c->peak_gflops_1, c->triad_gbs_1);
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  TT_CHECK(f.is_open(), path, ": cannot open: ", std::strerror(errno));
  std::ostringstream text;
  text << f.rdbuf();
  TT_CHECK(!f.bad(), path, ": read error");
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    detail::throw_error(detail::str_cat(path, ": malformed JSON: ", e.what()));
  }
}

}  // namespace

Registry load_registry(const std::string& dir, bool with_host) {
  std::error_code ec;
  TT_CHECK(std::filesystem::is_directory(dir, ec), "registry: '", dir,
           "' is not a directory; set TT_SIM_REGISTRY to the folder holding devices.json, systems.json, ...");
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") paths.push_back(e.path().string());
  TT_CHECK(!ec, "registry: cannot list '", dir, "': ", ec.message());
  TT_CHECK(!paths.empty(), "registry: no *.json files in '", dir, "'");
  std::sort(paths.begin(), paths.end());  // deterministic order, so "already defined in" is stable
  RegistryBuilder builder;
  for (const auto& path : paths) builder.add_file(path, read_json(path));
  Registry reg = builder.finish();
  reg.files = paths;
  if (with_host) add_host_devices(reg);
  return reg;
}

const Registry& registry() {
  static const Registry reg = load_registry(registry_dir(), true);  // thread-safe static init
  return reg;
}

}  // namespace tt::sim

// Field-by-field reading of registry entries (schema: Note [Registry schema] in registry.cpp).
// A Reader wraps one JSON object with its location ("devices.json: device 'H100'") and records
// every field it is asked for, so whatever is left over is reported as an unknown field: a typo
// such as "tdp_w" fails loudly instead of silently leaving the default.
#include "sim/registry_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "sim/units.h"

namespace tt::sim {
namespace {

using Json = nlohmann::json;

const char* example(Dim dim) {
  switch (dim) {
    case Dim::bytes: return "80 GiB";
    case Dim::bandwidth: return "3.35 TB/s";
    case Dim::flops_rate: return "989 TFLOP/s";
    case Dim::time: return "500 ns";
    case Dim::power: return "700 W";
    case Dim::energy: return "15 Wh";
  }
  return "";
}

class Reader {
 public:
  Reader(const Json* j, std::string where, std::string prefix = "")
      : j_(j), where_(std::move(where)), prefix_(std::move(prefix)) {}

  void set_where(std::string where) { where_ = std::move(where); }
  const std::string& where() const { return where_; }
  std::string at(const std::string& field) const { return where_ + ": field '" + prefix_ + field + "'"; }

  // The field's value, or nullptr when absent or null (an error when required).
  const Json* get(const std::string& field, bool required) {
    known_.push_back(field);
    const auto it = j_->find(field);
    if (it == j_->end() || it->is_null()) {
      TT_CHECK(!required, at(field), ": required field is missing");
      return nullptr;
    }
    return &*it;
  }

  std::string text(const std::string& field, bool required = true) {
    const Json* v = get(field, required);
    if (!v) return "";
    TT_CHECK(v->is_string() && !v->get<std::string>().empty(), at(field), ": expected a non-empty string, got ",
             v->dump());
    return v->get<std::string>();
  }

  std::string one_of(const std::string& field, const std::vector<std::string>& choices, const std::string& dflt = "") {
    const std::string v = text(field, dflt.empty());
    if (v.empty()) return dflt;
    std::string list;
    for (const auto& c : choices) {
      if (c == v) return v;
      list += (list.empty() ? "" : ", ") + c;
    }
    detail::throw_error(detail::str_cat(at(field), ": '", v, "' is not one of ", list));
  }

  std::optional<double> quantity(const std::string& field, Dim dim, bool required) {
    const Json* v = get(field, required);
    if (!v) return std::nullopt;
    TT_CHECK(v->is_string(), at(field), ": expected a quantity with its unit as a string, e.g. \"", example(dim),
             "\", got ", v->dump());
    return parse_quantity(v->get<std::string>(), dim, at(field));
  }

  // A quantity that must be > 0 (absent: nullopt, or an error when required).
  std::optional<double> positive(const std::string& field, Dim dim, bool required = true) {
    const auto v = quantity(field, dim, required);
    TT_CHECK(!v || *v > 0, at(field), ": must be greater than zero");
    return v;
  }

  // A plain number >= `min` (a count or a ratio without a unit).
  std::optional<double> number(const std::string& field, bool required, double min = 0) {
    const Json* v = get(field, required);
    if (!v) return std::nullopt;
    TT_CHECK(v->is_number() && std::isfinite(v->get<double>()), at(field), ": expected a number, got ", v->dump());
    TT_CHECK(v->get<double>() >= min, at(field), ": ", v->get<double>(), " is below the minimum ", min);
    return v->get<double>();
  }

  // A whole number in [lo, hi]; `dflt` when absent (absent and no default is an error).
  int count(const std::string& field, int lo, int hi, std::optional<int> dflt = std::nullopt) {
    const Json* v = get(field, !dflt.has_value());
    if (!v) return *dflt;
    const bool whole = v->is_number() && std::isfinite(v->get<double>()) && std::floor(v->get<double>()) == v->get<double>();
    TT_CHECK(whole, at(field), ": expected a whole number, got ", v->dump());
    const double x = v->get<double>();
    TT_CHECK(x >= lo && x <= hi, at(field), ": ", x, " is outside [", lo, ", ", hi, "]");
    return static_cast<int>(x);
  }

  std::optional<Reader> object(const std::string& field, bool required) {
    const Json* v = get(field, required);
    if (!v) return std::nullopt;
    TT_CHECK(v->is_object(), at(field), ": expected an object {...}, got ", v->dump());
    return Reader(v, where_, prefix_ + field + ".");
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& kv : j_->items()) out.push_back(kv.key());
    return out;
  }

  // Every field must have been asked for; "notes" is free text allowed anywhere.
  void finish() {
    if (j_->contains("notes")) text("notes");
    for (const auto& kv : j_->items()) {
      if (std::find(known_.begin(), known_.end(), kv.key()) != known_.end()) continue;
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      detail::throw_error(detail::str_cat(at(kv.key()), ": unknown field; known fields here: ", list));
    }
  }

 private:
  const Json* j_;
  std::string where_, prefix_;
  std::vector<std::string> known_;
};

// ---- devices ---------------------------------------------------------------------------------

std::map<Precision, double> read_peak(Reader& r) {
  Reader peak = *r.object("peak", true);
  std::map<Precision, double> out;
  for (const auto& name : peak.keys()) {
    const auto p = find_precision(name);
    TT_CHECK(p.has_value(), peak.at(name), ": unknown precision '", name, "'; choices: ", precision_choices());
    out[*p] = *peak.positive(name, Dim::flops_rate);
  }
  TT_CHECK(!out.empty(), r.at("peak"), ": needs at least one precision, e.g. {\"fp16\": \"989 TFLOP/s\"}");
  peak.finish();
  return out;
}

void read_memory(Reader& r, Device& d) {
  Reader mem = *r.object("memory", true);
  d.mem_capacity = *mem.positive("capacity", Dim::bytes);
  d.mem_bandwidth = *mem.positive("bandwidth", Dim::bandwidth);
  d.l2_capacity = mem.positive("l2", Dim::bytes, false);
  mem.finish();
  if (auto s = r.object("sram", false)) {
    d.sram_capacity = s->positive("capacity", Dim::bytes, false);
    d.sram_bandwidth = s->positive("bandwidth", Dim::bandwidth, false);
    TT_CHECK(d.sram_capacity || d.sram_bandwidth, r.at("sram"), ": give capacity, bandwidth or both");
    s->finish();
  }
  if (auto f = r.object("flash", false)) {
    d.flash_capacity = f->positive("capacity", Dim::bytes, false);
    d.flash_bandwidth = f->positive("bandwidth", Dim::bandwidth, false);
    TT_CHECK(d.flash_capacity || d.flash_bandwidth, r.at("flash"), ": give capacity, bandwidth or both");
    f->finish();
  }
}

// A link object; a "bidirectional" figure (both directions summed) is halved so that
// Link::bandwidth is always per direction.
std::optional<Link> read_link(Reader& r, const std::string& field, bool name_required) {
  auto l = r.object(field, false);
  if (!l) return std::nullopt;
  Link link;
  link.name = l->text("name", name_required);
  const double bw = *l->positive("bandwidth", Dim::bandwidth);
  const bool both = l->one_of("direction", {"per_direction", "bidirectional"}) == "bidirectional";
  link.bandwidth = both ? bw / 2 : bw;
  link.latency = l->quantity("latency", Dim::time, false).value_or(0);
  l->finish();
  return link;
}

// Every group of numbers present needs a citation; unknown groups are typos.
std::map<std::string, std::string> read_sources(Reader& r, const Device& d, bool has_dispatch) {
  Reader s = *r.object("sources", true);
  const std::vector<std::pair<std::string, bool>> groups = {
      {"peak", true},
      {"memory", true},
      {"sram", d.sram_capacity || d.sram_bandwidth},
      {"flash", d.flash_capacity || d.flash_bandwidth},
      {"links", d.host_link || d.scale_up},
      {"tdp", true},
      {"price", d.unit_price.has_value()},
      {"dispatch", has_dispatch},
      {"embodied", d.embodied_carbon_kg.has_value()}};
  std::map<std::string, std::string> out;
  for (const auto& [group, required] : groups)
    if (std::string t = s.text(group, required); !t.empty()) out[group] = t;
  s.finish();
  return out;
}

Device read_device(Reader& r, const std::string& key) {
  Device d;
  d.key = key;
  d.name = r.text("name");
  d.category = r.one_of("category", {"cloud", "workstation", "mobile", "edge", "tiny"});
  d.year = r.count("year", 1950, 2100);
  const std::string dp = r.text("default_precision");
  d.peak_flops = read_peak(r);
  const auto p = find_precision(dp);
  TT_CHECK(p.has_value(), r.at("default_precision"), ": unknown precision '", dp, "'; choices: ", precision_choices());
  TT_CHECK(d.peak_flops.count(*p), r.at("default_precision"), ": '", dp, "' has no entry in 'peak'");
  d.default_precision = *p;
  read_memory(r, d);
  d.host_link = read_link(r, "host_link", true);
  d.scale_up = read_link(r, "scale_up", true);
  d.tdp = *r.positive("tdp", Dim::power);
  if (auto v = r.number("price_usd", false)) {
    TT_CHECK(*v > 0, r.at("price_usd"), ": must be greater than zero (leave it out when unknown)");
    d.unit_price = *v;
  }
  const auto dispatch = r.quantity("dispatch", Dim::time, false);
  if (dispatch) d.dispatch_tax = *dispatch;
  d.embodied_carbon_kg = r.number("embodied_carbon_kg", false);
  d.sources = read_sources(r, d, dispatch.has_value());
  return d;
}

// ---- systems, grids, models ------------------------------------------------------------------

Fabric read_fabric(Reader& r, const std::string& key) {
  Fabric f;
  f.key = key;
  f.name = r.text("name");
  f.bandwidth = *r.positive("bandwidth", Dim::bandwidth);
  f.latency = *r.quantity("latency", Dim::time, true);
  f.oversubscription = r.number("oversubscription", false, 1).value_or(1);
  f.topology = r.one_of("topology", {"fat_tree", "dragonfly", "torus_3d", "ring"}, "fat_tree");
  f.source = r.text("source");
  return f;
}

Cluster read_cluster(Reader& r, const std::string& key) {
  Cluster c;
  c.key = key;
  c.node = r.text("node");
  c.nodes = r.count("nodes", 1, 10'000'000);
  c.fabric = r.text("fabric");
  c.grid = r.text("grid");
  c.source = r.text("source");
  return c;
}

Grid read_grid(Reader& r, const std::string& key) {
  Grid g;
  g.key = key;
  g.name = r.text("name");
  g.carbon_g_per_kwh = *r.number("carbon_g_per_kwh", true, 0);
  g.pue = *r.number("pue", true, 1);
  g.wue_l_per_kwh = *r.number("wue_l_per_kwh", true, 0);
  g.source = r.text("source");
  return g;
}

void check_model_geometry(Reader& r, const ModelSpec& m) {
  if (m.heads > 0) {
    TT_CHECK(m.hidden > 0 && m.hidden % m.heads == 0, r.at("heads"), ": hidden ", m.hidden,
             " is not divisible by heads ", m.heads);
    TT_CHECK(m.kv_heads == 0 || (m.kv_heads <= m.heads && m.heads % m.kv_heads == 0), r.at("kv_heads"), ": ",
             m.kv_heads, " does not divide heads ", m.heads);
  } else {
    TT_CHECK(m.kv_heads == 0, r.at("kv_heads"), ": set without heads");
  }
  TT_CHECK(m.top_k <= m.experts, r.at("top_k"), ": ", m.top_k, " exceeds experts ", m.experts);
  if (m.family == "moe") {
    TT_CHECK(m.experts >= 2 && m.top_k >= 1, r.at("experts"), ": a moe model needs experts >= 2 and top_k >= 1");
  }
}

ModelSpec read_model(Reader& r, const std::string& key) {
  ModelSpec m;
  m.key = key;
  m.name = r.text("name");
  m.family = r.one_of("family", {"transformer", "moe", "cnn", "mlp", "ssm", "diffusion", "vla"});
  m.params = *r.number("params", true, 1);
  m.active_params = r.number("active_params", false, 1).value_or(m.params);
  TT_CHECK(m.active_params <= m.params, r.at("active_params"), ": ", m.active_params, " exceeds params ", m.params);
  m.inference_flops = *r.number("inference_flops", true);
  TT_CHECK(m.inference_flops > 0, r.at("inference_flops"), ": must be greater than zero");
  m.flops_unit = r.one_of("flops_unit", {"token", "sequence", "sample"});
  constexpr int kMax = std::numeric_limits<int>::max();
  m.layers = r.count("layers", 0, 200, 0);
  const std::pair<const char*, int*> counts[] = {
      {"hidden", &m.hidden},   {"heads", &m.heads},     {"kv_heads", &m.kv_heads},         {"ffn", &m.ffn},
      {"vocab", &m.vocab},     {"seq_len", &m.seq_len}, {"experts", &m.experts},           {"top_k", &m.top_k},
      {"kv_lora_rank", &m.kv_lora_rank}, {"qk_rope_dim", &m.qk_rope_dim}, {"state_size", &m.state_size}};
  for (const auto& [field, slot] : counts) *slot = r.count(field, 0, kMax, 0);
  m.training_tokens = r.number("training_tokens", false).value_or(0);
  m.training_flops = r.number("training_flops", false).value_or(0);
  m.source = r.text("source");
  check_model_geometry(r, m);
  return m;
}

Node read_node(Reader& r, const std::string& key, bool& uses_scale_up) {
  Node n;
  n.key = key;
  n.device = r.text("device");
  n.accelerators = r.count("accelerators", 1, 1 << 20);
  const Json* link = r.get("intra_link", true);
  uses_scale_up = link->is_string();
  if (uses_scale_up) {
    TT_CHECK(*link == "scale_up", r.at("intra_link"), ": '", link->get<std::string>(),
             "' is not \"scale_up\" (the device's scale-up link) or a link object");
  } else {
    const Link l = *read_link(r, "intra_link", false);
    n.intra_bandwidth = l.bandwidth;
    n.intra_latency = l.latency;
  }
  n.nics = r.count("nics", 0, 1024, 1);
  n.psus = r.count("psus", 0, 64, 2);
  n.node_price = r.number("price_usd", false, 1);
  n.source = r.text("source");
  return n;
}

template <typename T>
void require_ref(const std::map<std::string, T>& m, const std::string& ref, const std::string& where,
                 const char* field, const char* kind) {
  if (m.count(ref)) return;
  std::vector<std::string> keys;
  for (const auto& kv : m) keys.push_back(kv.first);
  detail::throw_error(detail::str_cat(where, ": field '", field, "': unknown ", kind, " '", ref, "'; ",
                                      near_matches(keys, ref, kind)));
}

}  // namespace

void RegistryBuilder::add_file(const std::string& path, const nlohmann::json& j) {
  TT_CHECK(j.is_object(), path, ": expected a JSON object such as {\"devices\": [...]}, got ", j.type_name());
  for (const auto& [section, entries] : j.items()) {
    if (section == "notes") continue;
    static const std::set<std::string> kSections = {"devices", "fabrics", "nodes", "clusters", "grids", "models"};
    TT_CHECK(kSections.count(section), path, ": unknown section '", section,
             "'; expected devices, fabrics, nodes, clusters, grids or models");
    TT_CHECK(entries.is_array(), path, ": section '", section, "' must be an array [...], got ", entries.type_name());
    for (size_t i = 0; i < entries.size(); ++i) add_entry(path, section, i, entries[i]);
  }
}

void RegistryBuilder::add_entry(const std::string& path, const std::string& section, size_t index, const Json& j) {
  const std::string kind = section.substr(0, section.size() - 1);  // "devices" -> "device"
  TT_CHECK(j.is_object(), path, ": ", kind, " #", index + 1, ": expected an object {...}, got ", j.type_name());
  Reader r(&j, detail::str_cat(path, ": ", kind, " #", index + 1));
  const std::string key = r.text("key");
  TT_CHECK(key.find_first_of(" \t\r\n") == std::string::npos, r.at("key"), ": '", key, "' contains whitespace");
  r.set_where(detail::str_cat(path, ": ", kind, " '", key, "'"));
  TT_CHECK(kind != "device" || (key != "host" && key != "host-1t"), r.at("key"), ": '", key,
           "' is reserved for this machine (added from `tito hw probe`)");
  const auto [it, fresh] = where_.emplace(kind + ":" + key, r.where());
  TT_CHECK(fresh, r.at("key"), ": duplicate key '", key, "'; already defined at ", it->second);
  if (kind == "device") reg_.devices[key] = read_device(r, key);
  if (kind == "fabric") reg_.fabrics[key] = read_fabric(r, key);
  if (kind == "cluster") reg_.clusters[key] = read_cluster(r, key);
  if (kind == "grid") reg_.grids[key] = read_grid(r, key);
  if (kind == "model") reg_.models[key] = read_model(r, key);
  if (kind == "node") {
    bool scale_up = false;
    reg_.nodes[key] = read_node(r, key, scale_up);
    if (scale_up) scale_up_nodes_.insert(key);
  }
  r.finish();
}

Registry RegistryBuilder::finish() {
  for (auto& [key, n] : reg_.nodes) {
    const std::string& where = where_.at("node:" + key);
    require_ref(reg_.devices, n.device, where, "device", "device");
    if (!scale_up_nodes_.count(key)) continue;
    const Device& d = reg_.devices.at(n.device);
    TT_CHECK(d.scale_up.has_value(), where, ": field 'intra_link': device '", n.device,
             "' has no scale_up link; give the link as {\"bandwidth\", \"direction\", \"latency\"}");
    n.intra_bandwidth = d.scale_up->bandwidth;
    n.intra_latency = d.scale_up->latency;
  }
  for (const auto& [key, c] : reg_.clusters) {
    const std::string& where = where_.at("cluster:" + key);
    require_ref(reg_.nodes, c.node, where, "node", "node");
    require_ref(reg_.fabrics, c.fabric, where, "fabric", "fabric");
    require_ref(reg_.grids, c.grid, where, "grid", "grid");
  }
  return std::move(reg_);
}

}  // namespace tt::sim

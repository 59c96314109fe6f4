// The simulator's registries: devices, fabrics, nodes, clusters, grids and the model zoo, loaded
// from JSON files in src/sim/registry/ (docs/simulator.md, "Registries"). Every quantity in a file
// carries its unit ("80 GiB", "3.35 TB/s", "989 TFLOP/s", "500 ns", "700 W") and is stored here in
// SI base units: bytes, bytes/s, FLOP/s, seconds, watts, US dollars. Every entry names a source for
// its numbers. A bad file gets a tt::Error naming the file, the entry and the field.
// Siblings: units.h (parsing quantities), the solvers (node.h, memory.h, serving.h, ...).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tt::sim {

// Numeric precisions and their storage width. peak_flops falls back to the device's default
// precision (dense FP16/BF16 for accelerators, FP32 for CPUs, INT8 TOPS for NPUs and MCUs).
enum class Precision { fp32, tf32, bf16, fp16, fp8, int8, int4, fp4 };
double bytes_per_element(Precision p);   // fp32/tf32 4, bf16/fp16 2, fp8/int8 1, int4/fp4 0.5
const char* precision_name(Precision p);  // "fp32", ...
Precision parse_precision(const std::string& s);  // throws naming the value and the choices
const std::vector<Precision>& all_precisions();

// A point-to-point or scale-up link. Datasheets often quote the sum of both directions
// (NVLink 900 GB/s on H100); the loader halves those ("direction": "bidirectional") so
// bandwidth is always per direction, which is what a collective's β needs.
struct Link {
  std::string name;            // "PCIe Gen5 x16", "NVLink 4"
  double bandwidth = 0;        // bytes/s, one direction
  double latency = 0;          // seconds (α)
};

struct Device {
  std::string key;             // registry key, e.g. "H100"
  std::string name;            // display name, e.g. "NVIDIA H100 SXM5 80GB"
  std::string category;        // "cloud", "workstation", "mobile", "edge", "tiny", "host"
  int year = 0;
  std::map<Precision, double> peak_flops;  // dense FLOP/s (or OP/s) per precision
  Precision default_precision = Precision::fp16;  // the precision of the headline peak
  // Memory hierarchy. capacity/bandwidth are the main memory (HBM, DRAM, or MCU SRAM).
  double mem_capacity = 0;     // bytes
  double mem_bandwidth = 0;    // bytes/s
  std::optional<double> sram_capacity, sram_bandwidth;    // on-chip scratchpad / SRAM
  std::optional<double> flash_capacity, flash_bandwidth;  // MCUs: weights in flash
  std::optional<double> l2_capacity;                      // bytes
  std::optional<Link> host_link;   // to the host (PCIe); offload bandwidth
  std::optional<Link> scale_up;    // NVLink / ICI / Infinity Fabric, per direction
  double tdp = 0;                  // watts
  std::optional<double> unit_price;  // USD; unknown stays unknown (no default)
  double dispatch_tax = 1e-5;      // seconds per launched program/graph (default 0.01 ms)
  std::optional<double> embodied_carbon_kg;
  std::map<std::string, std::string> sources;  // field group ("peak", "memory", ...) -> citation

  // Peak for a precision: the table entry, else the default precision's peak (the reference
  // simulator's rule); `exact` (when given) is set to whether the table had the entry.
  double peak(Precision p, bool* exact = nullptr) const;
  // Ridge point I* = peak / bandwidth (FLOP/byte) against main memory.
  double ridge(Precision p) const { return peak(p) / mem_bandwidth; }
};

struct Fabric {
  std::string key;             // "IB_NDR", "Ethernet_100G"
  std::string name;
  double bandwidth = 0;        // bytes/s per node link, one direction
  double latency = 0;          // seconds (α of one message)
  double oversubscription = 1; // ≥ 1
  std::string topology = "fat_tree";  // fat_tree | dragonfly | torus_3d | ring
  std::string source;
};

struct Node {
  std::string key;             // "DGX_H100"
  std::string device;          // Device key
  int accelerators = 1;        // per node
  double intra_bandwidth = 0;  // bytes/s per direction between accelerators (NVLink)
  double intra_latency = 0;    // seconds
  int nics = 1, psus = 2;
  std::optional<double> node_price;  // USD for the whole node (when quoted)
  std::string source;
};

struct Cluster {
  std::string key;             // "Research_256"
  std::string node;            // Node key
  int nodes = 1;
  std::string fabric;          // Fabric key
  std::string grid;            // Grid key (default region)
  std::string source;
};

struct Grid {
  std::string key;             // "US_Average"
  std::string name;            // "US Average"
  double carbon_g_per_kwh = 0; // grid carbon intensity
  double pue = 1;              // power usage effectiveness, ≥ 1
  double wue_l_per_kwh = 0;    // water usage effectiveness, litres per kWh
  std::string source;
};

// A zoo model. FLOPs are inference FLOPs per `flops_unit` (1 multiply-add = 2 FLOPs): per token for
// decoder LMs (≈ 2·active params), per sequence at `seq_len` for encoders, per sample for vision.
struct ModelSpec {
  std::string key;             // "Llama-3-8B"
  std::string name;
  std::string family;          // "transformer", "moe", "cnn", "mlp", "ssm", "diffusion", "vla"
  double params = 0;           // total parameters
  double active_params = 0;    // per token (MoE); = params for dense models
  double inference_flops = 0;  // FLOPs per flops_unit
  std::string flops_unit = "sample";  // "token", "sequence", "sample"
  int layers = 0, hidden = 0, heads = 0, kv_heads = 0, ffn = 0, vocab = 0, seq_len = 0;
  int experts = 0, top_k = 0;  // MoE
  int kv_lora_rank = 0, qk_rope_dim = 0;  // MLA (DeepSeek)
  int state_size = 0;          // SSM
  double training_tokens = 0;  // for scaling-law comparisons (0 = unknown)
  double training_flops = 0;   // reported total (0 = unknown)
  std::string source;
  bool is_transformer() const { return hidden > 0 && heads > 0 && layers > 0; }
  int head_dim() const { return heads > 0 ? hidden / heads : 0; }
  int kv_heads_or_heads() const { return kv_heads > 0 ? kv_heads : heads; }
};

struct Registry {
  std::map<std::string, Device> devices;
  std::map<std::string, Fabric> fabrics;
  std::map<std::string, Node> nodes;
  std::map<std::string, Cluster> clusters;
  std::map<std::string, Grid> grids;
  std::map<std::string, ModelSpec> models;
  std::vector<std::string> files;   // the files loaded, in order

  // Lookups throw tt::Error naming the key and listing near matches (case-insensitive prefix).
  const Device& device(const std::string& key) const;
  const Fabric& fabric(const std::string& key) const;
  const Node& node(const std::string& key) const;
  const Cluster& cluster(const std::string& key) const;
  const Grid& grid(const std::string& key) const;
  const ModelSpec& model(const std::string& key) const;
};

// The directory of the shipped registry: $TT_SIM_REGISTRY if set, else <source>/src/sim/registry.
std::string registry_dir();

// Loads every *.json in `dir` (devices.json, systems.json, grids.json, models.json), validates
// every entry (units, ranges, references between entries) and returns the registry. When
// `with_host` is true and `tito hw probe` has cached this machine's ceilings, adds device "host"
// (this CPU, FP32 peak and triad bandwidth on all probed threads; "host-1t" for one thread).
Registry load_registry(const std::string& dir = registry_dir(), bool with_host = true);

// The registry loaded once per process from registry_dir() (with the host device).
const Registry& registry();

}  // namespace tt::sim

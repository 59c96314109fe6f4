// This machine's ceilings, measured: FMA peak (GFLOP/s on 1 thread and on all threads) and memory
// bandwidth (STREAM triad, GB/s, 1 and all threads), the ridge point between them, and a cache
// file so the profiler, the roofline and the kernel lab reuse one measurement instead of
// re-probing. `tito hw probe` runs probe() and saves it. Not a benchmark of our kernels.
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tt::hw {

struct Ceilings {
  std::string cpu;        // model name from /proc/cpuinfo ("unknown" if absent)
  std::string isa;        // FMA kernel used: "avx512", "avx2" or "scalar"
  int threads = 1;        // thread count of the "all" figures (tt::get_num_threads() at probe time)
  double peak_gflops_1 = 0;    // FP32 FMA peak, one thread
  double peak_gflops_all = 0;  // FP32 FMA peak, `threads` threads
  double triad_gbs_1 = 0;      // STREAM triad a = b + s·c, one thread (GB/s, 1e9 bytes)
  double triad_gbs_all = 0;    // same, `threads` threads
  std::string measured_at;     // ISO-8601 UTC time of the probe
  // Ridge point (FLOP/byte): arithmetic intensity where the roofline turns from memory- to
  // compute-bound, peak / bandwidth, for one thread or all threads.
  double ridge_1() const { return peak_gflops_1 / triad_gbs_1; }
  double ridge_all() const { return peak_gflops_all / triad_gbs_all; }
};

struct ProbeOptions {
  int threads = 0;           // 0: tt::get_num_threads()
  double seconds = 0.1;      // minimum time per timed repeat
  int repeats = 5;           // median over this many repeats
  int64_t triad_bytes = 0;   // bytes per triad array; 0: 4× the last-level cache, ≥ 64 MiB
};

// Measures the ceilings now (about 2–3 s with the defaults). Sets the thread pool to opts.threads
// for the probe and restores it after. Throws tt::Error on bad options or inside a parallel region.
Ceilings probe(const ProbeOptions& opts = {});

// The data caches of cpu0 from sysfs (L1d, L2, L3, ...), by level; empty when sysfs does not say.
struct CacheLevel {
  int level = 0;
  int64_t bytes = 0;
};
std::vector<CacheLevel> data_caches();

// STREAM triad GB/s on one thread with a total working set of `bytes` (three arrays of bytes/3):
// below a cache's size it measures that cache's bandwidth. The simulator's validation uses it
// (with data_caches) to price an op by the level its bytes live in.
double triad_gbs_at(int64_t bytes, double seconds = 0.05, int repeats = 5);

// The CPU's model name from /proc/cpuinfo, "unknown" if absent (the key ceilings() matches on).
std::string cpu_model();

// All fields plus ridge_1 and ridge_all, as one JSON object (what `tito hw probe --json` prints).
nlohmann::ordered_json ceilings_to_json(const Ceilings& c);

// Where the cache lives: $TT_HW_CACHE if set, else $XDG_CACHE_HOME/tinytorch/hw.json, else
// ~/.cache/tinytorch/hw.json.
std::string cache_path();

// Writes / reads the cache (JSON). load_cache returns nullopt when the file does not exist and
// throws tt::Error naming the file and the bad field when it is corrupt or incomplete.
void save_cache(const Ceilings& c, const std::string& path = cache_path());
std::optional<Ceilings> load_cache(const std::string& path = cache_path());

// The cached ceilings if present and for this CPU model and tt::get_num_threads(), else a fresh
// probe, saved to the cache (a cache that cannot be read or written only costs a stderr warning).
// Remembered for the rest of the process, so callers (profiler, roofline) may call it freely.
Ceilings ceilings();

// The ceilings a caller running on `threads` threads needs: the cache as it is when it is for this
// CPU and either was probed on `threads` threads or threads == 1 (every probe measures one thread
// too), else ceilings(). So a one-thread consumer (the profiler at --threads 1, `tito sim
// validate`) neither re-probes nor rewrites a cache probed on all cores.
Ceilings ceilings_for(int threads);

}  // namespace tt::hw

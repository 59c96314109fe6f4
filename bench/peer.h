// Running a peer workload: the PyTorch scripts in bench/peers/ (copied from the project's shared
// peers; their docstrings say what each figure measures), started with /usr/bin/python3 through
// popen, their `name: value unit` lines parsed. OPENBLAS_CORETYPE is set from the CPU flags
// (OpenBLAS misdetects this CPU and runs ~5x slow otherwise; see docs/BENCHMARKS.md).
// A peer that cannot run (no python3 with torch, no script, no data) is reported, never faked.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/harness.h"

namespace tt::bench {

struct PeerRun {
  std::string script;    // e.g. "torch_dispatch.py"
  int threads = 1;       // --threads (PyTorch intra-op threads)
  int blas_threads = 1;  // OpenBLAS threads (PEERS_BLAS_THREADS)
  std::string missing;   // non-empty: why there are no figures
  std::map<std::string, double> values;     // numeric figures by name
  std::map<std::string, std::string> text;  // every printed line: name -> "value unit"

  std::optional<double> get(const std::string& name) const;
  // "torch 1.13.0a0, 2 threads, OpenBLAS 1 thread (core SkylakeX), ATen avx2"
  std::string describe() const;
};

// The OPENBLAS_CORETYPE the peers run with, from the CPU flags: SkylakeX when the CPU has AVX-512F,
// Haswell for AVX2, else empty (OpenBLAS's own detection). It replaces any value in the
// environment, so the peer configuration depends on the machine only.
std::string openblas_coretype();

// bench/peers under the source tree (TT_SOURCE_DIR).
std::string peers_dir();

// Runs `script --threads T extra_args`; needs_fmnist: the script reads Fashion-MNIST.
PeerRun run_peer(const std::string& script, const std::string& extra_args, int threads, int blas_threads,
                 bool needs_fmnist);

// The peer configurations worth running at `threads` (PEERS.md): at 1 thread one run; above,
// OpenBLAS with the same thread count and with 1 thread (PyTorch's OpenMP threads otherwise spin
// while OpenBLAS starts its own). Prints each configuration as it runs.
std::vector<PeerRun> run_peer_configs(const std::string& script, const std::string& extra_args, int threads,
                                      bool needs_fmnist);

// The best value of `figure` over the runs, as a Result against `ours`; peer_name names the
// figure and the configuration that produced it, or says why the peer is missing.
Result compare(const std::string& name, double ours, const std::string& unit, Better better,
               const std::vector<PeerRun>& runs, const std::string& figure);

}  // namespace tt::bench

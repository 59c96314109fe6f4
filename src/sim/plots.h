// Three charts of simulator results, each one self-contained SVG 1.1 document built as text (no
// plotting library): the device roofline with the ops of a priced step, the per-accelerator
// training-memory stack of several configurations, and a parallel-split sweep. Pure functions of
// their inputs; write_* save them atomically. Not interactive beyond a <title> tooltip per mark.
// Siblings: plots.cpp (roofline), plots_bars.cpp (bar charts), plots_svg_util.h (SVG helpers);
// the profiler's measured roofline is profile/roofline_svg.h.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "sim/memory.h"
#include "sim/node.h"
#include "sim/parallel.h"
#include "sim/registry.h"

namespace tt::sim {

struct SimPlotOptions {
  std::string title;              // empty: each chart makes its own
  int width = 900, height = 560;  // pixels; clamped to at least 480 × 320
};

// Log-log roofline of `d` at precision `p`: memory roof d.mem_bandwidth·I up to the ridge
// I* = d.peak(p)/d.mem_bandwidth (marked with its value), flat compute roof d.peak(p) (the real
// peak; r.peak is η-scaled and only quoted in the subtitle), the device's other precisions' peaks
// and its SRAM/flash bandwidth roofs dashed. Each op of r.ops is a circle at (intensity,
// flops/time per call) whose area ∝ its share of the step time (time·count), coloured by pass;
// the ~8 costliest are named. Circles carry data-op="<index in r.ops>". Ops without FLOPs or bytes
// (or time) cannot sit on a log axis and are counted in a footnote. The compute roof polyline has
// id="roof-compute". A device without a positive peak or bandwidth gives a chart saying so.
std::string device_roofline_svg(const Device& d, Precision p, const NodeResult& r,
                                const SimPlotOptions& o = {});

// Stacked bars, one per (label, result): weights, gradients, optimizer state, activations,
// buffers, in GB; a dashed line at configs[0].second.capacity ("HBM 80 GiB"); bars whose total
// exceeds the capacity outlined red and marked "OOM". Empty input: a chart saying so.
std::string memory_stack_svg(
    const std::vector<std::pair<std::string, TrainingMemoryResult>>& configs,
    const SimPlotOptions& o = {});

// One bar per run labelled "TP×PP×DP" (and "EP n" when ep > 1), height = throughput (samples/s);
// under each, a 100% column of where its step time goes (compute, DP, TP, EP communication,
// pipeline bubble; shares of their sum, before any overlap). Infeasible runs hatched grey with
// "OOM"; the feasible run with the highest throughput highlighted and named. Empty input: a chart
// saying "no configurations".
std::string parallel_sweep_svg(const std::vector<ParallelResult>& runs,
                               const SimPlotOptions& o = {});

// The charts above written atomically to `path` (path + ".tmp", then renamed; parent
// directories are created). Throw tt::Error naming the path when it cannot be written.
void write_device_roofline_svg(const std::string& path, const Device& d, Precision p,
                               const NodeResult& r, const SimPlotOptions& o = {});
void write_memory_stack_svg(
    const std::string& path,
    const std::vector<std::pair<std::string, TrainingMemoryResult>>& configs,
    const SimPlotOptions& o = {});
void write_parallel_sweep_svg(const std::string& path, const std::vector<ParallelResult>& runs,
                              const SimPlotOptions& o = {});

}  // namespace tt::sim

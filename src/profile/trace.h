// Chrome trace / Perfetto export of a profile: the Trace Event Format's JSON object form
// ({"traceEvents": [...]}), which chrome://tracing and ui.perfetto.dev load. Complete ("X")
// events nest by time on one track: regions ⊃ module forwards ⊃ ops in the forward pass;
// module spans (merged runs of autograd nodes per module) ⊃ autograd nodes ⊃ ops in the backward
// pass. Each op carries its shapes, declared FLOPs and bytes and achieved GFLOP/s in "args"; a
// counter track ("C") draws the allocator's bytes in use. Format reference: "Trace Event Format",
// Google, https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "profile/profiler.h"

namespace tt::profile {

nlohmann::ordered_json chrome_trace(const Profiler& p, const std::string& process_name = "tinytorch");
// chrome_trace written to `path` atomically (a crash never leaves half a file).
void write_chrome_trace(const std::string& path, const Profiler& p, const std::string& process_name = "tinytorch");

}  // namespace tt::profile

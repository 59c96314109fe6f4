// `tito bench SUITE [--json] [--threads T]`: benchmark suites that run each workload in TinyTorch
// and in its peer (PyTorch, via bench/peers/) in the same run and print both with the ratio.
// The CLI (apps/tito) only parses arguments and calls run(). Figures: docs/BENCHMARKS.md.
#pragma once
#include <string>
#include <vector>

namespace tt::bench {

// Runs one suite with `threads` threads for ours and the peer; prints a table and, with json, a
// last stdout line {"bench": SUITE, "results": [...]}. Returns the process exit code: 0, 1 on an
// error, 2 for an unknown suite (the valid ones are listed on stderr).
int run(const std::string& suite, bool json, int threads);

// The suite names, in the order they are listed.
std::vector<std::string> suites();

}  // namespace tt::bench

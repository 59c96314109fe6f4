// The suites behind tt::bench::run (one suite_<name>.cpp each). Private to bench/.
#pragma once
#include <vector>

#include "bench/harness.h"

namespace tt::bench {

struct SuiteArgs {
  int threads = 1;
};

// Per-call overhead of tiny ops: add of 1-element tensors, Linear(8,8) at batch 1, tiny MLP
// 8-16-16-1 fwd+bwd(+optimizer); peer torch_dispatch.py.
std::vector<Result> suite_ops(const SuiteArgs& args);
// MLP 784-128-64-10 on Fashion-MNIST: training samples/s, test accuracy, allocations per step,
// batch-1 inference latency; peers torch_fmnist.py and torch_latency.py.
std::vector<Result> suite_mlp(const SuiteArgs& args);
// The peer's small CNN (conv 1→8, pool, conv 8→16, pool, linear) on Fashion-MNIST: training
// samples/s, accuracy, allocations per step; Conv2d GFLOP/s for five layer shapes; peers
// torch_fmnist.py --model cnn and torch_conv.py.
std::vector<Result> suite_cnn(const SuiteArgs& args);
// Float32 GEMM against OpenBLAS sgemm in-process (same matrices and threads): square n = 64…2048,
// transposed operands, % of the measured FMA peak, small (≤ 64) and batched products; torch.matmul
// (torch_matmul.py) at n = 1024.
std::vector<Result> suite_gemm(const SuiteArgs& args);
// The kernel lab's GEMM ladder (bench/kernels: naive -> reorder -> tiled -> packed -> SIMD ->
// threads, then the production gemm_f32): GFLOP/s at n = 512, 1024, 2048 (TT_LADDER_N="a,b,..."
// overrides), % of the measured FMA peak, speed-up over naive, arithmetic intensity; peer OpenBLAS
// cblas_sgemm in this process (openblas_peer.h).
std::vector<Result> suite_gemm_ladder(const SuiteArgs& args);
// The char-level GPT of torch_chargpt.py on the KJV text: training tokens/s, losses, greedy
// generation of 256 tokens at batch 1 with and without the KV cache; peer torch_chargpt.py.
std::vector<Result> suite_gpt(const SuiteArgs& args);
// The profiler's cost (profile/profiler.h): add of 1-element tensors, tiny MLP 8-16-16-1 SGD step
// at batch 1, MLP 784-128-64-10 Adam step at batch 64, each with the profiler off and on (µs per
// call, overhead); peer torch_profiler_overhead.py (torch.profiler.profile).
std::vector<Result> suite_profiler(const SuiteArgs& args);

}  // namespace tt::bench

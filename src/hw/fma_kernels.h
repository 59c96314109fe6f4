// FMA throughput kernels for the peak probe (probe.cpp): one per ISA, picked at run time. Each runs
// `iters` iterations of `fmas_per_iter` independent vector FMAs and stores a checksum to *sink so
// the work cannot be optimised away. Internal to src/hw; not a GEMM or any useful arithmetic.
#pragma once
#include <cstdint>

namespace tt::hw::detail {

struct FmaKernel {
  const char* isa;        // "avx512", "avx2" or "scalar"
  int64_t flops_per_iter;  // FLOPs of one iteration: FMAs × lanes × 2 (a multiply-add is 2 FLOPs)
  void (*run)(int64_t iters, float* sink);
};

// The widest kernel this CPU supports (__builtin_cpu_supports).
const FmaKernel& best_fma_kernel();

}  // namespace tt::hw::detail

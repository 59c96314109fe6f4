// OpenBLAS as an in-process peer for GEMM benchmarks: libopenblas.so.0 is loaded at run time with
// dlopen, so nothing in the build depends on it and a machine without it reports the peer
// missing (never a made-up figure). OPENBLAS_CORETYPE is set from the CPU flags before the load:
// OpenBLAS picks its kernels once, in its library constructor, and 0.3.21 misdetects recent AMD
// CPUs as "Prescott" (~5x slow; /work/shared/PEERS.md, docs/BENCHMARKS.md). Not the Python peers
// (peer.h), and not a BLAS wrapper for the library: TinyTorch never calls it outside bench/.
#pragma once
#include <cstdint>
#include <string>

namespace tt::bench {

class OpenBlas {
 public:
  // The process's OpenBLAS with its thread count set to `threads`, or nullptr with *why saying
  // what is missing ("libopenblas.so.0 not found (apt-get install -y libopenblas0)" ...).
  // The library is loaded on the first call only; later calls just set the thread count.
  static const OpenBlas* load(int threads, std::string* why);

  // openblas_set_num_threads / openblas_get_num_threads: the threads of every later call.
  void set_threads(int threads) const;
  int threads() const;

  // C[m×n] = alpha·op(A)·op(B) + beta·C, all row-major: cblas_sgemm(CblasRowMajor, ...), with the
  // same argument meaning as tt::kernels::gemm_f32 (src/ops/matmul/gemm.h). Sizes must fit in int.
  void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
             const float* b, int64_t ldb, float beta, float* c, int64_t ldc) const;

  std::string core() const;    // the kernel family it runs, openblas_get_corename(): "SkylakeX"
  std::string config() const;  // openblas_get_config(): "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."
  // "OpenBLAS 0.3.21, core SkylakeX (OPENBLAS_CORETYPE=SkylakeX), 2 threads" — plus a warning
  // when the library was already in the process, so the core type could not be chosen here.
  std::string describe() const;

 private:
  OpenBlas() = default;

  using SgemmFn = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                           int lda, const float* b, int ldb, float beta, float* c, int ldc);
  SgemmFn sgemm_ = nullptr;
  void (*set_threads_)(int) = nullptr;
  int (*get_threads_)() = nullptr;
  char* (*corename_)() = nullptr;
  char* (*config_)() = nullptr;
  std::string coretype_;     // the OPENBLAS_CORETYPE we set ("" = OpenBLAS's own detection)
  bool preloaded_ = false;   // already loaded before load(): our OPENBLAS_CORETYPE came too late
};

}  // namespace tt::bench

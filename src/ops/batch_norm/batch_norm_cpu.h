// Batch-norm CPU kernels on raw contiguous buffers: x viewed as [N, C, S] (S = the product of the
// spatial dims, 1 for [N, C]); channel c owns the M = N·S values x[n, c, s]. Not the op: no shapes,
// checks, running statistics or autograd (ops/batch_norm/batch_norm.cpp does those); kernels never
// throw. Instantiated for float and double; statistics are accumulated in double and kept in double.
// Channels run on threads, each channel on one thread in a fixed order: results are bitwise
// independent of the thread count.
#pragma once
#include <cstdint>

namespace tt::kernels {

struct BatchNormDims {
  int64_t N = 0, C = 0, S = 1;
};

// Training forward: per channel the batch statistics (two passes, Note [Two-pass variance] in
// layer_norm_cpu.cpp)
//   mean_c = (1/M) Σ x,  var_c = (1/M) Σ (x − mean_c)²  (biased),  rstd_c = 1/√(var_c + eps)
// then y = (x − mean_c)·rstd_c·w_c + b_c. w, b: [C] or nullptr; mean, var, rstd: [C] outputs.
template <typename T>
void batch_norm_train_forward_cpu(T* y, double* mean, double* var, double* rstd, const T* x, const T* w, const T* b,
                                  const BatchNormDims& d, double eps);

// Evaluation forward: y = (x − mean_c)·rstd_c·w_c + b_c with the given per-channel mean and rstd.
template <typename T>
void batch_norm_apply_cpu(T* y, const T* x, const double* mean, const double* rstd, const T* w, const T* b,
                          const BatchNormDims& d);

// Backward, with x̂ = (x − mean_c)·rstd_c and w_c = 1 when w is nullptr (Ioffe & Szegedy 2015, §3):
//   dw_c = Σ dy·x̂,  db_c = Σ dy,
//   train (mean, rstd are functions of the batch): dx = (w_c·rstd_c/M)·(M·dy − Σdy − x̂·Σ(dy·x̂))
//   eval (mean, rstd are constants):               dx = w_c·rstd_c·dy
// Any of dx, dw, db may be nullptr (not wanted).
template <typename T>
void batch_norm_backward_cpu(T* dx, T* dw, T* db, const T* dy, const T* x, const double* mean, const double* rstd,
                             const T* w, const BatchNormDims& d, bool train);

}  // namespace tt::kernels

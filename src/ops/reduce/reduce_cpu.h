// Reduction kernels: sum / max / min over a set of dims, and arg-reductions over one dim.
#pragma once
#include "core/tensor.h"

namespace tt::kernels {

enum class ReduceKind { Sum, Max, Min };

// out (contiguous, shape = x's kept dims in order) = reduction of x over the dims flagged in
// `reduced` (reduced[i] for dim i). Sum of integers accumulates in int64 (out is int64).
void reduce_cpu(ReduceKind kind, const Tensor& out, const Tensor& x, const bool* reduced);
// Max/min over one dim with the index of the first extreme (NaN counts as the extreme).
// values and indices are contiguous with x's shape minus `dim`.
void arg_reduce_cpu(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int dim);

}  // namespace tt::kernels

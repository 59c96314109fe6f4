// How the convolution kernels (conv_cpu.cpp, conv_direct_cpu.cpp) split work over threads: a range
// of independent items (images, or image planes) cut into one contiguous chunk per thread, each
// chunk owning a fixed slice of scratch. Internal to ops/conv.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/parallel.h"

namespace tt::kernels {

// Note [Batch chunks]
// `count` items are cut into min(count, threads) contiguous chunks, one per thread, each with its
// own slice of scratch (an im2col buffer, a padded plane, a partial weight gradient). The cut
// depends only on `count` and the thread count, and no item's arithmetic depends on the cut, so
// every pass is bitwise deterministic for a fixed thread count. A single chunk runs inline and
// leaves the threads to the GEMM inside it.
inline int64_t num_chunks(int64_t count) {
  return std::clamp<int64_t>(get_num_threads(), 1, std::max<int64_t>(count, 1));
}

// fn(chunk, first item, end item) for every chunk, chunks spread over the threads.
template <typename F>
void for_each_chunk(int64_t count, F&& fn) {
  const int64_t chunks = num_chunks(count);
  parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) fn(c, c * count / chunks, (c + 1) * count / chunks);
  });
}

}  // namespace tt::kernels

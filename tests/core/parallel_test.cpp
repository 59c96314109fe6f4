// parallel_for accepts named (lvalue, const) lambdas as well as temporaries, and covers the range
// exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/parallel.h"

namespace tt {
namespace {

TEST(ParallelFor, NamedLambdaCoversRangeOnce) {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(100000);
  const auto body = [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[i]++;
  };
  parallel_for(0, static_cast<int64_t>(hits.size()), 1000, body);
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

}  // namespace
}  // namespace tt

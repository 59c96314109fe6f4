// Threaded elementwise ops, softmax and reductions are bitwise deterministic: the same inputs at 2
// threads give the same bits run after run, and reductions give the same bits at 1 and 2 threads
// (Note [Deterministic reductions] in ops/reduce/reduce_cpu.cpp). Float32 sums of large tensors,
// on every reduction layout, stay close to the float64 sum. Not a benchmark.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/ops.h"

namespace tt {
namespace {

// Restores the thread count a test changed.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }

 private:
  int saved_;
};

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  Tensor ca = contiguous(a), cb = contiguous(b);
  return std::memcmp(ca.raw_data(), cb.raw_data(), static_cast<size_t>(ca.numel()) * ca.element_size()) == 0;
}

struct NamedOp {
  const char* name;
  std::function<Tensor(const Tensor&)> fn;
};

// Big enough (2^20 elements) that every op below runs on both threads.
std::vector<NamedOp> threaded_ops() {
  return {
      {"exp", [](const Tensor& x) { return exp(x); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"gelu", [](const Tensor& x) { return gelu(x, "none"); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }},
      {"silu", [](const Tensor& x) { return silu(x); }},
      {"x*x+x", [](const Tensor& x) { return x * x + x; }},
      {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
      {"softmax dim 0", [](const Tensor& x) { return softmax(x, 0); }},
      {"sum", [](const Tensor& x) { return sum(x); }},
      {"sum dim 0", [](const Tensor& x) { return x.sum({0}); }},
      {"sum dim 1", [](const Tensor& x) { return x.sum({1}); }},
      {"sum of transpose", [](const Tensor& x) { return sum(x.transpose(0, 1)); }},
      {"amax dim 0", [](const Tensor& x) { return amax(x, {0}); }},
      {"amin dim 1", [](const Tensor& x) { return amin(x, {1}); }},
  };
}

TEST(Determinism, ThreadedOpsGiveIdenticalBitsRunToRun) {
  ThreadCount threads(2);
  Generator g(21);
  const Tensor x = randn({1024, 1024}, &g, kFloat32);
  for (const NamedOp& op : threaded_ops()) {
    const Tensor first = op.fn(x);
    for (int run = 0; run < 3; ++run) EXPECT_TRUE(same_bits(op.fn(x), first)) << op.name << " run " << run;
  }
}

TEST(Determinism, ReductionsGiveIdenticalBitsAtOneAndTwoThreads) {
  Generator g(22);
  const Tensor x = randn({1024, 1024}, &g, kFloat32), row = randn({1 << 22}, &g, kFloat32);
  for (const NamedOp& op : threaded_ops()) {
    const std::string name = op.name;
    if (name.rfind("sum", 0) != 0 && name.rfind("am", 0) != 0) continue;
    Tensor one, two;
    {
      ThreadCount t(1);
      one = op.fn(x);
    }
    {
      ThreadCount t(2);
      two = op.fn(x);
    }
    EXPECT_TRUE(same_bits(one, two)) << op.name;
  }
  Tensor one, two;  // one long row: threads split it into blocks
  {
    ThreadCount t(1);
    one = sum(row);
  }
  {
    ThreadCount t(2);
    two = sum(row);
  }
  EXPECT_TRUE(same_bits(one, two)) << "sum of one long row";
}

// |float32 sum − float64 sum| relative to Σ|x|, for each output of `s` vs `ref`.
double worst_relative_error(const Tensor& s, const Tensor& ref, const Tensor& abs_sum) {
  std::vector<double> a = s.to_vector<double>(), b = ref.to_vector<double>(), m = abs_sum.to_vector<double>();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]) / m[i]);
  return worst;
}

// A sequential float32 loop over these 2^24 values in [1, 2) is off by 11% (the total stops growing
// once an addend falls below half its ulp); blocked, laned and pairwise summation keeps the full sum
// within 1e-8 and 4096-term row and column sums within 2e-7 of the float64 sum (measured).
TEST(Accuracy, Float32SumsOfLargeTensorsCloseToFloat64) {
  ThreadCount threads(2);
  Generator g(23);
  const Tensor u = rand({1 << 24}, &g, kFloat32) + 1.0;
  EXPECT_LT(worst_relative_error(sum(u), sum(u.to(kFloat64)), sum(abs(u.to(kFloat64)))), 1e-7) << "full sum";
  const Tensor m = randn({4096, 4096}, &g, kFloat32) + 0.5;
  const Tensor m64 = m.to(kFloat64), a64 = abs(m64);
  for (int d : {0, 1}) {
    EXPECT_LT(worst_relative_error(m.sum({d}), m64.sum({d}), a64.sum({d})), 1e-6) << "sum over dim " << d;
  }
  const Tensor mt = m.transpose(0, 1);  // strided views reduce through the other layouts
  EXPECT_LT(worst_relative_error(mt.sum({0}), m64.transpose(0, 1).sum({0}), a64.transpose(0, 1).sum({0})), 1e-6);
  EXPECT_LT(worst_relative_error(sum(mt), sum(m64), sum(a64)), 1e-6) << "full sum of a transpose";
}

}  // namespace
}  // namespace tt

// Every rung of the kernel lab (bench/kernels) against the float64 reference, on ragged and
// non-square shapes, and every micro-kernel this CPU can run; the error check itself is tested
// too, so that a passing rung means something.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bench/kernels/kernel_lab.h"
#include "core/parallel.h"

namespace tt::lab {
namespace {

struct Dims {
  int64_t m, n, k;
};

// Ragged sizes around the tile sizes (mr 4/6/14, nr 16/32, kTile* 64/128/256, kc 256/384),
// square and not, plus empty ones.
const std::vector<Dims> kShapes = {{1, 1, 1},     {7, 7, 7},     {33, 33, 33},   {100, 100, 100},
                                   {257, 257, 257}, {1, 100, 33}, {100, 1, 257},  {33, 257, 7},
                                   {257, 33, 100}, {15, 31, 385}, {169, 65, 129}, {0, 5, 3},
                                   {5, 0, 3},       {5, 3, 0}};

struct Problem {
  Dims d;
  std::vector<float> a, b;
  std::vector<double> ref, mag;
};

Problem make_problem(Dims d, uint32_t seed) {
  Problem p{d, std::vector<float>(d.m * d.k), std::vector<float>(d.k * d.n), std::vector<double>(d.m * d.n),
            std::vector<double>(d.m * d.n)};
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& x : p.a) x = dist(gen);
  for (float& x : p.b) x = dist(gen);
  gemm_reference(d.m, d.n, d.k, p.a.data(), p.b.data(), p.ref.data(), p.mag.data());
  return p;
}

std::string describe(const Dims& d) {
  return std::to_string(d.m) + "x" + std::to_string(d.n) + "x" + std::to_string(d.k);
}

// Runs fn on every shape (C pre-filled with NaN: every rung must overwrite all of C).
template <typename F>
void expect_matches_reference(const std::string& what, F&& fn) {
  uint32_t seed = 1;
  for (const Dims& d : kShapes) {
    Problem p = make_problem(d, seed++);
    std::vector<float> c(d.m * d.n, std::numeric_limits<float>::quiet_NaN());
    fn(d, p.a.data(), p.b.data(), c.data());
    Check chk = check_result(d.m, d.n, d.k, c.data(), p.ref.data(), p.mag.data());
    EXPECT_TRUE(chk.ok) << what << " on " << describe(d) << ": max relative error " << chk.max_rel_err
                        << " > tolerance " << chk.tolerance;
  }
}

TEST(KernelLab, EveryRungMatchesReferenceOnRaggedShapes) {
  for (const Rung& r : ladder()) {
    expect_matches_reference(r.name, [&](const Dims& d, const float* a, const float* b, float* c) {
      r.fn(d.m, d.n, d.k, a, b, c);
    });
  }
}

TEST(KernelLab, EveryMicroKernelMatchesReference) {
  std::vector<const MicroKernel*> kernels = {&micro_kernel_portable(), micro_kernel_avx2(), micro_kernel_avx512()};
  for (const MicroKernel* uk : kernels) {
    if (uk == nullptr) continue;  // this CPU lacks the ISA
    expect_matches_reference(uk->name, [&](const Dims& d, const float* a, const float* b, float* c) {
      gemm_packed_with(*uk, d.m, d.n, d.k, a, d.k, b, d.n, c, d.n);
    });
  }
}

TEST(KernelLab, ThreadedRungIsIdenticalForAnyThreadCount) {
  const int saved = get_num_threads();
  Problem p = make_problem({97, 300, 129}, 7);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    std::vector<float> c(97 * 300);
    gemm_threaded(97, 300, 129, p.a.data(), p.b.data(), c.data());
    Check chk = check_result(97, 300, 129, c.data(), p.ref.data(), p.mag.data());
    EXPECT_TRUE(chk.ok) << threads << " threads: max relative error " << chk.max_rel_err;
    results.push_back(std::move(c));
  }
  set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
}

TEST(KernelLab, PackedDriverHonoursRowStrides) {
  // C = A·B on sub-matrices of larger buffers: lda, ldb, ldc wider than k, n, n.
  const int64_t m = 37, n = 45, k = 51, lda = 60, ldb = 70, ldc = 80;
  Problem p = make_problem({m, n, k}, 11);
  std::vector<float> a(m * lda, 9.0f), b(k * ldb, 9.0f), c(m * ldc, -7.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t q = 0; q < k; ++q) a[i * lda + q] = p.a[i * k + q];
  for (int64_t q = 0; q < k; ++q)
    for (int64_t j = 0; j < n; ++j) b[q * ldb + j] = p.b[q * n + j];
  gemm_packed_with(micro_kernel_best(), m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc);
  std::vector<float> packed(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) packed[i * n + j] = c[i * ldc + j];
  EXPECT_TRUE(check_result(m, n, k, packed.data(), p.ref.data(), p.mag.data()).ok);
  for (int64_t i = 0; i < m; ++i)  // columns past n are not C's: untouched
    for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], -7.0f) << i << "," << j;
}

TEST(KernelLab, CheckRejectsWrongResults) {
  Problem p = make_problem({20, 30, 40}, 3);
  std::vector<float> c(20 * 30);
  gemm_naive(20, 30, 40, p.a.data(), p.b.data(), c.data());
  ASSERT_TRUE(check_result(20, 30, 40, c.data(), p.ref.data(), p.mag.data()).ok);
  std::vector<float> bad = c;
  bad[17] += 1e-3f * static_cast<float>(p.mag[17]);  // one element off by 1e-3 of its scale
  EXPECT_FALSE(check_result(20, 30, 40, bad.data(), p.ref.data(), p.mag.data()).ok);
  bad = c;
  bad[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(check_result(20, 30, 40, bad.data(), p.ref.data(), p.mag.data()).ok);
}

TEST(KernelLab, IntensityModelMatchesTheLadder) {
  // L1 misses per FLOP fall at rungs 2 (unit stride) and 4 (packing); register traffic per FLOP
  // falls only at rung 5 (the C tile moves into registers): mr·nr / (2·(mr + nr)).
  EXPECT_LT(arithmetic_intensity(1).l1_misses, arithmetic_intensity(2).l1_misses);
  EXPECT_LT(arithmetic_intensity(2).l1_misses, arithmetic_intensity(4).l1_misses);
  EXPECT_LT(arithmetic_intensity(4).registers, 1.0);
  EXPECT_DOUBLE_EQ(arithmetic_intensity(6).registers, arithmetic_intensity(5).registers);
  const MicroKernel& uk = micro_kernel_best();
  if (&uk == &micro_kernel_portable()) GTEST_SKIP() << "no SIMD micro-kernel on this CPU";
  EXPECT_DOUBLE_EQ(arithmetic_intensity(5).registers, uk.mr * uk.nr / (2.0 * (uk.mr + uk.nr)));
  EXPECT_GT(arithmetic_intensity(5).registers, 5 * arithmetic_intensity(4).registers);
}

}  // namespace
}  // namespace tt::lab

// Tests for tt::kernels::gemm_f32 / gemm_f64 against a naive long-double reference: random shapes
// (edges of the micro-tile and cache blocks, GEMV shapes, 0 and 1), all four transpose cases,
// padded leading dimensions, alpha/beta incl. beta = 0 over NaN, every ISA this CPU supports, and
// bitwise determinism under threads. Not a benchmark.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "ops/matmul/gemm.h"
#include "ops/matmul/gemm_kernels.h"

namespace {

using tt::kernels::gemm_f32;
using tt::kernels::gemm_f64;

// gemm_f32 without an epilogue, as a plain function for check_case.
void gemm_f32_plain(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                    const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_f32(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

struct Case {
  bool trans_a, trans_b;
  int64_t m, n, k;
  int64_t pad_a, pad_b, pad_c;  // extra elements per row beyond the minimal leading dimension
  double alpha, beta;
};

std::string describe(const Case& c) {
  return "ta=" + std::to_string(c.trans_a) + " tb=" + std::to_string(c.trans_b) + " M=" + std::to_string(c.m) +
         " N=" + std::to_string(c.n) + " K=" + std::to_string(c.k) + " pads=" + std::to_string(c.pad_a) + "," +
         std::to_string(c.pad_b) + "," + std::to_string(c.pad_c) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta);
}

// Runs one case through gemm (T = float or double) and checks every element of C, plus that the
// padding columns of C (beyond N) are untouched.
template <typename T, typename Gemm>
void check_case(const Case& c, std::mt19937& rng, Gemm gemm) {
  const int64_t lda = (c.trans_a ? c.m : c.k) + c.pad_a, ldb = (c.trans_b ? c.k : c.n) + c.pad_b;
  const int64_t ldc = c.n + c.pad_c;
  const int64_t a_rows = c.trans_a ? c.k : c.m, b_rows = c.trans_b ? c.n : c.k;
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  const T nan = std::numeric_limits<T>::quiet_NaN();
  // Padding of A and B holds NaN: reading it would poison C.
  std::vector<T> a(static_cast<size_t>(a_rows * lda), nan), b(static_cast<size_t>(b_rows * ldb), nan);
  for (int64_t r = 0; r < a_rows; ++r)
    for (int64_t j = 0; j < lda - c.pad_a; ++j) a[r * lda + j] = static_cast<T>(dist(rng));
  for (int64_t r = 0; r < b_rows; ++r)
    for (int64_t j = 0; j < ldb - c.pad_b; ++j) b[r * ldb + j] = static_cast<T>(dist(rng));
  const T sentinel = static_cast<T>(12345.0);
  std::vector<T> c0(static_cast<size_t>(c.m * ldc), sentinel);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) c0[i * ldc + j] = c.beta == 0.0 ? nan : static_cast<T>(dist(rng));
  std::vector<T> out = c0;
  gemm(c.trans_a, c.trans_b, c.m, c.n, c.k, static_cast<T>(c.alpha), a.data(), lda, b.data(), ldb,
       static_cast<T>(c.beta), out.data(), ldc);

  const double eps = std::numeric_limits<T>::epsilon();
  int64_t bad = 0;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const T got = out[i * ldc + j];
      if (j >= c.n) {  // padding must be untouched
        if (got != sentinel && ++bad <= 3) ADD_FAILURE() << describe(c) << ": wrote padding at " << i << "," << j;
        continue;
      }
      long double sum = 0, mag = 0;
      for (int64_t p = 0; p < c.k; ++p) {
        const long double av = c.trans_a ? a[p * lda + i] : a[i * lda + p];
        const long double bv = c.trans_b ? b[j * ldb + p] : b[p * ldb + j];
        sum += av * bv;
        mag += std::fabs(av * bv);
      }
      long double ref = c.alpha * sum, ref_mag = std::fabs(c.alpha) * mag;
      if (c.beta != 0.0) {
        ref += c.beta * static_cast<long double>(c0[i * ldc + j]);
        ref_mag += std::fabs(c.beta * static_cast<long double>(c0[i * ldc + j]));
      }
      // Error bound of a length-K dot product plus the alpha/beta update.
      const double tol = 2.0 * eps * static_cast<double>(c.k + 3) * static_cast<double>(ref_mag) + 1e-30;
      const double err = std::fabs(static_cast<double>(got) - static_cast<double>(ref));
      if (!(err <= tol) && ++bad <= 3)
        ADD_FAILURE() << describe(c) << ": C(" << i << "," << j << ") = " << got << ", want "
                      << static_cast<double>(ref) << " (tol " << tol << ")";
    }
  }
}

// Sizes around the micro-tiles (6×64 and its 16-column steps, 6×16, 4×8), the cache blocks (MC
// 168/120/64, KC 512/256), the path switches (direct B up to M = 32 or 128, packed A above M = 128)
// and primes.
const std::vector<int64_t> kEdgeSizes = {0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   11,  12,  13,  14,
                                         15,  16,  17,  23,  28,  29,  31,  32,  33,  41,  47,  48,  49,  63,
                                         64,  65,  97,  119, 120, 121, 127, 128, 129, 167, 168, 169, 191, 192,
                                         193, 255, 256, 257, 511, 512, 513};

// Random shapes drawn from kEdgeSizes (weighted toward small), with M*N*K capped to keep the naive
// reference cheap under sanitizers.
std::vector<Case> random_cases(int count, uint32_t seed, int64_t max_work) {
  std::mt19937 rng(seed);
  auto pick = [&] {
    std::uniform_int_distribution<size_t> d(0, kEdgeSizes.size() - 1);
    size_t i = d(rng), j = d(rng);
    return kEdgeSizes[d(rng) % 3 == 0 ? i : std::min(i, j)];  // mostly min of two: small sizes more often
  };
  const double alphas[] = {1.0, -0.5, 2.25};
  const double betas[] = {0.0, 1.0, -1.5, 0.5};
  std::uniform_int_distribution<int> coin(0, 1), pad(1, 7), which(0, 3), which3(0, 2);
  std::vector<Case> cases;
  while (static_cast<int>(cases.size()) < count) {
    Case c{coin(rng) == 1, coin(rng) == 1, pick(), pick(), pick(), 0, 0, 0, alphas[which3(rng)], betas[which(rng)]};
    if (which(rng) == 0) c.m = 1;  // GEMV shapes
    if (which(rng) == 0) c.n = 1;
    if (c.m * c.n * c.k > max_work) continue;
    if (coin(rng)) c.pad_a = pad(rng);
    if (coin(rng)) c.pad_b = pad(rng);
    if (coin(rng)) c.pad_c = pad(rng);
    cases.push_back(c);
  }
  return cases;
}

// Shapes that cross the KC / MC / NC block boundaries and the threading thresholds.
std::vector<Case> block_edge_cases() {
  return {{false, false, 337, 97, 513, 0, 0, 0, 1.0, 1.0},   {true, true, 350, 70, 600, 3, 2, 1, -0.5, 0.0},
          {false, true, 29, 3100, 40, 0, 5, 2, 1.0, 0.5},    {true, false, 5, 3073, 257, 1, 0, 0, 2.25, 0.0},
          {false, true, 1, 1100, 1000, 0, 3, 0, 1.0, 0.0},   {true, false, 1, 1300, 900, 2, 1, 0, 1.0, 1.0},
          {false, false, 1200, 1, 900, 1, 4, 3, -0.5, 0.0},  {true, true, 1500, 1, 700, 0, 0, 1, 1.0, -1.5},
          {false, true, 200, 200, 300, 1, 1, 1, 1.0, 0.0},   {true, false, 64, 784, 128, 0, 0, 0, 1.0, 1.0},
          // dot-product path (trans_b with few rows or few columns)
          {false, true, 3, 130, 100, 1, 2, 3, 1.0, 0.0},     {true, true, 20, 50, 300, 2, 0, 1, -0.5, 1.0},
          {false, true, 200, 13, 70, 0, 1, 0, 2.25, 0.0},    {false, true, 8, 128, 784, 0, 0, 0, 1.0, 0.5},
          {true, true, 4, 1000, 600, 3, 1, 0, 1.0, 0.0},
          // small path: column slabs, transposed B taken 256 deep, wide C with shallow B
          {false, true, 64, 128, 784, 0, 0, 0, 1.0, 0.0},    {true, true, 37, 300, 700, 1, 2, 3, 0.5, 1.0},
          {true, false, 128, 784, 64, 0, 0, 0, 1.0, 0.0},   {false, false, 250, 1000, 200, 2, 0, 1, -0.5, 0.5},
          // small path with more than 256 rows and a small A (input-major weight gradients)
          {true, false, 784, 128, 64, 0, 0, 0, 1.0, 0.0},   {false, true, 1000, 70, 65, 1, 2, 0, -0.5, 1.0},
          {true, true, 300, 13, 200, 2, 0, 3, 1.0, 0.5},    {false, false, 1024, 40, 64, 0, 1, 1, 2.25, 0.0},
          // narrow C (n <= 12) computed as Cᵀ: 64-row slabs, A transposed 256 deep (A stored k×m),
          // or 16 rows at a time with A's 16×16 blocks transposed in registers (A stored m×k):
          // ragged last row block, k tails of 1..15, every n from 2 to 12, beta 0, 1 and other
          {false, true, 64, 10, 64, 0, 0, 0, 1.0, 0.0},     {false, false, 70, 9, 600, 1, 1, 2, 2.25, 1.0},
          {true, true, 130, 12, 300, 3, 0, 0, -0.5, 0.0},   {true, false, 33, 1, 40, 0, 0, 0, 1.0, 0.5},
          {false, true, 48, 12, 17, 2, 1, 0, 1.0, -1.5},    {false, false, 100, 3, 16, 0, 2, 1, -0.5, 1.0},
          {false, true, 32, 7, 1, 0, 0, 3, 1.0, 0.0},       {false, false, 47, 2, 31, 1, 0, 0, 2.25, 0.5},
          {false, true, 33, 5, 200, 0, 3, 0, 1.0, 1.0},     {false, false, 81, 11, 15, 3, 1, 2, 1.0, 0.0},
          // packing switches on the leading dimension (kPackMinLd = 1024): A packed only from lda
          // 1024 (ragged row panel, K across KC); B packed for 33..128 rows only from ldb 1024, read
          // in place below it
          {false, false, 200, 70, 1100, 0, 0, 0, 1.0, 0.5}, {false, false, 100, 1050, 40, 0, 0, 1, -0.5, 0.0},
          {true, false, 128, 520, 600, 0, 3, 0, 1.0, 1.0},  {false, false, 150, 33, 1023, 2, 0, 0, 2.25, 0.0},
          // shallow A copied whatever lda is (kPackMaxK = 128): K at and past the switch, ragged rows
          {false, false, 301, 200, 128, 3, 0, 1, 1.0, 0.0}, {false, true, 173, 70, 129, 0, 2, 0, -0.5, 1.0},
          {false, false, 400, 65, 17, 5, 1, 0, 2.25, 0.5}};
}

// ISAs this CPU can run: each is forced in turn so every kernel gets tested.
std::vector<std::string> available_isas() {
  std::vector<std::string> out;
  for (const char* name : {"avx512", "avx2", "scalar"})
    if (tt::kernels::detail::force_sgemm_isa(name)) out.push_back(name);
  tt::kernels::detail::force_sgemm_isa(nullptr);
  return out;
}

class GemmF32PerIsa : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_TRUE(tt::kernels::detail::force_sgemm_isa(GetParam().c_str())); }
  void TearDown() override {
    tt::kernels::detail::force_sgemm_isa(nullptr);
    tt::set_num_threads(1);
  }
};

TEST_P(GemmF32PerIsa, MatchesNaiveReferenceOnRandomShapes) {
  ASSERT_EQ(std::string(tt::kernels::gemm_isa()), GetParam());
  std::mt19937 rng(7);
  for (int threads : {1, 2}) {
    tt::set_num_threads(threads);
    for (const Case& c : random_cases(260, 42 + threads, 1 << 20)) {
      SCOPED_TRACE(describe(c) + " threads=" + std::to_string(threads));
      check_case<float>(c, rng, gemm_f32_plain);
    }
  }
}

TEST_P(GemmF32PerIsa, MatchesNaiveReferenceAcrossBlockAndThreadBoundaries) {
  std::mt19937 rng(11);
  for (int threads : {1, 2}) {
    tt::set_num_threads(threads);
    for (const Case& c : block_edge_cases()) {
      SCOPED_TRACE(describe(c) + " threads=" + std::to_string(threads));
      check_case<float>(c, rng, gemm_f32_plain);
    }
  }
}

// The epilogue test's fn: counts the visits of each C element (blocks are disjoint, so no two
// threads touch one counter) and adds a function of (i, j) that an offset slip would change.
struct EpilogueProbe {
  int64_t n = 0, ldc = 0;
  float* c_base = nullptr;
  std::vector<int>* visits = nullptr;
};

float probe_term(int64_t i, int64_t j) { return static_cast<float>((i * 7 + j * 3) % 11) - 5.0f; }

void probe_fn(const void* ctx, float* c, int64_t ldc, int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
  const auto& p = *static_cast<const EpilogueProbe*>(ctx);
  EXPECT_EQ(ldc, p.ldc);
  EXPECT_EQ(c, p.c_base + i0 * ldc + j0) << "block pointer and its (i0, j0) disagree";
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) {
      ++(*p.visits)[(i0 + r) * p.n + j0 + j];
      c[r * ldc + j] += probe_term(i0 + r, j0 + j);
    }
}

// Every path (tiny, small, narrow, dot, GEMV, blocked on 1 and 2 threads, K = 0): the epilogue sees
// each element of C once, at its final value, so C equals the plain product plus the probe's term
// bitwise; the padding of C stays untouched.
TEST_P(GemmF32PerIsa, EpilogueVisitsEveryElementOnceAfterTheProduct) {
  std::vector<Case> cases = block_edge_cases();
  for (const Case& c : random_cases(120, 5, 1 << 20)) cases.push_back(c);
  cases.push_back({false, false, 8, 8, 8, 0, 0, 0, 1.0, 0.0});
  cases.push_back({false, true, 3, 9, 0, 0, 0, 1, 1.0, 0.5});
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int threads : {1, 2}) {
    tt::set_num_threads(threads);
    for (const Case& c : cases) {
      if (c.m == 0 || c.n == 0) continue;
      SCOPED_TRACE(describe(c) + " threads=" + std::to_string(threads));
      const int64_t lda = (c.trans_a ? c.m : c.k) + c.pad_a, ldb = (c.trans_b ? c.k : c.n) + c.pad_b;
      const int64_t ldc = c.n + c.pad_c;
      std::vector<float> a(static_cast<size_t>(std::max<int64_t>(1, (c.trans_a ? c.k : c.m) * lda)));
      std::vector<float> b(static_cast<size_t>(std::max<int64_t>(1, (c.trans_b ? c.n : c.k) * ldb)));
      std::vector<float> c0(static_cast<size_t>(c.m * ldc));
      for (float& x : a) x = dist(rng);
      for (float& x : b) x = dist(rng);
      for (float& x : c0) x = dist(rng);
      std::vector<float> plain = c0, fused = c0;
      const float alpha = static_cast<float>(c.alpha), beta = static_cast<float>(c.beta);
      gemm_f32(c.trans_a, c.trans_b, c.m, c.n, c.k, alpha, a.data(), lda, b.data(), ldb, beta, plain.data(), ldc);
      std::vector<int> visits(static_cast<size_t>(c.m * c.n), 0);
      EpilogueProbe probe{c.n, ldc, fused.data(), &visits};
      const tt::kernels::GemmEpilogue ep{&probe_fn, &probe};
      gemm_f32(c.trans_a, c.trans_b, c.m, c.n, c.k, alpha, a.data(), lda, b.data(), ldb, beta, fused.data(), ldc,
               &ep);
      int64_t bad = 0;
      for (int64_t i = 0; i < c.m; ++i)
        for (int64_t j = 0; j < ldc; ++j) {
          const bool in_c = j < c.n;
          const float want = in_c ? plain[i * ldc + j] + probe_term(i, j) : c0[i * ldc + j];
          const int seen = in_c ? visits[i * c.n + j] : 1;
          if ((fused[i * ldc + j] != want || seen != 1) && ++bad <= 3)
            ADD_FAILURE() << "C(" << i << "," << j << ") = " << fused[i * ldc + j] << ", want " << want
                          << "; visited " << seen << " times";
        }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Gemm, GemmF32PerIsa, ::testing::ValuesIn(available_isas()),
                         [](const auto& info) { return info.param; });

TEST(Gemm, ReportsAKnownIsa) {
  const std::string isa = tt::kernels::gemm_isa();
  // "openblas" only in the comparison build (cmake -DTT_OPENBLAS=ON).
  EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "scalar" || isa == "openblas") << isa;
}

TEST(Gemm, MatchesNaiveFloat64ReferenceOnRandomShapes) {
  std::mt19937 rng(3);
  for (int threads : {1, 2}) {
    tt::set_num_threads(threads);
    for (const Case& c : random_cases(220, 99 + threads, 1 << 20)) {
      SCOPED_TRACE(describe(c) + " threads=" + std::to_string(threads));
      check_case<double>(c, rng, gemm_f64);
    }
    for (const Case& c : block_edge_cases()) {
      SCOPED_TRACE(describe(c) + " threads=" + std::to_string(threads));
      check_case<double>(c, rng, gemm_f64);
    }
  }
  tt::set_num_threads(1);
}

TEST(Gemm, ZeroDepthScalesCByBetaAndBetaZeroClearsNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> c = {1, 2, 3, 4, 5, 6};
  gemm_f32(false, false, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 3, 2.0f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{2, 4, 6, 8, 10, 12}));
  std::vector<float> g(6, nan);
  gemm_f32(true, true, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 1, 0.0f, g.data(), 3);
  EXPECT_EQ(g, std::vector<float>(6, 0.0f));
  std::vector<double> d(6, std::numeric_limits<double>::quiet_NaN());
  gemm_f64(false, false, 2, 3, 0, 1.0, nullptr, 1, nullptr, 3, 0.0, d.data(), 3);
  EXPECT_EQ(d, std::vector<double>(6, 0.0));
}

TEST(Gemm, EmptyOutputTouchesNothing) {
  float c = 7.0f;
  gemm_f32(false, false, 0, 5, 5, 1.0f, nullptr, 5, nullptr, 5, 0.0f, &c, 5);
  gemm_f32(false, false, 5, 0, 5, 1.0f, nullptr, 5, nullptr, 0, 0.0f, &c, 0);
  EXPECT_EQ(c, 7.0f);
}

TEST(Gemm, AlphaZeroScalesCWithoutReadingAOrB) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> a(12, nan), b(12, nan), c = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  gemm_f32(false, false, 3, 3, 4, 0.0f, a.data(), 4, b.data(), 3, 0.5f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f}));
}

TEST(Gemm, SmallProductIsExact) {
  // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50], in all four storage orders.
  const std::vector<float> a = {1, 2, 3, 4}, at = {1, 3, 2, 4}, b = {5, 6, 7, 8}, bt = {5, 7, 6, 8};
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    std::vector<float> c(4);
    gemm_f32(ta, tb, 2, 2, 2, 1.0f, (ta ? at : a).data(), 2, (tb ? bt : b).data(), 2, 0.0f, c.data(), 2);
    EXPECT_EQ(c, (std::vector<float>{19, 22, 43, 50})) << "ta=" << ta << " tb=" << tb;
  }
}

// Same inputs twice -> identical bits, with the work split over 2 threads (blocked and GEMV paths).
TEST(Gemm, IsBitwiseDeterministicWithTwoThreads) {
  tt::set_num_threads(2);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  struct Shape { bool ta, tb; int64_t m, n, k; };
  for (const Shape s : {Shape{false, false, 300, 400, 500}, Shape{false, true, 64, 128, 784},
                        Shape{false, true, 8, 128, 784}, Shape{false, true, 256, 10, 128},
                        Shape{true, false, 333, 97, 1024}, Shape{false, true, 1, 2048, 1024},
                        Shape{true, false, 1, 1500, 1000}}) {
    std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n));
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
    std::vector<float> c1(static_cast<size_t>(s.m * s.n)), c2(c1.size());
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<float>& out = rep == 0 ? c1 : c2;
      gemm_f32(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, out.data(), s.n);
      if (rep > 0) {
        EXPECT_EQ(0, std::memcmp(c1.data(), c2.data(), sizeof(float) * c1.size())) << s.m << "x" << s.n;
      }
    }
  }
  std::vector<double> a(200 * 300), b(300 * 250), d1(200 * 250), d2(200 * 250);
  for (double& x : a) x = dist(rng);
  for (double& x : b) x = dist(rng);
  gemm_f64(false, true, 200, 250, 300, 1.0, a.data(), 300, b.data(), 300, 0.0, d1.data(), 250);
  gemm_f64(false, true, 200, 250, 300, 1.0, a.data(), 300, b.data(), 300, 0.0, d2.data(), 250);
  EXPECT_EQ(0, std::memcmp(d1.data(), d2.data(), sizeof(double) * d1.size()));
  tt::set_num_threads(1);
}

// A batch gives, item by item, bitwise what lone calls give — small items (spread over threads)
// and large ones (threaded inside), with one operand broadcast (stride 0) and transposed.
TEST(Gemm, BatchedItemsEqualLoneCallsBitwise) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  struct Shape { bool ta, tb; int64_t batch, m, n, k; bool broadcast_b; };
  for (int threads : {1, 2}) {
    tt::set_num_threads(threads);
    for (const Shape s : {Shape{false, true, 12, 16, 16, 8, false}, Shape{true, false, 5, 7, 33, 19, true},
                          Shape{false, false, 3, 150, 140, 130, false}, Shape{true, true, 9, 150, 70, 130, false},
                          Shape{false, true, 4, 1, 64, 40, true},
                          Shape{false, false, 0, 5, 5, 5, false}, Shape{true, true, 6, 20, 30, 0, false}}) {
      const int64_t sa = s.m * s.k, sb = s.broadcast_b ? 0 : s.k * s.n, sc = s.m * s.n;
      std::vector<float> a(static_cast<size_t>(std::max<int64_t>(1, s.batch * sa)));
      std::vector<float> b(static_cast<size_t>(std::max<int64_t>(1, s.broadcast_b ? s.k * s.n : s.batch * sb)));
      for (float& x : a) x = dist(rng);
      for (float& x : b) x = dist(rng);
      const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
      std::vector<float> got(static_cast<size_t>(std::max<int64_t>(1, s.batch * sc)), std::nanf(""));
      std::vector<float> want(got.size(), 0.0f);
      tt::kernels::gemm_batched_f32(s.ta, s.tb, s.batch, s.m, s.n, s.k, 1.5f, a.data(), lda, sa, b.data(), ldb, sb,
                                    0.0f, got.data(), s.n, sc);
      for (int64_t i = 0; i < s.batch; ++i)
        gemm_f32(s.ta, s.tb, s.m, s.n, s.k, 1.5f, a.data() + i * sa, lda, b.data() + i * sb, ldb, 0.0f,
                 want.data() + i * sc, s.n);
      const size_t n = static_cast<size_t>(s.batch * sc);
      EXPECT_EQ(0, std::memcmp(got.data(), want.data(), sizeof(float) * n))
          << "batch " << s.batch << " " << s.m << "x" << s.n << "x" << s.k << " threads " << threads;
      std::vector<double> ad(a.begin(), a.end()), bd(b.begin(), b.end()), gd(got.size()), wd(got.size());
      tt::kernels::gemm_batched_f64(s.ta, s.tb, s.batch, s.m, s.n, s.k, 1.5, ad.data(), lda, sa, bd.data(), ldb, sb,
                                    0.0, gd.data(), s.n, sc);
      for (int64_t i = 0; i < s.batch; ++i)
        gemm_f64(s.ta, s.tb, s.m, s.n, s.k, 1.5, ad.data() + i * sa, lda, bd.data() + i * sb, ldb, 0.0,
                 wd.data() + i * sc, s.n);
      EXPECT_EQ(0, std::memcmp(gd.data(), wd.data(), sizeof(double) * n));
    }
  }
  tt::set_num_threads(1);
}

}  // namespace

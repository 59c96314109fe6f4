// gemm_f32 / gemm_f64 drivers. gemm_f32 is a GotoBLAS/BLIS-style blocked GEMM (op(B) packed into
// KC×NC panels, op(A) into MC×KC blocks when M is large, an MR×NR micro-kernel picked at run time:
// AVX-512, AVX2 or scalar), with GEMV kernels for M == 1 / N == 1 and a dot-product path for A·Bᵀ
// with few rows. gemm_f64 is a plain blocked loop for float64 gradient checks: correct, not tuned.
// Not here: SIMD code (gemm_kernels_*.cpp), shape checks (the matmul / linear ops do those).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/parallel.h"
#include "ops/matmul/gemm.h"
#include "ops/matmul/gemm_kernels.h"

#ifdef TT_WITH_OPENBLAS  // cmake -DTT_OPENBLAS=ON: comparison builds only
#include <cblas.h>
extern "C" void openblas_set_num_threads(int num_threads);
#endif

namespace tt::kernels {
namespace detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Scalar fallback kernels (CPUs without AVX2): same contracts as the SIMD ones, 4×8 tiles.

constexpr int kScalarMr = 4;
constexpr int kScalarNr = 8;

inline float combine(float acc, float alpha, float beta, float old) {
  return beta == 0.0f ? alpha * acc : alpha * acc + beta * old;
}

template <bool kCols>
void scalar_micro(int64_t k, const float* a, int64_t as, const float* b, int64_t ldb, float* c,
                  int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  float acc[kScalarMr][kScalarNr] = {};
  for (int64_t p = 0; p < k; ++p, b += ldb) {
    for (int64_t r = 0; r < m; ++r) {
      float ar = kCols ? a[p * as + r] : a[r * as + p];
      for (int j = 0; j < kScalarNr; ++j) acc[r][j] += ar * b[j];
    }
  }
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j) c[r * ldc + j] = combine(acc[r][j], alpha, beta, c[r * ldc + j]);
}

void scalar_pack_b(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kScalarNr) {
    float* panel = dst + (j0 / kScalarNr) * k * kScalarNr;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < kScalarNr; ++j) panel[p * kScalarNr + j] = j0 + j < n ? b[p * ldb + j0 + j] : 0.0f;
  }
}

void scalar_pack_b_trans(int64_t k, int64_t n, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += kScalarNr) {
    float* panel = dst + (j0 / kScalarNr) * k * kScalarNr;
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < kScalarNr; ++j)
        panel[p * kScalarNr + j] = j0 + j < n ? b[(j0 + j) * ldb + p] : 0.0f;
  }
}

void scalar_gemv_dot(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x, float* y,
                     int64_t incy, float alpha, float beta) {
  for (int64_t i = 0; i < n_out; ++i) {
    float s = 0.0f;
    for (int64_t p = 0; p < k; ++p) s += w[i * ldw + p] * x[p];
    y[i * incy] = combine(s, alpha, beta, y[i * incy]);
  }
}

void scalar_gemv_axpy(int64_t n_out, int64_t k, const float* w, int64_t ldw, const float* x,
                      float* y, int64_t incy, float alpha, float beta) {
  constexpr int64_t kCols = 64;
  float acc[kCols];
  for (int64_t j0 = 0; j0 < n_out; j0 += kCols) {
    int64_t cols = std::min(kCols, n_out - j0);
    std::fill(acc, acc + cols, 0.0f);
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < cols; ++j) acc[j] += x[p] * w[p * ldw + j0 + j];
    for (int64_t j = 0; j < cols; ++j) y[(j0 + j) * incy] = combine(acc[j], alpha, beta, y[(j0 + j) * incy]);
  }
}

// ---------------------------------------------------------------------------------------------
// ISA choice.

std::atomic<const SgemmIsa*> g_forced_isa{nullptr};

const SgemmIsa* auto_isa() {
  static const SgemmIsa* isa = [] {
    if (const SgemmIsa* p = sgemm_isa_avx512()) return p;
    if (const SgemmIsa* p = sgemm_isa_avx2()) return p;
    return sgemm_isa_scalar();
  }();
  return isa;
}

const SgemmIsa& current_isa() {
  const SgemmIsa* forced = g_forced_isa.load(std::memory_order_relaxed);
  return forced ? *forced : *auto_isa();
}

}  // namespace

const SgemmIsa* sgemm_isa_scalar() {
  static const SgemmIsa isa{"scalar",           kScalarMr,       kScalarNr,
                            &scalar_micro<false>, &scalar_micro<true>, &scalar_pack_b, &scalar_pack_b_trans,
                            &scalar_gemv_dot,   &scalar_gemv_axpy, nullptr};
  return &isa;
}

bool force_sgemm_isa(const char* name) {
  if (name == nullptr) {
    g_forced_isa.store(nullptr);
    return true;
  }
  const SgemmIsa* isa = nullptr;
  if (std::strcmp(name, "avx512") == 0) isa = sgemm_isa_avx512();
  if (std::strcmp(name, "avx2") == 0) isa = sgemm_isa_avx2();
  if (std::strcmp(name, "scalar") == 0) isa = sgemm_isa_scalar();
  if (isa == nullptr) return false;
  g_forced_isa.store(isa);
  return true;
}

}  // namespace detail

namespace {

using detail::SgemmIsa;

// ---------------------------------------------------------------------------------------------
// Blocking. Loop nest (BLIS order):  jc: NC columns  ->  pc: KC depth (pack B̃ KC×NC)
//   -> ic: MC rows (pack Ã MC×KC)  ->  jr: NR columns  ->  ir: MR rows  ->  micro-kernel.
// (Ã and B̃ are read in place where packing does not pay: see want_pack_a / want_direct_b.)
// Each micro-kernel call streams an MR×KC sliver of Ã and a KC×NR sliver of B̃ and ends with one
// read-modify-write of its C tile, so KC is made as large as L2 allows: C traffic per FMA falls as
// 1/KC. The B̃ sliver is reused by the MC/MR calls of the ir loop (L1/L2), the Ã block by the
// NC/NR calls of the jr loop (L2), and B̃ by the M/MC steps of the ic loop (L3).
struct Blocking {
  int64_t mc, kc, nc;
};

Blocking blocking_for(const SgemmIsa& isa) {
  // AVX-512 6×64 (tuned on Zen 5: 48 KiB L1d, 1 MiB L2, 32 MiB L3). KC = 512: slivers of
  // 12 KiB (Ã) + 128 KiB (B̃) stream from L2 at ~23 B/cycle, well below L2 bandwidth, so KC may
  // outgrow L1; KC 256 -> 512 gained ~10% at n = 2048 (with the 14×32 tile). MC = 168 -> Ã =
  // 168×512×4 B = 336 KiB of L2. NC = 3072 -> B̃ = 6 MiB of L3. (Re-measured with 6×64: MC 96..240,
  // KC 256..768 and NC 1024..3072 were within the noise of this choice or slower.)
  if (isa.nr == 64) return {168, 512, 3072};
  // AVX2 6×16 (for Haswell..Zen 3 class: 32 KiB L1d, 256 KiB-1 MiB L2): KC = 256 -> B̃ sliver
  // 16 KiB in L1; MC = 120 -> Ã = 120 KiB in L2; NC = 2048 -> B̃ = 2 MiB in L3.
  if (isa.nr == 16) return {120, 256, 2048};
  return {64, 256, 1024};  // scalar 4×8: correctness fallback, sizes only keep buffers modest
}


// Below this many multiply-adds (m*n*k) a GEMM runs on one thread: ~0.6 µs of work at 200
// GFLOP/s, about what handing a chunk to a spinning pool worker costs (measured: 48³ is faster on
// 2 threads, 32³ slower).
constexpr int64_t kParallelMinWork = int64_t{1} << 17;

// Grow-only 64-byte-aligned scratch, one per thread, so steady-state calls do not allocate.
class AlignedScratch {
 public:
  AlignedScratch() = default;
  AlignedScratch(const AlignedScratch&) = delete;
  AlignedScratch& operator=(const AlignedScratch&) = delete;
  ~AlignedScratch() { std::free(data_); }

  float* get(int64_t n) {
    if (n > cap_) {
      std::free(data_);
      size_t bytes = (static_cast<size_t>(n) * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      cap_ = data_ ? n : 0;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  int64_t cap_ = 0;
};

thread_local AlignedScratch t_pack_a, t_pack_b, t_vec;

// Ã layout handed to the micro-kernel: element (r, p) of the panel starting at row ir is
// ptr[ir*panel_step + r*stride + p] (rows) or ptr[ir*panel_step + p*stride + r] (cols).
struct APanels {
  const float* ptr;
  int64_t stride, panel_step;
  bool cols;
};

// Packs the mc×kc block of A (not transposed) at `a`: rows copied as-is ([mc][kc], stride kc).
APanels pack_a(int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  for (int64_t i = 0; i < mc; ++i) std::memcpy(dst + i * kc, a + i * lda, sizeof(float) * kc);
  return {dst, kc, kc, false};
}

struct GemmArgs {
  bool trans_a, trans_b;
  int64_t m, n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
  const GemmEpilogue* ep = nullptr;
  int64_t i_off = 0, j_off = 0;  // where c sits in the caller's C (a thread's slice): the epilogue's i0, j0
};

// The epilogue over the whole of C, for the paths that do not block C (small products).
void epilogue_all(const GemmArgs& g) {
  if (g.ep != nullptr) g.ep->fn(g.ep->ctx, g.c, g.ldc, g.i_off, g.j_off, g.m, g.n);
}

// B̃ micro-panels handed to the micro-kernel: the panel at column jr is direct + jr (row stride
// ldb, straight from the caller's B) when direct is set and the panel is full-width, else a packed
// [kc][NR] panel: packed + jr*kc, or packed itself for the ragged tail of a direct block.
struct BPanels {
  const float* direct;
  int64_t ldb;
  const float* packed;
};

// jr / ir loops over one B̃ block (kc×nc) and one Ã block (mc×kc): C block at c.
void macro_kernel(const SgemmIsa& isa, const APanels& ap, const BPanels& bp, int64_t mc, int64_t nc,
                  int64_t kc, float alpha, float beta, float* c, int64_t ldc) {
  const auto micro = ap.cols ? isa.micro_a_cols : isa.micro_a_rows;
  for (int64_t jr = 0; jr < nc; jr += isa.nr) {
    const int64_t n = std::min<int64_t>(isa.nr, nc - jr);
    const bool direct = bp.direct != nullptr && n == isa.nr;
    const float* bpanel = direct ? bp.direct + jr : (bp.direct ? bp.packed : bp.packed + jr * kc);
    const int64_t ldb = direct ? bp.ldb : isa.nr;
    for (int64_t ir = 0; ir < mc; ir += isa.mr) {
      int64_t m = std::min<int64_t>(isa.mr, mc - ir);
      micro(kc, ap.ptr + ir * ap.panel_step, ap.stride, bpanel, ldb, c + ir * ldc + jr, ldc, m, n, alpha,
            beta);
    }
  }
}

// A row-major A's rows are this far apart (floats) from which reading MR of them in place costs more
// than copying them: at 1024 floats = 4 KiB the MR rows of a micro-panel fall in one L1 set, and
// every row is its own page (with the 6-row tile, never packing measured 0-5% slower at
// 2048×2048×512, even elsewhere). Below it the copy is one more pass over A (and evicts B̃
// from L2) for nothing: not packing at lda 128..512 measured 2-5% faster (n = 256..512, and the GPT's
// 2048×128×512), and 3% off a GPT training step.
constexpr int64_t kPackMinLd = 1024;

// Up to this depth A is copied whatever lda is. A micro-tile call then lasts at most K steps
// (~1500 cycles), too short for the hardware prefetcher to ramp up on its MR row streams, so when
// A arrives cold (activations just written by the previous op) every call stalls on A's lines;
// the copy reads A as one sequential stream into L2-resident scratch. Measured with A and C
// evicted first (median of 31, 1 thread): 2048×128×128 +53%, 2048×128×64 +31%, NT 2048×512×128
// +14%; with all in cache 2048×128×{64,128} lose 5-7% and wider C gains 5-9%. In the GPT's
// training step (where A is the fresh activation) the GEMMs took 4% less time (NN 2048×128×128
// -20%). Not at K = 256: 2048×128×256 and 512²×256 gained nothing or lost 3%.
constexpr int64_t kPackMaxK = 128;

// Whether to copy A blocks: packing makes the MR row streams of a row-major A contiguous (no
// cache-set or TLB conflicts for large lda: +3-5% at n = 1024/2048) and, in shallow products
// (K <= kPackMaxK), turns them into one prefetchable stream; otherwise, for few rows or rows
// closer than kPackMinLd, the copy costs more than it saves. (Packing into [kc][MR] panels, one
// stream per micro-kernel call, measured no faster at n = 1024/2048 and 1-2% slower on the GPT's
// 2048×128×128 shapes: the transposing copy costs what the single stream saves.) A transposed A
// (stored K×M) is read in place: for each k its MR values are already contiguous, i.e. it is the
// [k][MR] layout the "cols" kernel wants (packing it measured 3-7% slower).
bool want_pack_a(const GemmArgs& g) {
  return !g.trans_a && g.m > 128 && (g.lda >= kPackMinLd || g.k <= kPackMaxK);
}

// Whether to read op(B) in place: when B is not transposed its rows already hold NR contiguous
// columns, and with few rows of C each B̃ panel is used too few times to repay the copy: up to
// 32 rows always, up to 128 rows (<= 22 micro-tiles per panel) while ldb is short (see
// kPackMinLd). The GPT's weight gradients dYᵀ·X (128×128×2048, 128×512×2048) copied a 1-4 MiB B
// per call for that: reading it in place took another 2-3% off a training step.
bool want_direct_b(const GemmArgs& g) {
  return !g.trans_b && (g.m <= 32 || (g.m <= 128 && g.ldb < kPackMinLd));
}

// One thread's whole GEMM (a sub-block of C): the five-loop blocked algorithm.
void gemm_blocked(const SgemmIsa& isa, const GemmArgs& g) {
  const Blocking blk = blocking_for(isa);
  const bool pack_a_blocks = want_pack_a(g), direct_b = want_direct_b(g);
  const int64_t nr = isa.nr;
  const int64_t kc_max = std::min(blk.kc, g.k);
  float* bbuf = t_pack_b.get(kc_max * (direct_b ? nr : (std::min(blk.nc, g.n) + nr - 1) / nr * nr));
  float* abuf = pack_a_blocks ? t_pack_a.get(kc_max * std::min(blk.mc, g.m)) : nullptr;
  for (int64_t jc = 0; jc < g.n; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, g.n - jc);
    for (int64_t pc = 0; pc < g.k; pc += blk.kc) {
      const int64_t kc = std::min(blk.kc, g.k - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;
      const float* b = g.trans_b ? g.b + jc * g.ldb + pc : g.b + pc * g.ldb + jc;
      BPanels bp{nullptr, g.ldb, bbuf};
      if (!direct_b) {
        (g.trans_b ? isa.pack_b_trans : isa.pack_b)(kc, nc, b, g.ldb, bbuf);
      } else {
        bp.direct = b;
        const int64_t full = nc / nr * nr;  // only the ragged tail panel is copied
        if (full < nc) isa.pack_b(kc, nc - full, b + full, g.ldb, bbuf);
      }
      for (int64_t ic = 0; ic < g.m; ic += blk.mc) {
        const int64_t mc = std::min(blk.mc, g.m - ic);
        const float* a = g.trans_a ? g.a + pc * g.lda + ic : g.a + ic * g.lda + pc;
        const APanels ap = pack_a_blocks ? pack_a(mc, kc, a, g.lda, abuf)
                                         : APanels{a, g.lda, g.trans_a ? 1 : g.lda, g.trans_a};
        float* c = g.c + ic * g.ldc + jc;
        macro_kernel(isa, ap, bp, mc, nc, kc, g.alpha, beta, c, g.ldc);
        if (g.ep != nullptr && pc + kc == g.k) g.ep->fn(g.ep->ctx, c, g.ldc, g.i_off + ic, g.j_off + jc, mc, nc);
      }
    }
  }
}

// GEMV: M == 1 or N == 1. x is the vector operand, made contiguous if strided.
void gemv(const SgemmIsa& isa, const GemmArgs& g) {
  const bool row = g.m == 1;  // C is 1×N (else M×1)
  const int64_t n_out = row ? g.n : g.m;
  // Vector operand: op(A) row 0 (row case) or op(B) column 0; its k stride:
  const float* x = row ? g.a : g.b;
  int64_t incx = row ? (g.trans_a ? g.lda : 1) : (g.trans_b ? 1 : g.ldb);
  if (incx != 1) {
    float* buf = t_vec.get(g.k);
    for (int64_t p = 0; p < g.k; ++p) buf[p] = x[p * incx];
    x = buf;
  }
  // Matrix operand: dot form when its rows are k-contiguous, else axpy form.
  const float* w = row ? g.b : g.a;
  int64_t ldw = row ? g.ldb : g.lda;
  bool dot = row ? g.trans_b : !g.trans_a;
  int64_t incy = row ? 1 : g.ldc;
  if (n_out == 1 && !dot) {  // 1×1 result: a dot product of two vectors; make w contiguous
    float* buf = t_pack_a.get(g.k);
    for (int64_t p = 0; p < g.k; ++p) buf[p] = w[p * ldw];
    w = buf;
    dot = true;
  }
  const auto kernel = dot ? isa.gemv_dot : isa.gemv_axpy;
  auto run = [&](int64_t j0, int64_t j1) {
    const float* wj = dot ? w + j0 * ldw : w + j0;
    kernel(j1 - j0, g.k, wj, ldw, x, g.c + j0 * incy, incy, g.alpha, g.beta);
  };
  // Threads from 64K multiply-adds in blocks of 32 outputs: W is read once, so two cores bring
  // two L2s' bandwidth (1×784·(128×784)ᵀ: 2.1 -> 1.6 µs on 2 threads).
  constexpr int64_t kGemvParallelMinWork = int64_t{1} << 16, kBlock = 32;
  if (n_out * g.k < kGemvParallelMinWork || get_num_threads() == 1) {
    run(0, n_out);
    return;
  }
  parallel_for(0, (n_out + kBlock - 1) / kBlock, 1, [&](int64_t b0, int64_t b1) {
    run(b0 * kBlock, std::min(n_out, b1 * kBlock));
  });
}

// Dot-product path for C = op(A)·Bᵀ with few rows or few columns (batch-k inference through a
// Linear layer, narrow output layers): there packing (transposing) B̃ costs as much as the product,
// and a 32-wide tile wastes lanes when N is small. Each C element ends in a horizontal sum, so the
// path needs enough depth K to amortise it. Crossovers measured on Zen 5 (N = 128 or N = 10..16):
// M <= 4 from K = 48, M <= 32 from K = 256, N <= 16 from K = 64.
bool want_nt_dot(const SgemmIsa& isa, const GemmArgs& g) {
  if (isa.gemm_nt_dot == nullptr || !g.trans_b) return false;
  if (g.m <= 4) return g.k >= 48;
  if (g.m <= 32 && g.k >= 256) return true;
  return g.n <= 16 && !g.trans_a && g.k >= 64;  // op(A) would need a full transpose otherwise
}

void gemm_nt_dot(const SgemmIsa& isa, const GemmArgs& g) {
  const float* a = g.a;
  int64_t lda = g.lda;
  if (g.trans_a) {  // few rows: gather op(A) into a contiguous m×k block
    float* buf = t_vec.get(g.m * g.k);
    for (int64_t p = 0; p < g.k; ++p)
      for (int64_t i = 0; i < g.m; ++i) buf[i * g.k + p] = g.a[p * g.lda + i];
    a = buf;
    lda = g.k;
  }
  // Each C element's arithmetic is independent of how C is tiled, so any split is deterministic.
  const bool split_n = g.n >= g.m;
  const int64_t step = split_n ? 24 : 8, extent = split_n ? g.n : g.m;
  auto run = [&](int64_t t0, int64_t t1) {
    const int64_t lo = t0 * step, hi = std::min(extent, t1 * step);
    if (split_n) {
      isa.gemm_nt_dot(g.m, hi - lo, g.k, a, lda, g.b + lo * g.ldb, g.ldb, g.c + lo, g.ldc, g.alpha, g.beta);
    } else {
      isa.gemm_nt_dot(hi - lo, g.n, g.k, a + lo * lda, lda, g.b, g.ldb, g.c + lo * g.ldc, g.ldc, g.alpha, g.beta);
    }
  };
  const int64_t tiles = (extent + step - 1) / step;
  if (g.m * g.n * g.k < kParallelMinWork || get_num_threads() == 1 || tiles < 2) {
    run(0, tiles);
  } else {
    parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) { run(t0, t1); });
  }
}

// Up to 64³ multiply-adds the small path on one thread beats the blocked path on two (measured
// on Zen 5: 64³ at 230 vs 153 GFLOP/s), so below it a product is never split.
constexpr int64_t kSmallMaxWork = int64_t{64} * 64 * 64;
constexpr int64_t kSmallMaxK = 1024;
constexpr int64_t kSmallMaxWideA = int64_t{256} * 256;  // floats of A when m > 256

// Small products: m <= 256 (up to 1024 with m·k <= 64 Ki) and either n <= 256 with k <= 1024, or
// n <= 1024 with k <= 256; on two threads only up to kSmallMaxWork. B is read in place (no
// packing: 230-240 GFLOP/s for the MLP's 64×128×784 and 128×784×64, against ~210 packed) or, when
// transposed, transposed 16×16 at a time into the kernel's stack buffer. With at most 4 rows and a transposed B the dot-product path is
// faster (no transpose at all). Limits measured on Zen 5 (tito bench gemm).
bool want_small(const SgemmIsa& isa, const GemmArgs& g) {
  if (isa.small == nullptr) return false;
  // More rows only while A stays small (<= 256 KiB, in L2 as every column slab re-reads it): the
  // input-major weight gradient xᵀ·dy, 784 × 128 × 64, runs at 225 GFLOP/s here, 205 blocked.
  if (g.m > 256 && (g.m > 1024 || g.m * g.k > kSmallMaxWideA)) return false;
  // Wide C only with a shallow B: each 64-column slab of B (k × 64) is re-read by every row tile.
  const bool fits = (g.n <= 4 * isa.small_max_n && g.k <= kSmallMaxK) || (g.n <= 16 * isa.small_max_n && g.k <= 256);
  if (!fits) return false;
  if (g.trans_b && g.m <= 4) return false;
  return g.m * g.n * g.k <= kSmallMaxWork || get_num_threads() == 1;
}

// Column slabs of at most small_max_n (n = 256: four of 64; A, at most 256 rows, stays in L2).
// A transposed B is taken kSmallDepth deep at a time (the kernel's stack buffer), C accumulating
// with beta = 1 after the first step.
constexpr int64_t kSmallDepth = 256;

void gemm_small(const SgemmIsa& isa, const GemmArgs& g) {
  const int64_t depth = g.trans_b ? kSmallDepth : g.k;
  for (int64_t j0 = 0; j0 < g.n; j0 += isa.small_max_n) {
    const int64_t n = std::min<int64_t>(isa.small_max_n, g.n - j0);
    for (int64_t p0 = 0; p0 < g.k; p0 += depth) {
      const int64_t k = std::min(depth, g.k - p0);
      const float* a = g.trans_a ? g.a + p0 * g.lda : g.a + p0;
      const float* b = g.trans_b ? g.b + j0 * g.ldb + p0 : g.b + p0 * g.ldb + j0;
      isa.small(g.m, n, k, a, g.lda, g.trans_a, b, g.ldb, g.trans_b, g.c + j0, g.ldc, g.alpha,
                p0 == 0 ? g.beta : 1.0f);
    }
  }
}

// C = beta*C (K == 0 or alpha == 0); beta == 0 overwrites NaN garbage.
template <typename T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) {
      std::fill(row, row + n, T(0));
    } else if (beta != T(1)) {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// Splits C over threads along N (or M, when N has too few tiles) in whole tiles; every C element
// is computed by exactly one thread with the same instruction sequence, so results are
// deterministic for a fixed thread count.
void gemm_parallel(const SgemmIsa& isa, const GemmArgs& g) {
  const int threads = get_num_threads();
  const int64_t n_tiles = (g.n + isa.nr - 1) / isa.nr, m_tiles = (g.m + isa.mr - 1) / isa.mr;
  if (threads == 1 || g.m * g.n * g.k < kParallelMinWork || (n_tiles < 2 && m_tiles < 2)) {
    gemm_blocked(isa, g);
    return;
  }
  const bool split_n = n_tiles >= 2 * threads || n_tiles >= m_tiles;
  const int64_t step = split_n ? isa.nr : isa.mr;
  parallel_for(0, split_n ? n_tiles : m_tiles, 1, [&](int64_t t0, int64_t t1) {
    GemmArgs s = g;
    int64_t lo = t0 * step, hi = std::min(t1 * step, split_n ? g.n : g.m);
    if (split_n) {
      s.n = hi - lo;
      s.b = g.trans_b ? g.b + lo * g.ldb : g.b + lo;
      s.c = g.c + lo;
      s.j_off = g.j_off + lo;
    } else {
      s.m = hi - lo;
      s.a = g.trans_a ? g.a + lo : g.a + lo * g.lda;
      s.c = g.c + lo * g.ldc;
      s.i_off = g.i_off + lo;
    }
    gemm_blocked(isa, s);
  });
}

#ifdef TT_WITH_OPENBLAS
// The comparison build: every unforced gemm_f32 goes to cblas_sgemm with our thread count.
// (A forced ISA, as the tests use, still runs our kernels.)
bool route_to_openblas() { return detail::g_forced_isa.load(std::memory_order_relaxed) == nullptr; }

void openblas_sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                    int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  static thread_local int threads_set = 0;
  if (threads_set != get_num_threads()) {
    threads_set = get_num_threads();
    openblas_set_num_threads(threads_set);
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}
#else
constexpr bool route_to_openblas() { return false; }
void openblas_sgemm(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                    float, float*, int64_t) {}
#endif

}  // namespace

const char* gemm_isa() { return route_to_openblas() ? "openblas" : detail::current_isa().name; }

namespace {
// Everything but the tiny products: kept out of gemm_f32 so that their call does not pay for this
// frame (GemmArgs, the path choice, spills around four call sites).
__attribute__((noinline)) void gemm_f32_dispatch(const SgemmIsa& isa, const GemmArgs& g) {
  if (g.m == 1 || g.n == 1) {
    gemv(isa, g);
  } else if (want_small(isa, g)) {
    gemm_small(isa, g);
  } else if (want_nt_dot(isa, g)) {
    gemm_nt_dot(isa, g);
  } else {
    return gemm_parallel(isa, g);  // the blocked path runs the epilogue block by block
  }
  epilogue_all(g);
}
}  // namespace

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const GemmEpilogue* ep) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    scale_c(M, N, beta, C, ldc);
  } else if (route_to_openblas()) {
    openblas_sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  } else {
    const SgemmIsa& isa = detail::current_isa();
    // Tiny products (m, n, k <= 64; what want_small would pick, decided with fewer tests) call the
    // small kernel directly: through the general dispatch, half of an 8×8×8 call (~25 ns) was
    // dispatch.
    const bool tiny = isa.small != nullptr && M <= 64 && N <= 64 && K <= 64 && N <= isa.small_max_n && M > 1 &&
                      N > 1 && (M > 4 || !trans_b);
    if (!tiny)
      return gemm_f32_dispatch(isa, GemmArgs{trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ep});
    isa.small(M, N, K, A, lda, trans_a, B, ldb, trans_b, C, ldc, alpha, beta);
  }
  if (ep != nullptr) ep->fn(ep->ctx, C, ldc, 0, 0, M, N);
}

// ---------------------------------------------------------------------------------------------
// gemm_f64: C = beta*C first, then for each KC×NC block of op(B) (copied to a contiguous
// [kc][nc] buffer, which also undoes trans_b) C[i, :] += (alpha*op(A)[i,p]) * B̃[p, :].
// Rows of C are split across threads; each row's arithmetic does not depend on the split.

void gemm_f64(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
              int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  scale_c(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0) return;
  constexpr int64_t kKc = 256, kNc = 512;  // B̃ block 256×512×8 B = 1 MiB: L2-resident
  thread_local std::vector<double> bbuf;
  for (int64_t jc = 0; jc < N; jc += kNc) {
    const int64_t nc = std::min(kNc, N - jc);
    for (int64_t pc = 0; pc < K; pc += kKc) {
      const int64_t kc = std::min(kKc, K - pc);
      bbuf.resize(static_cast<size_t>(kc * nc));
      double* bp = bbuf.data();
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t j = 0; j < nc; ++j)
          bp[p * nc + j] = trans_b ? B[(jc + j) * ldb + pc + p] : B[(pc + p) * ldb + jc + j];
      auto rows = [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          double* c = C + i * ldc + jc;
          for (int64_t p = 0; p < kc; ++p) {
            const double a = alpha * (trans_a ? A[(pc + p) * lda + i] : A[i * lda + pc + p]);
            const double* b = bp + p * nc;
            for (int64_t j = 0; j < nc; ++j) c[j] += a * b[j];
          }
        }
      };
      const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / (kc * nc));
      parallel_for(0, M, grain, [&](int64_t i0, int64_t i1) { rows(i0, i1); });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Batched products. Below kParallelMinWork one product would run on one thread anyway, and with
// many items whole items balance as well as split ones at no hand-off cost per item, so then
// items are spread over the threads; inside a parallel region gemm_f32's own
// parallel_for runs inline, so each item is computed exactly as a lone call computes it.

namespace {
template <typename T, typename Gemm>
void gemm_batched(Gemm gemm, bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
                  const T* A, int64_t lda, int64_t stride_a, const T* B, int64_t ldb, int64_t stride_b, T beta, T* C,
                  int64_t ldc, int64_t stride_c) {
  auto items = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      gemm(trans_a, trans_b, M, N, K, alpha, A + i * stride_a, lda, B + i * stride_b, ldb, beta, C + i * stride_c,
           ldc);
  };
  const int64_t work = std::max<int64_t>(1, M * N * std::max<int64_t>(K, 1));
  if (batch >= 2 && (work < kParallelMinWork || batch >= 4 * get_num_threads())) {
    parallel_for(0, batch, std::max<int64_t>(1, kParallelMinWork / work), items);
  } else {
    items(0, batch);
  }
}
}  // namespace

void gemm_batched_f32(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K, float alpha,
                      const float* A, int64_t lda, int64_t stride_a, const float* B, int64_t ldb, int64_t stride_b,
                      float beta, float* C, int64_t ldc, int64_t stride_c) {
  auto gemm = [](bool ta, bool tb, int64_t m, int64_t n, int64_t k, float al, const float* a, int64_t la,
                 const float* b, int64_t lb, float be, float* c, int64_t lc) {
    gemm_f32(ta, tb, m, n, k, al, a, la, b, lb, be, c, lc);
  };
  gemm_batched<float>(gemm, trans_a, trans_b, batch, M, N, K, alpha, A, lda, stride_a, B, ldb, stride_b, beta,
                      C, ldc, stride_c);
}

void gemm_batched_f64(bool trans_a, bool trans_b, int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                      const double* A, int64_t lda, int64_t stride_a, const double* B, int64_t ldb,
                      int64_t stride_b, double beta, double* C, int64_t ldc, int64_t stride_c) {
  gemm_batched<double>(&gemm_f64, trans_a, trans_b, batch, M, N, K, alpha, A, lda, stride_a, B, ldb, stride_b,
                       beta, C, ldc, stride_c);
}

}  // namespace tt::kernels

// Attention kernels (contracts and formulas in attention_cpu.h). One task = one (batch, kv head)
// pair: it packs that head's Kᵀ (and Vᵀ for backward) once, zero-padded to 16 keys, then walks the
// query rows of every query head that reads it (GQA) in blocks of kAttnRows, against the keys in
// steps of kKeys, skipping the key blocks a causal row cannot see. The block steps (products,
// row max, exp) are the tiles of attention_tiles.h, AVX-512 for float when the CPU has it. The
// (Tq, Tk) score matrix never exists: a block holds kAttnRows × kKeys scores, so the extra memory
// is O(Tk·(D + Dv)) per thread, reused across calls. Float32 heads of width 16 or 32 without a bool
// mask run the register-tile kernels of attention_d32.h instead; the threading here serves both.
#include "ops/attention/attention_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/parallel.h"
#include "ops/attention/attention_d32.h"
#include "ops/attention/attention_tiles.h"

namespace tt::kernels {
namespace {

constexpr int64_t kKeys = 128;                // keys per online-softmax step (a multiple of 16)
constexpr double kMinWorkPerTask = 1 << 17;   // multiply-adds: below this a thread costs more than it saves
constexpr int64_t kMinTasks = 8;              // forward: split query rows when fewer (batch, kv head) pairs

int64_t round16(int64_t n) { return (n + 15) / 16 * 16; }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

const AttnTiles<float>* g_forced_tiles = nullptr;  // set: the register-tile kernels are off too

const AttnTiles<float>& float_tiles() {
  static const AttnTiles<float>* best =
      detail::attention_tiles_avx512() ? detail::attention_tiles_avx512() : detail::attention_tiles_generic<float>();
  return g_forced_tiles ? *g_forced_tiles : *best;
}
template <typename T>
const AttnTiles<T>& tiles_for() {
  if constexpr (std::is_same_v<T, float>) return float_tiles();
  else return *detail::attention_tiles_generic<T>();
}

// A grow-only per-thread buffer: no allocation per call once warm.
template <typename T>
T* scratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// The register-tile kernels when they apply to these dims (attention_d32.h), else nullptr.
template <typename T>
const detail::AttnD32Kernels* d32_kernels(const AttnDims& d, const AttnMask& mask) {
  if constexpr (std::is_same_v<T, float>) {
    if (!g_forced_tiles) return detail::attention_d32_avx512(d, mask.data != nullptr);
  }
  return nullptr;
}

// Scores s[0..n) of keys [j0, j0 + n) for one query row: −inf at keys at or past `lim` (causal, and
// the zero padding past Tk) and where the mask row (stride sj; nullptr = none) is false.
template <typename T>
void mask_scores(T* s, int64_t j0, int64_t n, int64_t lim, const bool* mrow, int64_t sj) {
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  for (int64_t j = std::max(j0, lim); j < j0 + n; ++j) s[j - j0] = kNegInf;
  if (mrow)
    for (int64_t j = j0; j < std::min(j0 + n, lim); ++j)
      if (!mrow[j * sj]) s[j - j0] = kNegInf;
}

// Σ a·b in double over kLanes independent partial sums (a fixed order the compiler vectorises).
template <typename T>
T row_dot(const T* a, const T* b, int64_t n) {
  constexpr int kLanes = 8;
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += double(a[i + j]) * b[i + j];
  double sum = 0;
  for (; i < n; ++i) sum += double(a[i]) * b[i];
  for (int j = 0; j < kLanes; ++j) sum += acc[j];
  return static_cast<T>(sum);
}

const bool* mask_row(const AttnMask& m, int64_t b, int64_t h, int64_t i) {
  return m.data ? m.data + b * m.sb + h * m.sh + i * m.si : nullptr;
}

// Note [Prefetch the next task]
// At the training shape (B 32, T 64) one task's rows (q, k, v, and o, dO in backward) are ~40 KB,
// and all of them together outgrow L2: the first touch of each row stalls on L3 or DRAM. A task
// runs for microseconds, so asking for the next task's rows when a task starts hides that latency
// (about a third of the backward's time without it). The rows the next task writes (o; dq, dk,
// dv) are requested too, with write intent: a store to a line not in cache holds up the store
// buffer while the line is fetched (interleaved, L2 flushed between calls: backward 1387 -> 1266 µs,
// forward 520 -> 508 µs at the training shape).
// kWrite: rows the next task will write (prefetchw: the line arrives ready to be written).
template <bool kWrite = false, typename P>
void prefetch_rows(const View4<P>& v, int64_t b, int64_t h, int64_t n, int64_t width) {
  constexpr int64_t kLine = 64 / sizeof(P);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t k = 0; k < width; k += kLine) __builtin_prefetch(v.row(b, h, t) + k, kWrite ? 1 : 0);
}

// Note [Rows in place]
// The products o += P·V and dq += dS·K read V and K row by row, 16 lanes at a time, and only the
// first n keys (later ones have P = dS = 0). So when the row width is a multiple of 16 they read
// the caller's rows in place, at the caller's row stride; otherwise one copy pads each row with
// zeros to the next multiple of 16 (never reading past a row's end).
template <typename T>
struct RowsView {
  const T* data;
  int64_t ld;
  const T* at(int64_t j) const { return data + j * ld; }
};

// The first n rows of src(b, h, ·), width wide: in place, or copied into buf (n × round16(width)).
template <typename T>
RowsView<T> rows_view(const View4<const T>& src, int64_t b, int64_t h, int64_t n, int64_t width, T* buf) {
  if (width % 16 == 0) return {src.row(b, h, 0), src.st};
  const int64_t ld = round16(width);
  for (int64_t j = 0; j < n; ++j) {
    std::memcpy(buf + j * ld, src.row(b, h, j), width * sizeof(T));
    std::fill(buf + j * ld + width, buf + (j + 1) * ld, T(0));
  }
  return {buf, ld};
}

// ---- forward ----

template <typename T>
struct ForwardTask {
  const AttnForwardArgs<T>& a;
  const AttnTiles<T>& tiles;
  int64_t ldk, dvp;     // padded key count, padded Dv
  int64_t n_keys;       // keys this task packed: every later one is hidden from all its rows
  const T* kt;          // Kᵀ (D × ldk) of this kv head
  RowsView<T> v;        // its V rows (Note [Rows in place])
  T *qs, *s, *o;        // block scratch: q·scale (kAttnRows × D), scores (× kKeys), output sums (× dvp)

  void run_block(int64_t b, int64_t h, int64_t i0, int rows) const;
  void softmax_step(int rows, int64_t n, T* m, T* l) const;
};

// One online-softmax step for a block of rows (Milakov & Gimelshein 2018): with the running max m
// and sum l of each row, s ← e^(s − m_new), o ← o·e^(m − m_new), l ← l·e^(m − m_new) + Σ e^(s − m_new)
// (the o += p·v of the step follows in run_block).
template <typename T>
void ForwardTask<T>::softmax_step(int rows, int64_t n, T* m, T* l) const {
  constexpr T kInf = std::numeric_limits<T>::infinity();
  T m_new[kAttnRows], shift[kAttnRows], sum[kAttnRows];
  tiles.rows_max(rows, s, kKeys, n, m_new);
  for (int r = 0; r < rows; ++r) {
    m_new[r] = std::max(m[r], m_new[r]);
    shift[r] = m_new[r] == -kInf ? kInf : m_new[r];  // nothing visible yet: every e^(s − ∞) = 0
  }
  tiles.rows_exp(rows, s, kKeys, n, shift, sum);
  for (int r = 0; r < rows; ++r) {
    if (m_new[r] == -kInf) continue;
    if (l[r] != T(0) && m_new[r] != m[r]) {  // rescale what is summed so far (nothing while l = 0)
      const T corr = std::exp(m[r] - m_new[r]);
      for (int64_t i = 0; i < dvp; ++i) o[r * dvp + i] *= corr;
      l[r] *= corr;
    }
    l[r] += sum[r];
    m[r] = m_new[r];
  }
}

template <typename T>
void ForwardTask<T>::run_block(int64_t b, int64_t h, int64_t i0, int rows) const {
  const AttnDims& d = a.d;
  T m[kAttnRows], l[kAttnRows];
  int64_t lim[kAttnRows];
  for (int r = 0; r < rows; ++r) {
    const T* q = a.q.row(b, h, i0 + r);
    for (int64_t k = 0; k < d.D; ++k) qs[r * d.D + k] = q[k] * static_cast<T>(d.scale);
    m[r] = -std::numeric_limits<T>::infinity(), l[r] = 0, lim[r] = d.key_limit(i0 + r);
  }
  std::fill(o, o + rows * dvp, T(0));
  const int64_t n_keys = lim[rows - 1];  // limits grow with the row
  for (int64_t j0 = 0; j0 < n_keys; j0 += kKeys) {
    const int64_t n = round16(std::min(kKeys, n_keys - j0));
    tiles.rows_by_cols(rows, d.D, qs, d.D, kt + j0, ldk, n, s, kKeys);  // s = (q·scale)·kᵀ
    for (int r = 0; r < rows; ++r)
      mask_scores(s + r * kKeys, j0, n, lim[r], mask_row(a.mask, b, h, i0 + r), a.mask.sj);
    softmax_step(rows, n, m, l);
    tiles.acc_rows(rows, std::min(n, n_keys - j0), s, kKeys, v.at(j0), v.ld, dvp, o, dvp);  // o += p·v
  }
  for (int r = 0; r < rows; ++r) {
    T* out = a.o.row(b, h, i0 + r);
    const bool none = l[r] == T(0);  // no visible key: zeros, lse = −inf
    const T inv = none ? T(0) : T(1) / l[r];
    for (int64_t k = 0; k < d.Dv; ++k) out[k] = o[r * dvp + k] * inv;
    a.lse[(b * d.Hq + h) * d.Tq + i0 + r] = none ? -std::numeric_limits<T>::infinity() : m[r] + std::log(l[r]);
  }
}

// Query rows [i_begin, i_end) of every query head of kv head g in batch b.
template <typename T>
void forward_task(const AttnForwardArgs<T>& a, int64_t b, int64_t g, int64_t i_begin, int64_t i_end) {
  const AttnDims& d = a.d;
  const int64_t n_keys = d.key_limit(i_end - 1), ldk = round16(n_keys), dvp = round16(d.Dv);
  T* buf = scratch<T>(d.D * ldk + n_keys * dvp + kAttnRows * (d.D + kKeys + dvp));
  T *kt = buf, *vp = kt + d.D * ldk, *qs = vp + n_keys * dvp;
  const AttnTiles<T>& tiles = tiles_for<T>();
  tiles.pack_t(a.k.row(b, g, 0), a.k.st, n_keys, d.D, kt, ldk);
  ForwardTask<T> task{a,  tiles, ldk, dvp, n_keys, kt, rows_view(a.v, b, g, n_keys, d.Dv, vp), qs,
                      qs + kAttnRows * d.D, qs + kAttnRows * (d.D + kKeys)};
  const int64_t G = d.Hq / d.Hkv;
  for (int64_t h = g * G; h < (g + 1) * G; ++h)
    for (int64_t i = i_begin; i < i_end; i += kAttnRows)
      task.run_block(b, h, i, static_cast<int>(std::min<int64_t>(kAttnRows, i_end - i)));
}

}  // namespace

template <typename T>
void attention_forward_cpu(const AttnForwardArgs<T>& a) {
  const AttnDims& d = a.d;
  if (d.B == 0 || d.Hq == 0 || d.Tq == 0) return;
  // Rows are independent in the forward, so a few (batch, kv head) pairs split their query rows
  // too; the split depends on the shapes only, and a row's result does not depend on its block.
  const int64_t pairs = d.B * d.Hkv, blocks = ceil_div(d.Tq, kAttnRows);
  const int64_t want = pairs >= kMinTasks ? 1 : std::min(blocks, ceil_div(kMinTasks, pairs));
  const int64_t rows_per_part = ceil_div(blocks, want) * kAttnRows, parts = ceil_div(d.Tq, rows_per_part);
  const int64_t G = d.Hq / d.Hkv;
  const double work = double(G) * std::min(rows_per_part, d.Tq) * std::max<int64_t>(d.Tk, 1) * (d.D + d.Dv);
  const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(kMinWorkPerTask / std::max(work, 1.0)));
  const detail::AttnD32Kernels* fast = d32_kernels<T>(d, a.mask);
  const int64_t fast_floats = fast ? fast->forward_scratch(d) : 0;
  // Decode steps stream their few K, V rows in order, which the hardware prefetcher follows.
  const bool direct = fast && G * d.Tq <= detail::kAttnDirectRows;
  parallel_for(0, pairs * parts, grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t pair = t / parts, part = t % parts;
      if (t + 1 < t1 && part + 1 == parts && !direct) {  // Note [Prefetch the next task]
        const int64_t b = (pair + 1) / d.Hkv, g = (pair + 1) % d.Hkv;
        prefetch_rows(a.k, b, g, d.Tk, d.D), prefetch_rows(a.v, b, g, d.Tk, d.Dv);
        for (int64_t h = g * G; h < (g + 1) * G; ++h)
          prefetch_rows(a.q, b, h, d.Tq, d.D), prefetch_rows<true>(a.o, b, h, d.Tq, d.Dv);
      }
      const int64_t b = pair / d.Hkv, g = pair % d.Hkv, i0 = part * rows_per_part;
      const int64_t i1 = std::min(d.Tq, i0 + rows_per_part);
      if constexpr (std::is_same_v<T, float>) {
        if (fast) {
          fast->forward(a, b, g, i0, i1, scratch<float>(fast_floats));
          continue;
        }
      }
      forward_task(a, b, g, i0, i1);
    }
  });
}

// ---- backward ----
namespace {

template <typename T>
struct BackwardTask {
  const AttnBackwardArgs<T>& a;
  const AttnTiles<T>& tiles;
  int64_t ldk, dp, dvp;      // padded Tk, D, Dv
  const T *kt, *vt;          // Kᵀ (D × ldk), Vᵀ (Dv × ldk)
  RowsView<T> k;             // K rows (Note [Rows in place])
  T *dk, *dv;                // this kv head's sums (ldk × dp), (ldk × dvp)
  T *qs, *dob, *s, *ds, *dq; // block scratch: q·scale, dO, P, dP then dS, dq sums

  void run_block(int64_t b, int64_t h, int64_t i0, int rows) const;
  void load_block(int64_t b, int64_t h, int64_t i0, int rows, T* delta, T* shift, int64_t* lim) const;
};

// Copies the block's q·scale and dO rows (zero-padded), and per row D_i = Σ dO_i·o_i, the shift
// lse_i (+inf for a row with no visible key, so that every P_ij = e^(s − ∞) = 0) and the key limit.
template <typename T>
void BackwardTask<T>::load_block(int64_t b, int64_t h, int64_t i0, int rows, T* delta, T* shift, int64_t* lim) const {
  const AttnDims& d = a.d;
  std::fill(qs, qs + kAttnRows * dp, T(0));
  std::fill(dob, dob + kAttnRows * dvp, T(0));
  std::fill(dq, dq + kAttnRows * dp, T(0));
  for (int r = 0; r < rows; ++r) {
    const T *q = a.q.row(b, h, i0 + r), *g = a.dout.row(b, h, i0 + r), *o = a.o.row(b, h, i0 + r);
    for (int64_t k = 0; k < d.D; ++k) qs[r * dp + k] = q[k] * static_cast<T>(d.scale);
    std::memcpy(dob + r * dvp, g, d.Dv * sizeof(T));
    delta[r] = row_dot(g, o, d.Dv);
    const T lse = a.lse[(b * d.Hq + h) * d.Tq + i0 + r];
    shift[r] = lse == -std::numeric_limits<T>::infinity() ? std::numeric_limits<T>::infinity() : lse;
    lim[r] = d.key_limit(i0 + r);
  }
}

template <typename T>
void BackwardTask<T>::run_block(int64_t b, int64_t h, int64_t i0, int rows) const {
  const AttnDims& d = a.d;
  T delta[kAttnRows], shift[kAttnRows];
  int64_t lim[kAttnRows];
  load_block(b, h, i0, rows, delta, shift, lim);
  const int64_t n_keys = lim[rows - 1];
  for (int64_t j0 = 0; j0 < n_keys; j0 += kKeys) {
    const int64_t n = round16(std::min(kKeys, n_keys - j0));
    tiles.rows_by_cols(rows, d.D, qs, dp, kt + j0, ldk, n, s, kKeys);  // s = (q·scale)·kᵀ
    for (int r = 0; r < rows; ++r)
      mask_scores(s + r * kKeys, j0, n, lim[r], mask_row(a.mask, b, h, i0 + r), a.mask.sj);
    tiles.rows_exp(rows, s, kKeys, n, shift, nullptr);  // P = e^(s − lse)
    tiles.rows_by_cols(rows, d.Dv, dob, dvp, vt + j0, ldk, n, ds, kKeys);  // dP = dO·vᵀ
    const int64_t m = std::min(n, d.Tk - j0);                             // keys past Tk have P = dS = 0
    tiles.acc_cols(rows, m, s, kKeys, dob, dvp, dvp, dv + j0 * dvp, dvp);  // dv += Pᵀ·dO
    for (int r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j) ds[r * kKeys + j] = s[r * kKeys + j] * (ds[r * kKeys + j] - delta[r]);
    tiles.acc_rows(rows, m, ds, kKeys, k.at(j0), k.ld, dp, dq, dp);   // dq += dS·k
    tiles.acc_cols(rows, m, ds, kKeys, qs, dp, dp, dk + j0 * dp, dp);  // dk += dSᵀ·(q·scale)
  }
  for (int r = 0; r < rows; ++r) {
    T* out = a.dq.row(b, h, i0 + r);
    for (int64_t k = 0; k < d.D; ++k) out[k] = dq[r * dp + k] * static_cast<T>(d.scale);
  }
}

template <typename T>
void backward_task(const AttnBackwardArgs<T>& a, int64_t b, int64_t g) {
  const AttnDims& d = a.d;
  const int64_t ldk = round16(d.Tk), dp = round16(d.D), dvp = round16(d.Dv);
  T* buf = scratch<T>(ldk * (d.D + d.Dv + 2 * dp + dvp) + kAttnRows * (2 * dp + dvp + 2 * kKeys));
  T *kt = buf, *vt = kt + d.D * ldk, *kp = vt + d.Dv * ldk, *dk = kp + d.Tk * dp, *dv = dk + ldk * dp;
  T *qs = dv + ldk * dvp, *dob = qs + kAttnRows * dp, *s = dob + kAttnRows * dvp, *ds = s + kAttnRows * kKeys;
  T* dq = ds + kAttnRows * kKeys;
  const AttnTiles<T>& tiles = tiles_for<T>();
  tiles.pack_t(a.k.row(b, g, 0), a.k.st, d.Tk, d.D, kt, ldk);
  tiles.pack_t(a.v.row(b, g, 0), a.v.st, d.Tk, d.Dv, vt, ldk);
  std::fill(dk, dk + ldk * (dp + dvp), T(0));  // dk and dv sums
  BackwardTask<T> task{a, tiles, ldk, dp, dvp, kt, vt, rows_view(a.k, b, g, d.Tk, d.D, kp), dk, dv, qs, dob, s, ds, dq};
  const int64_t G = d.Hq / d.Hkv;
  for (int64_t h = g * G; h < (g + 1) * G; ++h)
    for (int64_t i = 0; i < d.Tq; i += kAttnRows)
      task.run_block(b, h, i, static_cast<int>(std::min<int64_t>(kAttnRows, d.Tq - i)));
  for (int64_t j = 0; j < d.Tk; ++j) {
    std::memcpy(a.dk.row(b, g, j), dk + j * dp, d.D * sizeof(T));
    std::memcpy(a.dv.row(b, g, j), dv + j * dvp, d.Dv * sizeof(T));
  }
}

}  // namespace

template <typename T>
void attention_backward_cpu(const AttnBackwardArgs<T>& a) {
  const AttnDims& d = a.d;
  if (d.B == 0 || d.Hkv == 0) return;
  const double work = double(d.Hq) / d.Hkv * d.Tq * std::max<int64_t>(d.Tk, 1) * (3 * d.D + 2 * d.Dv + 1);
  const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(kMinWorkPerTask / std::max(work, 1.0)));
  const int64_t G = d.Hq / d.Hkv;
  const detail::AttnD32Kernels* fast = d32_kernels<T>(d, a.mask);
  const int64_t fast_floats = fast ? fast->backward_scratch(d) : 0;
  parallel_for(0, d.B * d.Hkv, grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      if (t + 1 < t1) {  // Note [Prefetch the next task]
        const int64_t b = (t + 1) / d.Hkv, g = (t + 1) % d.Hkv;
        prefetch_rows(a.k, b, g, d.Tk, d.D), prefetch_rows(a.v, b, g, d.Tk, d.Dv);
        prefetch_rows<true>(a.dk, b, g, d.Tk, d.D), prefetch_rows<true>(a.dv, b, g, d.Tk, d.Dv);
        for (int64_t h = g * G; h < (g + 1) * G; ++h) {
          prefetch_rows(a.q, b, h, d.Tq, d.D), prefetch_rows(a.o, b, h, d.Tq, d.Dv);
          prefetch_rows(a.dout, b, h, d.Tq, d.Dv), prefetch_rows<true>(a.dq, b, h, d.Tq, d.D);
        }
      }
      if constexpr (std::is_same_v<T, float>) {
        if (fast) {
          fast->backward(a, t / d.Hkv, t % d.Hkv, scratch<float>(fast_floats));
          continue;
        }
      }
      backward_task(a, t / d.Hkv, t % d.Hkv);
    }
  });
}

const char* attention_isa() {
  if (!g_forced_tiles) return float_tiles().name;
  return g_forced_tiles == detail::attention_tiles_generic<float>() ? "generic" : "avx512-tiles";
}

bool force_attention_isa(const char* name) {
  const bool avx512 = detail::attention_tiles_avx512() != nullptr;
  if (!name || (std::strcmp(name, "avx512") == 0 && avx512)) {
    g_forced_tiles = nullptr;
    return true;
  }
  const AttnTiles<float>* t = std::strcmp(name, "avx512-tiles") == 0 ? detail::attention_tiles_avx512()
                              : std::strcmp(name, "generic") == 0    ? detail::attention_tiles_generic<float>()
                                                                     : nullptr;
  if (t) g_forced_tiles = t;
  return t != nullptr;
}

template void attention_forward_cpu<float>(const AttnForwardArgs<float>&);
template void attention_forward_cpu<double>(const AttnForwardArgs<double>&);
template void attention_backward_cpu<float>(const AttnBackwardArgs<float>&);
template void attention_backward_cpu<double>(const AttnBackwardArgs<double>&);

}  // namespace tt::kernels

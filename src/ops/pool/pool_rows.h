// Row phases: one padded input row split by column mod stride, so that every pooling tap reads (or,
// in backward, writes) unit-stride memory. Shared by max_pool_cpu.cpp and avg_pool_cpu.cpp.
//
// Note [Row phases]
// A tap at padded column offset q (= j·dilation) of output ow reads padded column ow·s + q, which
// is element ow + ⌊q/s⌋ of phase q mod s, where phase r holds padded columns r, r + s, r + 2s, ...
// So after splitting a row once, each tap is a unit-stride loop over all OW outputs: no index
// arithmetic, no per-tap bounds (padding holds a neutral value: −inf for max, 0 for sums), and no
// stride-s gathers, which GCC only vectorises for long rows (its "peeling for gaps" needs more
// than one vector of outputs, and a CNN's rows are often 8 to 32 wide). The split itself is one
// pass over the row; stride 2 is written as paired loads (row[2i], row[2i + 1]), which vectorise.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace tt::kernels {

// Output rows are processed in whole blocks of kBlock (Note [Pooling along W] in max_pool_cpu.cpp):
// one AVX-512 vector of floats, two of doubles.
constexpr int64_t kBlock = 16;
inline int64_t round_up_to_block(int64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

template <typename T>
class RowPhases {
 public:
  // Phases for rows of W input columns with `pad` columns of padding on the left, stride s, read
  // by OW outputs through taps up to offset max_q (= (kw − 1)·dilation).
  void reset(int64_t W, int64_t pad, int64_t s, int64_t OW, int64_t max_q) {
    W_ = W, pad_ = pad, s_ = s;
    const int64_t padded = std::max((OW - 1) * s + max_q + 1, pad + W);  // columns any tap or input touches
    len_ = (padded + s - 1) / s;
    buf_.resize(static_cast<size_t>(s * len_));
  }
  // The phase element that output 0 reads at tap offset q (outputs 0..OW−1 follow contiguously).
  T* tap(int64_t q) { return buf_.data() + (q % s_) * len_ + q / s_; }
  // Phase r: padded columns r, r + s, ...; phase_len() cells each.
  T* phase(int64_t r) { return buf_.data() + r * len_; }
  int64_t phase_len() const { return len_; }

  // Splits `row` (W values) into the phases; padding cells get `fill`.
  void load(const T* row, T fill) {
    std::fill(buf_.begin(), buf_.end(), fill);
    if (s_ == 2) {
      T *a = pair_phase(0), *b = pair_phase(1);
      for (int64_t i = 0; i < W_ / 2; ++i) a[i] = row[2 * i], b[i] = row[2 * i + 1];
      if (W_ % 2) *cell(W_ - 1) = row[W_ - 1];
      return;
    }
    if (s_ == 1) {
      std::copy(row, row + W_, buf_.data() + pad_);
      return;
    }
    for_cells([&](int64_t c, T* p) { *p = row[c]; });
  }
  void fill(T v) { std::fill(buf_.begin(), buf_.end(), v); }
  // The reverse of load, for gradients: row[c] += the phase cell of input column c.
  void add_to(T* row) {
    if (s_ == 2) {
      const T *a = pair_phase(0), *b = pair_phase(1);
      for (int64_t i = 0; i < W_ / 2; ++i) row[2 * i] += a[i], row[2 * i + 1] += b[i];
      if (W_ % 2) row[W_ - 1] += *cell(W_ - 1);
      return;
    }
    for_cells([&](int64_t c, T* p) { row[c] += *p; });
  }

 private:
  // The cell of input column c (padded column c + pad).
  T* cell(int64_t c) { return buf_.data() + ((c + pad_) % s_) * len_ + (c + pad_) / s_; }
  // f(c, cell of input column c) for every column, walking the phases without a division per column.
  template <typename F>
  void for_cells(F f) {
    int64_t r = pad_ % s_, i = pad_ / s_;
    for (int64_t c = 0; c < W_; ++c) {
      f(c, buf_.data() + r * len_ + i);
      if (++r == s_) r = 0, ++i;
    }
  }
  // Stride 2: input columns 2i + k (k = 0, 1) are element i of this phase pointer.
  T* pair_phase(int64_t k) { return buf_.data() + ((pad_ + k) % 2) * len_ + (pad_ + k) / 2; }

  std::vector<T> buf_;
  int64_t W_ = 0, pad_ = 0, s_ = 1, len_ = 0;
};

}  // namespace tt::kernels

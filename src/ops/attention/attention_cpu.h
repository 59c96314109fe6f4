// Scaled dot-product attention CPU kernels on raw strided views: the fused forward (online softmax,
// saves the per-row logsumexp) and the fused backward (recomputes P from it). Not the op: no
// shapes, checks or autograd (ops/attention/attention.cpp does those); kernels never throw.
// Instantiated for float (AVX-512 tiles when the CPU has them) and double (generic tiles).
#pragma once
#include <cstdint>

namespace tt::kernels {

// A rank-4 view (b, h, t, ·) whose last dim is contiguous: element (b, h, t, d) at data[b·sb + h·sh + t·st + d].
template <typename P>
struct View4 {
  P* data;
  int64_t sb, sh, st;
  P* row(int64_t b, int64_t h, int64_t t) const { return data + b * sb + h * sh + t * st; }
};

// The bool mask broadcast to (B, Hq, Tq, Tk) (stride 0 on broadcast dims); data == nullptr: no mask.
struct AttnMask {
  const bool* data = nullptr;
  int64_t sb = 0, sh = 0, si = 0, sj = 0;
};

struct AttnDims {
  int64_t B, Hq, Hkv, Tq, Tk, D, Dv;
  bool causal;   // key j visible to query i iff j <= i + (Tk − Tq)
  double scale;  // multiplies q·k
  // Query row i sees keys [0, key_limit(i)), less those a bool mask hides.
  int64_t key_limit(int64_t i) const {
    const int64_t n = causal ? i + (Tk - Tq) + 1 : Tk;
    return n < 0 ? 0 : n > Tk ? Tk : n;
  }
};

// q (B, Hq, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv) → o (B, Hq, Tq, Dv), lse (B, Hq, Tq).
// Per query row i of head h (kv head h / (Hq/Hkv)), over its visible keys j:
//   s_j = scale·q_i·k_j,  lse_i = log Σ_j e^(s_j),  o_i = Σ_j e^(s_j − lse_i)·v_j
// computed as an online softmax over blocks of keys (Milakov & Gimelshein 2018): running max m and
// sum l, o rescaled by e^(m_old − m_new) when the max grows. A row with no visible key gets o = 0
// and lse = −inf. lse is contiguous (B, Hq, Tq).
template <typename T>
struct AttnForwardArgs {
  AttnDims d;
  View4<const T> q, k, v;
  AttnMask mask;
  View4<T> o;
  T* lse;
};

// The FlashAttention-2 backward (Dao 2023), given dO, the forward's o and lse: per row
//   D_i = Σ dO_i·o_i,  P_ij = e^(s_ij − lse_i),  dS_ij = P_ij·(dO_i·v_j − D_i)
//   dq_i = scale·Σ_j dS_ij·k_j,  dk_j = scale·Σ_i dS_ij·q_i,  dv_j = Σ_i P_ij·dO_i
// dk, dv sum over the Hq/Hkv query heads of their kv head. Threads split (batch, kv head) pairs
// only, so every sum runs in one fixed order: bitwise the same on any thread count.
template <typename T>
struct AttnBackwardArgs {
  AttnDims d;
  View4<const T> q, k, v, o, dout;
  AttnMask mask;
  const T* lse;
  View4<T> dq, dk, dv;
};

template <typename T>
void attention_forward_cpu(const AttnForwardArgs<T>& a);
template <typename T>
void attention_backward_cpu(const AttnBackwardArgs<T>& a);

// Name of the float32 kernels in use: "avx512" (the register-tile kernels of attention_d32.h where
// they apply, AVX-512 tiles elsewhere), "avx512-tiles" (tiles only) or "generic".
const char* attention_isa();
// Test hook: force one of those names (false if this CPU lacks it); nullptr restores the automatic
// choice. Not thread safe against concurrent attention calls.
bool force_attention_isa(const char* name);

}  // namespace tt::kernels

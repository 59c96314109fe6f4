// Function-level SIMD targets for the kernels picked at run time by CPU features (GEMM, vector
// math, attention, RMSNorm, LayerNorm, RoPE). Every AVX-512 or AVX2 function carries its target
// attribute instead of a file-wide `#pragma GCC target` or -mavx512f, so these files build without
// -march=native and the inline std:: code they use stays baseline x86-64 (see
// ops/matmul/gemm_kernels_avx512.cpp). Include only from files whose code uses the intrinsics.
#pragma once

#define TT_AVX512 __attribute__((target("avx512f,fma")))
#define TT_AVX512_INLINE __attribute__((target("avx512f,fma"), always_inline)) inline
#define TT_AVX2 __attribute__((target("avx2,fma")))
#define TT_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline

// GCC 12's AVX-512 intrinsics self-initialise a dummy operand (_mm512_undefined_ps), which -Wall
// reports as uninitialised once inlined (GCC PR 105593, fixed in GCC 13). Silenced for the rest of
// every translation unit that includes this header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Constants and polynomial coefficients of the float32 vector math, shared by the AVX-512 and AVX2
// versions (vec_math_avx512.h, vec_math_avx2.h) so both ISAs evaluate the same approximation.
// Not a public API; the method behind each set is in docs/vector_math.md.
#pragma once

namespace tt::kernels::vmath {

// exp: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, with ln2 = kLn2Hi + kLn2Lo (kLn2Hi has 9
// significant bits, so n·kLn2Hi is exact for |n| < 2^15); e^r = 1 + r + r²·P(r), P of degree 5
// (Cephes expf, S. L. Moshier, "Methods and Programs for Mathematical Functions", 1989).
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP0 = 1.9875691500e-4f, kExpP1 = 1.3981999507e-3f, kExpP2 = 8.3334519073e-3f,
                kExpP3 = 4.1665795894e-2f, kExpP4 = 1.6666665459e-1f, kExpP5 = 5.0000001201e-1f;
// Clamp for the argument: beyond it e^x is already ±inf / 0 in float32, and n stays in
// [-150, 128], where 2^n splits into two normal factors.
constexpr float kExpMaxArg = 89.0f, kExpMinArg = -104.0f;

// expm1: the same reduction; e^r − 1 = r + r²/2! + … + r⁸/8! (Taylor; the remainder r⁹/9! is below
// 2^-31 of r for |r| ≤ ln2/2), then e^x − 1 = 2·(2^(n−1)·(e^r − 1) + (2^(n−1) − ½)) — exact for n = 0
// (no cancellation near 0) and free of a 2^128 overflow at n = 128.
constexpr float kExpm1C3 = 1.0f / 6, kExpm1C4 = 1.0f / 24, kExpm1C5 = 1.0f / 120, kExpm1C6 = 1.0f / 720,
                kExpm1C7 = 1.0f / 5040, kExpm1C8 = 1.0f / 40320;
constexpr float kExpm1MaxArg = 88.8f, kExpm1MinArg = -30.0f;  // e^x − 1 is inf / −1 beyond
constexpr float kExpm1Tiny = 5.96046448e-8f;                    // 2^-24: below, e^x − 1 rounds to x

// tanh, |x| < kTanhSplit: tanh x = x + x³·Q(x²), Q(s) ≈ (tanh(√s)/√s − 1)/s of degree 5
// (Chebyshev fit, max abs. error 1.6e-9); above, u/(u+2) with u = expm1(2|x|). The split is
// Cephes tanhf's; tanh rounds to ±1 in float32 for |x| > 9.01, so |x| is clamped to 10.
constexpr float kTanhSplit = 0.625f, kTanhMaxArg = 10.0f;
constexpr float kTanhQ0 = 2.292744816e-03f, kTanhQ1 = -8.343945516e-03f, kTanhQ2 = 2.176891865e-02f,
                kTanhQ3 = -5.395925958e-02f, kTanhQ4 = 1.333330356e-01f, kTanhQ5 = -3.333333317e-01f;

// log: x = 2^k·m with m in [√½, √2) found by subtracting the bits of √½ (musl logf), f = m − 1,
// log(1+f) = f − f²/2 + f³·P(f), P of degree 8 (Cephes logf); k·ln2 added in two parts as above.
constexpr unsigned kSqrtHalfBits = 0x3F3504F3u;  // √½ in float32
constexpr float kLogP0 = 7.0376836292e-2f, kLogP1 = -1.1514610310e-1f, kLogP2 = 1.1676998740e-1f,
                kLogP3 = -1.2420140846e-1f, kLogP4 = 1.4249322787e-1f, kLogP5 = -1.6668057665e-1f,
                kLogP6 = 2.0000714765e-1f, kLogP7 = -2.4999993993e-1f, kLogP8 = 3.3333331174e-1f;
constexpr float kMinNormal = 1.17549435e-38f, kTwo23 = 8388608.0f;  // denormals are scaled by 2^23

// erf, |x| < kErfSplit: erf(x) = x + x·S(x²), S(s) ≈ erf(√s)/√s − 1 of degree 7;
// |x| ≥ kErfSplit: erf(x) = 1 − e^(M(t) − x²), t = |x| − kErfCenter, M ≈ log erfc(|x|) + x² of
// degree 8 (M varies slowly, −0.85…−2, so Horner's rule loses little; one FMA forms M − x²).
// Both Chebyshev fits (mpmath.chebyfit; max abs. error 3.4e-11 and 1.7e-8). erf(x) rounds to 1
// from |x| ≈ 3.92, so |x| is clamped to kErfMaxArg.
constexpr float kErfSplit = 1.0f, kErfMaxArg = 4.0f, kErfCenter = 2.5f;
constexpr float kErfS0 = -9.667044571e-06f, kErfS1 = 1.126595903e-04f, kErfS2 = -8.484080406e-04f,
                kErfS3 = 5.221031808e-03f, kErfS4 = -2.686543073e-02f, kErfS5 = 1.128378250e-01f,
                kErfS6 = -3.761263847e-01f, kErfS7 = 1.283791671e-01f;
constexpr float kErfM0 = 1.637151415e-06f, kErfM1 = -1.331501440e-05f, kErfM2 = 7.729137615e-05f,
                kErfM3 = -4.201225235e-04f, kErfM4 = 2.165303549e-03f, kErfM5 = -1.085854164e-02f,
                kErfM6 = 5.610629639e-02f, kErfM7 = -3.526806742e-01f, kErfM8 = -1.556815273e+00f;

}  // namespace tt::kernels::vmath

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

// erf on 16 intervals of |x|, [k/4, (k+1)/4) for k = 0…15 (|x| clamped to kErfMaxArg, where erf
// has rounded to 1), one polynomial each, picked per lane by a table lookup (a permute):
//   k = 0:  erf(x) = x + x·P(x),  P ≈ erf(x)/x − 1  (the leading x is exact, so P's error is scaled
//           down and the relative error holds down to denormals);
//   k ≥ 1:  erf(x) = C0 + t·P(t), t = |x| − kErfCenter[k], C0 = erf(kErfCenter[k]) in float32.
// P has degree 5 (coefficients kErfC1…kErfC6, lowest first). Each center is the float32 near the
// interval's middle whose erf lies within 1e-3 ulp of a float32, so C0 adds no rounding of its own.
// Fitted by least squares at 48 Chebyshev nodes on the error of erf itself (mpmath, 30 digits),
// the coefficients rounded to float32 one at a time from the lowest, the higher ones refitted after
// each rounding; the fits' errors are below 0.06 ulp except 0.14 ulp on [3.75, 4), where erf
// rounds to 1 anyway. Script: docs/vector_math.md.
constexpr float kErfMaxArg = 3.99999976f;  // the float below 4: 4·|x| < 16 picks the last interval
alignas(64) constexpr float kErfCenter[16] = {0.0f, 0.375003576f, 0.625003755f, 0.874964714f, 1.12501156f, 1.37497127f,
    1.62503862f, 1.8749814f, 2.12499142f, 2.37490368f, 2.62498093f, 2.87497354f, 3.12503576f, 3.37713933f,
    3.62373161f, 3.85115838f};
alignas(64) constexpr float kErfC0[16] = {0.0f, 0.404120415f, 0.623243749f, 0.784056544f, 0.888391912f, 0.948165178f,
    0.978446841f, 0.991989434f, 0.997345865f, 0.999216676f, 0.999794602f, 0.999952137f, 0.999990106f,
    0.999998212f, 0.999999702f, 0.99999994f};
alignas(64) constexpr float kErfC1[16] = {0.128379166f, 0.980350196f, 0.763495982f, 0.524777472f, 0.318265676f,
    0.170373231f, 0.0804621577f, 0.0335481651f, 0.0123412702f, 0.00400831131f, 0.00114799035f, 0.00029027267f,
    6.4744323e-05f, 1.25688603e-05f, 2.23637221e-06f, 3.86259984e-07f};
alignas(64) constexpr float kErfC2[16] = {-5.40104452e-07f, -0.367634803f, -0.477187812f, -0.459161729f, -0.358052582f,
    -0.234258324f, -0.130754143f, -0.0629021674f, -0.0262251217f, -0.00951933861f, -0.00301346509f,
    -0.000834521255f, -0.000202352574f, -4.24765531e-05f, -8.07366541e-06f, 1.76311994e-06f};
alignas(64) constexpr float kErfC3[16] = {-0.376093358f, -0.234876454f, -0.0556770451f, 0.0929006189f, 0.162452683f,
    0.157941863f, 0.114833795f, 0.0674454346f, 0.0330386683f, 0.0137355793f, 0.00489069661f, 0.0015026225f,
    0.00039988276f, 9.13706972e-05f, 1.88355752e-05f, 9.00362375e-06f};
alignas(64) constexpr float kErfC4[16] = {-0.000624476292f, 0.166578725f, 0.176455319f, 0.112406284f, 0.0279722288f,
    -0.0304929074f, -0.0497154072f, -0.0422642343f, -0.0263581723f, -0.013139246f, -0.00541302888f,
    -0.0018825205f, -0.000554301194f, -0.000136321425f, -3.530924e-05f, -0.000345033681f};
alignas(64) constexpr float kErfC5[16] = {0.117952563f, 0.0454990938f, -0.0268117953f, -0.0665623024f, -0.0611106977f,
    -0.0306639075f, -0.00227900315f, 0.0113208517f, 0.0124462275f, 0.00836192351f, 0.00423659198f,
    0.00172788359f, 0.000584169233f, 0.00016364592f, 4.01340876e-05f, -0.000149549567f};
alignas(64) constexpr float kErfC6[16] = {-0.0190741364f, -0.0496647395f, -0.0410706922f, -0.0103375642f, 0.0153337549f,
    0.0219624061f, 0.0142576592f, 0.00425498281f, -0.00190961943f, -0.00302836788f, -0.00230726297f,
    -0.00112333917f, -0.000570411037f, -0.000286297174f, 0.000102075908f, 0.00917615928f};

// GELU: x/√2 is erf's argument; e^(−x²/2)/√(2π) is the normal density in its derivative.
constexpr float kInvSqrt2 = 0.7071067811865476f, kInvSqrt2Pi = 0.3989422804014327f;

}  // namespace tt::kernels::vmath

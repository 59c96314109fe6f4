#!/usr/bin/env python3
# Fits the tables of the float32 erf in vec_math_consts.h (kErfCenter, kErfC0…kErfC6) and prints
# them as C++. Needs only mpmath (Debian: python3-mpmath); takes about a minute.
# 16 intervals [k/4, (k+1)/4) of |x|:
#   k = 0:  erf(a) = a + a·P(a)      (P ≈ erf(a)/a − 1; least squares on the relative error)
#   k ≥ 1:  erf(a) = C0 + t·P(t)     (t = a − center; least squares on the absolute error)
# P has degree 5 (C1…C6). Each center is the float32 nearest the interval's middle whose erf lies
# within 1e-3 ulp of a float32 (C0), so C0 adds no rounding. Coefficients are rounded to float32
# one at a time from the lowest, and the higher ones refitted to what is left after each rounding.
import struct
import mpmath as mp

mp.mp.dps = 30
DEGREE = 6   # coefficients of P
NODES = 48   # Chebyshev nodes per interval


def f32(x):
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def f32_step(x, steps):  # the float32 `steps` ulps away from x (x > 0)
    return struct.unpack('f', struct.pack('I', struct.unpack('I', struct.pack('f', x))[0] + steps))[0]


def ulp32(v):
    return mp.mpf(2) ** (mp.floor(mp.log(abs(v), 2)) - 23)


def pick_center(lo, hi):
    mid, best = f32((lo + hi) / 2), None
    for d in range(100000):
        for c in (f32_step(mid, d), f32_step(mid, -d)):
            v = mp.erf(c)
            miss = abs(v - f32(v)) / ulp32(v)
            if best is None or miss < best[0]:
                best = (miss, c, f32(v))
        if best[0] < 1e-3:
            return best[1], best[2]
    return best[1], best[2]


def fit_rounded(ts, target, weight):
    # b_j (basis weight(t)·t^j, j < DEGREE) ≈ target at the nodes ts; round b_0, refit the rest, ...
    coeffs, resid = [], list(target)
    for j in range(DEGREE):
        m = DEGREE - j
        A = mp.matrix(len(ts), m)
        for i, t in enumerate(ts):
            for q in range(m):
                A[i, q] = weight(t) * t ** (j + q)
        sol, _ = mp.qr_solve(A, mp.matrix(resid))
        b = f32(sol[0])
        coeffs.append(b)
        resid = [resid[i] - b * weight(t) * t ** j for i, t in enumerate(ts)]
    return coeffs


def chebyshev_nodes(lo, hi):
    return [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * i + 1) / (2 * NODES)) for i in range(NODES)]


def main():
    names = ['Center', 'C0'] + ['C%d' % (j + 1) for j in range(DEGREE)]
    tables = {n: [] for n in names}
    for k in range(16):
        lo, hi = mp.mpf(k) / 4, mp.mpf(k + 1) / 4
        if k == 0:
            c, c0 = 0.0, 0.0
            ts = chebyshev_nodes(lo, hi)
            cs = fit_rounded(ts, [mp.erf(t) / t - 1 for t in ts], lambda t: 1)
            approx = lambda a, cs=cs: a + a * mp.polyval(cs[::-1], a)
        else:
            c, c0 = pick_center(float(lo), float(hi))
            ts = chebyshev_nodes(lo - c, hi - c)
            cs = fit_rounded(ts, [mp.erf(c + t) - c0 for t in ts], lambda t: t)
            approx = lambda a, c=c, c0=c0, cs=cs: c0 + (a - c) * mp.polyval(cs[::-1], a - c)
        worst = max(abs(approx(a) - mp.erf(a)) / ulp32(mp.erf(a)) for a in mp.linspace(lo + 1e-9, hi, 300))
        print('// [%g, %g): center %.9g, fit error %.4f ulp' % (lo, hi, c, worst))
        for n, v in zip(names, [c, c0] + cs):
            tables[n].append(v)
    for n in names:
        items = ['%.9g' % v for v in tables[n]]
        items = [s + ('f' if ('.' in s or 'e' in s) else '.0f') for s in items]
        line, lines = 'alignas(64) constexpr float kErf%s[16] = {' % n, []
        for i, s in enumerate(items):
            tok = s + (', ' if i < 15 else '};')
            if len(line) + len(tok) > 112:
                lines.append(line.rstrip())
                line = '    '
            line += tok
        print('\n'.join(lines + [line]))


if __name__ == '__main__':
    main()

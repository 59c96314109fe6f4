// Quantities with units, as the registry files write them: "80 GiB", "3.35 TB/s", "100 Gb/s",
// "989 TFLOP/s", "35 TOPS", "500 ns", "700 W", "15 Wh". parse_quantity turns one into SI base
// units (bytes, bytes/s, FLOP/s, seconds, watts, joules); format_quantity goes back to a short
// human string. Not a general unit system: one dimension per call, no arithmetic on units.
// Siblings: registry.h (the loader that calls this), docs/simulator.md ("Registries").
#pragma once
#include <string>

namespace tt::sim {

enum class Dim { bytes, bandwidth, flops_rate, time, power, energy };

// "bytes", "bandwidth", ... (for messages).
const char* dim_name(Dim dim);

// Parses "<number> <unit>" (the space is optional) into SI base units of `dim`.
// Prefixes are decimal (k, M, G, T, P, E = 1e3 ... 1e18); binary ones are spelled out (KiB, MiB,
// GiB, TiB, PiB). A lowercase b is a bit ("100 Gb/s" = 12.5e9 B/s). TOPS/OP/s count as FLOP/s.
// Throws tt::Error starting with `where` for a missing number, a negative, NaN or infinite value,
// an unknown or ambiguous unit ("KB", "K"), a unit of another dimension, or trailing text.
double parse_quantity(const std::string& text, Dim dim, const std::string& where);

// A short human string with a prefix so that the number reads 1 to 999 with up to 4 significant
// digits: "3.35 TB/s", "989 TFLOP/s", "500 ns". Byte counts that are whole binary multiples print
// binary ("80 GiB", "520 KiB"), others decimal ("85.9 GB", "50 MB").
std::string format_quantity(double value, Dim dim);  // value in SI base units

}  // namespace tt::sim

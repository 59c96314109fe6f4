// Parsing and printing of registry quantities. One table of every accepted unit spelling is built
// once from prefix x base combinations, so a spelling is either known (with its dimension, so a
// wrong-dimension error can say what the unit is) or unknown; nothing is guessed.
// Note [Ambiguous kilo]: "KB" means 1000 B to some datasheets and 1024 B to others, so capital-K
// spellings are rejected with a hint to write kB or KiB instead.
#include "sim/units.h"

#include <charconv>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tt::sim {
namespace {

struct Unit {
  Dim dim;
  double factor;  // SI base units per one of this unit
};

using Prefixes = std::vector<std::pair<std::string, double>>;

const Prefixes kDecimal = {{"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
const Prefixes kBinary = {{"Ki", 0x1p10}, {"Mi", 0x1p20}, {"Gi", 0x1p30}, {"Ti", 0x1p40}, {"Pi", 0x1p50}};
const std::string kMicro = "\xC2\xB5", kMu = "\xCE\xBC";  // U+00B5 micro sign, U+03BC Greek mu
const Prefixes kSmall = {{"p", 1e-12}, {"n", 1e-9}, {"u", 1e-6}, {kMicro, 1e-6}, {kMu, 1e-6}, {"m", 1e-3}, {"", 1},
                         {"k", 1e3}, {"M", 1e6}, {"G", 1e9}};

void add(std::map<std::string, Unit>& t, const Prefixes& ps, const std::vector<std::string>& bases, Dim dim,
         double base_factor) {
  for (const auto& [p, f] : ps)
    for (const auto& b : bases) t.emplace(p + b, Unit{dim, f * base_factor});
}

const std::map<std::string, Unit>& unit_table() {
  static const std::map<std::string, Unit> table = [] {
    std::map<std::string, Unit> t;
    add(t, kDecimal, {"B"}, Dim::bytes, 1);
    add(t, kDecimal, {"b", "bit"}, Dim::bytes, 0.125);
    add(t, kBinary, {"B"}, Dim::bytes, 1);
    add(t, kDecimal, {"B/s"}, Dim::bandwidth, 1);
    add(t, kDecimal, {"b/s", "bps", "bit/s"}, Dim::bandwidth, 0.125);
    add(t, kBinary, {"B/s"}, Dim::bandwidth, 1);
    // Integer OP/s counts as FLOP/s: the reference's convention for NPU and MCU peaks.
    add(t, kDecimal, {"FLOP/s", "FLOPS", "OP/s", "OPS"}, Dim::flops_rate, 1);
    for (const auto& [p, f] : kSmall)
      if (f <= 1) t.emplace(p + "s", Unit{Dim::time, f});
    t.emplace("min", Unit{Dim::time, 60});
    t.emplace("h", Unit{Dim::time, 3600});
    add(t, kSmall, {"W"}, Dim::power, 1);
    add(t, kSmall, {"J"}, Dim::energy, 1);
    add(t, {{"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}, {"Wh"}, Dim::energy, 3600);
    return t;
  }();
  return table;
}

const char* dim_examples(Dim dim) {
  switch (dim) {
    case Dim::bytes: return "B, kB, MB, GB, KiB, MiB, GiB, Mb, ...";
    case Dim::bandwidth: return "B/s, GB/s, TB/s, Gb/s, ...";
    case Dim::flops_rate: return "FLOP/s, GFLOP/s, TFLOP/s, TOPS, GOPS, ...";
    case Dim::time: return "s, ms, us, ns, ...";
    case Dim::power: return "W, mW, kW, ...";
    case Dim::energy: return "J, mJ, Wh, kWh, ...";
  }
  return "";
}

std::string a_dim(Dim dim) { return std::string(dim == Dim::energy ? "an " : "a ") + dim_name(dim); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

// The unit's SI factor for `dim`, or a tt::Error saying why the spelling is not accepted.
double unit_factor(const std::string& unit, Dim dim, const std::string& where) {
  const auto& table = unit_table();
  const auto it = table.find(unit);
  if (it == table.end()) {
    const bool capital_kilo = unit.size() >= 1 && unit[0] == 'K' && (unit.size() == 1 || unit[1] != 'i');
    TT_CHECK(!capital_kilo, where, ": unit '", unit, "' is ambiguous (1000 or 1024?); write k", unit.substr(1),
             " for 1000 or Ki", unit.substr(1), " for 1024");
    TT_CHECK(unit.find("FLOPs") == std::string::npos, where, ": unit '", unit,
             "' is a FLOP count, not a rate; write FLOP/s (", dim_examples(dim), ")");
    detail::throw_error(detail::str_cat(where, ": unknown unit '", unit, "'; ", a_dim(dim), " takes ",
                                        dim_examples(dim)));
  }
  TT_CHECK(it->second.dim == dim, where, ": unit '", unit, "' is ", a_dim(it->second.dim), ", not ", a_dim(dim), " (",
           dim_examples(dim), ")");
  return it->second.factor;
}

// `x` with up to 4 significant digits and no trailing zeros ("3.35", "989", "2.039").
// to_chars/from_chars rather than printf/stod: independent of the C locale's decimal comma.
std::string short_number(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 4);
  return std::string(buf, res.ptr);
}

double number_of(const std::string& s) {
  double x = 0;
  std::from_chars(s.data(), s.data() + s.size(), x);
  return x;
}

// Picks the largest prefix not above `v` so the number reads 1..999 (rounding may carry it to
// 1000, which moves up one prefix).
std::string with_prefix(double v, const Prefixes& ps, const std::string& base) {
  if (v == 0) return "0 " + base;
  size_t i = 0;
  while (i + 1 < ps.size() && v >= ps[i + 1].second) ++i;
  if (i + 1 < ps.size() && number_of(short_number(v / ps[i].second)) >= 1000) ++i;
  return short_number(v / ps[i].second) + " " + ps[i].first + base;
}

std::string format_bytes(double v) {
  if (v >= 1024 && std::fmod(v, 1024) == 0) {
    size_t i = 0;
    while (i + 1 < kBinary.size() && v >= kBinary[i + 1].second) ++i;
    const std::string s = short_number(v / kBinary[i].second);
    if (number_of(s) * kBinary[i].second == v) return s + " " + kBinary[i].first + "B";
  }
  return with_prefix(v, kDecimal, "B");
}

}  // namespace

const char* dim_name(Dim dim) {
  switch (dim) {
    case Dim::bytes: return "size in bytes";
    case Dim::bandwidth: return "bandwidth";
    case Dim::flops_rate: return "compute rate";
    case Dim::time: return "time";
    case Dim::power: return "power";
    case Dim::energy: return "energy";
  }
  return "?";
}

double parse_quantity(const std::string& text, Dim dim, const std::string& where) {
  const std::string s = trim(text);
  TT_CHECK(!s.empty(), where, ": empty quantity; expected a number and a unit (", dim_examples(dim), ")");
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  TT_CHECK(ec == std::errc(), where, ": '", s, "' does not start with a number; expected e.g. '80 GiB' (",
           dim_examples(dim), ")");
  TT_CHECK(!std::isnan(value), where, ": '", s, "' is not a number");
  TT_CHECK(std::isfinite(value), where, ": '", s, "' is infinite");
  TT_CHECK(value >= 0, where, ": '", s, "' is negative; quantities are magnitudes");
  const std::string rest = trim(std::string(end, s.data() + s.size()));
  TT_CHECK(!rest.empty(), where, ": '", s, "' has no unit; ", a_dim(dim), " takes ", dim_examples(dim));
  const auto space = rest.find_first_of(" \t");
  const std::string unit = rest.substr(0, space);
  TT_CHECK(unit.find_first_of("0123456789.,") != 0, where, ": '", s,
           "' is not a well-formed number followed by a unit (no digit separators; one decimal point)");
  const double factor = unit_factor(unit, dim, where);
  TT_CHECK(space == std::string::npos, where, ": unexpected text '", trim(rest.substr(space)), "' after '",
           s.substr(0, s.size() - rest.size()), unit, "'");
  return value * factor;
}

std::string format_quantity(double v, Dim dim) {
  if (!std::isfinite(v)) return short_number(v) + " " + dim_name(dim);
  switch (dim) {
    case Dim::bytes: return format_bytes(v);
    case Dim::bandwidth: return with_prefix(v, kDecimal, "B/s");
    case Dim::flops_rate: return with_prefix(v, kDecimal, "FLOP/s");
    case Dim::time: return with_prefix(v, {{"ps", 1e-12}, {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}}, "");
    case Dim::power: return with_prefix(v, {{"u", 1e-6}, {"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}}, "W");
    case Dim::energy:
      return with_prefix(v, {{"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}, "J");
  }
  return short_number(v);
}

}  // namespace tt::sim

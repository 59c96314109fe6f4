// Quantity parsing and printing (src/sim/units.h): every accepted spelling family, every kind of
// rejection (each message must start with the caller's `where`), and parse(format(x)) round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "core/error.h"
#include "sim/units.h"

namespace tt::sim {
namespace {

const std::string kWhere = "devices.json: device 'X': field 'f'";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tt::Error& e) {
    return e.what();
  }
  return "";
}

struct Case {
  const char* text;
  Dim dim;
  double want;
};

TEST(Units, ParsesEverySpellingFamilyToSI) {
  const Case cases[] = {
      {"80 GiB", Dim::bytes, 85899345920.0},
      {"50 MB", Dim::bytes, 50e6},
      {"520 KiB", Dim::bytes, 520 * 1024.0},
      {"4 Mb", Dim::bytes, 0.5e6},
      {"13.5 TiB", Dim::bytes, 13.5 * 0x1p40},
      {"3.35 TB/s", Dim::bandwidth, 3.35e12},
      {"2039 GB/s", Dim::bandwidth, 2039e9},
      {"100 Gb/s", Dim::bandwidth, 12.5e9},
      {"100 Gbps", Dim::bandwidth, 12.5e9},
      {"80 MB/s", Dim::bandwidth, 80e6},
      {"1 GiB/s", Dim::bandwidth, 0x1p30},
      {"989 TFLOP/s", Dim::flops_rate, 989e12},
      {"162 PFLOP/s", Dim::flops_rate, 162e15},
      {"35 TOPS", Dim::flops_rate, 35e12},
      {"2.4 GOPS", Dim::flops_rate, 2.4e9},
      {"0.5 GFLOP/s", Dim::flops_rate, 0.5e9},
      {"64 MFLOPS", Dim::flops_rate, 64e6},
      {"500 ns", Dim::time, 500e-9},
      {"0.01 ms", Dim::time, 1e-5},
      {"1 us", Dim::time, 1e-6},
      {"1 \xC2\xB5s", Dim::time, 1e-6},
      {"2 s", Dim::time, 2},
      {"700 W", Dim::power, 700},
      {"15 mW", Dim::power, 15e-3},
      {"120 kW", Dim::power, 120e3},
      {"15 Wh", Dim::energy, 15 * 3600.0},
      {"0.1 mJ", Dim::energy, 1e-4},
      {"1287 MWh", Dim::energy, 1287 * 3.6e9},
      {"80GiB", Dim::bytes, 85899345920.0},      // the space is optional
      {"  1e3 GB  ", Dim::bytes, 1e12},          // surrounding blanks and exponents
      {"0 W", Dim::power, 0},                    // zero parses; the loader decides if it is allowed
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_NEAR(parse_quantity(c.text, c.dim, kWhere), c.want, 1e-9 * std::abs(c.want));
  }
}

TEST(Units, BinaryAndDecimalPrefixesDiffer) {
  EXPECT_EQ(parse_quantity("1 KiB", Dim::bytes, kWhere), 1024);
  EXPECT_EQ(parse_quantity("1 kB", Dim::bytes, kWhere), 1000);
  EXPECT_EQ(parse_quantity("80 GiB", Dim::bytes, kWhere), 85899345920.0);
  EXPECT_EQ(parse_quantity("80 GB", Dim::bytes, kWhere), 80e9);
}

struct Bad {
  const char* text;
  Dim dim;
  const char* says;  // a phrase the message must contain
};

TEST(Units, RejectsBadQuantitiesNamingTheLocation) {
  const Bad cases[] = {
      {"", Dim::bytes, "empty quantity"},
      {"   ", Dim::bytes, "empty quantity"},
      {"GiB", Dim::bytes, "does not start with a number"},
      {"80", Dim::bytes, "has no unit"},
      {"-5 W", Dim::power, "negative"},
      {"nan W", Dim::power, "not a number"},
      {"inf W", Dim::power, "infinite"},
      {"80 GiB extra", Dim::bytes, "unexpected text 'extra'"},
      {"80 GiB/s/s", Dim::bandwidth, "unknown unit"},
      {"3 furlongs", Dim::time, "unknown unit 'furlongs'"},
      {"5 KB", Dim::bytes, "ambiguous"},
      {"5 KB/s", Dim::bandwidth, "ambiguous"},
      {"5 K", Dim::bytes, "ambiguous"},
      {"989 TFLOPs", Dim::flops_rate, "FLOP count, not a rate"},
      {"3 GB", Dim::bandwidth, "not a bandwidth"},
      {"3 GB/s", Dim::bytes, "not a size in bytes"},
      {"700 W", Dim::energy, "not an energy"},
      {"1 ms", Dim::power, "not a power"},
      {"10 TOPS", Dim::bandwidth, "not a bandwidth"},
      {"1,000 W", Dim::power, "not a well-formed number"},
      {"1.2.3 W", Dim::power, "not a well-formed number"},
      {"80 GiB 5", Dim::bytes, "unexpected text '5'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string msg = error_of([&] { parse_quantity(c.text, c.dim, kWhere); });
    ASSERT_FALSE(msg.empty()) << "accepted";
    EXPECT_EQ(msg.rfind(kWhere, 0), 0u) << msg;
    EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
  }
}

TEST(Units, WrongDimensionMessageListsTheRightUnits) {
  const std::string msg = error_of([] { parse_quantity("3 GB", Dim::bandwidth, kWhere); });
  EXPECT_EQ(msg, kWhere + ": unit 'GB' is a size in bytes, not a bandwidth (B/s, GB/s, TB/s, Gb/s, ...)");
}

TEST(Units, FormatsWithASensiblePrefix) {
  EXPECT_EQ(format_quantity(3.35e12, Dim::bandwidth), "3.35 TB/s");
  EXPECT_EQ(format_quantity(2039e9, Dim::bandwidth), "2.039 TB/s");
  EXPECT_EQ(format_quantity(85899345920.0, Dim::bytes), "80 GiB");
  EXPECT_EQ(format_quantity(520 * 1024.0, Dim::bytes), "520 KiB");
  EXPECT_EQ(format_quantity(80e9, Dim::bytes), "80 GB");
  EXPECT_EQ(format_quantity(8e9, Dim::bytes), "8 GB");        // a multiple of 1024, but not a round GiB
  EXPECT_EQ(format_quantity(85.9e9, Dim::bytes), "85.9 GB");
  EXPECT_EQ(format_quantity(50e6, Dim::bytes), "50 MB");
  EXPECT_EQ(format_quantity(512, Dim::bytes), "512 B");
  EXPECT_EQ(format_quantity(989e12, Dim::flops_rate), "989 TFLOP/s");
  EXPECT_EQ(format_quantity(0.5e9, Dim::flops_rate), "500 MFLOP/s");
  EXPECT_EQ(format_quantity(500e-9, Dim::time), "500 ns");
  EXPECT_EQ(format_quantity(1e-5, Dim::time), "10 us");
  EXPECT_EQ(format_quantity(2.5, Dim::time), "2.5 s");
  EXPECT_EQ(format_quantity(700, Dim::power), "700 W");
  EXPECT_EQ(format_quantity(15e-3, Dim::power), "15 mW");
  EXPECT_EQ(format_quantity(120e3, Dim::power), "120 kW");
  EXPECT_EQ(format_quantity(54000, Dim::energy), "54 kJ");
  EXPECT_EQ(format_quantity(0, Dim::power), "0 W");
  EXPECT_EQ(format_quantity(999.99e9, Dim::bandwidth), "1 TB/s");  // rounding carries to the next prefix
}

TEST(Units, FormatThenParseRoundTripsToFourDigits) {
  const double values[] = {1, 999, 1234.5, 3.35e12, 85899345920.0, 6.02e23, 1e-7, 0.96e9, 520 * 1024.0};
  const Dim dims[] = {Dim::bytes, Dim::bandwidth, Dim::flops_rate, Dim::time, Dim::power, Dim::energy};
  for (Dim dim : dims)
    for (double v : values) {
      const std::string s = format_quantity(v, dim);
      SCOPED_TRACE(s);
      EXPECT_NEAR(parse_quantity(s, dim, kWhere), v, 5e-4 * v);
    }
}

}  // namespace
}  // namespace tt::sim

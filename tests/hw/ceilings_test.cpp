// Tests for hw/ceilings: the cache (round trip, every way a file can be bad, atomic write, path
// rules), a quick probe (positive, finite, plausible figures) and ceilings() reading the cache.
// Not tested: that the figures match the reference peers (the machine is shared; see
// docs/hardware.md for figures taken with `tito hw probe`).
#include "hw/ceilings.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/parallel.h"
#include "temp_dir.h"
#include "tensor_expect.h"

namespace {

namespace fs = std::filesystem;
using tt::hw::Ceilings;

Ceilings sample() {
  Ceilings c;
  c.cpu = "Test CPU 9000";
  c.isa = "avx512";
  c.threads = 2;
  c.peak_gflops_1 = 216.5;
  c.peak_gflops_all = 425.25;
  c.triad_gbs_1 = 15.5;
  c.triad_gbs_all = 30.625;
  c.measured_at = "2024-01-02T03:04:05Z";
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Sets (or unsets, value == nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class HwCache : public tt::testing::TempDirTest {
 protected:
  // Saves sample(), edits the JSON with fn, writes it back; returns the path.
  template <typename F>
  std::string edited(F&& fn) {
    const std::string p = path("hw.json");
    tt::hw::save_cache(sample(), p);
    nlohmann::json j = nlohmann::json::parse(slurp(p));
    fn(j);
    spit(p, j.dump());
    return p;
  }
};

TEST_F(HwCache, RoundTripKeepsEveryField) {
  const std::string p = path("sub/dir/hw.json");  // parent directories are created
  tt::hw::save_cache(sample(), p);
  auto c = tt::hw::load_cache(p);
  ASSERT_TRUE(c.has_value());
  const Ceilings want = sample();
  EXPECT_EQ(c->cpu, want.cpu);
  EXPECT_EQ(c->isa, want.isa);
  EXPECT_EQ(c->threads, want.threads);
  EXPECT_EQ(c->peak_gflops_1, want.peak_gflops_1);
  EXPECT_EQ(c->peak_gflops_all, want.peak_gflops_all);
  EXPECT_EQ(c->triad_gbs_1, want.triad_gbs_1);
  EXPECT_EQ(c->triad_gbs_all, want.triad_gbs_all);
  EXPECT_EQ(c->measured_at, want.measured_at);
  EXPECT_EQ(nlohmann::json::parse(slurp(p)).at("version"), 1);
  for (const auto& e : fs::directory_iterator(path("sub/dir")))  // no temp file left behind
    EXPECT_EQ(e.path().filename(), "hw.json");
}

TEST_F(HwCache, SaveReplacesAnOldFile) {
  const std::string p = path("hw.json");
  spit(p, "old junk");
  tt::hw::save_cache(sample(), p);
  EXPECT_EQ(tt::hw::load_cache(p)->peak_gflops_all, 425.25);
}

TEST_F(HwCache, MissingFileIsNotAnError) { EXPECT_FALSE(tt::hw::load_cache(path("none.json")).has_value()); }

TEST_F(HwCache, CorruptJsonNamesTheFile) {
  spit(path("hw.json"), "{\"version\": 1, \"cpu\": oops}");
  EXPECT_TT_ERROR(tt::hw::load_cache(path("hw.json")), path("hw.json"), "not valid JSON");
}

TEST_F(HwCache, TruncatedFileNamesTheFile) {
  const std::string p = path("hw.json");
  tt::hw::save_cache(sample(), p);
  const std::string text = slurp(p);
  spit(p, text.substr(0, text.size() / 2));
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "truncated");
}

TEST_F(HwCache, MissingFieldIsNamed) {
  auto p = edited([](nlohmann::json& j) { j.erase("triad_gbs_all"); });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"triad_gbs_all\"", "missing");
}

TEST_F(HwCache, NegativeValueIsNamed) {
  auto p = edited([](nlohmann::json& j) { j["peak_gflops_1"] = -3.0; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"peak_gflops_1\"", "positive", "-3");
}

TEST_F(HwCache, ZeroValueIsNamed) {
  auto p = edited([](nlohmann::json& j) { j["triad_gbs_1"] = 0; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"triad_gbs_1\"");
}

TEST_F(HwCache, IllTypedFieldsAreNamed) {
  auto p = edited([](nlohmann::json& j) { j["threads"] = "two"; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"threads\"", "\"two\"");
  p = edited([](nlohmann::json& j) { j["threads"] = 1.5; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"threads\"", "integer");
  p = edited([](nlohmann::json& j) { j["cpu"] = 7; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"cpu\"", "string");
  p = edited([](nlohmann::json& j) { j["triad_gbs_all"] = "fast"; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"triad_gbs_all\"");
}

TEST_F(HwCache, OtherVersionIsRejected) {
  auto p = edited([](nlohmann::json& j) { j["version"] = 99; });
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "\"version\"", "99");
  spit(p, "[1, 2]");
  EXPECT_TT_ERROR(tt::hw::load_cache(p), p, "object");
}

TEST_F(HwCache, SaveRefusesBadFiguresAndUnwritablePaths) {
  Ceilings bad = sample();
  bad.triad_gbs_all = std::nan("");
  EXPECT_TT_ERROR(tt::hw::save_cache(bad, path("hw.json")), "triad_gbs_all");
  EXPECT_FALSE(fs::exists(path("hw.json")));
  spit(path("afile"), "x");  // a regular file where a directory must go (fails even as root)
  EXPECT_TT_ERROR(tt::hw::save_cache(sample(), path("afile/hw.json")), path("afile/hw.json"));
}

TEST(HwCachePath, FollowsTheEnvironment) {
  ScopedEnv cache("TT_HW_CACHE", std::nullopt), xdg("XDG_CACHE_HOME", "/x/cache"), home("HOME", "/h");
  EXPECT_EQ(tt::hw::cache_path(), "/x/cache/tinytorch/hw.json");
  {
    ScopedEnv rel("XDG_CACHE_HOME", "relative");  // the XDG spec ignores relative paths
    EXPECT_EQ(tt::hw::cache_path(), "/h/.cache/tinytorch/hw.json");
  }
  ScopedEnv set("TT_HW_CACHE", "/tmp/mine.json");
  EXPECT_EQ(tt::hw::cache_path(), "/tmp/mine.json");
}

TEST(HwCeilings, RidgeIsPeakOverBandwidth) {
  const Ceilings c = sample();
  EXPECT_DOUBLE_EQ(c.ridge_1(), 216.5 / 15.5);
  EXPECT_DOUBLE_EQ(c.ridge_all(), 425.25 / 30.625);
}

TEST_F(HwCache, CeilingsUsesAMatchingCache) {
  Ceilings c = sample();
  c.cpu = tt::hw::cpu_model();
  c.threads = tt::get_num_threads();
  c.peak_gflops_1 = 123.0;  // a figure no probe would return exactly
  tt::hw::save_cache(c, path("hw.json"));
  ScopedEnv env("TT_HW_CACHE", path("hw.json"));
  EXPECT_EQ(tt::hw::ceilings().peak_gflops_1, 123.0);
}

tt::hw::ProbeOptions quick() {
  tt::hw::ProbeOptions o;
  o.seconds = 0.01;
  o.repeats = 3;
  o.triad_bytes = 1 << 20;  // cache-resident: fast, and still exercises the triad path
  return o;
}

TEST(HwProbe, QuickProbeGivesPositiveFinitePlausibleFigures) {
  const Ceilings c = tt::hw::probe(quick());
  EXPECT_FALSE(c.cpu.empty());
  EXPECT_TRUE(c.isa == "avx512" || c.isa == "avx2" || c.isa == "scalar") << c.isa;
  EXPECT_EQ(c.threads, tt::get_num_threads());
  EXPECT_EQ(c.measured_at.size(), 20u) << c.measured_at;  // 2024-01-02T03:04:05Z
  for (double v : {c.peak_gflops_1, c.peak_gflops_all, c.triad_gbs_1, c.triad_gbs_all}) {
    EXPECT_TRUE(std::isfinite(v) && v > 0) << v;
    EXPECT_LT(v, 1e5) << "no CPU here reaches 100 TFLOP/s or 100 TB/s: miscounted";
  }
  EXPECT_GT(c.peak_gflops_1, 0.1);
  // Lenient: other processes share the cores, but all threads should not lose half of one.
  EXPECT_GE(c.peak_gflops_all, 0.5 * c.peak_gflops_1);
  EXPECT_GE(c.triad_gbs_all, 0.3 * c.triad_gbs_1);
  EXPECT_TRUE(std::isfinite(c.ridge_1()) && c.ridge_1() > 0);
}

TEST(HwProbe, ThreadOptionIsUsedAndRestored) {
  const int before = tt::get_num_threads();
  tt::hw::ProbeOptions o = quick();
  o.threads = 1;
  const Ceilings c = tt::hw::probe(o);
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.peak_gflops_all, c.peak_gflops_1);
  EXPECT_EQ(tt::get_num_threads(), before);
}

TEST(HwProbe, RejectsBadOptions) {
  tt::hw::ProbeOptions o = quick();
  o.seconds = 0;
  EXPECT_TT_ERROR(tt::hw::probe(o), "hw probe", "seconds");
  o = quick();
  o.repeats = 0;
  EXPECT_TT_ERROR(tt::hw::probe(o), "repeats");
  o = quick();
  o.threads = -1;
  EXPECT_TT_ERROR(tt::hw::probe(o), "threads", "-1");
  o = quick();
  o.triad_bytes = 100;
  EXPECT_TT_ERROR(tt::hw::probe(o), "triad_bytes", "100");
}

}  // namespace

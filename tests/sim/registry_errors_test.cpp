// Bad registry files: each case breaks one thing in a small valid fixture (written to a fresh temp
// dir) and checks that loading fails with a tt::Error naming the file, the entry and the field.
// Also the host device, added from the `tito hw probe` cache and never fatal when that is bad.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "hw/ceilings.h"
#include "sim/registry.h"
#include "temp_dir.h"

namespace tt::sim {
namespace {

using Json = nlohmann::json;

class RegistryFiles : public tt::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    reset();
  }
  // The valid fixture: one entry of each kind, all referring to each other.
  void reset() {
    devices_ = Json::parse(R"({"devices": [{
      "key": "TestGPU", "name": "Test GPU", "category": "cloud", "year": 2024, "default_precision": "fp16",
      "peak": {"fp16": "100 TFLOP/s", "fp32": "10 TFLOP/s"},
      "memory": {"capacity": "16 GiB", "bandwidth": "1 TB/s"},
      "scale_up": {"name": "TestLink", "bandwidth": "200 GB/s", "direction": "bidirectional", "latency": "1 us"},
      "tdp": "300 W", "price_usd": 1000,
      "sources": {"peak": "t", "memory": "t", "links": "t", "tdp": "t", "price": "t"}}]})");
    systems_ = Json::parse(R"({
      "fabrics": [{"key": "TestFabric", "name": "Test", "bandwidth": "100 Gb/s", "latency": "5 us", "source": "t"}],
      "nodes": [{"key": "TestNode", "device": "TestGPU", "accelerators": 4, "intra_link": "scale_up", "source": "t"}],
      "clusters": [{"key": "TestCluster", "node": "TestNode", "nodes": 2, "fabric": "TestFabric",
                    "grid": "TestGrid", "source": "t"}]})");
    grids_ = Json::parse(R"({"grids": [{"key": "TestGrid", "name": "Test", "carbon_g_per_kwh": 100, "pue": 1.2,
                                         "wue_l_per_kwh": 1, "source": "t"}]})");
    models_ = Json::parse(R"({"models": [{"key": "TestLM", "name": "Test LM", "family": "transformer", "params": 1e9,
                              "inference_flops": 2e9, "flops_unit": "token", "layers": 4, "hidden": 512,
                              "heads": 8, "kv_heads": 2, "source": "t"}]})");
  }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
  }
  Registry load() const {
    write("devices.json", devices_.dump(2));
    write("systems.json", systems_.dump(2));
    write("grids.json", grids_.dump(2));
    write("models.json", models_.dump(2));
    return load_registry(dir_, false);
  }
  // The message of the error load() throws ("" when it loads).
  std::string load_error() const {
    try {
      load();
    } catch (const tt::Error& e) {
      return e.what();
    }
    return "";
  }
  Json& gpu() { return devices_["devices"][0]; }

  Json devices_, systems_, grids_, models_;
};

// Asserts that `msg` names the file, the entry and the field, and says `why`.
void expect_names(const std::string& msg, const std::string& file, const std::string& entry,
                  const std::string& field, const std::string& why) {
  ASSERT_FALSE(msg.empty()) << "the bad file loaded";
  EXPECT_NE(msg.find(file), std::string::npos) << msg;
  EXPECT_NE(msg.find(entry), std::string::npos) << msg;
  EXPECT_NE(msg.find("field '" + field + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(why), std::string::npos) << msg;
}

TEST_F(RegistryFiles, ValidFixtureLoads) {
  const Registry r = load();
  EXPECT_DOUBLE_EQ(r.device("TestGPU").scale_up->bandwidth, 100e9);  // bidirectional, halved
  EXPECT_DOUBLE_EQ(r.device("TestGPU").dispatch_tax, 1e-5);          // default 0.01 ms
  EXPECT_DOUBLE_EQ(r.node("TestNode").intra_bandwidth, 100e9);
  EXPECT_EQ(r.model("TestLM").active_params, 1e9);
  EXPECT_EQ(r.files.size(), 4u);
}

TEST_F(RegistryFiles, PerDirectionLinkIsNotHalved) {
  gpu()["scale_up"]["direction"] = "per_direction";
  EXPECT_DOUBLE_EQ(load().device("TestGPU").scale_up->bandwidth, 200e9);
}

std::string error_of(const std::string& dir) {
  try {
    load_registry(dir, false);
  } catch (const tt::Error& e) {
    return e.what();
  }
  return "";
}

TEST_F(RegistryFiles, MalformedJson) {
  write("devices.json", "{\"devices\": [ {\"key\": \"TestGPU\",, } ]");
  const std::string msg = error_of(dir_);
  EXPECT_NE(msg.find("devices.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed JSON"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 1"), std::string::npos) << msg;
}

TEST_F(RegistryFiles, MissingRequiredField) {
  gpu().erase("tdp");
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "tdp", "required field is missing");
}

TEST_F(RegistryFiles, MissingNestedField) {
  gpu()["memory"].erase("bandwidth");
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "memory.bandwidth", "required");
}

TEST_F(RegistryFiles, UnknownFieldIsATypo) {
  gpu()["tdp_w"] = 300;
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "tdp_w", "unknown field");
  gpu().erase("tdp_w");
  gpu()["memory"]["bandwith"] = "1 TB/s";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "memory.bandwith", "unknown field");
}

TEST_F(RegistryFiles, BadUnit) {
  gpu()["memory"]["bandwidth"] = "1 TB/z";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "memory.bandwidth", "unknown unit 'TB/z'");
}

TEST_F(RegistryFiles, WrongDimension) {
  gpu()["memory"]["bandwidth"] = "3 GB";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "memory.bandwidth", "not a bandwidth");
}

TEST_F(RegistryFiles, QuantityWithoutUnit) {
  gpu()["tdp"] = 300;
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "tdp", "with its unit as a string");
}

TEST_F(RegistryFiles, NegativeValue) {
  gpu()["tdp"] = "-5 W";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "tdp", "negative");
  gpu()["tdp"] = "0 W";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "tdp", "greater than zero");
}

TEST_F(RegistryFiles, UnknownPrecision) {
  gpu()["peak"]["fp12"] = "1 TFLOP/s";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "peak.fp12", "unknown precision 'fp12'");
}

TEST_F(RegistryFiles, DefaultPrecisionNeedsAPeak) {
  gpu()["default_precision"] = "int8";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "default_precision", "no entry in 'peak'");
}

TEST_F(RegistryFiles, BadCategory) {
  gpu()["category"] = "datacenter";
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "category", "not one of cloud");
}

TEST_F(RegistryFiles, LinkNeedsADirection) {
  gpu()["scale_up"].erase("direction");
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "scale_up.direction", "required");
}

TEST_F(RegistryFiles, DuplicateKeyInOneFile) {
  devices_["devices"].push_back(gpu());
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "key", "duplicate key");
}

TEST_F(RegistryFiles, DuplicateKeyAcrossFiles) {
  write("extra_devices.json", devices_.dump());
  const std::string msg = load_error();
  expect_names(msg, "extra_devices.json", "device 'TestGPU'", "key", "already defined at");
}

TEST_F(RegistryFiles, DanglingReference) {
  systems_["clusters"][0]["fabric"] = "IB_QDR";
  expect_names(load_error(), "systems.json", "cluster 'TestCluster'", "fabric", "unknown fabric 'IB_QDR'");
  systems_["clusters"][0]["fabric"] = "TestFabric";
  systems_["nodes"][0]["device"] = "TestGPX";
  expect_names(load_error(), "systems.json", "node 'TestNode'", "device", "did you mean TestGPU");
}

TEST_F(RegistryFiles, ScaleUpIntraLinkNeedsTheDeviceLink) {
  gpu().erase("scale_up");
  gpu()["sources"].erase("links");
  expect_names(load_error(), "systems.json", "node 'TestNode'", "intra_link", "has no scale_up link");
}

TEST_F(RegistryFiles, MissingSource) {
  gpu()["sources"].erase("price");
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "sources.price", "required");
  gpu()["sources"]["price"] = "t";
  systems_["fabrics"][0].erase("source");
  expect_names(load_error(), "systems.json", "fabric 'TestFabric'", "source", "required");
}

TEST_F(RegistryFiles, GridRanges) {
  grids_["grids"][0]["pue"] = 0.9;
  expect_names(load_error(), "grids.json", "grid 'TestGrid'", "pue", "below the minimum 1");
}

TEST_F(RegistryFiles, ModelGeometry) {
  auto& lm = models_["models"][0];
  lm["heads"] = 7;
  expect_names(load_error(), "models.json", "model 'TestLM'", "heads", "not divisible");
  lm["heads"] = 8;
  lm["kv_heads"] = 3;
  expect_names(load_error(), "models.json", "model 'TestLM'", "kv_heads", "does not divide");
  lm["kv_heads"] = 2;
  lm["layers"] = 201;
  expect_names(load_error(), "models.json", "model 'TestLM'", "layers", "outside [0, 200]");
  lm["layers"] = 4.5;
  expect_names(load_error(), "models.json", "model 'TestLM'", "layers", "whole number");
  lm["layers"] = 4;
  lm["flops_unit"] = "image";
  expect_names(load_error(), "models.json", "model 'TestLM'", "flops_unit", "not one of token");
  lm["flops_unit"] = "token";
  lm["params"] = 0;
  expect_names(load_error(), "models.json", "model 'TestLM'", "params", "below the minimum");
}

TEST_F(RegistryFiles, WrongJsonTypesNeverCrash) {
  gpu()["peak"] = 5;
  expect_names(load_error(), "devices.json", "device 'TestGPU'", "peak", "expected an object");
  reset();
  gpu()["key"] = 42;
  expect_names(load_error(), "devices.json", "device #1", "key", "non-empty string");
  reset();
  devices_["devices"] = Json::object();
  EXPECT_NE(load_error().find("must be an array"), std::string::npos);
  reset();
  devices_["devices"][0] = "H100";
  EXPECT_NE(load_error().find("device #1: expected an object"), std::string::npos);
  reset();
  devices_["gpus"] = Json::array();
  EXPECT_NE(load_error().find("unknown section 'gpus'"), std::string::npos);
}

TEST_F(RegistryFiles, ReservedHostKey) {
  gpu()["key"] = "host";
  systems_["nodes"][0]["device"] = "host";
  expect_names(load_error(), "devices.json", "device 'host'", "key", "reserved");
}

TEST_F(RegistryFiles, MissingDirectoryOrNoFiles) {
  EXPECT_NE(error_of(dir_ + "/nope").find("is not a directory"), std::string::npos);
  EXPECT_NE(error_of(dir_).find("no *.json files"), std::string::npos);
}

// ---- the host device -------------------------------------------------------------------------

class HostDevice : public tt::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    const char* old = std::getenv("TT_HW_CACHE");
    old_ = old ? old : "";
    had_ = old != nullptr;
    ::setenv("TT_HW_CACHE", path("hw.json").c_str(), 1);
  }
  void TearDown() override {
    if (had_) ::setenv("TT_HW_CACHE", old_.c_str(), 1);
    else ::unsetenv("TT_HW_CACHE");
    TempDirTest::TearDown();
  }
  static hw::Ceilings ceilings(const std::string& cpu) {
    hw::Ceilings c;
    c.cpu = cpu;
    c.isa = "avx2";
    c.threads = 4;
    c.peak_gflops_1 = 50;
    c.peak_gflops_all = 200;
    c.triad_gbs_1 = 10;
    c.triad_gbs_all = 30;
    c.measured_at = "2026-01-02T03:04:05Z";
    return c;
  }
  std::string old_;
  bool had_ = false;
};

TEST_F(HostDevice, AddedFromTheProbeCache) {
  hw::save_cache(ceilings(hw::cpu_model()), path("hw.json"));
  const Registry r = load_registry(registry_dir(), true);
  const Device& host = r.device("host");
  EXPECT_EQ(host.category, "host");
  EXPECT_EQ(host.year, 2026);
  EXPECT_EQ(host.default_precision, Precision::fp32);
  EXPECT_DOUBLE_EQ(host.peak(Precision::fp32), 200e9);
  EXPECT_DOUBLE_EQ(host.peak(Precision::fp16), 200e9);  // fallback to the default precision
  EXPECT_DOUBLE_EQ(host.mem_bandwidth, 30e9);
  EXPECT_GT(host.mem_capacity, 0);
  EXPECT_DOUBLE_EQ(host.tdp, 60);  // 15 W per thread, an estimate
  EXPECT_NE(host.sources.at("tdp").find("estimate"), std::string::npos);
  const Device& one = r.device("host-1t");
  EXPECT_DOUBLE_EQ(one.peak(Precision::fp32), 50e9);
  EXPECT_DOUBLE_EQ(one.mem_bandwidth, 10e9);
  EXPECT_DOUBLE_EQ(one.tdp, 15);
  EXPECT_FALSE(load_registry(registry_dir(), false).devices.count("host"));
}

TEST_F(HostDevice, AbsentForAnotherCpuOrNoCache) {
  EXPECT_FALSE(load_registry(registry_dir(), true).devices.count("host"));  // no cache file
  hw::save_cache(ceilings("Some Other CPU 9000"), path("hw.json"));
  EXPECT_FALSE(load_registry(registry_dir(), true).devices.count("host"));
}

TEST_F(HostDevice, CorruptCacheIsNotFatal) {
  std::ofstream(path("hw.json")) << "{ not json";
  Registry r;
  EXPECT_NO_THROW(r = load_registry(registry_dir(), true));
  EXPECT_FALSE(r.devices.count("host"));
  EXPECT_GE(r.devices.size(), 40u);
}

}  // namespace
}  // namespace tt::sim

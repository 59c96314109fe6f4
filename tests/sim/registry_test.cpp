// The registries (src/sim/registry.h): the shipped files load with the reference's exact numbers,
// every entry satisfies physical invariants, and each kind of bad file fails with a message that
// names the file, the entry and the field (registry_errors_test.cpp).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <functional>
#include <set>
#include <string>

#include "core/error.h"
#include "sim/registry.h"

namespace tt::sim {
namespace {

const Registry& shipped() {  // without the host device, so counts do not depend on this machine
  static const Registry reg = load_registry(registry_dir(), false);
  return reg;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tt::Error& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

// ---- the shipped registry --------------------------------------------------------------------

TEST(Registry, ShippedFilesLoadWithEveryKind) {
  const Registry& r = shipped();
  EXPECT_GE(r.devices.size(), 40u);
  EXPECT_GE(r.models.size(), 25u);
  EXPECT_GE(r.grids.size(), 12u);
  EXPECT_GE(r.fabrics.size(), 8u);
  EXPECT_GE(r.clusters.size(), 5u);
  EXPECT_EQ(r.files.size(), 4u);
  std::set<std::string> categories;
  for (const auto& [key, d] : r.devices) categories.insert(d.category);
  EXPECT_EQ(categories, (std::set<std::string>{"cloud", "workstation", "mobile", "edge", "tiny"}));
}

TEST(Registry, A100MatchesTheReference) {
  const Device& d = shipped().device("A100");
  EXPECT_EQ(d.default_precision, Precision::fp16);
  EXPECT_DOUBLE_EQ(d.peak(Precision::fp16), 312e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::fp32), 19.5e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::tf32), 156e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::int8), 624e12);
  EXPECT_EQ(d.mem_capacity, 85899345920.0);
  EXPECT_DOUBLE_EQ(d.mem_bandwidth, 2039e9);
  EXPECT_DOUBLE_EQ(d.host_link->bandwidth, 32e9);   // per_direction: as written
  EXPECT_DOUBLE_EQ(d.scale_up->bandwidth, 300e9);   // 600 GB/s bidirectional, halved
  EXPECT_DOUBLE_EQ(d.tdp, 400);
  EXPECT_DOUBLE_EQ(*d.unit_price, 15000);
  EXPECT_DOUBLE_EQ(d.dispatch_tax, 0.015e-3);
}

TEST(Registry, H100MatchesTheReference) {
  const Device& d = shipped().device("H100");
  EXPECT_EQ(d.name, "NVIDIA H100 SXM5 80GB");
  EXPECT_EQ(d.category, "cloud");
  EXPECT_EQ(d.year, 2022);
  EXPECT_DOUBLE_EQ(d.peak(Precision::fp16), 989e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::bf16), 989e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::tf32), 494e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::fp32), 67e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::fp8), 1979e12);
  EXPECT_DOUBLE_EQ(d.peak(Precision::int8), 1979e12);
  EXPECT_EQ(d.mem_capacity, 85899345920.0);  // 80 GiB, not 80 GB
  EXPECT_DOUBLE_EQ(d.mem_bandwidth, 3.35e12);
  EXPECT_DOUBLE_EQ(*d.l2_capacity, 50e6);
  ASSERT_TRUE(d.host_link && d.scale_up);
  EXPECT_DOUBLE_EQ(d.host_link->bandwidth, 64e9);
  EXPECT_DOUBLE_EQ(d.host_link->latency, 1e-6);
  EXPECT_DOUBLE_EQ(d.scale_up->bandwidth, 450e9);  // NVLink 4: 900 GB/s both directions, halved
  EXPECT_DOUBLE_EQ(d.scale_up->latency, 500e-9);
  EXPECT_DOUBLE_EQ(d.tdp, 700);
  EXPECT_DOUBLE_EQ(*d.unit_price, 30000);
  EXPECT_DOUBLE_EQ(d.dispatch_tax, 1e-5);
  EXPECT_NEAR(d.ridge(Precision::fp16), 989e12 / 3.35e12, 1e-9);
}

TEST(Registry, PeakFallsBackToTheDefaultPrecision) {
  bool exact = true;
  const Device& h100 = shipped().device("H100");
  EXPECT_DOUBLE_EQ(h100.peak(Precision::fp4, &exact), 989e12);
  EXPECT_FALSE(exact);
  EXPECT_DOUBLE_EQ(h100.peak(Precision::fp8, &exact), 1979e12);
  EXPECT_TRUE(exact);
  const Device& esp = shipped().device("ESP32-S3");  // MCU: the scalar FPU figure is the default
  EXPECT_DOUBLE_EQ(esp.peak(Precision::fp16, &exact), 0.5e9);
  EXPECT_FALSE(exact);
  EXPECT_DOUBLE_EQ(esp.peak(Precision::int8), 2.4e9);
  EXPECT_DOUBLE_EQ(esp.mem_capacity, 520 * 1024.0);
  EXPECT_DOUBLE_EQ(*esp.sram_bandwidth, 0.96e9);
  EXPECT_DOUBLE_EQ(*esp.flash_capacity, 4e6);
  EXPECT_DOUBLE_EQ(*esp.flash_bandwidth, 80e6);
}

TEST(Registry, ModelsMatchTheReference) {
  const ModelSpec& resnet = shipped().model("ResNet-50");
  EXPECT_EQ(resnet.family, "cnn");
  EXPECT_DOUBLE_EQ(resnet.params, 25.6e6);
  EXPECT_DOUBLE_EQ(resnet.active_params, 25.6e6);  // dense: defaults to params
  EXPECT_DOUBLE_EQ(resnet.inference_flops, 8.2e9);
  EXPECT_EQ(resnet.flops_unit, "sample");
  EXPECT_EQ(resnet.layers, 50);
  const ModelSpec& llama = shipped().model("Llama-3-8B");
  EXPECT_DOUBLE_EQ(llama.params, 8.03e9);
  EXPECT_DOUBLE_EQ(llama.inference_flops, 16.06e9);
  EXPECT_EQ(llama.flops_unit, "token");
  EXPECT_EQ(llama.layers, 32);
  EXPECT_EQ(llama.hidden, 4096);
  EXPECT_EQ(llama.heads, 32);
  EXPECT_EQ(llama.kv_heads, 8);
  EXPECT_EQ(llama.ffn, 14336);
  EXPECT_EQ(llama.vocab, 128256);
  EXPECT_EQ(llama.head_dim(), 128);
  const ModelSpec& gpt3 = shipped().model("GPT-3");
  EXPECT_DOUBLE_EQ(gpt3.training_flops, 3.14e23);
  EXPECT_DOUBLE_EQ(gpt3.training_tokens, 300e9);
  const ModelSpec& mixtral = shipped().model("Mixtral-8x7B");
  EXPECT_EQ(mixtral.family, "moe");
  EXPECT_DOUBLE_EQ(mixtral.active_params, 12.9e9);
  EXPECT_EQ(shipped().model("DeepSeek-V3").kv_lora_rank, 512);
}

TEST(Registry, SystemsResolveToTheirParts) {
  const Registry& r = shipped();
  const Node& dgx = r.node("DGX_H100");
  EXPECT_EQ(dgx.device, "H100");
  EXPECT_EQ(dgx.accelerators, 8);
  EXPECT_EQ(dgx.nics, 8);
  EXPECT_EQ(dgx.psus, 2);
  EXPECT_DOUBLE_EQ(dgx.intra_bandwidth, 450e9);  // the device's scale_up, already halved
  EXPECT_DOUBLE_EQ(dgx.intra_latency, 500e-9);
  const Cluster& c = r.cluster("Research_256");
  EXPECT_EQ(c.nodes * r.node(c.node).accelerators, 256);
  EXPECT_DOUBLE_EQ(r.fabric(c.fabric).bandwidth, 12.5e9);  // 100 Gb/s
  EXPECT_DOUBLE_EQ(r.fabric(c.fabric).latency, 50e-6);
  EXPECT_EQ(r.grid(c.grid).name, "US Average");
  EXPECT_DOUBLE_EQ(r.grid("US_Average").carbon_g_per_kwh, 429);
  EXPECT_DOUBLE_EQ(r.grid("US_Average").pue, 1.12);
  EXPECT_DOUBLE_EQ(r.grid("US_Average").wue_l_per_kwh, 1.8);
  EXPECT_EQ(r.cluster("Frontier_8K").nodes, 1024);
  EXPECT_DOUBLE_EQ(r.fabric(r.cluster("Frontier_8K").fabric).bandwidth, 50e9);
  for (const auto& [key, cl] : r.clusters) {
    SCOPED_TRACE(key);
    EXPECT_NO_THROW(r.device(r.node(cl.node).device));
    EXPECT_NO_THROW(r.fabric(cl.fabric));
    EXPECT_NO_THROW(r.grid(cl.grid));
  }
}

// Note [Low-bandwidth cloud entries]: TPU v1 streamed weights from DDR3 (34 GB/s) and the SGX
// entry models enclave paging (10 GB/s); every other datacenter part has > 100 GB/s.
TEST(Registry, EveryDeviceIsPhysicallyPlausible) {
  const std::set<std::string> slow_cloud = {"TPUv1", "IntelSGX"};
  for (const auto& [key, d] : registry().devices) {  // includes "host" when this machine was probed
    SCOPED_TRACE(key);
    EXPECT_EQ(d.key, key);
    const double ridge = d.ridge(d.default_precision);
    EXPECT_GT(ridge, 0);
    EXPECT_LT(ridge, 5000);
    EXPECT_GT(d.tdp, 0);
    EXPECT_LE(d.tdp, 150e3);
    EXPECT_GT(d.mem_capacity, 0);
    EXPECT_GT(d.mem_bandwidth, 0);
    if (d.category == "cloud" && !slow_cloud.count(key)) {
      EXPECT_GT(d.mem_bandwidth, 100e9);
    }
    EXPECT_FALSE(d.peak_flops.empty());
    for (const auto& [p, v] : d.peak_flops) EXPECT_GT(v, 0) << precision_name(p);
    for (const char* group : {"peak", "memory", "tdp"})
      EXPECT_TRUE(d.sources.count(group) && !d.sources.at(group).empty()) << group;
    if (d.unit_price) {
      EXPECT_TRUE(d.sources.count("price"));
    }
    if (d.scale_up) {
      EXPECT_GT(d.scale_up->bandwidth, 0);
    }
    EXPECT_GE(d.dispatch_tax, 0);
    EXPECT_LT(d.dispatch_tax, 0.01);
  }
}

TEST(Registry, EveryModelHasConsistentGeometry) {
  for (const auto& [key, m] : shipped().models) {
    SCOPED_TRACE(key);
    EXPECT_GT(m.params, 0);
    EXPECT_GT(m.active_params, 0);
    EXPECT_LE(m.active_params, m.params);
    EXPECT_GT(m.inference_flops, 0);
    EXPECT_FALSE(m.source.empty());
    EXPECT_LE(m.layers, 200);
    if (m.heads > 0) {
      EXPECT_EQ(m.hidden % m.heads, 0);
      EXPECT_EQ(m.heads % m.kv_heads_or_heads(), 0);
      EXPECT_EQ(m.head_dim() * m.heads, m.hidden);
    }
    if (m.family == "moe") {
      EXPECT_LT(m.active_params, m.params);
      EXPECT_GE(m.experts, m.top_k);
    }
    if (m.flops_unit == "token") {  // decoder LMs: ~2 FLOPs per active parameter per token
      EXPECT_NEAR(m.inference_flops / (2 * m.active_params), 1.0, 0.3);
    }
  }
}

TEST(Registry, LookupErrorsSuggestNearMatches) {
  const std::string msg = error_of([] { shipped().device("h100"); });
  EXPECT_TRUE(has(msg, "no device 'h100'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean H100")) << msg;
  const std::string none = error_of([] { shipped().model("zzz-unknown"); });
  EXPECT_TRUE(has(none, "known models:")) << none;
  EXPECT_TRUE(has(error_of([] { shipped().cluster("Research"); }), "Research_256"));
  EXPECT_TRUE(has(error_of([] { shipped().grid("us_average"); }), "US_Average"));
}

TEST(Registry, PrecisionHelpers) {
  EXPECT_EQ(all_precisions().size(), 8u);
  for (Precision p : all_precisions()) EXPECT_EQ(parse_precision(precision_name(p)), p);
  EXPECT_EQ(parse_precision("BF16"), Precision::bf16);
  EXPECT_EQ(bytes_per_element(Precision::fp32), 4);
  EXPECT_EQ(bytes_per_element(Precision::tf32), 4);
  EXPECT_EQ(bytes_per_element(Precision::fp16), 2);
  EXPECT_EQ(bytes_per_element(Precision::int8), 1);
  EXPECT_EQ(bytes_per_element(Precision::int4), 0.5);
  EXPECT_TRUE(has(error_of([] { parse_precision("fp12"); }), "fp32, tf32"));
}

TEST(Registry, DirectoryComesFromTheEnvironment) {
  const char* was = std::getenv("TT_SIM_REGISTRY");
  const std::string old = was ? was : "";
  ASSERT_EQ(::setenv("TT_SIM_REGISTRY", "/some/where", 1), 0);
  EXPECT_EQ(registry_dir(), "/some/where");
  ASSERT_EQ(::unsetenv("TT_SIM_REGISTRY"), 0);
  EXPECT_TRUE(has(registry_dir(), "src/sim/registry"));
  if (was) ::setenv("TT_SIM_REGISTRY", old.c_str(), 1);
}

}  // namespace
}  // namespace tt::sim

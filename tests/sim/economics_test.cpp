// Tests for sim/economics: the reference's sustainability and economics goldens (Research_256 for
// one day, 1e-9 relative), the energy/carbon/water/TCO identities, embodied carbon, unknown
// prices staying unknown (JSON null), the node-price fallback, and errors.
#include "sim/economics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "sim_test_util.h"

namespace {

using namespace tt::sim;

using tt::sim::testing::expect_error;

void expect_rel(double got, double want, double tol = 1e-9) {
  EXPECT_NEAR(got, want, tol * std::abs(want)) << "got " << got << ", want " << want;
}

Grid us_average() {
  Grid g;
  g.key = "US_Average";
  g.carbon_g_per_kwh = 429;
  g.pue = 1.12;
  g.wue_l_per_kwh = 1.8;
  return g;
}

// Research_256: 32 DGX H100 nodes of 8 GPUs (700 W, $25,000 at the reference's pin).
struct Fleet {
  Device h100;
  Node dgx;
  Cluster cluster;
  Fleet() {
    h100.key = "H100";
    h100.tdp = 700;
    h100.unit_price = 25000;
    dgx.key = "DGX_H100";
    dgx.device = "H100";
    dgx.accelerators = 8;
    cluster.key = "Research_256";
    cluster.node = "DGX_H100";
    cluster.nodes = 32;
  }
};

TEST(Economics, SustainabilityGoldenResearch256OneDay) {
  const SustainabilityResult r = sustainability(256, 700, 0.45, 24, us_average());
  expect_rel(r.it_energy_kwh, 2644.992);
  expect_rel(r.facility_energy_kwh, 2962.39104);
  expect_rel(r.operational_carbon_kg, 1270.86575616);
  expect_rel(r.water_l, 5332.303872);
  expect_rel(r.chip_power_w, 430.5);  // 700·(0.30 + 0.70·0.45)
  EXPECT_EQ(r.binding, "operational carbon");
}

TEST(Economics, TcoGoldenResearch256OneDay) {
  const TcoResult r = tco(25000.0, 256, 1, 2962.39104);
  expect_rel(r.capex_amortised, 5844.748858447489);
  expect_rel(r.energy_opex, 355.48692480000005);
  expect_rel(r.maintenance, 876.7123287671233);
  expect_rel(r.opex_total, 1232.1992535671234);
  expect_rel(r.tco, 7076.948112014612);
  EXPECT_TRUE(r.price_known);
  EXPECT_EQ(r.binding, "CapEx");
}

TEST(Economics, RegistryStructsGiveTheSameGoldens) {
  const Fleet f;
  const SustainabilityResult s = sustainability(f.cluster, f.dgx, f.h100, us_average(), 0.45, 24);
  EXPECT_EQ(s.devices, 256);
  expect_rel(s.carbon_g_per_kwh * s.facility_energy_kwh / 1000, 1270.86575616);
  EXPECT_TRUE(std::isnan(s.embodied_carbon_kg));  // unknown for this device: stays unknown
  EXPECT_DOUBLE_EQ(s.total_carbon_kg, s.operational_carbon_kg);
  EXPECT_TRUE(to_json(s)["embodied_carbon_kg"].is_null());
  const TcoResult t = tco(f.cluster, f.dgx, f.h100, us_average(), 0.45, 1);
  expect_rel(t.tco, 7076.948112014612);
}

TEST(Economics, ChipPowerIsEnergyProportionalAboveAnIdleFloor) {
  EXPECT_DOUBLE_EQ(chip_power(700, 0), 210);
  EXPECT_DOUBLE_EQ(chip_power(700, 1), 700);
  EXPECT_LT(chip_power(700, 0.3), chip_power(700, 0.6));
}

TEST(Economics, EnergyCarbonWaterIdentities) {
  Grid g = us_average();
  g.pue = 1.4;
  const SustainabilityResult r = sustainability(1000, 1000, 0.6, 72, g);
  EXPECT_NEAR(r.it_energy_kwh, chip_power(1000, 0.6) * 1000 * 72 / 1000, 1e-9);
  EXPECT_NEAR(r.facility_energy_kwh, r.it_energy_kwh * 1.4, 1e-9);
  EXPECT_NEAR(r.operational_carbon_kg, r.facility_energy_kwh * 429 / 1000, 1e-9);
  EXPECT_NEAR(r.water_l, r.facility_energy_kwh * 1.8, 1e-9);
  // A carbon-free grid with no water use leaves only energy.
  Grid clean;
  clean.key = "Quebec-like";
  const SustainabilityResult c = sustainability(1000, 1000, 0.6, 72, clean);
  EXPECT_EQ(c.operational_carbon_kg, 0);
  EXPECT_EQ(c.water_l, 0);
}

TEST(Economics, EmbodiedCarbonAmortisedOverALifetime) {
  const double life = 5 * 365 * 24.0;
  const SustainabilityResult full = sustainability(100, 700, 0.5, 24, us_average(), 1500);
  EXPECT_DOUBLE_EQ(full.embodied_carbon_kg, 150000);
  EXPECT_EQ(full.binding, "embodied carbon");  // charged in full, it dwarfs one day's energy
  const SustainabilityResult amortised =
      sustainability(100, 700, 0.5, 24, us_average(), 1500, life);
  EXPECT_NEAR(amortised.embodied_carbon_kg, 150000 * 24 / life, 1e-9);
  EXPECT_NEAR(amortised.total_carbon_kg,
              amortised.operational_carbon_kg + amortised.embodied_carbon_kg, 1e-9);
  EXPECT_EQ(amortised.binding, "operational carbon");
}

TEST(Economics, TcoIsAmortisedCapexPlusOpexAndLinearInDays) {
  TcoOptions o;
  o.infra_multiplier = 2.0;
  o.usd_per_kwh = 0.07;
  const TcoResult one = tco(30000.0, 512, 1, 5000, o), ten = tco(30000.0, 512, 10, 50000, o);
  EXPECT_DOUBLE_EQ(one.capex_total, 30000.0 * 512 * 2);
  EXPECT_NEAR(one.tco, one.capex_amortised + one.energy_opex + one.maintenance, 1e-9);
  EXPECT_NEAR(ten.tco, 10 * one.tco, 1e-9 * ten.tco);
  // Over the whole amortisation period the amortised CapEx is the CapEx.
  EXPECT_NEAR(tco(30000.0, 512, 3 * 365, 0, o).capex_amortised, one.capex_total, 1e-6);
}

TEST(Economics, UnknownPriceStaysUnknown) {
  const TcoResult r = tco(std::nullopt, 256, 1, 2962.39104);
  EXPECT_TRUE(r.feasible);
  EXPECT_FALSE(r.price_known);
  EXPECT_TRUE(std::isnan(r.capex_amortised));
  EXPECT_TRUE(std::isnan(r.tco));
  expect_rel(r.energy_opex, 355.48692480000005);
  EXPECT_NE(r.binding.find("price unknown"), std::string::npos);
  const nlohmann::ordered_json j = to_json(r);
  EXPECT_TRUE(j["unit_price_usd"].is_null());
  EXPECT_TRUE(j["capex_amortised_usd"].is_null());
  EXPECT_TRUE(j["tco_usd"].is_null());
  EXPECT_FALSE(j["energy_opex_usd"].is_null());
}

TEST(Economics, NodePriceStandsInForAnUnknownDevicePrice) {
  Fleet f;
  f.h100.unit_price.reset();
  f.dgx.node_price = 350000;
  const TcoResult r = tco(f.cluster, f.dgx, f.h100, us_average(), 0.45, 1);
  EXPECT_TRUE(r.price_known);
  EXPECT_DOUBLE_EQ(r.unit_price, 43750);
  EXPECT_NE(r.notes.back().find("DGX_H100"), std::string::npos);
  f.dgx.node_price.reset();
  EXPECT_FALSE(tco(f.cluster, f.dgx, f.h100, us_average(), 0.45, 1).price_known);
}

TEST(Economics, BadInputNamesTheFunction) {
  expect_error([] { chip_power(700, 1.5); }, "chip_power: MFU");
  Grid bad = us_average();
  bad.pue = 0.9;
  expect_error([&] { sustainability(8, 700, 0.5, 1, bad); },
               "sustainability: grid 'US_Average' PUE");
  expect_error([] { tco(-1.0, 8, 1, 1); }, "tco: unit price");
  expect_error([] { tco(1.0, 8, -1, 1); }, "tco: days");
  Fleet f;
  f.cluster.node = "DGX_A100";
  expect_error([&] { tco(f.cluster, f.dgx, f.h100, us_average(), 0.5, 1); },
               "tco: cluster 'Research_256' is built of node 'DGX_A100'");
}

}  // namespace

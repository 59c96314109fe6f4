// Sustainability and cost of running a fleet: chip power at a given MFU, IT and facility energy,
// operational and embodied carbon, water, and total cost of ownership (amortised CapEx + energy
// + maintenance). Energy in kWh, carbon in kg, water in litres, money in USD, power in W.
// An unknown price stays unknown (NaN, JSON null): we never substitute another device's price.
// Siblings: registry.h (Device, Node, Cluster, Grid), reliability.h, scaling.h.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>

#include "sim/registry.h"
#include "sim/result.h"

namespace tt::sim {

// Energy-proportional chip power (Barroso & Hölzle 2007, "The Case for Energy-Proportional
// Computing"; the reference's 30 % idle floor): P = TDP·(0.30 + 0.70·MFU), MFU ∈ [0, 1].
double chip_power(double tdp_w, double mfu);

// E_IT = P·N·hours; E_facility = E_IT·PUE (Green Grid 2007); CO₂ = E_facility·CI; water =
// E_facility·WUE (Green Grid 2011, site water); embodied = kg/device·N, amortised as
// hours/lifetime_hours when a lifetime is given, else charged in full.
struct SustainabilityResult : Verdict {
  int devices = 0;
  double hours = 0, mfu = 0, tdp_w = 0;
  double chip_power_w = 0;
  double it_energy_kwh = 0;
  double pue = 1;
  double facility_energy_kwh = 0;
  double carbon_g_per_kwh = 0;
  double operational_carbon_kg = 0;
  double embodied_carbon_kg = 0;
  double total_carbon_kg = 0;
  double water_l = 0;
};
SustainabilityResult sustainability(int devices, double tdp_w, double mfu, double hours,
                                    const Grid& grid, double embodied_kg_per_device = 0,
                                    double lifetime_hours = 0);
// The cluster's accelerators (nodes × accelerators per node) with the device's TDP and embodied
// carbon. Throws if the cluster, node and device do not refer to each other.
SustainabilityResult sustainability(const Cluster& cluster, const Node& node, const Device& device,
                                    const Grid& grid, double mfu, double hours,
                                    double lifetime_hours = 0);

// TCO over `days` (the reference's EconomicsModel):
//   CapEx = unit_price·N·infra_multiplier; amortised = CapEx·days/(365·years);
//   energy OpEx = E_facility·$/kWh; maintenance = rate·CapEx·days/365; TCO = amortised + OpEx.
struct TcoOptions {
  double infra_multiplier = 1.0;   // 1: accelerators only; 2–2.5: whole data centre
  double amortisation_years = 3;
  double usd_per_kwh = 0.12;       // cloud rate (on-prem ≈ 0.07)
  double maintenance_rate = 0.05;  // per year, of CapEx
};
struct TcoResult : Verdict {
  int devices = 0;
  double days = 0;
  bool price_known = false;
  double unit_price = 0;           // USD per device; NaN when unknown
  double capex_total = 0;          // NaN when the price is unknown (so are the two below + TCO)
  double capex_amortised = 0;
  double facility_energy_kwh = 0;
  double energy_opex = 0;
  double maintenance = 0;
  double opex_total = 0;           // energy + maintenance
  double tco = 0;
  TcoOptions options;
};
TcoResult tco(std::optional<double> unit_price, int devices, double days,
              double facility_energy_kwh, const TcoOptions& options = {});
// Energy from sustainability(cluster, ..., mfu, 24·days); price from the device, else the node's
// price divided by its accelerators (noted), else unknown.
TcoResult tco(const Cluster& cluster, const Node& node, const Device& device, const Grid& grid,
              double mfu, double days, const TcoOptions& options = {});

nlohmann::ordered_json to_json(const SustainabilityResult& r);
nlohmann::ordered_json to_json(const TcoResult& r);

}  // namespace tt::sim

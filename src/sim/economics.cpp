// Energy, carbon, water and TCO. Formulas and references in economics.h.
#include "sim/economics.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace tt::sim {

namespace {

using Json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kIdlePowerFraction = 0.30;  // reference calibration: idle/dynamic split .30/.70

void check_non_negative(const char* fn, const char* what, double x) {
  TT_CHECK(x >= 0 && std::isfinite(x), fn, ": ", what, " must be finite and ≥ 0, got ", x);
}

void check_wiring(const char* fn, const Cluster& cluster, const Node& node, const Device& device) {
  TT_CHECK(cluster.node == node.key, fn, ": cluster '", cluster.key, "' is built of node '",
           cluster.node, "', not '", node.key, "'");
  TT_CHECK(node.device == device.key, fn, ": node '", node.key, "' holds device '", node.device,
           "', not '", device.key, "'");
  TT_CHECK(cluster.nodes >= 1 && node.accelerators >= 1, fn, ": cluster '", cluster.key,
           "' needs ≥ 1 node of ≥ 1 accelerator, got ", cluster.nodes, " × ", node.accelerators);
}

}  // namespace

double chip_power(double tdp_w, double mfu) {
  check_non_negative("chip_power", "TDP", tdp_w);
  TT_CHECK(mfu >= 0 && mfu <= 1, "chip_power: MFU must be in [0, 1], got ", mfu);
  return tdp_w * (kIdlePowerFraction + (1 - kIdlePowerFraction) * mfu);
}

SustainabilityResult sustainability(int devices, double tdp_w, double mfu, double hours,
                                    const Grid& grid, double embodied_kg_per_device,
                                    double lifetime_hours) {
  TT_CHECK(devices >= 0, "sustainability: devices must be ≥ 0, got ", devices);
  check_non_negative("sustainability", "hours", hours);
  TT_CHECK(grid.pue >= 1, "sustainability: grid '", grid.key, "' PUE must be ≥ 1, got ", grid.pue);
  check_non_negative("sustainability", "grid carbon intensity", grid.carbon_g_per_kwh);
  check_non_negative("sustainability", "grid WUE", grid.wue_l_per_kwh);
  check_non_negative("sustainability", "lifetime hours", lifetime_hours);
  TT_CHECK(std::isnan(embodied_kg_per_device) || embodied_kg_per_device >= 0,
           "sustainability: embodied carbon per device must be ≥ 0 kg (or NaN: unknown), got ",
           embodied_kg_per_device);
  SustainabilityResult r;
  r.devices = devices;
  r.hours = hours;
  r.mfu = mfu;
  r.tdp_w = tdp_w;
  r.chip_power_w = chip_power(tdp_w, mfu);
  r.it_energy_kwh = r.chip_power_w * devices * hours / 1000;
  r.pue = grid.pue;
  r.facility_energy_kwh = r.it_energy_kwh * grid.pue;
  r.carbon_g_per_kwh = grid.carbon_g_per_kwh;
  r.operational_carbon_kg = r.facility_energy_kwh * grid.carbon_g_per_kwh / 1000;
  r.water_l = r.facility_energy_kwh * grid.wue_l_per_kwh;
  const double share = lifetime_hours > 0 ? hours / lifetime_hours : 1.0;
  r.embodied_carbon_kg = embodied_kg_per_device * devices * share;
  const bool embodied_known = !std::isnan(r.embodied_carbon_kg);
  r.total_carbon_kg = r.operational_carbon_kg + (embodied_known ? r.embodied_carbon_kg : 0);
  r.binding = embodied_known && r.embodied_carbon_kg > r.operational_carbon_kg
                  ? "embodied carbon"
                  : "operational carbon";
  r.notes.push_back(fmt::format("{} devices at {:.4g} W for {:.4g} h; grid '{}' {:.4g} gCO2/kWh, "
                                "PUE {:.3g}", devices, r.chip_power_w, hours, grid.key,
                                grid.carbon_g_per_kwh, grid.pue));
  if (!embodied_known) r.notes.push_back("embodied carbon unknown: total is operational only");
  else if (lifetime_hours > 0)
    r.notes.push_back(fmt::format("embodied carbon amortised over {:.4g} h", lifetime_hours));
  return r;
}

SustainabilityResult sustainability(const Cluster& cluster, const Node& node, const Device& device,
                                    const Grid& grid, double mfu, double hours,
                                    double lifetime_hours) {
  check_wiring("sustainability", cluster, node, device);
  const double embodied = device.embodied_carbon_kg.value_or(kNaN);
  return sustainability(cluster.nodes * node.accelerators, device.tdp, mfu, hours, grid, embodied,
                        lifetime_hours);
}

TcoResult tco(std::optional<double> unit_price, int devices, double days,
              double facility_energy_kwh, const TcoOptions& options) {
  TT_CHECK(devices >= 0, "tco: devices must be ≥ 0, got ", devices);
  check_non_negative("tco", "days", days);
  check_non_negative("tco", "facility energy", facility_energy_kwh);
  TT_CHECK(options.infra_multiplier >= 1, "tco: infra multiplier must be ≥ 1, got ",
           options.infra_multiplier);
  TT_CHECK(options.amortisation_years > 0, "tco: amortisation years must be > 0, got ",
           options.amortisation_years);
  check_non_negative("tco", "electricity price $/kWh", options.usd_per_kwh);
  check_non_negative("tco", "maintenance rate", options.maintenance_rate);
  TT_CHECK(!unit_price || (*unit_price >= 0 && std::isfinite(*unit_price)),
           "tco: unit price must be finite and ≥ 0 USD, got ", unit_price.value_or(0));
  TcoResult r;
  r.devices = devices;
  r.days = days;
  r.options = options;
  r.price_known = unit_price.has_value();
  r.unit_price = unit_price.value_or(kNaN);  // NaN propagates to every price-derived figure
  r.capex_total = r.unit_price * devices * options.infra_multiplier;
  r.capex_amortised = r.capex_total * days / (365 * options.amortisation_years);
  r.facility_energy_kwh = facility_energy_kwh;
  r.energy_opex = facility_energy_kwh * options.usd_per_kwh;
  r.maintenance = options.maintenance_rate * r.capex_total * days / 365;
  r.opex_total = r.energy_opex + r.maintenance;
  r.tco = r.capex_amortised + r.opex_total;
  if (!r.price_known) {
    r.binding = "unit price unknown: CapEx, maintenance and TCO not computed";
    r.notes.push_back(fmt::format("energy OpEx alone: ${:.2f}", r.energy_opex));
    return r;
  }
  r.binding = r.capex_amortised >= r.energy_opex && r.capex_amortised >= r.maintenance
                  ? "CapEx"
                  : r.energy_opex >= r.maintenance ? "energy" : "maintenance";
  r.notes.push_back(fmt::format("amortised CapEx ${:.2f}, energy ${:.2f}, maintenance ${:.2f}",
                                r.capex_amortised, r.energy_opex, r.maintenance));
  return r;
}

TcoResult tco(const Cluster& cluster, const Node& node, const Device& device, const Grid& grid,
              double mfu, double days, const TcoOptions& options) {
  check_wiring("tco", cluster, node, device);
  check_non_negative("tco", "days", days);
  const SustainabilityResult energy = sustainability(cluster, node, device, grid, mfu, 24 * days);
  std::optional<double> price = device.unit_price;
  const bool from_node = !price && node.node_price;
  if (from_node) price = *node.node_price / node.accelerators;
  TcoResult r = tco(price, energy.devices, days, energy.facility_energy_kwh, options);
  if (from_node)
    r.notes.push_back(fmt::format("unit price from node '{}' price ${:.0f} / {} accelerators",
                                  node.key, *node.node_price, node.accelerators));
  return r;
}

Json to_json(const SustainabilityResult& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"devices", r.devices},
          {"hours", r.hours},
          {"mfu", r.mfu},
          {"tdp_w", r.tdp_w},
          {"chip_power_w", r.chip_power_w},
          {"it_energy_kwh", r.it_energy_kwh},
          {"pue", r.pue},
          {"facility_energy_kwh", r.facility_energy_kwh},
          {"carbon_g_per_kwh", r.carbon_g_per_kwh},
          {"operational_carbon_kg", r.operational_carbon_kg},
          {"embodied_carbon_kg", finite_or_null(r.embodied_carbon_kg)},
          {"total_carbon_kg", r.total_carbon_kg},
          {"water_l", r.water_l},
          {"notes", r.notes}};
}

Json to_json(const TcoResult& r) {
  return {{"feasible", r.feasible},
          {"binding", r.binding},
          {"devices", r.devices},
          {"days", r.days},
          {"price_known", r.price_known},
          {"unit_price_usd", finite_or_null(r.unit_price)},
          {"infra_multiplier", r.options.infra_multiplier},
          {"amortisation_years", r.options.amortisation_years},
          {"usd_per_kwh", r.options.usd_per_kwh},
          {"maintenance_rate", r.options.maintenance_rate},
          {"capex_total_usd", finite_or_null(r.capex_total)},
          {"capex_amortised_usd", finite_or_null(r.capex_amortised)},
          {"facility_energy_kwh", r.facility_energy_kwh},
          {"energy_opex_usd", r.energy_opex},
          {"maintenance_usd", finite_or_null(r.maintenance)},
          {"opex_total_usd", finite_or_null(r.opex_total)},
          {"tco_usd", finite_or_null(r.tco)},
          {"notes", r.notes}};
}

}  // namespace tt::sim

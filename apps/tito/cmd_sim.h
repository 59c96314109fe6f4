// tito sim: shared pieces of the simulator's subcommands (cmd_sim*.cpp).
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/units.h"

namespace tito {
std::string fq(double v, tt::sim::Dim d);              // "3.35 TB/s"
void print_json_line(const nlohmann::ordered_json& j);  // the --json last line
void add_sim_eval(CLI::App& sim);      // eval (cmd_sim_eval.cpp; also registers serve, memory)
void add_sim_serve(CLI::App& sim);     // serve (cmd_sim_serve.cpp)
void add_sim_memory(CLI::App& sim);    // memory (cmd_sim_serve.cpp)
void add_sim_validate(CLI::App& sim);  // validate (cmd_sim_serve.cpp)
void add_sim_scenario(CLI::App& sim);  // scenario (cmd_sim_scenario.cpp)
void add_sim_sweep(CLI::App& sim);     // sweep (cmd_sim_scenario.cpp)
}  // namespace tito

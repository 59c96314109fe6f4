// tito subcommands: each add_* registers one subcommand whose callback runs it and records the
// process exit code (CLI11 callbacks cannot return one).
#pragma once
#include <CLI/CLI.hpp>

namespace tito {
void add_info(CLI::App& app);
void add_milestone(CLI::App& app);
void add_data(CLI::App& app);
void add_bench(CLI::App& app);
void add_hw(CLI::App& app);  // cmd_hw.cpp
void add_tokenizer(CLI::App& app);  // cmd_text.cpp
void add_gpt(CLI::App& app);        // cmd_gpt.cpp
void add_generate(CLI::App& app);   // cmd_gpt.cpp
void add_profile(CLI::App& app);    // cmd_profile.cpp
void add_sim(CLI::App& app);        // cmd_sim*.cpp
int exit_code();
void set_exit_code(int code);
}  // namespace tito

// tito: the TinyTorch command line. Thin: parses arguments (CLI11) and calls the library.
//   tito info | milestone list | milestone run NAME | data fetch SET | bench SUITE | hw probe | hw show
//        | tokenizer train | tokenizer encode | tokenizer decode
//        | gpt train | generate | profile MODEL | sim devices|models|eval|serve|memory|scenario|sweep|validate
// Bad arguments print usage and exit 2; a failed milestone exits 1; errors exit 1 with the message.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "apps/tito/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"tito — the TinyTorch command line (milestones, data, benchmarks, hardware ceilings)", "tito"};
  app.require_subcommand(1);
  tito::add_info(app);
  tito::add_milestone(app);
  tito::add_data(app);
  tito::add_bench(app);
  tito::add_hw(app);
  tito::add_tokenizer(app);
  tito::add_gpt(app);
  tito::add_generate(app);
  tito::add_profile(app);
  tito::add_sim(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tito: " << e.what() << "\n\n" << app.help();
    return 2;
  } catch (const tt::Error& e) {
    std::cerr << "tito: error: " << e.what() << "\n";
    return 1;
  }
  return tito::exit_code();
}

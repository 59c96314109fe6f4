// Helpers shared by the simulator's tests.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace tt::sim::testing {

// f() must throw tt::Error whose message contains `needle`.
template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected tt::Error containing '" << needle << "'";
  } catch (const tt::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace tt::sim::testing

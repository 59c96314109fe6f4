// GoogleTest helpers for tensor tests: compare a tensor's values with a list, compare two tensors,
// and check that a statement throws tt::Error whose message names the op and the offending values.
// Used across tests/ (error_message by the io and data tests too). Not a reference implementation of any op.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"

namespace tt::testing {

// Values of `t` in row-major order vs `expected`; NaN matches NaN. `tol` is absolute + relative.
inline ::testing::AssertionResult values_near(const Tensor& t, const std::vector<double>& expected, double tol) {
  std::vector<double> v = t.to_vector<double>();
  if (v.size() != expected.size())
    return ::testing::AssertionFailure() << "tensor has " << v.size() << " elements (shape " << t.shape()
                                         << "), expected " << expected.size();
  for (size_t i = 0; i < v.size(); ++i) {
    bool both_nan = std::isnan(v[i]) && std::isnan(expected[i]);
    bool same_inf = std::isinf(v[i]) && v[i] == expected[i];
    if (both_nan || same_inf) continue;
    if (!(std::fabs(v[i] - expected[i]) <= tol * (1 + std::fabs(expected[i]))))
      return ::testing::AssertionFailure() << "element " << i << ": got " << v[i] << ", expected " << expected[i]
                                           << " (tol " << tol << "); tensor " << to_string(t);
  }
  return ::testing::AssertionSuccess();
}

// Same shape and values (within tol) as `ref`; dtypes may differ.
inline ::testing::AssertionResult tensors_near(const Tensor& t, const Tensor& ref, double tol) {
  if (t.shape() != ref.shape())
    return ::testing::AssertionFailure() << "shape " << t.shape() << " vs expected " << ref.shape();
  return values_near(t, ref.to_vector<double>(), tol);
}

// Bitwise equality of two tensors' elements (after conversion to double, exact for float/double).
inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  return std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
}

// Runs f; returns the tt::Error message, or "" (and a test failure) if it did not throw one.
template <typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-tt::Error exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "did not throw";
  return "";
}

inline void expect_mentions(const std::string& msg, std::initializer_list<std::string> needles) {
  for (const std::string& n : needles)
    EXPECT_NE(msg.find(n), std::string::npos) << "error message \"" << msg << "\" does not mention \"" << n << "\"";
}

}  // namespace tt::testing

// EXPECT_TT_ERROR(stmt, "matmul", "[2, 3]"): stmt throws tt::Error and its message contains every string.
#define EXPECT_TT_ERROR(stmt, ...)                                                                 \
  do {                                                                                             \
    EXPECT_THROW((void)(stmt), ::tt::Error);                                                       \
    ::tt::testing::expect_mentions(::tt::testing::error_message([&] { (void)(stmt); }), {__VA_ARGS__}); \
  } while (0)

#define EXPECT_VALUES(t, ...) EXPECT_TRUE(::tt::testing::values_near((t), std::vector<double> __VA_ARGS__, 0.0))
#define EXPECT_VALUES_NEAR(t, tol, ...) \
  EXPECT_TRUE(::tt::testing::values_near((t), std::vector<double> __VA_ARGS__, (tol)))

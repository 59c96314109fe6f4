// Reading the PyTorch golden files (tests/golden/*.json, schema in tests/golden/README.md) and
// comparing TinyTorch tensors with them: |got − want| ≤ atol + rtol·|want| per element.
// Used by tests/nn and tests/optim. Not a reference implementation: every value comes from PyTorch.
#pragma once
#include <cctype>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/module.h"
#include "ops/ops.h"

#ifndef TT_TEST_DATA_DIR
#error "TT_TEST_DATA_DIR must name the tests/ folder (the CMake build defines it)"
#endif

namespace tt::testing {

using json = nlohmann::json;

// tests/golden/<name>, parsed once per call (the files are small).
inline json load_golden(const std::string& name) {
  const std::string path = std::string(TT_TEST_DATA_DIR) + "/golden/" + name;
  std::ifstream f(path);
  if (!f) throw std::runtime_error("golden file missing: " + path);
  return json::parse(f);
}

// {"shape": [...], "data": [...]} → a tensor of `dtype` (values read as exact doubles, then cast).
inline Tensor golden_tensor(const json& j, DType dtype = kFloat64) {
  Shape shape(j.at("shape").get<std::vector<int64_t>>());
  Tensor t = from_vector(j.at("data").get<std::vector<double>>(), shape);
  return dtype == kFloat64 ? t : t.to(dtype);
}

// The same values as golden_tensor, as a non-contiguous view: the transpose of a transposed copy
// (strides (1, rows) for a 2-D tensor). Checks that ops honour strides.
inline Tensor golden_tensor_strided(const json& j, DType dtype = kFloat64) {
  Tensor t = golden_tensor(j, dtype);
  if (t.dim() != 2) return t;
  return t.t().contiguous().t();
}

// A JSON int list of class indices → int64 tensor (N).
inline Tensor golden_indices(const json& j) {
  std::vector<int64_t> v = j.get<std::vector<int64_t>>();
  return from_vector(v, Shape{static_cast<int64_t>(v.size())});
}

struct Tolerance {
  double rtol, atol;
};
inline constexpr Tolerance kTolF64{1e-5, 1e-12};
inline constexpr Tolerance kTolF32{1e-4, 1e-6};

// Elementwise |got − want| ≤ atol + rtol·|want| with matching shapes; reports the worst element.
inline ::testing::AssertionResult allclose(const Tensor& got, const std::vector<double>& want, const Shape& want_shape,
                                           Tolerance tol) {
  if (!got.defined()) return ::testing::AssertionFailure() << "tensor is undefined";
  if (got.shape() != want_shape)
    return ::testing::AssertionFailure() << "shape " << got.shape() << ", expected " << want_shape;
  std::vector<double> g = got.to_vector<double>();
  int64_t worst = -1, bad = 0;
  double worst_excess = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    double err = std::fabs(g[i] - want[i]), lim = tol.atol + tol.rtol * std::fabs(want[i]);
    if (!(err <= lim)) {  // NaN fails too
      ++bad;
      double excess = std::isnan(err) ? INFINITY : err / lim;
      if (worst < 0 || excess > worst_excess) worst = static_cast<int64_t>(i), worst_excess = excess;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << bad << " of " << g.size() << " elements off (rtol " << tol.rtol << ", atol " << tol.atol << "); worst: element "
     << worst << " got " << g[worst] << ", expected " << want[worst] << " (error " << std::fabs(g[worst] - want[worst])
     << ")";
  return ::testing::AssertionFailure() << os.str();
}

inline ::testing::AssertionResult allclose(const Tensor& got, const json& want, Tolerance tol) {
  return allclose(got, want.at("data").get<std::vector<double>>(), Shape(want.at("shape").get<std::vector<int64_t>>()),
                  tol);
}

inline ::testing::AssertionResult allclose(double got, double want, Tolerance tol) {
  return allclose(scalar_tensor(got, kFloat64), std::vector<double>{want}, Shape{}, tol);
}

inline const char* dtype_tag(DType t) { return t == kFloat64 ? "float64" : "float32"; }
inline Tolerance tol_for(DType t) { return t == kFloat64 ? kTolF64 : kTolF32; }

// One parametrised golden case: an index into a file's "cases" list and the dtype to run it in.
struct GoldenCase {
  size_t index;
  DType dtype;
};

inline std::vector<GoldenCase> golden_cases(const json& cases, std::initializer_list<DType> dtypes) {
  std::vector<GoldenCase> out;
  for (DType dt : dtypes)
    for (size_t i = 0; i < cases.size(); ++i) out.push_back({i, dt});
  return out;
}

// A gtest-safe name: the case's "case" id and the dtype, other characters as '_'.
inline std::string golden_case_name(const json& cases, const GoldenCase& c) {
  std::string s = cases[c.index].at("case").get<std::string>() + "_" + dtype_tag(c.dtype);
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

// Every parameter of `model` has a gradient matching the file's `grads` {name: tensor}, and the
// file names no other parameter. Fatal failures end the helper: call it in ASSERT_NO_FATAL_FAILURE.
inline void expect_parameter_grads(const nn::Module& model, const json& grads, Tolerance tol) {
  auto params = model.named_parameters();
  ASSERT_EQ(params.size(), grads.size());
  for (const auto& [k, p] : params) {
    ASSERT_TRUE(grads.contains(k)) << "PyTorch has no parameter " << k;
    ASSERT_TRUE(p.grad().defined()) << k << " got no gradient";
    EXPECT_TRUE(allclose(p.grad(), grads.at(k), tol)) << "grad of " << k;
  }
}

}  // namespace tt::testing

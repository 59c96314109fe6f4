// The gradcheck conformance harness: an OpSpec says how to call one differentiable op (a function of
// float64 inputs; index/target/mask arguments are derived inside it from the input shapes) and on
// which shapes; the harness materialises every layout (contiguous, transposed, sliced, expanded),
// the broadcast shape sets and the size-0 shapes, and runs tt::autograd::gradcheck on each.
// The table of specs is gradcheck_specs.h; the tests are gradcheck_test.cpp.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/autograd.h"
#include "core/generator.h"
#include "ops/op_list.h"
#include "ops/ops.h"

namespace tt::testing {

// Where an input's values live: ops with kinks or restricted domains keep inputs away from them.
enum class Domain {
  Any,            // randn
  Positive,       // |randn| + 0.5: log, sqrt, pow base, divisor
  AwayFromZero,   // sign(v)·(|v| + 0.2): relu, abs, leaky_relu, elu kinks at 0
  AwayFromHalf,   // |v| not within 0.1 of 0.5: clamp(−0.5, 0.5) kinks
};

enum class Layout { Contiguous, Transposed, Sliced, Expanded };
inline const char* layout_name(Layout l) {
  static const char* names[] = {"contiguous", "transposed", "sliced", "expanded"};
  return names[static_cast<int>(l)];
}

struct OpSpec {
  ops::OpId op;
  std::string name;                                  // the call, e.g. "add(a, b, 2)"
  autograd::TensorFn f;                              // f(float64 inputs)
  std::vector<Shape> shapes;                         // one per input, all checked
  std::vector<Domain> domains = {};                  // per input; default Any
  std::vector<std::vector<Shape>> broadcast = {};    // shape sets where the op broadcasts
  std::vector<Shape> empty = {};                     // size-0 shapes; {} only with a reason:
  const char* no_empty_reason = nullptr;
  autograd::GradcheckOptions opt = {};
};

inline double map_domain(double v, Domain d) {
  switch (d) {
    case Domain::Any: return v;
    case Domain::Positive: return std::fabs(v) + 0.5;
    case Domain::AwayFromZero: return v < 0 ? v - 0.2 : v + 0.2;
    case Domain::AwayFromHalf: {
      double a = std::fabs(v);
      if (std::fabs(a - 0.5) < 0.1) a += 0.25;
      return v < 0 ? -a : a;
    }
  }
  return v;
}

// A float64 tensor of `shape` with values from `g` mapped into `d`, contiguous.
inline Tensor random_values(const Shape& shape, Generator& g, Domain d) {
  std::vector<double> v = randn(shape, &g, kFloat64).to_vector<double>();
  for (double& e : v) e = map_domain(e, d);
  return from_vector(v, shape);
}

// A float64 leaf requiring grad whose view has `shape` and the given layout:
//  transposed: the last two dims of a contiguous tensor swapped (sliced if fewer than 2 dims);
//  sliced: every other element (offset 1) of a tensor about twice as large in every dim;
//  expanded: the first dim of size > 1 is a stride-0 broadcast of size 1 (contiguous if none).
inline Tensor make_input(const Shape& shape, Layout layout, Generator& g, Domain d) {
  Tensor t;
  if (layout == Layout::Transposed && shape.size() < 2) layout = Layout::Sliced;
  switch (layout) {
    case Layout::Contiguous: t = random_values(shape, g, d); break;
    case Layout::Transposed: {
      Shape s = shape;
      std::swap(s[s.size() - 1], s[s.size() - 2]);
      t = random_values(s, g, d).transpose(-1, -2);
      break;
    }
    case Layout::Sliced: {
      Shape big;
      for (int64_t n : shape) big.push_back(2 * n + 1);
      if (shape.empty()) {
        t = random_values({3}, g, d).select(0, 1);
        break;
      }
      t = random_values(big, g, d);
      for (int i = 0; i < shape.size(); ++i) t = t.slice(i, 1, 2 * shape[i] + 1, 2);
      break;
    }
    case Layout::Expanded: {
      Shape small = shape;
      for (int i = 0; i < shape.size(); ++i)
        if (shape[i] > 1) {
          small[i] = 1;
          break;
        }
      t = random_values(small, g, d).expand(shape);
      break;
    }
  }
  EXPECT_EQ(t.shape(), shape);
  t = t.detach();
  t.requires_grad_();
  return t;
}

// Runs gradcheck on `spec` with inputs of `shapes` in `layout`; reports failures with context.
inline void run_gradcheck(const OpSpec& spec, const std::vector<Shape>& shapes, Layout layout, uint64_t seed) {
  Generator g(seed);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < shapes.size(); ++i)
    inputs.push_back(make_input(shapes[i], layout, g, i < spec.domains.size() ? spec.domains[i] : Domain::Any));
  std::ostringstream where;
  where << spec.name << " [" << ops::op_name(spec.op) << "] " << layout_name(layout) << " shapes";
  for (const Shape& s : shapes) where << ' ' << s;
  SCOPED_TRACE(where.str());
  autograd::GradcheckResult r;
  try {
    r = autograd::gradcheck(spec.f, inputs, spec.opt);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw: " << e.what();
    return;
  }
  EXPECT_TRUE(r.ok) << r.message << " (max abs error " << r.max_abs_error << ")";
}

}  // namespace tt::testing

// The gradcheck conformance harness: every differentiable op of TT_OP_LIST passes a float64
// finite-difference check on contiguous, transposed, sliced and expanded inputs, on broadcast
// shapes where it broadcasts, and on size-0 inputs. An op added to the list without a spec in
// gradcheck_specs.h fails EveryDifferentiableOpHasAGradcheckSpec. Also tests gradcheck itself.
#include <gtest/gtest.h>

#include <set>

#include "autograd/gradcheck_specs.h"
#include "core/node.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using testing::Layout;
using testing::OpSpec;

constexpr Layout kLayouts[] = {Layout::Contiguous, Layout::Transposed, Layout::Sliced, Layout::Expanded};

// Ops whose shape rule broadcasts their inputs: their specs must list broadcast shape sets.
const std::set<ops::OpId> kBroadcastingOps = {ops::OpId::add,     ops::OpId::sub,     ops::OpId::mul,
                                              ops::OpId::div,     ops::OpId::pow,     ops::OpId::maximum,
                                              ops::OpId::minimum, ops::OpId::where,   ops::OpId::matmul};

TEST(GradcheckConformance, EveryDifferentiableOpHasAGradcheckSpec) {
  std::set<ops::OpId> covered;
  for (const OpSpec& s : testing::all_specs()) covered.insert(s.op);
  int differentiable = 0;
#define TT_CHECK_COVERED(name, diff)                                                                   \
  if (diff) {                                                                                          \
    ++differentiable;                                                                                  \
    EXPECT_TRUE(covered.count(ops::OpId::name)) << "differentiable op '" #name "' has no gradcheck spec " \
                                                   "(add one to tests/autograd/gradcheck_specs.h)";     \
  }
  TT_OP_LIST(TT_CHECK_COVERED)
#undef TT_CHECK_COVERED
  EXPECT_GT(differentiable, 40);
  for (ops::OpId id : covered) EXPECT_TRUE(ops::op_differentiable(id)) << ops::op_name(id) << " is not differentiable";
}

TEST(GradcheckConformance, SpecsCoverBroadcastAndSizeZeroOrSayWhyNot) {
  std::set<ops::OpId> has_broadcast;
  for (const OpSpec& s : testing::all_specs()) {
    EXPECT_TRUE(!s.empty.empty() || s.no_empty_reason) << s.name << ": no size-0 shapes and no reason";
    if (!s.empty.empty()) {
      EXPECT_EQ(s.empty.size(), s.shapes.size()) << s.name;
    }
    for (const auto& set : s.broadcast) EXPECT_EQ(set.size(), s.shapes.size()) << s.name;
    if (!s.broadcast.empty()) has_broadcast.insert(s.op);
  }
  for (ops::OpId id : kBroadcastingOps) EXPECT_TRUE(has_broadcast.count(id)) << ops::op_name(id);
}

class Gradcheck : public ::testing::TestWithParam<size_t> {
 protected:
  const OpSpec& spec() {
    static const std::vector<OpSpec> specs = testing::all_specs();
    return specs[GetParam()];
  }
};

TEST_P(Gradcheck, EveryLayout) {
  for (Layout l : kLayouts) testing::run_gradcheck(spec(), spec().shapes, l, 100 + GetParam());
}

TEST_P(Gradcheck, BroadcastShapes) {
  for (const auto& shapes : spec().broadcast) {
    testing::run_gradcheck(spec(), shapes, Layout::Contiguous, 200 + GetParam());
    testing::run_gradcheck(spec(), shapes, Layout::Sliced, 300 + GetParam());
  }
}

TEST_P(Gradcheck, SizeZeroInputs) {
  if (spec().empty.empty()) GTEST_SKIP() << spec().no_empty_reason;
  for (Layout l : kLayouts) testing::run_gradcheck(spec(), spec().empty, l, 400 + GetParam());
}

std::string spec_test_name(const ::testing::TestParamInfo<size_t>& info) {
  static const std::vector<OpSpec> specs = testing::all_specs();
  std::string n = std::to_string(info.param) + "_" + ops::op_name(specs[info.param].op);
  return n;
}

INSTANTIATE_TEST_SUITE_P(AllOps, Gradcheck, ::testing::Range<size_t>(0, testing::all_specs().size()), spec_test_name);

// ---- gradcheck itself ----

TEST(GradcheckTool, DetectsAWrongGradient) {
  // y = x·x computed as mul of x with a detached copy: autograd sees only half the gradient.
  Tensor x = randn({3}, nullptr, kFloat64);
  x.requires_grad_();
  auto r = autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); }, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("input 0"), std::string::npos) << r.message;
  EXPECT_GT(r.max_abs_error, 1e-3);
}

TEST(GradcheckTool, RequiresFloat64Inputs) {
  Tensor x = randn({3});
  x.requires_grad_();
  EXPECT_TT_ERROR(autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {x}), "gradcheck",
                  "float32");
}

TEST(GradcheckTool, ExpandedLeafComparesSumOverAliases) {
  // Regression: an expanded (stride-0) input failed every check, since perturbing its one memory
  // location moves all aliases while the analytic gradient is per element.
  Tensor x = randn({3, 1}, nullptr, kFloat64).expand({3, 4}).detach();
  x.requires_grad_();
  auto r = autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {x});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(GradcheckTool, SkipsInputsWithoutGradAndLeavesValuesUnchanged) {
  Tensor x = randn({2, 2}, nullptr, kFloat64), c = randn({2, 2}, nullptr, kFloat64);
  x.requires_grad_();
  std::vector<double> before = x.to_vector<double>();
  auto r = autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[1]; }, {x, c});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(x.to_vector<double>(), before);
  EXPECT_FALSE(c.grad().defined());
}

}  // namespace
}  // namespace tt

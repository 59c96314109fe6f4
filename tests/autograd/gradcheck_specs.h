// The gradcheck table: at least one OpSpec per differentiable op of TT_OP_LIST (gradcheck_test.cpp
// fails if one is missing). Non-float arguments (indices, targets, masks, conditions) are derived
// from the float inputs' shapes inside f, so every layout and size-0 variant gets matching ones.
#pragma once
#include "autograd/gradcheck_harness.h"
#include "ops/view/view_backward.h"

namespace tt::testing {

// int64 index of length `len` with values spread over [0, n) (empty when n == 0).
inline Tensor spread_index(int64_t len, int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 0; n > 0 && i < len; ++i) v.push_back((i * 7 + 2) % n);
  return from_vector(v, Shape{static_cast<int64_t>(v.size())});
}
// A fixed bool pattern of `shape` (true on every other element).
inline Tensor checker(const Shape& shape) {
  std::vector<bool> v(shape.numel());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i % 2 == 0;
  return from_vector(v, shape);
}

inline std::vector<OpSpec> pointwise_specs() {
  using D = Domain;
  auto unary = [](ops::OpId id, const char* name, Tensor (*fn)(const Tensor&), D dom = D::Any) {
    return OpSpec{id, name, [fn](const std::vector<Tensor>& in) { return fn(in[0]); }, {{3, 4}}, {dom}, {}, {{0, 4}}};
  };
  std::vector<std::vector<Shape>> bcast = {{{3, 1}, {1, 4}}, {{2, 3, 4}, {4}}, {{3, 4}, {}}, {{1}, {2, 3}}};
  std::vector<OpSpec> s = {
      unary(ops::OpId::neg, "neg(x)", [](const Tensor& x) { return neg(x); }),
      unary(ops::OpId::exp, "exp(x)", [](const Tensor& x) { return exp(x); }),
      unary(ops::OpId::log, "log(x)", [](const Tensor& x) { return log(x); }, D::Positive),
      unary(ops::OpId::log1p, "log1p(x)", [](const Tensor& x) { return log1p(x); }, D::Positive),
      unary(ops::OpId::sqrt, "sqrt(x)", [](const Tensor& x) { return sqrt(x); }, D::Positive),
      unary(ops::OpId::abs, "abs(x)", [](const Tensor& x) { return abs(x); }, D::AwayFromZero),
      unary(ops::OpId::relu, "relu(x)", [](const Tensor& x) { return relu(x); }, D::AwayFromZero),
      unary(ops::OpId::leaky_relu, "leaky_relu(x, 0.1)", [](const Tensor& x) { return leaky_relu(x, 0.1); },
            D::AwayFromZero),
      unary(ops::OpId::elu, "elu(x, 1.5)", [](const Tensor& x) { return elu(x, 1.5); }, D::AwayFromZero),
      unary(ops::OpId::sigmoid, "sigmoid(x)", [](const Tensor& x) { return sigmoid(x); }),
      unary(ops::OpId::tanh, "tanh(x)", [](const Tensor& x) { return tanh(x); }),
      unary(ops::OpId::gelu, "gelu(x)", [](const Tensor& x) { return gelu(x); }),
      unary(ops::OpId::gelu_tanh, "gelu(x, tanh)", [](const Tensor& x) { return gelu(x, "tanh"); }),
      unary(ops::OpId::silu, "silu(x)", [](const Tensor& x) { return silu(x); }),
      unary(ops::OpId::clamp, "clamp(x, -0.5, 0.5)", [](const Tensor& x) { return clamp(x, -0.5, 0.5); },
            D::AwayFromHalf),
      unary(ops::OpId::clamp, "clamp(x, max=0.5)", [](const Tensor& x) { return clamp(x, std::nullopt, 0.5); },
            D::AwayFromHalf),
      unary(ops::OpId::copy, "clone(x)", [](const Tensor& x) { return clone(x); }),
      unary(ops::OpId::copy, "contiguous(x) * 1", [](const Tensor& x) { return contiguous(x) * 1.0; }),
      {ops::OpId::cast, "x.to(float32)", [](const std::vector<Tensor>& in) { return in[0].to(kFloat32); },
       {{3, 4}}, {}, {}, {{0, 4}}, nullptr, {1e-2, 1e-4, 1e-3, 1234}},  // float32 rounding: larger eps
      {ops::OpId::pow, "pow(a, 3)", [](const std::vector<Tensor>& in) { return pow(in[0], 3.0); },
       {{3, 4}}, {}, {}, {{0, 4}}},
  };
  auto binary = [&](ops::OpId id, const char* name, Tensor (*fn)(const Tensor&, const Tensor&), D da = D::Any,
                    D db = D::Any) {
    return OpSpec{id, name, [fn](const std::vector<Tensor>& in) { return fn(in[0], in[1]); },
                  {{3, 4}, {3, 4}}, {da, db}, bcast, {{0, 4}, {1, 4}}};
  };
  s.push_back(binary(ops::OpId::add, "add(a, b, 2)", [](const Tensor& a, const Tensor& b) { return add(a, b, 2.0); }));
  s.push_back(binary(ops::OpId::add, "a + b", [](const Tensor& a, const Tensor& b) { return a + b; }));
  s.push_back(binary(ops::OpId::sub, "sub(a, b, 0.5)", [](const Tensor& a, const Tensor& b) { return sub(a, b, 0.5); }));
  s.push_back(binary(ops::OpId::mul, "a * b", [](const Tensor& a, const Tensor& b) { return a * b; }));
  s.push_back(binary(ops::OpId::div, "a / b", [](const Tensor& a, const Tensor& b) { return a / b; }, D::Any,
                     D::Positive));
  s.push_back(binary(ops::OpId::pow, "pow(a, b)", [](const Tensor& a, const Tensor& b) { return pow(a, b); },
                     D::Positive));
  s.push_back(binary(ops::OpId::maximum, "maximum(a, b)", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }));
  s.push_back(binary(ops::OpId::minimum, "minimum(a, b)", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }));
  s.push_back({ops::OpId::where, "where(checker, a, b)",
               [](const std::vector<Tensor>& in) {
                 Shape sh = broadcast_shapes(in[0].shape(), in[1].shape(), "test");
                 return where(checker(sh), in[0], in[1]);
               },
               {{3, 4}, {3, 4}}, {}, bcast, {{0, 4}, {1, 4}}});
  s.push_back({ops::OpId::masked_fill, "masked_fill(x, checker, -1)",
               [](const std::vector<Tensor>& in) { return masked_fill(in[0], checker(in[0].shape()), -1.0); },
               {{3, 4}}, {}, {}, {{0, 4}}});
  return s;
}

inline std::vector<OpSpec> structural_specs() {
  using In = const std::vector<Tensor>&;
  return {
      {ops::OpId::view, "x.reshape(-1, 2)", [](In in) { return in[0].reshape({-1, 2}); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::view, "x.unsqueeze(1).flatten(0, 1)", [](In in) { return in[0].unsqueeze(1).flatten(0, 1); },
       {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::permute, "x.permute(2, 0, 1)", [](In in) { return in[0].permute({2, 0, 1}); }, {{2, 3, 4}}, {}, {},
       {{2, 0, 4}}},
      {ops::OpId::slice, "x.slice(1, 1, 4, 2)", [](In in) { return in[0].slice(1, 1, 4, 2); }, {{3, 5}}, {}, {},
       {{0, 5}}},
      {ops::OpId::select, "x.select(1, 2)", [](In in) { return in[0].select(1, 2); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::expand, "x.expand(2, 3, 4)", [](In in) { return in[0].expand({2, in[0].size(0), 4}); }, {{3, 1}},
       {}, {}, {{0, 1}}},
      {ops::OpId::slice_backward, "slice_backward(g, rows 1::2)",
       [](In in) {
         Shape full{2 * in[0].size(0) + 1, in[0].size(1)};
         return slice_backward(in[0], full, 0, 1, full[0], 2);
       },
       {{2, 3}}, {}, {}, {{0, 3}}},
      {ops::OpId::sum, "sum(x)", [](In in) { return sum(in[0]); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::sum, "sum(x, {0, 2}, keepdim)", [](In in) { return sum(in[0], {0, 2}, true); }, {{2, 3, 4}}, {},
       {}, {{2, 0, 4}}},
      {ops::OpId::sum, "mean(x, -1)", [](In in) { return mean(in[0], {-1}); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::sum, "var(x, 1)", [](In in) { return var(in[0], {1}); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::amax, "amax(x, 1)", [](In in) { return amax(in[0], {1}); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::amin, "amin(x, {0, 1})", [](In in) { return amin(in[0], {0, 1}); }, {{3, 4}}, {}, {}, {},
       "the minimum of an empty tensor is undefined (amin raises)"},
      {ops::OpId::max_dim, "max(x, 1).values", [](In in) { return max(in[0], 1).values; }, {{3, 4}}, {}, {},
       {{0, 4}}},
      {ops::OpId::min_dim, "min(x, 0, keepdim).values", [](In in) { return min(in[0], 0, true).values; },
       {{3, 4}}, {}, {}, {{3, 0}}},
      {ops::OpId::matmul, "matmul(a, b)", [](In in) { return matmul(in[0], in[1]); }, {{3, 4}, {4, 5}}, {},
       {{{2, 1, 3, 4}, {3, 4, 5}}, {{4}, {4, 5}}, {{3, 4}, {4}}, {{4}, {4}}, {{2, 3, 4}, {4, 2}}},
       {{0, 4}, {4, 5}}},
      {ops::OpId::matmul, "matmul(a, b) inner 0", [](In in) { return matmul(in[0], in[1]); }, {{2, 3, 4}, {2, 4, 5}},
       {}, {}, {{3, 0}, {0, 5}}},
      {ops::OpId::linear, "linear(x, w, b)", [](In in) { return linear(in[0], in[1], in[2]); },
       {{3, 4}, {5, 4}, {5}}, {}, {}, {{0, 4}, {5, 4}, {5}}},
      {ops::OpId::linear, "linear(x1d, w, b)", [](In in) { return linear(in[0], in[1], in[2]); },
       {{4}, {5, 4}, {5}}, {}, {}, {{0}, {5, 0}, {5}}},
      {ops::OpId::linear, "linear(x3d, w)", [](In in) { return linear(in[0], in[1]); }, {{2, 3, 4}, {5, 4}}, {}, {},
       {{2, 0, 4}, {5, 4}}},
      {ops::OpId::softmax, "softmax(x, 1)", [](In in) { return softmax(in[0], 1); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::log_softmax, "log_softmax(x, 0)", [](In in) { return log_softmax(in[0], 0); }, {{3, 4}}, {}, {},
       {{3, 0}}},
      {ops::OpId::cross_entropy, "cross_entropy(x, t, mean, ignore row 1, smoothing 0.1)",
       [](In in) {
         std::vector<int64_t> t;
         for (int64_t i = 0; i < in[0].size(0); ++i) t.push_back(i == 1 ? -100 : (i * 3 + 1) % in[0].size(1));
         return cross_entropy(in[0], from_vector(t, Shape{in[0].size(0)}), Reduction::Mean, -100, 0.1);
       },
       {{4, 5}}, {}, {}, {}, "mean over zero rows is NaN (PyTorch semantics); the sum case covers size 0"},
      {ops::OpId::cross_entropy, "cross_entropy(x, t, sum)",
       [](In in) {
         Tensor t = spread_index(in[0].size(0), in[0].size(1));
         return cross_entropy(in[0], t, Reduction::Sum);
       },
       {{4, 5}}, {}, {}, {{0, 5}}},
      {ops::OpId::cross_entropy, "cross_entropy(x1d, t, none)",
       [](In in) { return cross_entropy(in[0], scalar_tensor(2, kInt64), Reduction::None); }, {{5}}, {}, {}, {},
       "1-D logits need at least one class"},
      {ops::OpId::cat, "cat({a, b}, 1)", [](In in) { return cat({in[0], in[1]}, 1); }, {{3, 2}, {3, 4}}, {}, {},
       {{0, 2}, {0, 4}}},
      {ops::OpId::cat, "stack({a, b})", [](In in) { return stack({in[0], in[1]}); }, {{3, 2}, {3, 2}}, {}, {},
       {{3, 0}, {3, 0}}},
      {ops::OpId::index_select, "index_select(x, 0, idx)",
       [](In in) { return index_select(in[0], 0, spread_index(5, in[0].size(0))); }, {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::gather, "gather(x, 1, idx)",
       [](In in) {
         Tensor idx = spread_index(in[0].size(0) * 3, in[0].size(1)).reshape({in[0].size(0), 3});
         return gather(in[0], 1, idx);
       },
       {{3, 4}}, {}, {}, {{0, 4}}},
      {ops::OpId::scatter_add, "scatter_add(x, 1, idx, src wider than idx)",
       [](In in) {
         Tensor idx = spread_index(in[0].size(0) * 3, in[0].size(1)).reshape({in[0].size(0), 3});
         return scatter_add(in[0], 1, idx, in[1]);
       },
       {{3, 4}, {3, 5}}, {}, {}, {{0, 4}, {0, 5}}},
      {ops::OpId::index_add, "index_add(x, 0, idx, src)",
       [](In in) { return index_add(in[0], 0, spread_index(in[1].size(0), in[0].size(0)), in[1]); },
       {{3, 4}, {5, 4}}, {}, {}, {{3, 4}, {0, 4}}},
  };
}

// Fused ops: layer_norm (normalised over the last 1 or 2 dims of in[0], so size-0 and layout
// variants get a matching normalized_shape) and linear with each fused activation. Random
// pre-activations sit at a kink (relu at 0) with probability ~0, so no domain is needed.
inline std::vector<OpSpec> fused_specs() {
  using In = const std::vector<Tensor>&;
  auto trailing = [](const Tensor& x, int n) { return Shape(x.shape().begin() + (x.dim() - n), x.shape().end()); };
  std::vector<OpSpec> s = {
      {ops::OpId::layer_norm, "layer_norm(x, {4}, w, b)",
       [=](In in) { return layer_norm(in[0], trailing(in[0], 1), in[1], in[2]); }, {{3, 4}, {4}, {4}}, {}, {},
       {{0, 4}, {4}, {4}}},
      {ops::OpId::layer_norm, "layer_norm(x, {3, 4}, w) normalised over 2 dims",
       [=](In in) { return layer_norm(in[0], trailing(in[0], 2), in[1]); }, {{2, 3, 4}, {3, 4}}, {}, {},
       {{0, 3, 4}, {3, 4}}},
      {ops::OpId::layer_norm, "layer_norm(x, {3, 4}, -, b, eps 0.1) over 2 dims",
       [=](In in) { return layer_norm(in[0], trailing(in[0], 2), Tensor(), in[1], 0.1); }, {{2, 3, 4}, {3, 4}}, {},
       {}, {{2, 3, 0}, {3, 0}}},
      {ops::OpId::layer_norm, "layer_norm(x, {5}) no affine",
       [=](In in) { return layer_norm(in[0], trailing(in[0], 1)); }, {{3, 5}}, {}, {}, {{3, 0}}},
      {ops::OpId::layer_norm, "layer_norm(x1d, {6}, w, b)",
       [=](In in) { return layer_norm(in[0], trailing(in[0], 1), in[1], in[2]); }, {{6}, {6}, {6}}, {}, {},
       {{0}, {0}, {0}}},
  };
  const std::pair<Activation, const char*> acts[] = {{Activation::Relu, "relu"},
                                                     {Activation::Gelu, "gelu"},
                                                     {Activation::GeluTanh, "gelu_tanh"},
                                                     {Activation::Silu, "silu"}};
  for (auto [act, name] : acts) {
    s.push_back({ops::OpId::linear, std::string("linear(x, w, b, ") + name + ")",
                 [act](In in) { return linear(in[0], in[1], in[2], act); }, {{3, 4}, {5, 4}, {5}}, {}, {},
                 {{0, 4}, {5, 4}, {5}}});
    s.push_back({ops::OpId::linear, std::string("linear(x3d, w, -, ") + name + ")",
                 [act](In in) { return linear(in[0], in[1], Tensor(), act); }, {{2, 3, 4}, {5, 4}}, {}, {},
                 {{2, 3, 0}, {5, 0}}});
  }
  return s;
}

// Pooling and batch norm (NCHW). Max pooling is piecewise linear: randn inputs put two window
// values within the finite-difference step (1e-6) with probability ~1e-6, so no domain is needed.
// batch_norm's running statistics are made inside f (fresh each call, so training updates never
// accumulate across gradcheck's evaluations); its size-0 cases have 0 channels.
inline std::vector<OpSpec> pool_norm_specs() {
  using In = const std::vector<Tensor>&;
  const char* no_empty_3d = "a 3-D [C, H, W] input has no batch dim, and C, H, W must be non-zero (PyTorch)";
  auto running = [](const Tensor& x, bool var) {  // [C] running stats, away from 0 for running_var
    std::vector<double> v;
    for (int64_t c = 0; c < x.size(1); ++c) v.push_back(var ? 0.5 + 0.25 * c : 0.1 * c - 0.2);
    return from_vector(v, Shape{x.size(1)});
  };
  return {
      {ops::OpId::max_pool2d, "max_pool2d(x, 3, 2, 1)", [](In in) { return max_pool2d(in[0], 3, 2, 1); },
       {{2, 3, 7, 6}}, {}, {}, {{0, 3, 7, 6}}},
      {ops::OpId::max_pool2d, "max_pool2d(x, {2, 3}, {1, 2}, 1, dilation {2, 1}, ceil_mode)",
       [](In in) { return max_pool2d(in[0], {2, 3}, {1, 2}, 1, {2, 1}, true); }, {{2, 2, 6, 7}}, {}, {},
       {{0, 2, 6, 7}}},
      {ops::OpId::max_pool2d, "max_pool2d(x3d, 2, ceil_mode)",
       [](In in) { return max_pool2d(in[0], 2, {}, 0, 1, true); }, {{3, 5, 5}}, {}, {}, {}, no_empty_3d},
      {ops::OpId::avg_pool2d, "avg_pool2d(x, 3, 2, 1)", [](In in) { return avg_pool2d(in[0], 3, 2, 1); },
       {{2, 3, 7, 6}}, {}, {}, {{0, 3, 7, 6}}},
      {ops::OpId::avg_pool2d, "avg_pool2d(x, {3, 2}, {2, 1}, {1, 0}, ceil_mode, exclude pad)",
       [](In in) { return avg_pool2d(in[0], {3, 2}, {2, 1}, {1, 0}, true, false); }, {{2, 2, 6, 5}}, {}, {},
       {{0, 2, 6, 5}}},
      {ops::OpId::avg_pool2d, "avg_pool2d(x3d, 2)", [](In in) { return avg_pool2d(in[0], 2); }, {{3, 4, 5}}, {},
       {}, {}, no_empty_3d},
      {ops::OpId::adaptive_avg_pool2d, "adaptive_avg_pool2d(x, {3, 4}) overlapping windows",
       [](In in) { return adaptive_avg_pool2d(in[0], {3, 4}); }, {{2, 3, 7, 5}}, {}, {}, {{0, 3, 7, 5}}},
      {ops::OpId::adaptive_avg_pool2d, "adaptive_avg_pool2d(x, 1) global",
       [](In in) { return adaptive_avg_pool2d(in[0], 1); }, {{2, 3, 4, 5}}, {}, {}, {{0, 3, 4, 5}}},
      {ops::OpId::batch_norm, "batch_norm(x [N, C, H, W], running stats, w, b, training)",
       [=](In in) {
         return batch_norm(in[0], running(in[0], false), running(in[0], true), in[1], in[2], true, 0.1, 1e-5);
       },
       {{4, 3, 3, 2}, {3}, {3}}, {}, {}, {{4, 0, 3, 2}, {0}, {0}}},
      {ops::OpId::batch_norm, "batch_norm(x [N, C], -, -, w, b, training)",
       [](In in) { return batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], true); }, {{5, 4}, {4}, {4}}, {},
       {}, {{5, 0}, {0}, {0}}},
      {ops::OpId::batch_norm, "batch_norm(x [N, C, L], training, eps 0.1) no affine",
       [](In in) { return batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0.1); },
       {{3, 4, 5}}, {}, {}, {{3, 0, 5}}},
      {ops::OpId::batch_norm, "batch_norm(x [N, C, H, W], running stats, w, b) eval",
       [=](In in) { return batch_norm(in[0], running(in[0], false), running(in[0], true), in[1], in[2], false); },
       {{3, 4, 2, 2}, {4}, {4}}, {}, {}, {{0, 4, 2, 2}, {4}, {4}}},
  };
}

// Convolutions (NCHW): every kernel route (im2col + GEMM, 1×1 as a plain GEMM, the direct loop for
// one input channel per group) and option (stride, padding and "same", dilation, groups, bias or
// none); conv1d is conv2d on [N, C, 1, L] views. Size-0 cases have an empty batch.
inline std::vector<OpSpec> conv_specs() {
  using In = const std::vector<Tensor>&;
  auto c2 = [](const char* name, Conv2dOptions opt, std::vector<Shape> shapes) {
    Shape empty_x = shapes[0];
    empty_x[0] = 0;
    std::vector<Shape> empty = shapes;
    empty[0] = empty_x;
    return OpSpec{ops::OpId::conv2d, name,
                  [opt](In in) { return conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), opt); }, shapes, {},
                  {}, empty};
  };
  std::vector<OpSpec> s = {
      c2("conv2d(x, w, b)", {}, {{2, 3, 6, 5}, {4, 3, 3, 3}, {4}}),
      c2("conv2d(x, w, b, stride {2, 1}, padding {1, 2})", {.stride = {2, 1}, .padding = {1, 2}},
         {{2, 2, 7, 6}, {3, 2, 3, 2}, {3}}),
      c2("conv2d(x, w, dilation {2, 1}, padding same), odd total: extra column right",
         {.padding = "same", .dilation = {2, 1}}, {{1, 2, 7, 6}, {3, 2, 3, 2}}),
      c2("conv2d(x, w, b, padding 1, groups 2)", {.padding = 1, .groups = 2}, {{2, 4, 5, 5}, {6, 2, 3, 3}, {6}}),
      c2("conv2d depthwise (groups 3, stride 2, padding 1)", {.stride = 2, .padding = 1, .groups = 3},
         {{2, 3, 6, 6}, {3, 1, 3, 3}, {3}}),
      c2("conv2d one input plane, 4 filters (direct route)", {.padding = {0, 1}}, {{2, 1, 6, 5}, {4, 1, 3, 3}, {4}}),
      c2("conv2d 1x1 (plain GEMM)", {}, {{2, 4, 3, 5}, {5, 4, 1, 1}, {5}}),
      c2("conv2d 1x1 stride 2 groups 2", {.stride = 2, .groups = 2}, {{2, 4, 5, 5}, {6, 2, 1, 1}}),
      {ops::OpId::conv2d, "conv1d(x, w, b, stride 2, padding 1)",
       [](In in) { return conv1d(in[0], in[1], in[2], {.stride = 2, .padding = 1}); }, {{2, 3, 9}, {4, 3, 3}, {4}},
       {}, {}, {{0, 3, 9}, {4, 3, 3}, {4}}},
      {ops::OpId::conv2d, "conv1d(x, w, dilation 2, groups 2, padding same)",
       [](In in) { return conv1d(in[0], in[1], Tensor(), {.padding = "same", .dilation = 2, .groups = 2}); },
       {{2, 4, 8}, {4, 2, 4}}, {}, {}, {{0, 4, 8}, {4, 2, 4}}},
      {ops::OpId::conv_transpose2d, "conv_transpose2d(x, w, b, stride 2, padding 1, output_padding 1)",
       [](In in) {
         return conv_transpose2d(in[0], in[1], in[2], {.stride = 2, .padding = 1, .output_padding = 1});
       },
       {{2, 3, 4, 3}, {3, 2, 3, 3}, {2}}, {}, {}, {{0, 3, 4, 3}, {3, 2, 3, 3}, {2}}},
      {ops::OpId::conv_transpose2d,
       "conv_transpose2d(x, w, b, stride {1, 2}, output_padding 1, groups 2, dilation {2, 1})",
       [](In in) {
         return conv_transpose2d(in[0], in[1], in[2],
                                 {.stride = {1, 2}, .output_padding = 1, .groups = 2, .dilation = {2, 1}});
       },
       {{1, 4, 3, 4}, {4, 3, 2, 3}, {6}}, {}, {}, {{0, 4, 3, 4}, {4, 3, 2, 3}, {6}}},
      {ops::OpId::conv_transpose2d, "conv_transpose2d(x, w, stride 2, groups 3) depthwise",
       [](In in) { return conv_transpose2d(in[0], in[1], Tensor(), {.stride = 2, .groups = 3}); },
       {{2, 3, 3, 3}, {3, 1, 2, 2}}, {}, {}, {{0, 3, 3, 3}, {3, 1, 2, 2}}},
  };
  return s;
}

// Transformer ops (ops/attention, ops/rms_norm, ops/rope). Attention masks are derived from the
// input shapes inside f; "views of qkv" slices q, k, v out of one (B, T, 3·H·D) tensor as a model does
// (last dim contiguous, other strides not), the path the kernel reads without copying. Size-0 cases
// with Tk = 0 check that rows with no visible key give zeros and zero gradient.
inline std::vector<OpSpec> transformer_specs() {
  using In = const std::vector<Tensor>&;
  auto sdpa = [](const char* name, std::vector<Shape> shapes, std::vector<Shape> empty, bool causal,
                 std::function<Tensor(const Tensor& q, const Tensor& k)> mask = nullptr) {
    return OpSpec{ops::OpId::scaled_dot_product_attention, name,
                  [=](In in) {
                    return scaled_dot_product_attention(in[0], in[1], in[2], mask ? mask(in[0], in[1]) : Tensor(),
                                                        causal);
                  },
                  shapes, {}, {}, empty};
  };
  auto keys_mask = [](const Tensor& q, const Tensor& k) {  // (B, 1, 1, Tk): key padding
    return checker(Shape{q.size(0), 1, 1, k.size(2)});
  };
  auto pair_mask = [](const Tensor& q, const Tensor& k) {  // (Tq, Tk), broadcast over batch and heads
    return checker(Shape{q.size(2), k.size(2)});
  };
  auto trailing = [](const Tensor& x, int n) { return Shape(x.shape().begin() + (x.dim() - n), x.shape().end()); };
  std::vector<OpSpec> s = {
      sdpa("sdpa(q, k, v) Tq < Tk, Dv != D", {{2, 2, 3, 4}, {2, 2, 5, 4}, {2, 2, 5, 3}},
           {{0, 2, 3, 4}, {0, 2, 5, 4}, {0, 2, 5, 3}}, false),
      sdpa("sdpa(q, k, v, causal) Tq == Tk", {{2, 2, 4, 3}, {2, 2, 4, 3}, {2, 2, 4, 3}},
           {{2, 2, 0, 3}, {2, 2, 0, 3}, {2, 2, 0, 3}}, true),
      sdpa("sdpa(q, k, v, causal) GQA Hq 4, Hkv 2, Tq < Tk", {{1, 4, 2, 3}, {1, 2, 5, 3}, {1, 2, 5, 2}},
           {{1, 4, 2, 3}, {1, 2, 0, 3}, {1, 2, 0, 2}}, true),
      sdpa("sdpa(q, k, v, mask (B, 1, 1, Tk), causal) MQA Hkv 1", {{2, 3, 4, 2}, {2, 1, 4, 2}, {2, 1, 4, 3}},
           {{0, 3, 4, 2}, {0, 1, 4, 2}, {0, 1, 4, 3}}, true, keys_mask),
      sdpa("sdpa(q, k, v, mask (Tq, Tk)) with a fully masked row", {{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}},
           {{1, 2, 3, 4}, {1, 2, 0, 4}, {1, 2, 0, 4}}, false,
           [](const Tensor& q, const Tensor& k) {  // row 1 of checker(3, 3) keeps key 1; & its row sees none
             return logical_and(checker(Shape{q.size(2), k.size(2)}),
                                ne(arange(0, q.size(2), 1, kInt64).reshape({q.size(2), 1}), scalar_tensor(1, kInt64)));
           }),
      sdpa("sdpa(q, k, v, mask (Tq, Tk), causal)", {{1, 2, 5, 3}, {1, 2, 6, 3}, {1, 2, 6, 3}},
           {{1, 2, 5, 3}, {1, 2, 0, 3}, {1, 2, 0, 3}}, true, pair_mask),
      {ops::OpId::scaled_dot_product_attention, "sdpa(views of qkv (B, T, 3·H·D), causal, scale 0.7)",
       [](In in) {
         const int64_t B = in[0].size(0), T = in[0].size(1), H = 2, D = in[0].size(2) / (3 * H);
         Tensor qkv = in[0].view({B, T, 3, H, D});
         auto part = [&](int64_t i) { return qkv.select(2, i).transpose(1, 2); };  // (B, H, T, D)
         return scaled_dot_product_attention(part(0), part(1), part(2), Tensor(), true, 0.7);
       },
       {{2, 3, 12}}, {}, {}, {{0, 3, 12}}},
      {ops::OpId::rms_norm, "rms_norm(x, {4}, w)", [=](In in) { return rms_norm(in[0], trailing(in[0], 1), in[1]); },
       {{3, 4}, {4}}, {}, {}, {{0, 4}, {4}}},
      {ops::OpId::rms_norm, "rms_norm(x, {3, 4}, w, eps 0.1) over 2 dims",
       [=](In in) { return rms_norm(in[0], trailing(in[0], 2), in[1], 0.1); }, {{2, 3, 4}, {3, 4}}, {}, {},
       {{2, 3, 0}, {3, 0}}},
      {ops::OpId::rms_norm, "rms_norm(x, {5}) no weight", [=](In in) { return rms_norm(in[0], trailing(in[0], 1)); },
       {{3, 5}}, {}, {}, {{0, 5}}},
      {ops::OpId::rope, "rope(x (B, H, T, D))", [](In in) { return rope(in[0]); }, {{2, 2, 3, 4}}, {}, {},
       {{2, 2, 0, 4}}},
      {ops::OpId::rope, "rope(x (T, D), pos0 3, base 100)", [](In in) { return rope(in[0], 3, 100.0); }, {{5, 6}},
       {}, {}, {{0, 6}}},
  };
  return s;
}

inline std::vector<OpSpec> all_specs() {
  std::vector<OpSpec> s = pointwise_specs(), t = structural_specs(), u = fused_specs();
  for (OpSpec& p : transformer_specs()) u.push_back(std::move(p));
  s.insert(s.end(), t.begin(), t.end());
  s.insert(s.end(), u.begin(), u.end());
  for (OpSpec& p : pool_norm_specs()) s.push_back(std::move(p));
  for (OpSpec& p : conv_specs()) s.push_back(std::move(p));
  return s;
}

}  // namespace tt::testing

// The public op API: free functions in namespace tt (PyTorch names) and operator overloads.
// Each op is defined in its own folder under ops/ (shape rule, backward, cost, CPU kernel);
// this header only gathers the declarations. See docs/tensor.md for the op contract.
#pragma once
#include <optional>
#include <vector>

#include "core/tensor.h"

namespace tt {

// ---- copies and casts (ops/copy) ----
Tensor contiguous(const Tensor& x);
Tensor clone(const Tensor& x);
// A copy of x in like's memory order (empty_like_layout): gradients and optimizer state of a
// transposed parameter (Note [Gradient layout] in autograd/engine.cpp).
Tensor clone_like(const Tensor& x, const Tensor& like);
Tensor cast(const Tensor& x, DType dtype);

// ---- views (ops/view) ----
Tensor view(const Tensor& x, const Shape& shape);     // strides must allow it
Tensor reshape(const Tensor& x, const Shape& shape);  // view if possible, else copy
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x, std::optional<int64_t> dim = std::nullopt);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
// Sums `g` down to `shape` (the adjoint of broadcasting); returns g itself if shapes match.
Tensor sum_to(const Tensor& g, const Shape& shape);

// ---- elementwise binary (ops/binary), NumPy broadcasting, dtype promotion ----
Tensor add(const Tensor& a, const Tensor& b, double alpha = 1.0);
Tensor sub(const Tensor& a, const Tensor& b, double alpha = 1.0);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);

// ---- elementwise unary (ops/unary) ----
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
// GELU: exact x·Φ(x) ("none", Hendrycks & Gimpel 2016) or the tanh approximation ("tanh").
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor silu(const Tensor& x);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- reductions (ops/reduce); empty `dims` means all dims ----
Tensor sum(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
struct ValuesIndices {
  Tensor values, indices;
};
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// var/std with Bessel's correction by default (correction = 1), as torch.var.
Tensor var(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);

// ---- linear algebra (ops/matmul, ops/linear) ----
Tensor matmul(const Tensor& a, const Tensor& b);  // 1-D, 2-D and batched (broadcast batch dims)
// The activation `linear` can apply in its output pass: relu, gelu (exact, erf), gelu_tanh (the tanh
// approximation), silu — each the same function as the op of that name.
enum class Activation { None, Relu, Gelu, GeluTanh, Silu };
const char* activation_name(Activation act);  // "none", "relu", "gelu", "gelu_tanh", "silu"
// y = act(x·Wᵀ + b), x (*, in), W (out, in), b (out) or undefined: one fused op (nn.Linear,
// nn.LinearAct). With act = None it is torch.nn.functional.linear; otherwise it equals
// act(linear(x, W, b)) with one pass over y instead of two (docs/nn.md, "Fused Linear+activation").
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              Activation act = Activation::None);

// ---- softmax family (ops/softmax) ----
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

// ---- layer normalisation (ops/layer_norm) ----
// torch.nn.functional.layer_norm: normalise over the trailing dims `normalized_shape` of x,
// y = (x − mean)/√(var + eps)·weight + bias (biased var); weight and bias shaped like
// normalized_shape, or undefined. Fused forward and backward kernels; no double backward.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

// ---- fused losses (ops/cross_entropy) ----
enum class Reduction { None, Mean, Sum };
Reduction parse_reduction(const std::string& s, const char* op);  // "none" | "mean" | "sum"
// Cross-entropy of logits (N, C) or (C) against class indices (N) or () in one stable kernel:
// loss_i = (1−ε)·(−log p_{i,t_i}) + (ε/C)·Σ_c −log p_{i,c}; rows with t_i == ignore_index give 0
// and "mean" divides by the number of rows not ignored (PyTorch semantics).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::Mean,
                     int64_t ignore_index = -100, double label_smoothing = 0.0);

// ---- joining and indexing (ops/join, ops/index) ----
Tensor cat(const std::vector<Tensor>& xs, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& xs, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
Tensor one_hot(const Tensor& index, int64_t num_classes = -1);

// ---- convolutions (ops/conv), NCHW: x [N, C, H, W] (conv1d: [N, C, L]), as torch.nn.functional ----
// Two sizes (height, width); one value means both.
struct IntPair {
  int64_t h, w;
  IntPair(int64_t v) : h(v), w(v) {}  // NOLINT: implicit, as PyTorch's int-or-tuple
  IntPair(int64_t h_, int64_t w_) : h(h_), w(w_) {}
};
// conv padding: explicit (each side of a dim padded alike), "valid" (no padding) or "same" (output
// size = input size, stride 1 only; total d·(k − 1) per dim, top/left gets total/2, bottom/right the
// rest, as PyTorch).
struct ConvPadding {
  int64_t h = 0, w = 0;
  bool same = false, valid = false;  // the string forms (valid: h = w = 0, kept for printing)
  ConvPadding(int64_t v) : h(v), w(v) {}  // NOLINT: implicit, as PyTorch's int-or-tuple-or-string
  ConvPadding(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  ConvPadding(const std::string& mode);  // NOLINT: "valid" or "same"
  template <size_t N>
  ConvPadding(const char (&mode)[N]) : ConvPadding(std::string(mode)) {}  // NOLINT: a literal; 0 stays an int
};
struct Conv2dOptions {
  IntPair stride = 1;
  ConvPadding padding = 0;
  IntPair dilation = 1;
  int64_t groups = 1;
};
// y [N, O, OH, OW] = conv(x [N, C, H, W], weight [O, C/groups, kH, kW]) + bias [O] (or undefined):
//   y[n, o, i, j] = b[o] + Σ_{c, r, s} w[o, c, r, s] · x[n, g·C/groups + c, i·sh − ph + r·dh, j·sw − pw + s·dw]
// (g = o/(O/groups), x zero outside), OH = ⌊(H + 2·ph − dh·(kH − 1) − 1)/sh⌋ + 1 (OW alike).
// im2col + GEMM, or a direct loop when each group has one input channel (depthwise).
// Call as conv2d(x, w, b, {.stride = 2, .padding = 1, .groups = 4}) or {.padding = "same"} (stride 1).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Conv2dOptions& opt = {});
struct Conv1dOptions {
  int64_t stride = 1;
  ConvPadding padding = 0;  // one value, "valid" or "same"
  int64_t dilation = 1;
  int64_t groups = 1;
};
// conv1d: x [N, C, L], weight [O, C/groups, k], bias [O] → [N, O, L_out]; conv2d with H = 1.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Conv1dOptions& opt = {});
struct ConvTranspose2dOptions {
  IntPair stride = 1;
  IntPair padding = 0;
  IntPair output_padding = 0;  // extra rows/columns at the bottom/right; < stride or < dilation
  int64_t groups = 1;
  IntPair dilation = 1;
};
// The adjoint of conv2d in its input (torch.nn.functional.conv_transpose2d): x [N, C, H, W],
// weight [C, O/groups, kH, kW], bias [O] → y [N, O, OH, OW] with
// OH = (H − 1)·sh − 2·ph + dh·(kH − 1) + output_padding_h + 1 (OW alike); conv2d's gradient to its
// input is conv_transpose2d of the output gradient with the same weight.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        const ConvTranspose2dOptions& opt = {});

// ---- pooling (ops/pool), NCHW: x [N, C, H, W] or [C, H, W] ----
// A 2-D window argument (kernel, stride, padding, dilation): one value for both dims, or {h, w}.
// Default-constructed means "not given" (a pool's stride then defaults to its kernel, as in PyTorch).
struct Pool2dArg {
  int64_t h = 0, w = 0;
  bool given = false, pair = false;  // pair: written as {h, w} (printed as a tuple by nn modules)
  Pool2dArg() = default;
  Pool2dArg(int64_t v) : h(v), w(v), given(true) {}  // NOLINT: implicit, as PyTorch's int-or-tuple
  Pool2dArg(int64_t h_, int64_t w_) : h(h_), w(w_), given(true), pair(true) {}
};
// torch.nn.functional.max_pool2d: y = max over each (dilated) window; padded cells never win, NaN
// propagates, ties go to the first cell in row-major order. Needs padding <= kernel/2.
Tensor max_pool2d(const Tensor& x, Pool2dArg kernel_size, Pool2dArg stride = {}, Pool2dArg padding = 0,
                  Pool2dArg dilation = 1, bool ceil_mode = false);
// torch.nn.functional.avg_pool2d: y = Σ window / divisor, divisor = window area clipped to the padded
// input (count_include_pad) or the number of real cells in it.
Tensor avg_pool2d(const Tensor& x, Pool2dArg kernel_size, Pool2dArg stride = {}, Pool2dArg padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
// torch.nn.functional.adaptive_avg_pool2d: output cell (i, j) averages rows [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉)
// and columns [⌊j·W/ow⌋, ⌈(j+1)·W/ow⌉).
Tensor adaptive_avg_pool2d(const Tensor& x, Pool2dArg output_size);

// ---- batch normalisation (ops/batch_norm) ----
// torch.nn.functional.batch_norm (Ioffe & Szegedy 2015) on x [N, C, *]: per channel c,
// y = (x − μ_c)/√(σ²_c + eps)·weight_c + bias_c. Training: μ, σ² are the batch mean and biased
// variance over N and the spatial dims (M values), and defined running stats are updated in place,
// running = (1 − momentum)·running + momentum·batch, with the UNBIASED variance σ²·M/(M − 1).
// Evaluation: μ, σ² are running_mean, running_var. weight, bias, running stats: [C] or undefined.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

// ---- scaled dot-product attention (ops/attention) ----
// softmax(q·kᵀ·scale + masking)·v in one fused kernel (FlashAttention-style online softmax; Vaswani
// et al. 2017, Dao et al. 2022). q (B, Hq, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv); Hq % Hkv == 0
// (grouped-query / multi-query: query head h reads kv head h / (Hq/Hkv)). mask: optional bool tensor
// broadcastable to (B, Hq, Tq, Tk), true = attend (the one mask convention of the project).
// causal: query i sees key j iff j <= i + (Tk − Tq) (aligned bottom-right, so a KV-cache decode step
// with Tq = 1 sees every cached key; for Tq == Tk the usual lower triangle). mask and causal combine
// with AND. scale defaults to 1/√D. A query row with no visible key outputs zeros (and gets zero
// gradient) instead of PyTorch's NaN. Returns (B, Hq, Tq, Dv), stored in (B, Tq, Hq, Dv) order so that
// out.transpose(1, 2).reshape({B, Tq, Hq·Dv}) is a free view. Inputs with a contiguous last dim are
// read in place (no copy). docs/attention.md has the math.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& mask = Tensor(), bool causal = false,
                                    std::optional<double> scale = std::nullopt);

// ---- RMSNorm (ops/rms_norm) ----
// y = x / √(mean(x², over normalized_shape) + eps) · weight (Zhang & Sennrich 2019, "Root Mean Square
// Layer Normalization"); weight shaped like normalized_shape, or undefined (no scale).
Tensor rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(), double eps = 1e-6);

// ---- rotary position embedding (ops/rope) ----
// x (..., T, D), D even, T at dim −2. Rotate-half convention (GPT-NeoX / Hugging Face LLaMA; Su et al.
// 2021, "RoFormer"): for i < D/2, θ_i = base^(−2i/D), position p = pos0 + t,
//   y[i] = x[i]·cos(pθ_i) − x[i+D/2]·sin(pθ_i),  y[i+D/2] = x[i+D/2]·cos(pθ_i) + x[i]·sin(pθ_i).
Tensor rope(const Tensor& x, int64_t pos0 = 0, double base = 10000.0);

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double s);
Tensor operator-(const Tensor& a, double s);
Tensor operator*(const Tensor& a, double s);
Tensor operator/(const Tensor& a, double s);
Tensor operator+(double s, const Tensor& a);
Tensor operator-(double s, const Tensor& a);
Tensor operator*(double s, const Tensor& a);
Tensor operator/(double s, const Tensor& a);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double s);
Tensor operator<=(const Tensor& a, double s);
Tensor operator>(const Tensor& a, double s);
Tensor operator>=(const Tensor& a, double s);
Tensor operator==(const Tensor& a, double s);
Tensor operator!=(const Tensor& a, double s);
Tensor operator&(const Tensor& a, const Tensor& b);  // logical and of bool tensors
Tensor operator|(const Tensor& a, const Tensor& b);

// A 0-d tensor holding `s` in the dtype an op with `like` should compute in (scalars do not
// promote a tensor's dtype: float32 * 2.0 stays float32, as in PyTorch).
Tensor scalar_like(double s, const Tensor& like);

}  // namespace tt

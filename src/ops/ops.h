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

// Embedding layers (see embedding.h).
#include "nn/embedding.h"

#include <cmath>

#include "nn/init.h"

namespace tt::nn {

void check_token_ids(const Tensor& ids, int64_t n, const char* who) {
  TT_CHECK(ids.defined() && (ids.dtype() == kInt64 || ids.dtype() == kInt32), who,
           ": token ids must be an int64 or int32 tensor, got ", ids.defined() ? dtype_name(ids.dtype()) : "undefined");
  Tensor flat = ids.dtype() == kInt64 ? ids.contiguous() : ids.to(kInt64);
  const int64_t* p = flat.data_ptr<int64_t>();
  for (int64_t i = 0; i < flat.numel(); ++i) {
    TT_CHECK(p[i] >= 0 && p[i] < n, who, ": token id ", p[i], " at flat position ", i,
             " is out of range for a vocabulary of ", n, " (ids of shape ", ids.shape(), ")");
  }
}

Embedding::Embedding(int64_t num, int64_t dim, Generator* gen, DType dtype)
    : num_embeddings(num), embedding_dim(dim) {
  TT_CHECK(num >= 1 && dim >= 1, "Embedding: num_embeddings and embedding_dim must be >= 1, got ", num, " and ", dim);
  TT_CHECK(is_floating(dtype), "Embedding: dtype must be floating, got ", dtype);
  weight = register_parameter("weight", empty(Shape{num, dim}, dtype));
  reset_parameters(gen);
}

void Embedding::reset_parameters(Generator* gen) { init::normal_(weight, 0.0, 1.0, gen); }

Tensor Embedding::forward(const Tensor& ids) {
  TT_MODULE_SPAN();
  check_token_ids(ids, num_embeddings, "Embedding");
  Shape out = ids.shape();
  out.push_back(embedding_dim);
  return index_select(weight, 0, ids.reshape(Shape{ids.numel()})).view(out);  // (*ids, dim)
}

std::string Embedding::extra_repr() const {
  return std::to_string(num_embeddings) + ", " + std::to_string(embedding_dim);
}

Tensor sinusoidal_table(int64_t length, int64_t dim, DType dtype) {
  TT_CHECK(length >= 0 && dim >= 2 && dim % 2 == 0, "sinusoidal_table: need length >= 0 and an even dim >= 2, got ",
           length, " and ", dim);
  Tensor t = empty(Shape{length, dim}, kFloat64);
  double* p = t.data_ptr<double>();
  for (int64_t pos = 0; pos < length; ++pos) {
    for (int64_t i = 0; i < dim / 2; ++i) {
      double angle = pos / std::pow(10000.0, 2.0 * i / dim);  // Vaswani et al. 2017, §3.5
      p[pos * dim + 2 * i] = std::sin(angle);
      p[pos * dim + 2 * i + 1] = std::cos(angle);
    }
  }
  return t.to(dtype);
}

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t max_len, int64_t d, DType dtype)
    : max_length(max_len), dim(d) {
  table = register_buffer("table", sinusoidal_table(max_len, d, dtype));
}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x, int64_t pos0) {
  TT_MODULE_SPAN();
  TT_CHECK(x.defined() && x.dim() >= 2 && x.size(-1) == dim, "SinusoidalPositionalEncoding(", max_length, ", ", dim,
           "): expected input (*, T, ", dim, "), got shape ", x.defined() ? x.shape() : Shape{});
  int64_t T = x.size(-2);
  TT_CHECK(pos0 >= 0 && pos0 + T <= max_length, "SinusoidalPositionalEncoding: positions ", pos0, "..",
           pos0 + T - 1, " exceed the table of ", max_length, " positions");
  return add(x, table.narrow(0, pos0, T));  // broadcast (T, dim) over the leading dims
}

std::string SinusoidalPositionalEncoding::extra_repr() const {
  return "max_length=" + std::to_string(max_length) + ", dim=" + std::to_string(dim);
}

}  // namespace tt::nn

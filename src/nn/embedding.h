// Token and position embeddings.
//   Embedding: a lookup table weight (num_embeddings, dim), y[..., :] = weight[id]; as
//     torch.nn.Embedding (init N(0, 1)). Forward is index_select, so backward is a scatter-add
//     (index_add) of the output gradient into the rows that were looked up.
//   SinusoidalPositionalEncoding: the fixed table of Vaswani et al. 2017, §3.5,
//     PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(p / 10000^(2i/D)), added to x.
// Learned positions are an Embedding over 0..context-1; rotary positions (RoPE) are applied to q
// and k inside attention (ops::rope, nn/attention.h). See docs/language.md.
#pragma once
#include <string>

#include "core/generator.h"
#include "nn/module.h"
#include "ops/ops.h"

namespace tt::nn {

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator* gen = nullptr, DType dtype = kFloat32);
  // ids: int64 (or int32) of any shape → (*ids.shape, dim). An id outside [0, num_embeddings)
  // is an error naming the id, its position and the table size.
  Tensor forward(const Tensor& ids) override;
  std::string type_name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  void reset_parameters(Generator* gen = nullptr);

  int64_t num_embeddings, embedding_dim;
  Tensor weight;  // (num_embeddings, embedding_dim)
};

// The (length, dim) sinusoidal table, dim even.
Tensor sinusoidal_table(int64_t length, int64_t dim, DType dtype = kFloat32);

class SinusoidalPositionalEncoding : public Module {
 public:
  SinusoidalPositionalEncoding(int64_t max_length, int64_t dim, DType dtype = kFloat32);
  // x (B, T, dim) → x + PE[pos0 : pos0 + T]; T + pos0 must not exceed max_length.
  Tensor forward(const Tensor& x) override { return forward(x, 0); }
  Tensor forward(const Tensor& x, int64_t pos0);
  std::string type_name() const override { return "SinusoidalPositionalEncoding"; }
  std::string extra_repr() const override;

  int64_t max_length, dim;
  Tensor table;  // buffer "table" (max_length, dim)
};

// Checks that every id of `ids` (integer tensor) lies in [0, n); `who` names the caller in the error.
void check_token_ids(const Tensor& ids, int64_t n, const char* who);

}  // namespace tt::nn

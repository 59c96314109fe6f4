// The one explicit list of ops (an X-macro, one line per op). Adding an op = one folder under
// ops/ plus one line here. OpId, op names and the conformance tests are generated from this list.
// Not registration: nothing runs at static-initialisation time.
#pragma once

// X(name, differentiable)
#define TT_OP_LIST(X)                                                      \
  /* creation / copies (ops/copy) */                                       \
  X(copy, true) X(cast, true)                                              \
  /* views (ops/view): metadata only, no data movement */                  \
  X(view, true) X(permute, true) X(slice, true) X(select, true)            \
  X(expand, true) X(slice_backward, true)                                  \
  /* elementwise binary (ops/binary) */                                    \
  X(add, true) X(sub, true) X(mul, true) X(div, true) X(pow, true)         \
  X(maximum, true) X(minimum, true)                                        \
  X(eq, false) X(ne, false) X(lt, false) X(le, false) X(gt, false) X(ge, false) \
  X(logical_and, false) X(logical_or, false)                               \
  /* elementwise unary (ops/unary) and their derivative kernels */         \
  X(neg, true) X(exp, true) X(log, true) X(log1p, true) X(sqrt, true)      \
  X(abs, true) X(sign, false) X(relu, true) X(leaky_relu, true) X(elu, true) \
  X(sigmoid, true) X(tanh, true) X(gelu, true) X(gelu_tanh, true)          \
  X(silu, true) X(unary_backward, false)                                   \
  X(clamp, true) X(where, true) X(logical_not, false)                      \
  /* reductions (ops/reduce) */                                            \
  X(sum, true) X(amax, true) X(amin, true) X(max_dim, true) X(min_dim, true) \
  X(argmax, false) X(argmin, false)                                        \
  /* linear algebra (ops/matmul, ops/linear) */                            \
  X(matmul, true) X(linear, true) X(linear_act_backward, false)           \
  /* normalisation (ops/softmax, ops/layer_norm) and losses (ops/cross_entropy) */ \
  X(softmax, true) X(log_softmax, true) X(softmax_backward, false)         \
  X(log_softmax_backward, false) X(layer_norm, true)                       \
  X(layer_norm_backward, false)                                            \
  X(cross_entropy, true) X(cross_entropy_backward, false)                  \
  /* joining and indexing (ops/join, ops/index) */                         \
  X(cat, true) X(index_select, true) X(gather, true) X(scatter_add, true)  \
  X(index_add, true) X(masked_fill, true) X(one_hot, false)               \
  /* convolutions (ops/conv) */                                            \
  X(conv2d, true) X(conv2d_backward, false) X(conv_transpose2d, true)      \
  X(conv_transpose2d_backward, false)                                      \
  /* pooling and batch norm (ops/pool, ops/batch_norm) */                  \
  X(max_pool2d, true) X(max_pool2d_backward, false) X(avg_pool2d, true)    \
  X(avg_pool2d_backward, false) X(adaptive_avg_pool2d, true)              \
  X(adaptive_avg_pool2d_backward, false) X(batch_norm, true)              \
  X(batch_norm_backward, false)                                            \
  /* transformer (ops/attention, ops/rms_norm, ops/rope) */                \
  X(scaled_dot_product_attention, true) X(attention_backward, false)       \
  X(rms_norm, true) X(rms_norm_backward, false)                            \
  X(rope, true) X(rope_backward, false)                                    \
  /* not an op of the graph: one optimizer update of one parameter (optim/), */ \
  /* reported through the same hook so the profiler prices the step */     \
  X(optimizer_step, false)

namespace tt::ops {

enum class OpId : int {
#define TT_OP_ENUM(name, diff) name,
  TT_OP_LIST(TT_OP_ENUM)
#undef TT_OP_ENUM
};

#define TT_OP_COUNT(name, diff) +1
constexpr int kNumOps = 0 TT_OP_LIST(TT_OP_COUNT);
#undef TT_OP_COUNT

const char* op_name(OpId id);
bool op_differentiable(OpId id);

}  // namespace tt::ops

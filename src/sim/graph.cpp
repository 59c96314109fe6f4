// Workload graphs for zoo entries: transformer_graph (from geometry) and coarse_graph.
// FLOP counts: a multiply-add is 2 FLOPs; T tokens, h hidden, d head dim, a heads, k KV heads,
// f FFN width, V vocabulary, b bytes per element.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "sim/node.h"

namespace tt::sim {

double WorkGraph::hardware_flops() const {
  double s = 0;
  for (const OpCost& op : ops) s += op.flops * op.count;
  return s;
}

double WorkGraph::total_bytes() const {
  double s = 0;
  for (const OpCost& op : ops) s += op.bytes * op.count;
  return s;
}

namespace {

// The parameter layout of a transformer entry. The zoo gives params, layers, hidden, heads,
// kv_heads, ffn, vocab; whether the MLP is gated (SwiGLU: 3·h·f) or not (2·h·f) and whether the
// embedding is tied (V·h once) or not (twice) is chosen as the combination whose total is
// closest to the entry's parameter count (Llama 3 8B: gated, untied → 8.03e9).
struct Layout {
  double attn = 0, mlp = 0, embed = 0;  // parameters: per layer, per layer, whole model
  int gates = 1;                        // MLP input projections (2 for gated)
  bool tied = true;
  double f = 0;                         // FFN width
};

Layout infer_layout(const ModelSpec& m) {
  Layout l;
  const double h = m.hidden, d = m.head_dim(), k = m.kv_heads_or_heads();
  l.attn = h * (h + 2 * k * d) + h * h;
  const double params = m.active_params > 0 ? m.active_params : m.params;
  if (m.ffn > 0) {
    l.f = m.ffn;
    double best = INFINITY;
    for (int gates : {1, 2})
      for (int tie : {1, 2}) {
        const double mlp = (gates + 1) * h * l.f;
        const double total = m.layers * (l.attn + mlp) + tie * double(m.vocab) * h;
        if (std::abs(total - params) < best) {
          best = std::abs(total - params);
          l.gates = gates, l.tied = tie == 1, l.mlp = mlp, l.embed = tie * double(m.vocab) * h;
        }
      }
  } else {  // no FFN width given: the MLP holds whatever the attention and embedding do not
    l.embed = double(m.vocab) * h;
    l.mlp = std::max(0.0, (params - l.embed) / m.layers - l.attn);
    l.f = l.mlp / (2 * h);
  }
  return l;
}

// Appends the forward op and, in training, its backward: matmuls cost 2× in FLOPs and bytes
// (dX and dW), FlashAttention's backward 2.5× the forward FLOPs (Dao 2023, §3.2) and 2× bytes,
// elementwise ops 2×.
void add(WorkGraph& g, bool training, const std::string& name, double flops, double bytes,
         double weight_bytes, double count, double bwd_flops_ratio = 2.0) {
  g.ops.push_back({name, "fwd", "", flops, bytes, weight_bytes, count});
  if (training)
    g.ops.push_back({name + "_backward", "bwd", "", flops * bwd_flops_ratio, 2 * bytes,
                     weight_bytes, count});
}

}  // namespace

WorkGraph transformer_graph(const ModelSpec& m, const NodeOptions& o) {
  TT_CHECK(m.is_transformer(), "transformer_graph: model '", m.key, "' has no transformer geometry");
  TT_CHECK(o.batch >= 1 && o.seq >= 1, "transformer_graph: batch and seq must be ≥ 1, got ",
           o.batch, ", ", o.seq);
  const Layout l = infer_layout(m);
  const double b = bytes_per_element(o.precision);
  const double h = m.hidden, d = m.head_dim(), k = m.kv_heads_or_heads();
  const bool decode = o.context > 0;
  TT_CHECK(!(decode && o.training), "transformer_graph: a decode step (context ", o.context,
           ") cannot be a training step");
  const double B = o.batch, S = decode ? 1 : o.seq, T = B * S, L = m.layers, f = l.f;
  const bool tr = o.training;
  // MoE: FLOPs follow the active experts; the expert weights read are those of the experts any
  // token of the step routes to — all of them once T·top_k ≥ experts.
  double mlp_weights = l.mlp;
  if (m.experts > 0 && m.top_k > 0)
    mlp_weights = l.mlp * std::min(double(m.experts), T * m.top_k) / m.top_k;
  WorkGraph g;
  g.model = m.key;
  g.samples = B;
  g.tokens = T;
  g.weight_bytes = m.params * b;
  const double qkv = h + 2 * k * d;
  add(g, tr, "embedding", 0, 2 * T * h * b, 0, 1, 1.0);
  add(g, tr, "norm", 8 * T * h, 2 * T * h * b + h * b, h * b, 2 * L);
  add(g, tr, "qkv", 2 * T * h * qkv, (h * qkv + T * h + T * qkv) * b, h * qkv * b, L);
  // Fused causal attention: QKᵀ and PV, 2·2·S²·d per head and sequence, halved by the causal
  // mask; it never writes the S×S scores (Dao et al. 2022), so bytes are Q, K, V, O only.
  if (decode) {
    // One query row per sequence against `context` cached keys and values: 2·2·context·d per
    // head; reads the whole cache, appends one token's K and V.
    const double ctx = o.context;
    add(g, tr, "attention", 4 * B * ctx * h, (2 * B * h + 2 * B * (ctx + 1) * k * d) * b, 0, L);
  } else {
    add(g, tr, "attention", 2 * B * S * S * h, T * (2 * h + 2 * k * d) * b, 0, L, 2.5);
  }
  add(g, tr, "attn_out", 2 * T * h * h, (h * h + 2 * T * h) * b, h * h * b, L);
  add(g, tr, "residual", T * h, 3 * T * h * b, 0, 2 * L, 1.0);
  add(g, tr, "mlp_up", 2 * T * h * f * l.gates,
      (mlp_weights * l.gates / (l.gates + 1) + T * h + T * f * l.gates) * b,
      mlp_weights * l.gates / (l.gates + 1) * b, L);
  add(g, tr, "mlp_act", 8 * T * f, (l.gates + 1) * T * f * b, 0, L);
  add(g, tr, "mlp_down", 2 * T * f * h, (mlp_weights / (l.gates + 1) + T * f + T * h) * b,
      mlp_weights / (l.gates + 1) * b, L);
  if (m.vocab > 0) {
    add(g, tr, "lm_head", 2 * T * h * m.vocab, (m.vocab * h + T * h + T * m.vocab) * b,
        m.vocab * h * b, 1);
    if (tr) add(g, tr, "cross_entropy", 5 * T * m.vocab, 2 * T * m.vocab * b, 0, 1, 1.0);
  }
  g.model_flops = g.hardware_flops();
  if (tr) {
    // Recomputation re-runs forward work inside the backward: selective the attention core
    // (Korthikanti et al. 2022), full the whole layer forward (Chen et al. 2016).
    if (o.recompute != Recompute::none) {
      std::vector<OpCost> redo;
      for (const OpCost& op : g.ops)
        if (op.pass == "fwd" && (o.recompute == Recompute::full || op.name == "attention"))
          redo.push_back({op.name + "_recompute", "bwd", "", op.flops, op.bytes, op.weight_bytes,
                          op.count});
      g.ops.insert(g.ops.end(), redo.begin(), redo.end());
    }
    // AdamW: 13 FLOPs per parameter (our optimizer's declared cost); reads weights, gradients and
    // the FP32 state, writes weights and state (optimizer_bytes_per_param of memory.cpp).
    const double state = b < 4 ? 12 : 8;
    g.ops.push_back({"optimizer_step", "opt", "", 13 * m.params,
                     m.params * (3 * b + 2 * state), m.params * b, 1});
  }
  return g;
}

WorkGraph coarse_graph(const ModelSpec& m, const NodeOptions& o) {
  TT_CHECK(o.batch >= 1, "coarse_graph: batch must be ≥ 1, got ", o.batch);
  const double b = bytes_per_element(o.precision);
  // Per-token entries (decoder LMs, SSMs) are priced per sequence of o.seq tokens.
  const double per_sample = m.inference_flops * (m.flops_unit == "token" ? o.seq : 1);
  const double passes = o.training ? (o.recompute == Recompute::full ? 4 : 3) : 1;
  WorkGraph g;
  g.model = m.key;
  g.samples = o.batch;
  g.tokens = m.flops_unit == "token" ? double(o.batch) * o.seq : 0;
  g.weight_bytes = m.params * b;
  const double w = g.weight_bytes;
  // Weights are read once per pass (forward; backward reads them again and writes gradients).
  const double weight_traffic = w * (o.training ? 3 : 1);
  g.ops.push_back({"model", o.training ? "step" : "fwd", "", per_sample * o.batch * passes,
                   weight_traffic + 0.1 * w * o.batch, weight_traffic, 1});
  g.model_flops = per_sample * o.batch * (o.training ? 3 : 1);
  return g;
}

}  // namespace tt::sim

// The backward engine: Tensor::backward() walks the graph from the root in topological order
// (Kahn's algorithm over dependency counts), so a node runs only after every gradient flowing into
// it has been summed — a diamond (one tensor used twice) accumulates correctly.
// Leaves accumulate into .grad (first gradient copied, later ones added in place); non-leaf grads
// are not retained. With retain_graph = false each node releases its saved tensors and edges.
#include <unordered_map>
#include <vector>

#include "core/node.h"
#include "core/span.h"
#include "ops/op_record.h"
#include "ops/ops.h"

namespace tt {
namespace {

// Note [Stealing gradients]: the first gradient of a leaf becomes its .grad. If nothing else holds
// the tensor or its storage (the common case: a fresh matmul/sum output) we keep it as is, as
// PyTorch's AccumulateGrad does; otherwise it may be shared with other nodes and is copied.
// Note [Gradient layout]: a leaf's .grad has the leaf's memory order when the leaf is dense (a
// transposed, input-major weight gets a transposed gradient), else it is contiguous — PyTorch's
// gradient layout contract. Optimizers then update parameter, gradient and state as flat arrays.
void accumulate_leaf(TensorImpl* leaf, Tensor g) {
  Tensor gg = g.dtype() == leaf->dtype ? std::move(g) : cast(g, leaf->dtype);
  if (gg.shape() != leaf->shape) gg = sum_to(gg, leaf->shape);
  if (!leaf->grad) {
    const Tensor lt(std::shared_ptr<TensorImpl>(std::shared_ptr<TensorImpl>(), leaf));  // non-owning handle
    bool unique = gg.impl_ptr().use_count() == 1 && gg.storage().use_count() == 1 && gg.offset() == 0 &&
                  !gg.requires_grad() && has_layout_of(gg, lt);
    leaf->grad = unique ? gg.impl_ptr() : clone_like(gg, lt).impl_ptr();
  } else {
    Tensor(leaf->grad).add_(gg);
  }
}

// A node's incoming gradients are summed as they arrive. When the running sum is a tensor nothing
// else holds (a fresh add from an earlier arrival, or a backward output no one kept) it is added
// to in place, saving an allocation and a pass over memory per extra use of a tensor (residual
// streams: every block's input is used twice). Same values either way: a + b in the same order.
void add_to_node(Node* n, const Tensor& g) {
  Tensor& acc = n->grad_accum;
  if (!acc.defined()) {
    acc = g;
    return;
  }
  bool owned = acc.impl_ptr().use_count() == 1 && acc.storage().use_count() == 1 && acc.is_contiguous() &&
               acc.offset() == 0 && !acc.requires_grad() && acc.shape() == g.shape() && acc.dtype() == g.dtype();
  if (owned) acc.add_(g);
  else acc = add(acc, g);
}

// Counts, for every node reachable from root, how many edges point at it. Returns the nodes (owning:
// they stay valid for clean-up after an error even if the pass already dropped their edges).
std::vector<std::shared_ptr<Node>> collect(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> order, stack{root};
  root->pending = 0;
  std::unordered_map<Node*, bool> seen{{root.get(), true}};
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    for (const Edge& e : n->inputs) {
      if (!e.node) continue;
      Node* m = e.node.get();
      if (seen.emplace(m, true).second) {
        m->pending = 0;
        stack.push_back(e.node);
      }
      m->pending++;
    }
    order.push_back(std::move(n));
  }
  return order;
}

}  // namespace

void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
  TT_CHECK(defined(), "backward: undefined tensor");
  TT_CHECK(requires_grad(), "backward: tensor does not require grad and has no grad_fn ",
           "(hint: set requires_grad_() on a leaf used to compute it)");
  Tensor g = grad_output;
  if (!g.defined()) {
    TT_CHECK(numel() == 1, "backward: grad can be implicitly created only for scalar outputs, got shape ", shape(),
             " (hint: pass a gradient tensor)");
    g = ones(shape(), dtype());
  }
  TT_CHECK(g.shape() == shape(), "backward: gradient shape ", g.shape(), " does not match tensor shape ", shape());
  NoGradGuard no_grad;  // gradients are not differentiated again (no double backward)
  // Every node receives gradients in its output's dtype (ops cast input grads back; the root's too).
  if (g.dtype() != dtype()) g = cast(g.detach(), dtype());
  if (!grad_fn()) {
    accumulate_leaf(impl(), g);
    return;
  }
  ops::set_in_backward_pass(true);
  std::shared_ptr<Node> root = grad_fn();
  std::vector<std::shared_ptr<Node>> nodes = collect(root);  // sets pending counts
  root->grad_accum = g;
  std::vector<std::shared_ptr<Node>> ready{root};
  try {
    while (!ready.empty()) {
      std::shared_ptr<Node> n = std::move(ready.back());
      ready.pop_back();
      TT_CHECK(!n->released, "backward: trying to backward through the graph a second time (", n->name(),
               " already freed its saved tensors; hint: pass retain_graph = true to the first backward)");
      Tensor gin = std::move(n->grad_accum);
      n->grad_accum = Tensor();
      // A node no gradient reached (every path carried undefined grads) passes nothing on.
      std::vector<Tensor> grads;
      {
        Span span(SpanKind::backward_node, n->module, n->name());  // the profiler's view of this node
        grads = gin.defined() ? n->backward(gin) : std::vector<Tensor>(n->inputs.size());
      }
      TT_ASSERT(grads.size() == n->inputs.size(), n->name(), " returned ", grads.size(), " grads for ",
                n->inputs.size(), " inputs");
      for (size_t i = 0; i < grads.size(); ++i) {
        const Edge& e = n->inputs[i];
        if (e.node) {
          if (grads[i].defined()) add_to_node(e.node.get(), grads[i]);
          if (--e.node->pending == 0) ready.push_back(e.node);
        } else if (e.leaf && grads[i].defined()) {
          accumulate_leaf(e.leaf.get(), std::move(grads[i]));
        }
      }
      if (!retain_graph) {
        n->release();
        n->inputs.clear();
        n->released = true;
      }
    }
  } catch (...) {
    // Drop partial sums so a later backward through a retained graph starts clean.
    for (const auto& n : nodes) n->grad_accum = Tensor();
    ops::set_in_backward_pass(false);
    throw;
  }
  ops::set_in_backward_pass(false);
}

}  // namespace tt

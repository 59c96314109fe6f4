// The autograd graph's node type and grad mode. Ops (ops/) subclass Node with their saved tensors
// and backward formula; the engine (autograd/engine.cpp) walks nodes in topological order.
// Note [Edges]: an input edge points either to the node that produced the input, or — for a leaf
// that requires grad — to the leaf itself, where the engine accumulates into .grad.
#pragma once
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace tt {

struct Edge {
  std::shared_ptr<Node> node;         // producer of the input, or
  std::shared_ptr<TensorImpl> leaf;   // the leaf to accumulate into; both null: no grad needed
  bool needed() const { return node || leaf; }
};

class Node {
 public:
  virtual ~Node();  // iterative: see Note [Deep graphs] in tensor.cpp
  // Gradients w.r.t. each input (same order as `inputs`), given the gradient of the output.
  // An entry may be undefined when that input needs no gradient.
  virtual std::vector<Tensor> backward(const Tensor& grad_out) = 0;
  virtual const char* name() const = 0;
  // Drops saved tensors after backward (retain_graph = false frees the graph's memory).
  virtual void release() {}

  std::vector<Edge> inputs;
  // Engine bookkeeping, valid only during one backward pass.
  Tensor grad_accum;
  int pending = 0;
  bool released = false;  // saved tensors freed by a backward without retain_graph
  // The module whose forward created this node (Note [Module attribution] in core/span.h); set only
  // while a profiler is installed, nullptr otherwise.
  const void* module = nullptr;
};

// Whether ops record autograd history (thread-local; NoGradGuard turns it off in a scope).
bool grad_enabled();
void set_grad_enabled(bool on);

class NoGradGuard {
 public:
  NoGradGuard() : prev_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(prev_); }

 private:
  bool prev_;
};

// True if grad mode is on and any of the tensors requires grad.
inline bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : ts)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

// The edge through which a gradient reaches `t`.
inline Edge edge_of(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  if (t.grad_fn()) return {t.grad_fn(), nullptr};
  return {nullptr, t.impl_ptr()};
}

// Makes `out` the output of `node` with the given inputs (one edge each).
void attach_node(Tensor& out, std::shared_ptr<Node> node, std::initializer_list<const Tensor*> inputs);
void attach_node(Tensor& out, std::shared_ptr<Node> node, const std::vector<Tensor>& inputs);

}  // namespace tt

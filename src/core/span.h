// Spans: named, nested time ranges the profiler draws around op events — a module's forward, the
// backward of one autograd node, or a user region ("step", "optimizer"). Like the op observer
// (ops/op_record.h) this is only a hook: with no observer installed a span is one predictable
// branch and records nothing. profile/ installs the observer; nn::Module forwards open spans.
// Note [Module attribution]: while a module span is open, g_current_module names that module, and
// attach_node stamps it on every autograd node created, so the backward pass can attribute each
// node's ops to the module whose forward created it (a per-layer view of forward and backward).
#pragma once
#include <chrono>
#include <cstdint>

namespace tt {

enum class SpanKind : uint8_t {
  module,         // key: the nn::Module whose forward runs; label: nullptr (named by the profiler)
  backward_node,  // key: the module that created the node (may be null); label: the node's name
  region,         // key: nullptr; label: a string literal chosen by the caller
};

struct SpanEvent {
  SpanKind kind;
  bool begin;       // true when the span opens, false when it closes
  const void* key;
  const char* label;
  int64_t t_ns;     // steady clock, the same clock as ops::OpEvent
};

using SpanObserver = void (*)(const SpanEvent& ev, void* ctx);
void set_span_observer(SpanObserver fn, void* ctx);  // nullptr to disable
extern SpanObserver g_span_observer;
extern void* g_span_observer_ctx;
// Innermost module span open on this thread; nullptr when none or no observer installed.
// Thread-local: a module run on another thread (a data loader's transform) must not be stamped on
// the nodes the profiled thread creates.
extern thread_local const void* g_current_module;

// The profiling clock (steady, ns): spans and op events (ops::now_ns) read the same one.
inline int64_t span_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

// RAII span. A module span also sets g_current_module for its extent.
class Span {
 public:
  Span(SpanKind kind, const void* key, const char* label) {
    if (!g_span_observer) return;
    open(kind, key, label);
  }
  ~Span() {
    if (active_) close();
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  void open(SpanKind kind, const void* key, const char* label);
  void close();
  bool active_ = false;
  SpanKind kind_{};
  const void* key_ = nullptr;
  const char* label_ = nullptr;
  const void* prev_module_ = nullptr;
};

}  // namespace tt

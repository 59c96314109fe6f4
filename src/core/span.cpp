// The span hook's state (see span.h).
#include "core/span.h"

namespace tt {

SpanObserver g_span_observer = nullptr;
void* g_span_observer_ctx = nullptr;
thread_local const void* g_current_module = nullptr;

void set_span_observer(SpanObserver fn, void* ctx) {
  g_span_observer_ctx = ctx;
  g_span_observer = fn;
  if (!fn) g_current_module = nullptr;
}

void Span::open(SpanKind kind, const void* key, const char* label) {
  active_ = true;
  kind_ = kind;
  key_ = key;
  label_ = label;
  prev_module_ = g_current_module;
  if (kind == SpanKind::module || kind == SpanKind::backward_node) g_current_module = key;
  g_span_observer(SpanEvent{kind, true, key, label, span_clock_ns()}, g_span_observer_ctx);
}

void Span::close() {
  // The observer may have been removed while the span was open: then nothing more is reported.
  if (g_span_observer) g_span_observer(SpanEvent{kind_, false, key_, label_, span_clock_ns()}, g_span_observer_ctx);
  g_current_module = prev_module_;
}

}  // namespace tt

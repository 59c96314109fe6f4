// The profiler: records every op call (name, shapes, forward or backward, wall time, declared
// FLOPs and bytes, allocator bytes in use) and every span (module forwards, autograd nodes, user
// regions) between start() and stop(). It is the consumer of the two hooks the framework exposes
// (ops::set_op_observer in ops/op_record.h, set_span_observer in core/span.h); reports, the Chrome
// trace and the roofline read its records (profile/report.h, trace.h, roofline_svg.h).
// Off (the default) it costs one branch per op and per span. On, about a few hundred ns per op
// (`tito bench profiler` measures both). Not thread-safe to start or stop from several threads;
// ops run on other threads (e.g. a prefetching data loader) are recorded with their thread
// index and no enclosing span.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/span.h"
#include "nn/module.h"
#include "ops/op_record.h"

namespace tt::profile {

struct OpRecord {
  ops::OpId op;
  const char* label = nullptr;  // finer name where the op id is generic (optimizer_step: "AdamW"); owned by the profiler
  bool backward = false;        // ran inside autograd's backward pass
  int64_t start_ns = 0, end_ns = 0;  // since Profiler::start()
  ops::Cost cost;
  Shape inputs[4];
  int num_inputs = 0;
  Shape output;
  // Where each operand's data starts and how many bytes it spans: inputs [0, num_inputs), the
  // output at kOutputSlot; 0 where undefined. The tensor identity that reuse analysis needs
  // (sim validate prices each operand at the cache level its last touch leaves it in).
  static constexpr int kOutputSlot = 4;
  uintptr_t addr[5] = {};
  int64_t nbytes[5] = {};
  DType dtype = kFloat32;       // of the output
  int32_t span = -1;            // innermost open span (index into spans()), -1 none
  int64_t bytes_in_use = 0;     // allocator bytes in use when the op returned
  uint32_t thread = 0;          // 0: the thread that called start(); others numbered as they appear
  std::string name() const;     // label if set, else the op's name
  double seconds() const { return (end_ns - start_ns) * 1e-9; }
};

struct SpanRecord {
  SpanKind kind;
  std::string name;     // module path ("blocks.0.attn"), node name ("LinearBackward") or region label
  int32_t module = -1;  // module the span belongs to (index into modules()); -1 none
  int32_t parent = -1;  // enclosing span, -1 none
  int64_t start_ns = 0, end_ns = 0;  // end_ns < 0 while still open
  int64_t bytes_at_begin = 0, bytes_at_end = 0;  // allocator bytes in use when it opened / closed
};

// A module seen by the profiler: its path in the tree named by name_modules() ("" for the root),
// its type, its parent module and its own parameter count.
struct ModuleInfo {
  std::string path, type;
  int32_t parent = -1;
  int depth = 0;          // root 0
  int64_t parameters = 0; // its own (non-recursive) parameters
};

class Profiler {
 public:
  Profiler() = default;
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  // Names the modules of a tree by their paths (as named_parameters() does: "blocks.0.attn");
  // the root is "" and displayed by its type. Modules met without a name are named by type.
  void name_modules(const nn::Module& root);
  // Drops earlier records, installs the observers and resets the allocator's peak. Throws
  // tt::Error if a profiler (or another op or span observer) is already installed.
  void start();
  void stop();  // idempotent
  bool running() const { return running_; }
  void clear();  // drops the records (not the module names); only while stopped

  const std::vector<OpRecord>& ops() const { return ops_; }
  const std::vector<SpanRecord>& spans() const { return spans_; }
  const std::vector<ModuleInfo>& modules() const { return modules_; }
  int64_t duration_ns() const { return stop_ns_ - start_ns_; }
  int64_t bytes_at_start() const { return bytes_at_start_; }
  int64_t peak_bytes() const { return peak_bytes_; }  // allocator peak between start and stop
  int threads() const { return threads_; }             // tt::get_num_threads() at start

  // The module an op ran for: the innermost module span (forward) or the module that created the
  // autograd node (backward); -1 none.
  int32_t module_of(const OpRecord& r) const;
  // Display name of a module: "blocks.0.attn", or the type for the root ("GPT").
  std::string module_label(int32_t m) const;

 private:
  static void on_op(const ops::OpEvent& ev, void* self);
  static void on_span(const SpanEvent& ev, void* self);
  int32_t module_index(const void* key);

  bool running_ = false;
  int64_t start_ns_ = 0, stop_ns_ = 0, bytes_at_start_ = 0, peak_bytes_ = 0;
  static constexpr size_t kFirstBufferBytes = size_t{7} << 18;  // 1.75 MiB of records reserved by start()
  int threads_ = 1;
  std::thread::id owner_;
  std::vector<OpRecord> ops_;
  std::vector<SpanRecord> spans_;
  std::vector<int32_t> open_;                   // stack of open spans (owner thread)
  std::vector<ModuleInfo> modules_;
  std::unordered_map<const void*, int32_t> module_ids_;
  std::unordered_set<std::string> labels_;      // interned OpRecord labels (the caller's may die first)
  std::mutex foreign_mu_;                       // guards foreign_ and foreign_threads_
  std::vector<OpRecord> foreign_;               // ops from other threads, merged at stop()
  std::vector<std::thread::id> foreign_threads_;
};

// Starts `p` for the lifetime of the guard.
class ProfileGuard {
 public:
  explicit ProfileGuard(Profiler& p) : p_(p) { p_.start(); }
  ~ProfileGuard() { p_.stop(); }
  ProfileGuard(const ProfileGuard&) = delete;
  ProfileGuard& operator=(const ProfileGuard&) = delete;

 private:
  Profiler& p_;
};

// A named region in the profile ("forward", "backward", "optimizer", "step"); the label is copied.
// Costs one branch when no profiler is running.
class Region {
 public:
  explicit Region(const char* label) : span_(SpanKind::region, nullptr, label) {}

 private:
  Span span_;
};

}  // namespace tt::profile

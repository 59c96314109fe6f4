// This machine as the simulator's validation sees it (HostModel, trace.h): the bandwidth of each
// cache level, the cost of a cold call, and per op kind a fixed cost and an efficiency, fitted on
// small calibration models. docs/simulator.md, "Validation", explains the model and its limits.
#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "core/error.h"
#include "profile/profiler.h"
#include "sim_trace/trace.h"
#include "tinytorch.h"

namespace tt::sim {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

namespace {

// before[i]: the bytes declared by ops [0, i) of the record (size ops + 1), for reuse distances.
std::vector<double> bytes_before(const std::vector<profile::OpRecord>& ops) {
  std::vector<double> before(ops.size() + 1, 0);
  for (size_t i = 0; i < ops.size(); ++i) before[i + 1] = before[i] + ops[i].cost.bytes_read + ops[i].cost.bytes_written;
  return before;
}

}  // namespace

std::vector<double> code_reuse_bytes(const profile::Profiler& p) {
  const auto& ops = p.ops();
  const std::vector<double> before = bytes_before(ops);
  std::map<ops::OpId, size_t> last_call, first_call;
  std::vector<double> rd(ops.size(), 0);
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto it = last_call.find(ops[i].op);
    if (it != last_call.end()) rd[i] = before[i] - before[it->second + 1];
    else first_call[ops[i].op] = i;
    last_call[ops[i].op] = i;
  }
  // First calls: from the op's last call, around the end of the record, to the first call.
  for (const auto& [op, i] : first_call) rd[i] = before[ops.size()] - before[last_call[op] + 1] + before[i];
  return rd;
}

std::vector<std::vector<HostModel::Operand>> data_reuse(const profile::Profiler& p) {
  const auto& ops = p.ops();
  const std::vector<double> before = bytes_before(ops);
  const auto own = [&](size_t i) { return before[i + 1] - before[i]; };
  std::unordered_map<uintptr_t, size_t> last_touch;
  std::vector<std::vector<HostModel::Operand>> out(ops.size());
  struct First { size_t op, operand; uintptr_t addr; };  // an address touched first in the record
  std::vector<First> first;
  for (size_t i = 0; i < ops.size(); ++i) {
    const profile::OpRecord& r = ops[i];
    for (int k = 0; k < 5; ++k) {
      if (r.addr[k] == 0 || r.nbytes[k] <= 0) continue;
      const auto it = last_touch.find(r.addr[k]);
      if (it == last_touch.end()) first.push_back({i, out[i].size(), r.addr[k]});
      const double between = it == last_touch.end() ? 0 : before[i] - before[it->second + 1];
      out[i].push_back({double(r.nbytes[k]), between + own(i)});
    }
    for (int k = 0; k < 5; ++k)
      if (r.addr[k] != 0 && r.nbytes[k] > 0) last_touch[r.addr[k]] = i;
  }
  // First touches: from the address's last touch, around the end of the record, to this op.
  for (const First& f : first)
    out[f.op][f.operand].distance = before[ops.size()] - before[last_touch[f.addr] + 1] + before[f.op] + own(f.op);
  return out;
}

double step_footprint(const profile::Profiler& p, const optim::Optimizer* opt) {
  std::unordered_map<uintptr_t, int64_t> extent;  // data address → the most bytes an op touched there
  for (const profile::OpRecord& r : p.ops())
    for (int k = 0; k < 5; ++k)
      if (r.addr[k] != 0) extent[r.addr[k]] = std::max(extent[r.addr[k]], r.nbytes[k]);
  double bytes = opt ? double(opt->state_bytes()) : 0;
  for (const auto& [addr, n] : extent) bytes += double(n);
  return bytes;
}

std::vector<HostModel::Context> call_contexts(const profile::Profiler& p, double footprint) {
  const std::vector<double> code = code_reuse_bytes(p);
  std::vector<std::vector<HostModel::Operand>> data = data_reuse(p);
  std::vector<HostModel::Context> out(p.ops().size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = {code[i], footprint, p.ops()[i].op == ops::OpId::optimizer_step, std::move(data[i])};
  return out;
}

double HostModel::memory_seconds(double bytes, const Context& c) const {
  if (bytes <= 0) return 0;
  if (c.optimizer) return update_seconds(bytes, c.footprint);
  if (c.operands.empty()) return bytes / bandwidth_for(bytes);
  double size = 0, time = 0;  // Σ operand bytes, Σ operand bytes / their tier's bandwidth
  for (const Operand& o : c.operands) size += o.bytes, time += o.bytes / bandwidth_for(o.distance);
  return size > 0 ? bytes * time / size : bytes / bandwidth_for(bytes);
}

double HostModel::bandwidth_for(double working_set) const {
  TT_CHECK(!tiers.empty(), "sim host model: no bandwidth tiers (calibrate_host first)");
  for (const Tier& t : tiers)
    if (working_set <= t.bytes) return t.bandwidth;
  return tiers.back().bandwidth;
}

double HostModel::roofline(double flops, double bytes, double working_set) const {
  const double tc = peak_flops > 0 ? flops / peak_flops : 0;
  const double tm = bytes > 0 ? bytes / bandwidth_for(std::max(bytes, working_set)) : 0;
  return std::max(tc, tm);
}

std::pair<double, double> HostModel::mid_and_llc_bytes() const {
  // The cache tiers are all but the last (DRAM).
  const int caches = static_cast<int>(tiers.size()) - 1;
  if (caches < 1) return {0, 0};
  return {caches >= 2 ? tiers[caches - 2].bytes : 0, tiers[caches - 1].bytes};
}

double HostModel::cold_between(double bytes, double at_mid, double at_llc) const {
  auto [mid, llc] = mid_and_llc_bytes();
  if (llc <= 0) return 0;
  if (mid <= 0) mid = llc;  // a single cache level: warm until it is full
  if (bytes <= mid) return 0;
  if (bytes >= llc || llc <= mid) return at_llc;
  return at_mid + (at_llc - at_mid) * (bytes - mid) / (llc - mid);
}

double HostModel::context_cold(const Context& c) const {
  // An update also pays for its code when the ops since the optimizer's last call evicted it:
  // the step's first update, after the whole forward and backward.
  return cold_cost(c.reuse) + (c.optimizer ? cold_update_cost(c.footprint) : 0);
}

HostModel::KindFit HostModel::fit_for(const std::string& kind) const {
  const auto it = kinds.find(kind);
  if (it != kinds.end()) return it->second;
  KindFit f;  // a kind the calibration never ran: the roofline plus the median fixed cost
  f.overhead = op_overhead;
  return f;
}

double HostModel::update_seconds(double bytes, double footprint) const {
  const auto [mid, llc] = mid_and_llc_bytes();
  if (llc <= 0 || footprint <= mid) return bytes / bandwidth_for(std::max(bytes, footprint));
  // The share of the update's lines the last level no longer holds grows with the footprint:
  // none at the level below's size, all at the last level's (a cache shared with other cores and
  // tenants holds less than its size).
  const double t = llc > mid ? std::clamp((footprint - mid) / (llc - mid), 0.0, 1.0) : 1.0;
  return bytes * ((1 - t) / (bandwidth_for(llc) * update_eta_llc) + t / (tiers.back().bandwidth * update_eta_dram));
}

double HostModel::fixed_cost(const std::string& kind, const Context& c) const {
  return (c.optimizer ? update_overhead : fit_for(kind).overhead) + context_cold(c);
}

double HostModel::predict(const std::string& kind, double flops, double bytes, const Context& c) const {
  const double eta = c.optimizer ? 1.0 : fit_for(kind).efficiency;  // an update's η is in update_seconds
  const double tc = peak_flops > 0 ? flops / peak_flops : 0;
  return fixed_cost(kind, c) + std::max(tc, memory_seconds(bytes, c)) / eta;
}

namespace {

// One training step of a small model, for calibration; returns the step's footprint.
double profile_small(profile::Profiler& p, nn::Module& model, const Tensor& input,
                     std::function<Tensor(const Tensor&)> loss) {
  optim::AdamW opt(model.parameters(), optim::Options{{"lr", 1e-3}});
  profile::Workload w;
  w.model = &model;
  w.input = input;
  w.loss = std::move(loss);
  profile::run_profiled(p, w, &opt, {true, 2, 8});
  return step_footprint(p, &opt);
}

// Calibration models at one size: an MLP of width w, a CNN of c channels on h×h images, a GPT of
// width d on t tokens (batch b for all). The validated workloads use none of these shapes.
struct CalibSize { int64_t w, c, h, d, t, b; };
constexpr int64_t kCalibVocab = 40;

// A calibration run: its profile and its step's footprint.
struct CalibRun {
  std::unique_ptr<profile::Profiler> prof = std::make_unique<profile::Profiler>();
  double footprint = 0;
};

void profile_calibration(const CalibSize& z, std::vector<CalibRun>& out) {
  Generator g(1);
  Tensor y = randint(0, 2, Shape{z.b});
  const auto ce = [y](const Tensor& o) { return cross_entropy(o, y); };
  nn::Sequential mlp{std::make_shared<nn::Linear>(z.w, z.w, true, &g), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(z.w, 2, true, &g)};
  out.emplace_back();
  out.back().footprint = profile_small(*out.back().prof, mlp, randn(Shape{z.b, z.w}), ce);
  const int64_t flat = z.c * (z.h / 2) * (z.h / 2);
  // Two convolutions: one from a single input channel, one from c (their GEMMs differ in depth).
  nn::Sequential cnn{std::make_shared<nn::Conv2d>(1, z.c, 3, 1, 1, 1, 1, false, &g),
                     std::make_shared<nn::BatchNorm2d>(z.c), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::Conv2d>(z.c, z.c, 3, 1, 1, 1, 1, false, &g), std::make_shared<nn::ReLU>(),
                     std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Flatten>(),
                     std::make_shared<nn::LinearAct>(flat, 8, Activation::Relu, true, &g),
                     std::make_shared<nn::Linear>(8, 2, true, &g)};
  out.emplace_back();
  out.back().footprint = profile_small(*out.back().prof, cnn, randn(Shape{z.b, 1, z.h, z.h}), ce);
  nn::GPTConfig c;
  // Heads of width 32 (GPT's usual head size; fewer at the smallest widths), and a vocabulary
  // wide enough that cross-entropy's rows are not all fixed cost.
  c.vocab_size = kCalibVocab, c.context = z.t, c.d_model = z.d, c.n_layers = 1, c.n_heads = std::max<int64_t>(1, z.d / 32);
  nn::GPT gpt(c, &g);
  Tensor yt = randint(0, kCalibVocab, Shape{z.b * z.t});
  out.emplace_back();
  out.back().footprint = profile_small(*out.back().prof, gpt, randint(0, kCalibVocab, Shape{z.b, z.t}),
                [yt](const Tensor& l) { return cross_entropy(l.reshape(Shape{-1, kCalibVocab}), yt); });
}

// The line y = t0 + x/η through (roofline time, measured time) points: t0 from the point with the
// least work (the call's fixed cost), η from the point with the most (the kernel's efficiency at
// the largest calibration size, the nearest to real workloads); η in [0.01, 1.5] (cross-entropy's exp-heavy rows reach a few percent of the roofline).
HostModel::KindFit fit_line(std::vector<std::pair<double, double>> pts) {
  std::sort(pts.begin(), pts.end());
  HostModel::KindFit f;
  f.points = int(pts.size());
  f.overhead = pts.front().second;
  const auto& [x, y] = pts.back();
  if (pts.size() > 1 && x > 0 && y > f.overhead) f.efficiency = std::clamp(x / (y - f.overhead), 0.01, 1.5);
  return f;
}

// Fits, per op kind, the fixed cost t0 (checks, allocation from the cache, autograd bookkeeping,
// kernel set-up, recording) and the fraction η of the roofline its kernel reaches, from training
// steps of the calibration models at five sizes: every (kind, shape) is one point (its roofline
// time on this machine — each operand at the tier of its reuse distance — and its median measured
// self time less the cold cost of its context, which calibrate_cold has measured). Updates are
// measured directly (calibrate_updates) and not fitted here.
void calibrate_kinds(HostModel& h) {
  // The largest: GPT rows of 96 tokens and 160 wide, so attention's and layer norm's η come from
  // rows as long as real ones.
  const CalibSize sizes[] = {{8, 2, 4, 8, 4, 2},         {64, 4, 8, 32, 16, 8},      {256, 8, 16, 64, 32, 16},
                             {384, 16, 20, 96, 48, 24}, {448, 24, 24, 160, 96, 12}};
  // kind → shape → (roofline times, measured self times less cold costs), one per call
  std::map<std::string, std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>> samples;
  std::vector<CalibRun> runs;
  for (const CalibSize& z : sizes) profile_calibration(z, runs);
  for (const CalibRun& run : runs) {
    const profile::Profiler* p = run.prof.get();
    const std::vector<double> self = profile::self_times(*p);
    const std::vector<HostModel::Context> ctx = call_contexts(*p, run.footprint);
    for (size_t i = 0; i < p->ops().size(); ++i) {
      const profile::OpRecord& r = p->ops()[i];
      const double bytes = r.cost.bytes_read + r.cost.bytes_written;
      // Updates are measured directly (calibrate_updates).
      if (r.cost.flops + bytes <= 0 || r.op == ops::OpId::optimizer_step) continue;
      std::ostringstream shape;
      shape << r.output;
      for (int k = 0; k < r.num_inputs; ++k) shape << r.inputs[k];
      const std::string name = profile::op_display_name(r);
      auto& slot = samples[op_kind(name, r.backward)][shape.str()];
      slot.first.push_back(std::max(r.cost.flops / h.peak_flops, h.memory_seconds(bytes, ctx[i])));
      slot.second.push_back(std::max(self[i] * 1e-9 - h.context_cold(ctx[i]), 0.0));
    }
  }
  std::vector<double> overheads;
  for (auto& [kind, shapes] : samples) {
    std::vector<std::pair<double, double>> pts;
    for (auto& [shape, v] : shapes) pts.emplace_back(median_of(v.first), median_of(v.second));
    h.kinds[kind] = fit_line(pts);
    overheads.push_back(h.kinds[kind].overhead);
  }
  TT_CHECK(!overheads.empty(), "sim calibrate: the profiler recorded no ops");
  h.op_overhead = median_of(overheads);
}

// Evicts the caches up to a size by writing a buffer of that size a cache line at a time.
class Flusher {
 public:
  explicit Flusher(size_t bytes) : buf_(bytes) {}
  void flush(size_t bytes) {
    bytes = std::min(bytes, buf_.size());
    for (size_t i = 0; i < bytes; i += 64) buf_[i] = static_cast<unsigned char>(buf_[i] + 1);
    sink_ = buf_[bytes / 2];
  }

 private:
  std::vector<unsigned char> buf_;
  volatile unsigned char sink_ = 0;
};

// Median seconds of f() over `reps` calls, each after flushing `flush_bytes` (0: none).
double time_call(const std::function<void()>& f, Flusher& fl, size_t flush_bytes, int reps) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    if (flush_bytes > 0) fl.flush(flush_bytes);
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return median_of(t);
}

// What f() costs on top of `warm` after flushing `flush_bytes`, never negative.
double cold_extra(const std::function<void()>& f, Flusher& fl, size_t flush_bytes, double warm, int reps) {
  return std::max(0.0, time_call(f, fl, flush_bytes, reps) - warm);
}

// Seconds of one AdamW step over one parameter of n floats whose gradient is set, run back to
// back (the median of `reps` after one unrecorded step that creates the state).
double time_update(int64_t n, int reps, Flusher& fl) {
  Generator g(7);
  Tensor p = randn(Shape{n}, &g).requires_grad_();
  p.set_grad(randn(Shape{n}, &g));
  optim::AdamW opt({p}, optim::Options{{"lr", 1e-3}});
  opt.step();
  return time_call([&] { opt.step(); }, fl, 0, reps);
}

// A parameter's update, measured directly: its fixed cost (an AdamW step over kParams small
// parameters, warm, per parameter); its cold cost (the same step after flushing the last cache
// level or the one below it: the fetch of each update's tensors and bookkeeping, the code being
// cold only for the first); and the fraction of the tier's triad bandwidth its seven streams
// (read p, g, m, v; write p, m, v) reach when its tensors live in the last level and in DRAM — a
// parameter sized to fit that level only, stepped back to back.
void calibrate_updates(HostModel& h, Flusher& fl, size_t mid, size_t llc) {
  constexpr int kParams = 32, kWarmReps = 41, kColdReps = 21, kStreamReps = 11;
  Generator g(5);
  // Biases and norm weights of 128 floats, each parameter and gradient apart from the next (as in
  // a model, where layers allocate between them), so no fetch brings in a neighbour's lines.
  std::vector<Tensor> params, spacers;
  for (int i = 0; i < kParams; ++i) {
    params.push_back(randn(Shape{128}, &g).requires_grad_());
    spacers.push_back(empty(Shape{1024}));
    params.back().set_grad(randn(Shape{128}, &g));
    spacers.push_back(empty(Shape{1024}));
  }
  optim::AdamW opt(params, optim::Options{{"lr", 1e-3}});
  const std::function<void()> step = [&] { opt.step(); };
  const double warm = time_call(step, fl, 0, kWarmReps);
  h.update_overhead = warm / kParams;
  if (llc == 0) return;
  h.cold_update_llc = cold_extra(step, fl, 2 * llc, warm, kColdReps) / kParams;
  h.cold_update_mid = mid > 0 ? std::min(h.cold_update_llc, cold_extra(step, fl, 2 * mid, warm, kColdReps) / kParams)
                              : h.cold_update_llc;
  // p, g, m, v of n floats: 16n bytes. Twice the last level for DRAM (at most 256 MiB), a
  // quarter of it for the last level.
  const auto eta_at = [&](int64_t n, double bandwidth) {
    const double bytes = 7.0 * 4 * double(n), t = time_update(n, kStreamReps, fl) - h.update_overhead;
    return t > 0 ? std::clamp(bytes / bandwidth / t, 0.05, 1.5) : 1.0;
  };
  h.update_eta_dram = eta_at(std::min<int64_t>(int64_t(llc) / 8, int64_t{16} << 20), h.tiers.back().bandwidth);
  h.update_eta_llc = mid > 0 ? eta_at(std::min<int64_t>(int64_t(llc) / 64, int64_t{2} << 20),
                                      h.bandwidth_for(double(llc) / 2))
                              : h.update_eta_dram;
}

// The cold-call costs: small ops of the kinds a training step calls (with autograd recording, as
// in a step), each timed warm, after flushing twice the level below the last cache (its lines
// come from the last level) and after flushing twice the last level (from DRAM). The cost is the
// median over the probes of (cold − warm): the refill of the call's code, bookkeeping data and
// (tiny) operands. Their data are a few KiB, so bandwidth plays no part.
void calibrate_cold(HostModel& h) {
  const auto [mid_bytes, llc_bytes] = h.mid_and_llc_bytes();
  if (llc_bytes <= 0) {  // no caches: nothing turns cold, an update costs its fixed part
    Flusher none(0);
    calibrate_updates(h, none, 0, 0);
    return;
  }
  const size_t mid = static_cast<size_t>(mid_bytes), llc = static_cast<size_t>(llc_bytes);
  // Twice the last level evicts it; capped for CPUs whose reported L3 is very large (stacked cache).
  constexpr size_t kMaxFlush = size_t{512} << 20;
  Flusher fl(std::min(2 * llc, kMaxFlush));
  Generator g(3);
  Tensor x = randn(Shape{16, 32}, &g).requires_grad_(), w = randn(Shape{16, 32}, &g).requires_grad_();
  Tensor b = randn(Shape{16}, &g).requires_grad_(), logits = randn(Shape{16, 10}, &g).requires_grad_();
  Tensor y = randint(0, 10, Shape{16}, &g), p = randn(Shape{16, 16}, &g).requires_grad_();
  p.set_grad(randn(Shape{16, 16}, &g));
  optim::AdamW opt({p}, optim::Options{{"lr", 1e-3}});
  const std::vector<std::function<void()>> probes = {
      [&] { (void)sum(x); },
      [&] { (void)mul(x, w); },
      [&] { (void)relu(x); },
      [&] { (void)linear(x, w, b); },
      [&] { (void)cross_entropy(logits, y); },
      [&] { (void)layer_norm(x, Shape{32}); },
      [&] { opt.step(); },
  };
  std::vector<double> mid_cost, llc_cost;
  constexpr int kWarmReps = 41, kColdReps = 21;
  for (const auto& f : probes) {
    const double warm = time_call(f, fl, 0, kWarmReps);
    if (mid > 0) mid_cost.push_back(cold_extra(f, fl, 2 * mid, warm, kColdReps));
    llc_cost.push_back(cold_extra(f, fl, 2 * llc, warm, kColdReps));
  }
  h.cold_llc = median_of(llc_cost);
  h.cold_mid = mid > 0 ? std::min(median_of(mid_cost), h.cold_llc) : h.cold_llc;
  calibrate_updates(h, fl, mid, llc);
}

}  // namespace

HostModel calibrate_host(const hw::Ceilings& c) {
  HostModel h;
  h.cpu = c.cpu;
  h.peak_flops = c.peak_gflops_1 * 1e9;
  const char* names[] = {"L1", "L2", "L3", "L4"};
  for (const hw::CacheLevel& level : hw::data_caches()) {
    // Half the level: the triad's three arrays and the stack still fit.
    const int64_t ws = level.bytes / 2;
    h.tiers.push_back({names[std::clamp(level.level - 1, 0, 3)], double(level.bytes),
                       hw::triad_gbs_at(ws) * 1e9});
  }
  h.tiers.push_back({"DRAM", std::numeric_limits<double>::infinity(), c.triad_gbs_1 * 1e9});
  calibrate_cold(h);
  calibrate_kinds(h);
  return h;
}

}  // namespace tt::sim

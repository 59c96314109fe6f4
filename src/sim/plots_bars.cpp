// The two bar charts of plots.h: the training-memory stack (one stacked bar per configuration
// against the device capacity) and the parallel-split sweep (throughput bars over a strip of
// step-time shares). Shared layout: plot at the left, legend column at the right, x labels
// rotated when they do not fit under their bar. The roofline is plots.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/plots.h"
#include "sim/plots_svg_util.h"
#include "sim/units.h"

namespace tt::sim {
namespace {

using namespace plots_detail;

struct Part {
  const char* name;
  const char* colour;
};

constexpr Part kMemoryParts[5] = {{"weights", "#4c78a8"},
                                  {"gradients", "#f58518"},
                                  {"optimizer state", "#54a24b"},
                                  {"activations", "#e45756"},
                                  {"buffers", "#b279a2"}};
constexpr Part kTimeParts[5] = {{"compute", "#9ecae9"},
                                {"DP comm", "#f58518"},
                                {"TP comm", "#54a24b"},
                                {"EP comm", "#b279a2"},
                                {"pipeline bubble", "#bab0ac"}};
constexpr const char* kOomRed = "#d62728";
constexpr double kLegendW = 170, kLeft = 80, kTop = 58;

double clean(double v) { return usable(v) ? v : 0; }

double memory_part(const TrainingMemoryResult& m, int k) {
  const double v[5] = {m.weights, m.gradients, m.optimizer, m.activations, m.buffers};
  return clean(v[k]);
}

double memory_total(const TrainingMemoryResult& m) {
  double t = 0;
  for (int k = 0; k < 5; ++k) t += memory_part(m, k);
  return t;
}

// Bar slot i of n across [f.left, f.right]: its centre and the bar width.
struct Slot {
  double centre, width;
};
Slot slot(const LinearY& f, std::size_t i, std::size_t n) {
  const double w = (f.right - f.left) / static_cast<double>(n);
  return {f.left + w * (static_cast<double>(i) + 0.5), std::min(w * 0.62, 90.0)};
}

// True when the longest label is wider than a slot: then all labels are drawn rotated.
bool rotate_labels(const std::vector<std::string>& labels, const LinearY& f) {
  std::size_t longest = 0;
  for (const std::string& s : labels) longest = std::max(longest, s.size());
  return 6.5 * static_cast<double>(longest) >
         (f.right - f.left) / static_cast<double>(labels.size());
}

void draw_x_labels(std::string& out, const LinearY& f, const std::vector<std::string>& labels,
                   double y) {
  const bool rot = rotate_labels(labels, f);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double x = slot(f, i, labels.size()).centre;
    text(out, x, y, labels[i],
         rot ? " text-anchor=\"end\" transform=\"rotate(-35 " + num(x) + " " + num(y) + ")\""
             : std::string(" text-anchor=\"middle\""));
  }
}

void draw_memory_bar(std::string& out, const LinearY& f, Slot s, std::size_t i,
                     const std::string& label, const TrainingMemoryResult& m, double capacity) {
  const double total = memory_total(m);
  const bool oom = usable(capacity) && total > capacity;
  out += fmt::format("<g data-config=\"{}\"{}>", i, oom ? " data-oom=\"1\"" : "");
  out += "<title>" +
         xml_escape(fmt::format("{}: {} total", label, format_quantity(total, Dim::bytes))) +
         "</title>\n";
  double acc = 0;
  for (int k = 0; k < 5; ++k) {
    const double v = memory_part(m, k) / 1e9;
    if (v <= 0) continue;
    rect(out, s.centre - s.width / 2, f.py(acc + v), s.width, f.py(acc) - f.py(acc + v),
         fmt::format("fill=\"{}\"", kMemoryParts[k].colour));
    acc += v;
  }
  const double top = f.py(total / 1e9);
  if (oom) {
    rect(out, s.centre - s.width / 2 - 2, top - 2, s.width + 4, f.bottom - top + 2,
         fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"", kOomRed));
  }
  text(out, s.centre, top - (oom ? 20 : 6), fmt::format("{:.1f} GB", total / 1e9),
       " text-anchor=\"middle\" font-size=\"11\" stroke=\"white\" stroke-width=\"3\" "
       "paint-order=\"stroke\"");
  if (oom)
    text(out, s.centre, top - 7, "OOM",
         fmt::format(" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{}\"", kOomRed));
  out += "</g>\n";
}

void draw_memory_legend(std::string& out, const LinearY& f, bool capacity_line, bool any_oom) {
  const double x = f.right + 20;
  double y = f.top + 10;
  for (int k = 4; k >= 0; --k, y += 18)
    swatch(out, x, y, fmt::format("fill=\"{}\"", kMemoryParts[k].colour), kMemoryParts[k].name);
  if (capacity_line) {
    line(out, x, y - 4, x + 12, y - 4,
         "stroke=\"#222222\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"");
    text(out, x + 18, y, "device capacity");
    y += 18;
  }
  if (any_oom)
    swatch(out, x, y, fmt::format("fill=\"none\" stroke=\"{}\" stroke-width=\"2\"", kOomRed),
           "over capacity (OOM)");
}

LinearY bar_frame(const Canvas& c, double bottom_reserve, double y_max) {
  return {kLeft, kTop, c.w - kLegendW, c.h - bottom_reserve, y_max};
}

// The index of the feasible run with the highest usable throughput, or -1.
long best_run(const std::vector<ParallelResult>& runs) {
  long best = -1;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].feasible && usable(runs[i].throughput) &&
        (best < 0 || runs[i].throughput > runs[static_cast<std::size_t>(best)].throughput)) {
      best = static_cast<long>(i);
    }
  }
  return best;
}

std::string split_label(const ParallelResult& r) {
  std::string s = fmt::format("{}\u00d7{}\u00d7{}", r.tp, r.pp, r.dp);
  return r.ep > 1 ? s + fmt::format(" EP{}", r.ep) : s;
}

const char* kHatch =
    "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
    "patternTransform=\"rotate(45)\"><rect x=\"0\" y=\"0\" width=\"6\" height=\"6\" "
    "fill=\"#e6e6e6\"/>"
    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999999\" "
    "stroke-width=\"2\"/></pattern></defs>\n";

void draw_run_bar(std::string& out, const LinearY& f, Slot s, std::size_t i,
                  const ParallelResult& r, bool best, bool annotate) {
  const double thr = clean(r.throughput);
  const double top = std::min(f.py(thr), f.bottom - 6);  // an OOM run without a rate still shows
  const double x = s.centre - s.width / 2;
  out += fmt::format("<g data-run=\"{}\"{}{}>", i, r.feasible ? "" : " data-oom=\"1\"",
                     best ? " data-best=\"1\"" : "");
  out += "<title>" +
         xml_escape(fmt::format("TP {} PP {} DP {} EP {}: {} samples/s, step {}, MFU {:.0f}%{}",
                                r.tp, r.pp, r.dp, r.ep, short_number(thr),
                                format_quantity(clean(r.step), Dim::time), 100 * clean(r.mfu),
                                r.feasible ? "" : ", does not fit in memory")) +
         "</title>\n";
  if (!r.feasible) {
    rect(out, x, top, s.width, f.bottom - top, "fill=\"url(#hatch)\" stroke=\"#888888\"");
    text(out, s.centre, top - 6, "OOM",
         fmt::format(" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{}\"", kOomRed));
  } else {
    rect(out, x, top, s.width, f.bottom - top,
         best ? "fill=\"#f2a900\" stroke=\"#8a5a00\" stroke-width=\"2\"" : "fill=\"#2f4b7c\"");
    if (best)
      text(out, s.centre, top - 20, "best",
           " text-anchor=\"middle\" font-weight=\"bold\" fill=\"#8a5a00\"");
    if (annotate || best)
      text(out, s.centre, top - 6, short_number(thr), " text-anchor=\"middle\" font-size=\"11\"");
  }
  out += "</g>\n";
}

// A 100% column per run: shares of compute, DP, TP, EP communication and bubble in their sum.
void draw_time_strip(std::string& out, const LinearY& f, const std::vector<ParallelResult>& runs,
                     double y0, double h) {
  text(out, f.left - 6, y0 + h / 2 + 4, "step time", " text-anchor=\"end\" font-size=\"11\"");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ParallelResult& r = runs[i];
    const double v[5] = {clean(r.t_local), clean(r.t_dp), clean(r.t_tp), clean(r.t_ep),
                         clean(r.t_bubble)};
    const double sum = v[0] + v[1] + v[2] + v[3] + v[4];
    const Slot s = slot(f, i, runs.size());
    if (!usable(sum)) {
      rect(out, s.centre - s.width / 2, y0, s.width, h, "fill=\"none\" stroke=\"#cccccc\"");
      continue;
    }
    double acc = 0;
    for (int k = 0; k < 5; ++k) {
      if (v[k] <= 0) continue;
      rect(out, s.centre - s.width / 2, y0 + h * acc / sum, s.width, h * v[k] / sum,
           fmt::format("fill=\"{}\"{}", kTimeParts[k].colour,
                       r.feasible ? "" : " fill-opacity=\"0.45\""));
      acc += v[k];
    }
  }
}

void draw_sweep_legend(std::string& out, const LinearY& f, bool any_oom, bool any_best) {
  const double x = f.right + 20;
  double y = f.top + 10;
  auto entry = [&](const std::string& style, const std::string& label) {
    swatch(out, x, y, style, label);
    y += 18;
  };
  entry("fill=\"#2f4b7c\"", "throughput");
  if (any_best) entry("fill=\"#f2a900\" stroke=\"#8a5a00\"", "best that fits");
  if (any_oom) entry("fill=\"url(#hatch)\" stroke=\"#888888\"", "OOM (does not fit)");
  text(out, x, y + 8, "step time split:", " fill=\"#555555\"");
  y += 26;
  for (const Part& p : kTimeParts) entry(fmt::format("fill=\"{}\"", p.colour), p.name);
}

}  // namespace

std::string memory_stack_svg(
    const std::vector<std::pair<std::string, TrainingMemoryResult>>& configs,
    const SimPlotOptions& o) {
  const Canvas c = canvas(o.width, o.height);
  std::string out = svg_open(c, o.title.empty() ? "Training memory per accelerator" : o.title, "");
  if (configs.empty()) {
    centred_message(out, c, "no configurations");
    return out + svg_close();
  }
  const double cap = clean(configs[0].second.capacity);
  double hi = cap;
  std::vector<std::string> labels;
  bool any_oom = false, unknown = false;
  for (const auto& [label, m] : configs) {
    hi = std::max(hi, memory_total(m));
    const double own_cap = usable(m.capacity) ? m.capacity : cap;
    any_oom = any_oom || (usable(own_cap) && memory_total(m) > own_cap);
    unknown = unknown || !m.activations_known;
    labels.push_back(m.activations_known ? label : label + "*");
  }
  const std::vector<double> ticks = nice_ticks(hi * 1.12 / 1e9);
  const LinearY f = bar_frame(
      c, rotate_labels(labels, {kLeft, kTop, c.w - kLegendW, 0, 1}) ? 110 : 60, ticks.back());
  draw_linear_y(out, f, ticks, "memory per accelerator (GB)");
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const double own_cap = usable(configs[i].second.capacity) ? configs[i].second.capacity : cap;
    draw_memory_bar(out, f, slot(f, i, configs.size()), i, configs[i].first, configs[i].second,
                    own_cap);
  }
  if (usable(cap)) {
    const double y = f.py(cap / 1e9);
    line(out, f.left, y, f.right, y,
         "stroke=\"#222222\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"");
    text(out, f.right - 4, y - 5, "HBM " + format_quantity(cap, Dim::bytes),
         " text-anchor=\"end\" font-weight=\"bold\"");
  }
  draw_x_labels(out, f, labels, f.bottom + 18);
  draw_memory_legend(out, f, usable(cap), any_oom);
  if (unknown)
    text(out, 10, c.h - 10, "* activations unknown (no transformer geometry)", " fill=\"#555555\"");
  return out + svg_close();
}

std::string parallel_sweep_svg(const std::vector<ParallelResult>& runs, const SimPlotOptions& o) {
  const Canvas c = canvas(o.width, o.height);
  const long best = best_run(runs);
  std::string subtitle;
  if (best >= 0) {
    const ParallelResult& b = runs[static_cast<std::size_t>(best)];
    subtitle = fmt::format("best: TP\u00d7PP\u00d7DP = {}, {} samples/s, MFU {:.0f}%",
                           split_label(b), short_number(b.throughput), 100 * clean(b.mfu));
  } else if (!runs.empty()) {
    subtitle = "no configuration fits in memory";
  }
  std::string out = svg_open(c, o.title.empty() ? "Parallel split sweep" : o.title, subtitle);
  if (runs.empty()) {
    centred_message(out, c, "no configurations");
    return out + svg_close();
  }
  out += kHatch;
  double hi = 0;
  std::vector<std::string> labels;
  bool any_oom = false;
  for (const ParallelResult& r : runs) {
    hi = std::max(hi, clean(r.throughput));
    labels.push_back(split_label(r));
    any_oom = any_oom || !r.feasible;
  }
  const double strip_h = 56,
               label_h = rotate_labels(labels, {kLeft, kTop, c.w - kLegendW, 0, 1}) ? 90 : 40;
  const std::vector<double> ticks = nice_ticks(hi * 1.15);
  const LinearY f = bar_frame(c, strip_h + 12 + label_h, ticks.back());
  draw_linear_y(out, f, ticks, "throughput (samples/s)");
  for (std::size_t i = 0; i < runs.size(); ++i)
    draw_run_bar(out, f, slot(f, i, runs.size()), i, runs[i], static_cast<long>(i) == best,
                 runs.size() <= 16);
  draw_time_strip(out, f, runs, f.bottom + 10, strip_h);
  draw_x_labels(out, f, labels, f.bottom + strip_h + 28);
  text(out, (f.left + f.right) / 2, c.h - 8, "TP \u00d7 PP \u00d7 DP",
       " text-anchor=\"middle\" fill=\"#555555\"");
  draw_sweep_legend(out, f, any_oom, best >= 0);
  return out + svg_close();
}

void write_memory_stack_svg(
    const std::string& path,
    const std::vector<std::pair<std::string, TrainingMemoryResult>>& configs,
    const SimPlotOptions& o) {
  write_svg_atomic(path, memory_stack_svg(configs, o));
}

void write_parallel_sweep_svg(const std::string& path, const std::vector<ParallelResult>& runs,
                              const SimPlotOptions& o) {
  write_svg_atomic(path, parallel_sweep_svg(runs, o));
}

}  // namespace tt::sim

// Roofline SVG writer: picks decade axes, draws the roofs as clipped polylines, places one circle
// per op row (largest first, so small ones stay visible on top), names the costliest, and counts
// in a footnote what could not be placed. One fixed layout; the legend sits right of the plot so
// it never hides a point. Helpers shared with the line plots come from train/svg_plot.h.
#include "profile/roofline_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numbers>

#include "core/error.h"
#include "io/atomic_file.h"
#include "ops/op_list.h"
#include "train/svg_plot.h"

namespace tt::profile {
namespace {

using train::xml_escape;

// Layout in SVG pixels: plot rectangle, then the legend column to its right; the footnote adds
// lines below the x-axis label.
constexpr double kLeft = 80, kTop = 50, kPlotW = 600, kPlotH = 430, kLegendW = 200;
constexpr double kWidth = kLeft + kPlotW + 20 + kLegendW;
constexpr double kMaxRadius = 18, kMinRadius = 2;  // the costliest op / the floor for tiny ones
// Data may widen the axes by at most this many decades beyond what the roofs need.
constexpr int kDataSlackDecades = 6;
constexpr const char* kPassColour[] = {"#1f77b4", "#ff7f0e", "#2ca02c"};  // fwd, bwd, optimizer
constexpr const char* kPassName[] = {"forward", "backward", "optimizer"};
constexpr const char* kPassClass[] = {"fwd", "bwd", "opt"};

bool usable(double v) { return std::isfinite(v) && v > 0; }

std::string num(double v) { return fmt::format("{:.2f}", v); }  // pixels: finite by construction

// Roof values and rates, 3 significant digits without an exponent in the usual ranges:
// 216, 15.5, 13.9, 0.0123, 1234.
std::string sig3(double v) {
  if (v >= 1000 && v < 1e7) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

std::string duration(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3g} s", ns * 1e-9);
  if (ns >= 1e6) return fmt::format("{:.3g} ms", ns * 1e-6);
  return fmt::format("{:.3g} us", ns * 1e-3);
}

int floor_decade(double v) { return static_cast<int>(std::floor(std::log10(v) + 1e-9)); }
int ceil_decade(double v) { return static_cast<int>(std::ceil(std::log10(v) - 1e-9)); }

// Decade labels as people write them on a roofline: 0.01, 0.1, 1, 10, ..., 1e6.
std::string decade_label(int e) {
  if (e >= 0 && e <= 5) return fmt::format("{:.0f}", std::pow(10.0, e));
  if (e < 0 && e >= -4) return fmt::format("{:.{}f}", std::pow(10.0, e), -e);
  return fmt::format("1e{}", e);
}

void check_roof(const Roof& r, const char* which) {
  // Beyond 1e±30 the axes would span hundreds of decades: no probe measures such a machine.
  auto ok = [](double v) { return std::isfinite(v) && v >= 1e-30 && v <= 1e30; };
  TT_CHECK(ok(r.peak_gflops) && ok(r.bandwidth_gbs), "roofline_svg: ", which,
           " roof needs a finite positive peak and bandwidth, got peak ", r.peak_gflops,
           " GFLOP/s and bandwidth ", r.bandwidth_gbs, " GB/s; run `tito hw probe` first?");
}

// An op row that can be drawn: its position, its time and its pass.
struct Point {
  std::size_t row;
  double x, y, ns;  // FLOP/byte, GFLOP/s, total ns
  Pass pass;
};

bool place(const OpStat& s, double& x, double& y) {
  if (!usable(s.flops) || !usable(s.bytes) || !usable(s.total_ns)) return false;
  // op_table fills the derived fields; a hand-made row may leave them 0 (see the header).
  x = usable(s.intensity) ? s.intensity : s.flops / s.bytes;
  y = usable(s.gflops) ? s.gflops : s.flops / s.total_ns;  // FLOP/ns = GFLOP/s
  return usable(x) && usable(y);
}

// Decades covering [need_lo, need_hi], widened to the data that lies within the slack.
void cover(double need_lo, double need_hi, const std::vector<double>& data, int& lo, int& hi) {
  const double slack = std::pow(10.0, kDataSlackDecades);
  double a = need_lo, b = need_hi;
  for (double v : data) {
    a = std::min(a, std::max(v, need_lo / slack));
    b = std::max(b, std::min(v, need_hi * slack));
  }
  lo = floor_decade(a);
  hi = ceil_decade(b);
}

void grid_line(std::string& out, double x1, double y1, double x2, double y2, const char* colour) {
  out += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
         num(y2) + "\" stroke=\"" + colour + "\" stroke-width=\"1\"/>\n";
}

void text(std::string& out, double x, double y, const std::string& s, const std::string& extra) {
  out +=
      "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + xml_escape(s) + "</text>\n";
}

// Gridlines at decades (and at 2..9 × a decade while the plot is not too crowded for them),
// labels on every decade, or every k-th so that at most ~10 fit along an axis.
void render_axes(std::string& out, const RooflineFrame& f) {
  const bool minor = f.x_hi - f.x_lo <= 12 && f.y_hi - f.y_lo <= 12;
  for (int axis = 0; axis < 2; ++axis) {
    const int lo = axis == 0 ? f.x_lo : f.y_lo, hi = axis == 0 ? f.x_hi : f.y_hi;
    const int every = (hi - lo + 9) / 10;
    for (int e = lo; e <= hi; ++e) {
      for (int m = 1; m <= (minor && e < hi ? 9 : 1); ++m) {
        const double v = m * std::pow(10.0, e);
        const char* colour = m == 1 ? "#d0d0d0" : "#f0f0f0";
        if (axis == 0) grid_line(out, f.px(v), f.top, f.px(v), f.bottom, colour);
        if (axis == 1) grid_line(out, f.left, f.py(v), f.right, f.py(v), colour);
      }
      if (((e % every) + every) % every != 0) continue;
      if (axis == 0)
        text(out, f.px(std::pow(10.0, e)), f.bottom + 18, decade_label(e),
             " text-anchor=\"middle\"");
      if (axis == 1)
        text(out, f.left - 6, f.py(std::pow(10.0, e)) + 4, decade_label(e), " text-anchor=\"end\"");
    }
  }
  out += "<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\"" +
         num(f.right - f.left) + "\" height=\"" + num(f.bottom - f.top) +
         "\" fill=\"none\" stroke=\"#333333\"/>\n";
  text(out, (f.left + f.right) / 2, f.bottom + 42, "arithmetic intensity (FLOP/byte)",
       " text-anchor=\"middle\"");
  const double lx = f.left - 56, cy = (f.top + f.bottom) / 2;
  text(out, lx, cy, "performance (GFLOP/s)",
       " text-anchor=\"middle\" transform=\"rotate(-90 " + num(lx) + " " + num(cy) + ")\"");
}

std::string thread_suffix(const Roof& r, bool want) {
  if (!want) return "";
  return fmt::format(" ({} thread{})", r.threads, r.threads == 1 ? "" : "s");
}

// The roof y = min(peak, bandwidth · x) from where the memory roof enters the plot (the left
// edge or the bottom) through the ridge to the right edge. The frame keeps the ridge a decade
// inside and the peak below the top, so three vertices suffice.
void render_roof(std::string& out, const Roof& r, const RooflineFrame& f, int slot, bool suffix) {
  const double ridge = r.ridge(), x_lo = std::pow(10.0, f.x_lo), y_lo = std::pow(10.0, f.y_lo);
  const double x0 = std::max(x_lo, y_lo / r.bandwidth_gbs), y0 = r.bandwidth_gbs * x0;
  const double ax = f.px(x0), ay = f.py(y0), rx = f.px(ridge), ry = f.py(r.peak_gflops);
  const char* colour = slot == 0 ? "#333333" : "#888888";
  const std::string dash = slot == 0 ? "" : " stroke-dasharray=\"7 4\"";
  out += fmt::format(
      "<polyline id=\"roof-{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} points=\"{},{} "
      "{},{} {},{}\"/>\n",
      slot, colour, slot == 0 ? 2 : 1.5, dash, num(ax), num(ay), num(rx), num(ry), num(f.right),
      num(ry));
  out += fmt::format(
      "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-dasharray=\"2 3\"/>\n",
      num(rx), num(ry), num(rx), num(f.bottom), colour);
  const std::string fill = fmt::format(" fill=\"{}\"", colour);
  const std::string peak = "peak " + sig3(r.peak_gflops) + " GFLOP/s" + thread_suffix(r, suffix);
  if (slot == 0) text(out, f.right - 4, ry - 5, peak, " text-anchor=\"end\"" + fill);
  if (slot != 0) text(out, rx + 6, ry - 5, peak, fill);
  // The bandwidth label rides the sloped segment, the two roofs' labels at different points.
  const double t = slot == 0 ? 0.3 : 0.6, mx = ax + t * (rx - ax), my = ay + t * (ry - ay);
  const double angle = std::atan2(ry - ay, rx - ax) * 180 / std::numbers::pi;
  text(out, mx, my - 5, "triad " + sig3(r.bandwidth_gbs) + " GB/s" + thread_suffix(r, suffix),
       " text-anchor=\"middle\" transform=\"rotate(" + num(angle) + " " + num(mx) + " " + num(my) +
           ")\"" + fill);
  const bool right_half = rx > (f.left + f.right) / 2;
  text(out, right_half ? rx - 4 : rx + 4, f.bottom - 6 - 14 * slot,
       "ridge " + sig3(ridge) + " FLOP/B", (right_half ? " text-anchor=\"end\"" : "") + fill);
}

double radius(double ns, double max_ns) {
  return std::max(kMinRadius, kMaxRadius * std::sqrt(ns / max_ns));  // area ∝ time
}

std::string display_name(const OpStat& s) { return s.backward ? s.name + " (bwd)" : s.name; }

void render_points(std::string& out, const std::vector<Point>& pts, const std::vector<OpStat>& ops,
                   const RooflineFrame& f, double max_ns) {
  for (const Point& p : pts) {  // sorted by time, descending: small circles drawn on top
    const OpStat& s = ops[p.row];
    const int k = static_cast<int>(p.pass);
    out += fmt::format(
        "<circle id=\"op-{}\" class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" "
        "fill-opacity=\"0.55\" stroke=\"{}\" stroke-width=\"1\">",
        p.row, kPassClass[k], num(f.px(p.x)), num(f.py(p.y)), num(radius(p.ns, max_ns)),
        kPassColour[k], kPassColour[k]);
    const std::string tip = fmt::format(
        "{} {}: {} GFLOP/s at {} FLOP/B, {} in {} call{}, {:.0f}% of bound", display_name(s),
        s.shapes, sig3(p.y), sig3(p.x), duration(p.ns), s.calls, s.calls == 1 ? "" : "s",
        std::isfinite(s.pct_of_bound) ? 100 * s.pct_of_bound : 0.0);
    out += "<title>" + xml_escape(tip) + "</title></circle>\n";
  }
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& b) const { return x0 < b.x1 && b.x0 < x1 && y0 < b.y1 && b.y0 < y1; }
};

// Names the first `top` points (the costliest) beside their circles: right, left, above or
// below, whichever first neither overlaps an earlier label nor leaves the plot.
void render_labels(std::string& out, const std::vector<Point>& pts, const std::vector<OpStat>& ops,
                   const RooflineFrame& f, double max_ns, int top) {
  std::vector<Box> taken;
  const Box plot{f.left, f.top, f.right, f.bottom};
  for (std::size_t i = 0; i < pts.size() && static_cast<int>(i) < top; ++i) {
    const std::string name = display_name(ops[pts[i].row]);
    const double cx = f.px(pts[i].x), cy = f.py(pts[i].y), r = radius(pts[i].ns, max_ns);
    const double w = 6.2 * static_cast<double>(name.size()), h = 12;
    // (text x, baseline y, box left) per side.
    const double sides[4][3] = {{cx + r + 3, cy + 4, cx + r + 3},
                                {cx - r - 3, cy + 4, cx - r - 3 - w},
                                {cx, cy - r - 4, cx - w / 2},
                                {cx, cy + r + 12, cx - w / 2}};
    const char* anchors[4] = {"", " text-anchor=\"end\"", " text-anchor=\"middle\"",
                              " text-anchor=\"middle\""};
    int pick = 0;
    for (int k = 0; k < 4; ++k) {
      const Box b{sides[k][2], sides[k][1] - h + 2, sides[k][2] + w, sides[k][1] + 2};
      const bool inside = b.x0 >= plot.x0 && b.x1 <= plot.x1 && b.y0 >= plot.y0 && b.y1 <= plot.y1;
      if (inside &&
          std::none_of(taken.begin(), taken.end(), [&](const Box& t) { return t.overlaps(b); })) {
        pick = k;
        break;
      }
    }
    taken.push_back(
        {sides[pick][2], sides[pick][1] - h + 2, sides[pick][2] + w, sides[pick][1] + 2});
    text(out, std::clamp(sides[pick][0], 2.0, kWidth - 2), sides[pick][1], name,
         std::string(anchors[pick]) + " font-size=\"11\" fill=\"#222222\"");
  }
}

// Legend column right of the plot: the passes present, the roofs, and the circle scale.
void render_legend(std::string& out, const std::vector<Point>& pts, const Roof& roof,
                   const RooflinePlotOptions& o, const RooflineFrame& f, double max_ns) {
  const double x = f.right + 20;
  double y = f.top + 12;
  for (int k = 0; k < 3; ++k) {
    if (std::none_of(pts.begin(), pts.end(),
                     [&](const Point& p) { return static_cast<int>(p.pass) == k; })) {
      continue;
    }
    out += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{}\" fill-opacity=\"0.55\" stroke=\"{}\"/>\n",
        num(x + 10), num(y - 4), kPassColour[k], kPassColour[k]);
    text(out, x + 26, y, kPassName[k], "");
    y += 20;
  }
  auto roof_entry = [&](const std::string& label, const char* style) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", num(x), num(y - 4),
                       num(x + 20), num(y - 4), style);
    text(out, x + 26, y, label, "");
    y += 20;
  };
  roof_entry("roofline" + thread_suffix(roof, true), "stroke=\"#333333\" stroke-width=\"2\"");
  if (o.second_roof) {
    const std::string label =
        o.second_label.empty() ? "roofline" + thread_suffix(*o.second_roof, true) : o.second_label;
    roof_entry(label, "stroke=\"#888888\" stroke-width=\"1.5\" stroke-dasharray=\"7 4\"");
  }
  if (!pts.empty()) {
    text(out, x, y + 6, "circle area \u221d total time", " fill=\"#555555\"");
    text(out, x, y + 22, "largest: " + duration(max_ns), " fill=\"#555555\"");
  }
}

std::string count_ops(int n) { return fmt::format("{} op{}", n, n == 1 ? "" : "s"); }

// One line per reason a row is missing from the plot, with its share of all op time, so a
// reader knows how much of the step the picture leaves out.
std::vector<std::string> footnotes(const std::vector<OpStat>& ops, const RooflineFrame& f) {
  int n[3] = {0, 0, 0};
  double ns[3] = {0, 0, 0}, total = 0;
  for (const OpStat& s : ops) {
    const double t = usable(s.total_ns) ? s.total_ns : 0;
    total += t;
    double x = 0, y = 0;
    const int why = !usable(s.flops) ? 0 : !place(s, x, y) ? 1 : !f.contains(x, y) ? 2 : -1;
    if (why < 0) continue;
    ++n[why];
    ns[why] += t;
  }
  const char* reason[3] = {"without FLOPs", "without bytes or time", "outside the axes"};
  std::vector<std::string> lines;
  for (int k = 0; k < 3; ++k) {
    if (n[k] == 0) continue;
    lines.push_back(fmt::format("{} {} not shown ({:.1f}% of time)", count_ops(n[k]), reason[k],
                                total > 0 ? 100 * ns[k] / total : 0.0));
  }
  return lines;
}

std::vector<Point> points_in(const std::vector<OpStat>& ops, const RooflineFrame& f) {
  std::vector<Point> pts;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    double x = 0, y = 0;
    if (place(ops[i], x, y) && f.contains(x, y)) {
      pts.push_back({i, x, y, ops[i].total_ns, pass_of(ops[i])});
    }
  }
  // Stable, so equal times keep the table's order and the output is deterministic.
  std::stable_sort(pts.begin(), pts.end(),
                   [](const Point& a, const Point& b) { return a.ns > b.ns; });
  return pts;
}

}  // namespace

Pass pass_of(const OpStat& s) {
  if (s.backward) return Pass::backward;
  for (int i = 0; i < ops::kNumOps; ++i) {
    const auto id = static_cast<ops::OpId>(i);
    if (id != ops::OpId::optimizer_step && s.name == ops::op_name(id)) return Pass::forward;
  }
  return Pass::optimizer;
}

double RooflineFrame::px(double intensity) const {
  return left + (std::log10(intensity) - x_lo) / (x_hi - x_lo) * (right - left);
}

double RooflineFrame::py(double gflops) const {
  return bottom - (std::log10(gflops) - y_lo) / (y_hi - y_lo) * (bottom - top);
}

bool RooflineFrame::contains(double intensity, double gflops) const {
  // A hair of tolerance: a point exactly on a decade limit is inside despite log10 rounding.
  const double lx = std::log10(intensity), ly = std::log10(gflops);
  return lx >= x_lo - 1e-9 && lx <= x_hi + 1e-9 && ly >= y_lo - 1e-9 && ly <= y_hi + 1e-9;
}

RooflineFrame roofline_frame(const std::vector<OpStat>& ops, const Roof& roof,
                             const Roof* second_roof) {
  check_roof(roof, "the");
  if (second_roof) check_roof(*second_roof, "the second");
  // Each ridge a decade inside, so both the slope and the flat part of every roof show; each
  // peak at least 2x below the top, so its label fits above it.
  double need_x_lo = 0.01, need_x_hi = 1000, need_y_lo = 0.1, need_y_hi = 0;
  for (const Roof* r : {&roof, second_roof}) {
    if (!r) continue;
    need_x_lo = std::min(need_x_lo, r->ridge() / 10);
    need_x_hi = std::max(need_x_hi, r->ridge() * 10);
    need_y_lo = std::min(need_y_lo, r->peak_gflops / 10);
    need_y_hi = std::max(need_y_hi, r->peak_gflops * 2);
  }
  std::vector<double> xs, ys;
  for (const OpStat& s : ops) {
    double x = 0, y = 0;
    if (place(s, x, y)) xs.push_back(x), ys.push_back(y);
  }
  RooflineFrame f;
  cover(need_x_lo, need_x_hi, xs, f.x_lo, f.x_hi);
  cover(need_y_lo, need_y_hi, ys, f.y_lo, f.y_hi);
  f.left = kLeft;
  f.top = kTop;
  f.right = kLeft + kPlotW;
  f.bottom = kTop + kPlotH;
  return f;
}

std::string render_roofline_svg(const std::vector<OpStat>& ops, const Roof& roof,
                                const RooflinePlotOptions& o) {
  const RooflineFrame f = roofline_frame(ops, roof, o.second_roof);
  const std::vector<Point> pts = points_in(ops, f);
  std::vector<std::string> notes = footnotes(ops, f);
  // Said below the plot, not in it, where it would cross the roofs.
  if (pts.empty()) notes.insert(notes.begin(), "no ops with FLOPs and bytes to place");
  const double max_ns = pts.empty() ? 1 : pts.front().ns;
  const double h = f.bottom + 64 + 16 * static_cast<double>(notes.size());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n",
      num(kWidth), num(h));
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"white\"/>\n",
                     num(kWidth), num(h));
  if (!o.title.empty()) {
    text(out, kWidth / 2, 28, o.title,
         " text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  }
  render_axes(out, f);
  // The second (e.g. 1-thread) roof first, so the primary one is drawn over it.
  const bool suffix = o.second_roof != nullptr;
  if (o.second_roof) render_roof(out, *o.second_roof, f, 1, suffix);
  render_roof(out, roof, f, 0, suffix);
  render_points(out, pts, ops, f, max_ns);
  render_labels(out, pts, ops, f, max_ns, o.label_top);
  render_legend(out, pts, roof, o, f, max_ns);
  for (std::size_t i = 0; i < notes.size(); ++i) {
    text(out, f.left, f.bottom + 66 + 16 * static_cast<double>(i), notes[i], " fill=\"#555555\"");
  }
  return out + "</svg>\n";
}

void write_roofline_svg(const std::string& path, const std::vector<OpStat>& ops, const Roof& roof,
                        const RooflinePlotOptions& o) {
  const std::string svg = render_roofline_svg(ops, roof, o);
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  TT_CHECK(!ec, "roofline_svg: ", path, ": cannot create directory ", parent.string(), " (",
           ec.message(), ")");
  io::write_file_atomic(path, svg.data(), svg.size());
}

}  // namespace tt::profile

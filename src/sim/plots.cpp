// The device roofline of plots.h: decade axes chosen to show every roof (a decade either side of
// the ridges) and the ops that lie within a few decades of them, the roofs as clipped polylines,
// one circle per placeable op (largest first so small ones stay on top), the costliest named, and
// a footnote for what could not be placed. The two bar charts are in plots_bars.cpp; the SVG
// helpers in plots_svg_util.h.
#include "sim/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <utility>

#include "sim/plots_svg_util.h"
#include "sim/units.h"

namespace tt::sim {
namespace {

using namespace plots_detail;

constexpr int kDataSlackDecades = 4;  // data may widen an axis this far beyond the roofs
constexpr int kMaxDecades = 40;       // beyond this the device's numbers are not believable
constexpr double kMaxRadius = 18, kMinRadius = 2.5;
constexpr int kLabelTop = 8;
// Text over circles and lines stays legible on a white outline drawn under its fill.
constexpr const char* kHalo = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"";

struct LogFrame {
  int x_lo = -2, x_hi = 3, y_lo = 9, y_hi = 15;     // decade exponents
  double left = 0, top = 0, right = 1, bottom = 1;  // plot rectangle in pixels
  double px(double x) const {
    return left + (std::log10(x) - x_lo) / (x_hi - x_lo) * (right - left);
  }
  double py(double y) const {
    return bottom - (std::log10(y) - y_lo) / (y_hi - y_lo) * (bottom - top);
  }
  bool contains(double x, double y) const {
    const double lx = std::log10(x), ly = std::log10(y);
    return lx >= x_lo - 1e-9 && lx <= x_hi + 1e-9 && ly >= y_lo - 1e-9 && ly <= y_hi + 1e-9;
  }
};

struct ComputeRoof {
  double peak;
  std::string label;  // "fp16 989 TFLOP/s", "fp8/int8 1.979 PFLOP/s"
};

struct BandwidthRoof {
  double bw;
  std::string label;  // "SRAM 33 TB/s"
};

struct Placed {
  std::size_t index;   // into r.ops
  double x, y, share;  // FLOP/byte, FLOP/s, fraction of Σ time·count
};

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& b) const { return x0 < b.x1 && b.x0 < x1 && y0 < b.y1 && b.y0 < y1; }
};

// The box of a one-line label of `s` (11–12 px text) with its baseline at y.
Box label_box(double x, double y, const std::string& s, bool right_aligned) {
  const double w = 6.4 * static_cast<double>(s.size());
  return right_aligned ? Box{x - w, y - 11, x, y + 2} : Box{x, y - 11, x + w, y + 2};
}

const char* pass_colour(const std::string& pass) {
  if (pass == "fwd") return "#1f77b4";
  if (pass == "bwd") return "#ff7f0e";
  if (pass == "opt") return "#2ca02c";
  if (pass == "step") return "#9467bd";
  return "#7f7f7f";
}

std::string pass_legend(const std::string& pass) {
  if (pass == "fwd") return "forward";
  if (pass == "bwd") return "backward";
  if (pass == "opt") return "optimizer";
  if (pass == "step") return "whole step";
  return pass.empty() ? "other" : pass;
}

std::string op_label(const PricedOp& p) {
  return p.op.pass.empty() || p.op.pass == "fwd" ? p.op.name : p.op.name + " (" + p.op.pass + ")";
}

double op_total(const PricedOp& p) {
  const double t = p.time * p.op.count;
  return std::isfinite(t) && t > 0 ? t : 0;
}

// An op sits at (intensity, FLOPs / time per call) when all of those are positive and finite.
bool place(const PricedOp& p, double& x, double& y) {
  if (!usable(p.op.flops) || !usable(p.op.bytes) || !usable(p.time)) return false;
  x = usable(p.intensity) ? p.intensity : p.op.flops / p.op.bytes;
  y = p.op.flops / p.time;
  return usable(x) && usable(y);
}

// The main precision's roof first, then the device's other peaks, equal values merged.
std::vector<ComputeRoof> compute_roofs(const Device& d, Precision p) {
  const double main = d.peak(p);
  std::vector<ComputeRoof> roofs{
      {main, std::string(precision_name(p)) + " " + format_quantity(main, Dim::flops_rate)}};
  std::map<double, std::string> others;
  for (const auto& [q, v] : d.peak_flops) {
    if (!usable(v) || std::fabs(v / main - 1) < 1e-9) continue;
    std::string& names = others[v];
    if (!names.empty()) names += '/';
    names += precision_name(q);
  }
  for (const auto& [v, names] : others)
    roofs.push_back({v, names + " " + format_quantity(v, Dim::flops_rate)});
  return roofs;
}

std::vector<BandwidthRoof> tier_roofs(const Device& d) {
  std::vector<BandwidthRoof> t;
  if (d.sram_bandwidth && usable(*d.sram_bandwidth))
    t.push_back({*d.sram_bandwidth, "SRAM " + format_quantity(*d.sram_bandwidth, Dim::bandwidth)});
  if (d.flash_bandwidth && usable(*d.flash_bandwidth))
    t.push_back(
        {*d.flash_bandwidth, "flash " + format_quantity(*d.flash_bandwidth, Dim::bandwidth)});
  return t;
}

// Decades covering [lo, hi], widened to the data within kDataSlackDecades of it.
void cover(double lo, double hi, const std::vector<double>& data, int& e_lo, int& e_hi) {
  const double slack = std::pow(10.0, kDataSlackDecades);
  double a = lo, b = hi;
  for (double v : data) {
    a = std::min(a, std::max(v, lo / slack));
    b = std::max(b, std::min(v, hi * slack));
  }
  e_lo = static_cast<int>(std::floor(std::log10(a) + 1e-9));
  e_hi = std::max(e_lo + 1, static_cast<int>(std::ceil(std::log10(b) - 1e-9)));
}

// Each ridge a decade inside the x range, three decades of memory slope left of the main ridge,
// the highest peak a factor 3 below the top (room for its label).
LogFrame make_frame(const Device& d, const std::vector<ComputeRoof>& roofs,
                    const std::vector<BandwidthRoof>& tiers, const std::vector<PricedOp>& ops) {
  const double bw = d.mem_bandwidth, peak = roofs[0].peak, ridge = peak / bw;
  double x_lo = ridge / 1000, x_hi = ridge * 10, p_lo = peak, p_hi = peak;
  for (const ComputeRoof& c : roofs) {
    x_hi = std::max(x_hi, c.peak / bw * 3);
    p_lo = std::min(p_lo, c.peak);
    p_hi = std::max(p_hi, c.peak);
  }
  for (const BandwidthRoof& t : tiers) {
    x_lo = std::min(x_lo, peak / t.bw / 10);
    x_hi = std::max(x_hi, peak / t.bw * 3);
  }
  std::vector<double> xs, ys;
  for (const PricedOp& op : ops) {
    double x = 0, y = 0;
    if (place(op, x, y)) xs.push_back(x), ys.push_back(y);
  }
  LogFrame f;
  cover(x_lo, x_hi, xs, f.x_lo, f.x_hi);
  cover(std::min(p_lo / 100, bw * std::pow(10.0, f.x_lo)), p_hi * 3, ys, f.y_lo, f.y_hi);
  return f;
}

// Grid lines at every decade; labels on every decade, or every k-th so that ≤ ~10 fit.
void draw_axes(std::string& out, const LogFrame& f) {
  for (int axis = 0; axis < 2; ++axis) {
    const int lo = axis == 0 ? f.x_lo : f.y_lo, hi = axis == 0 ? f.x_hi : f.y_hi;
    const int every = (hi - lo + 9) / 10;
    for (int e = lo; e <= hi; ++e) {
      const double v = std::pow(10.0, e);
      if (axis == 0) line(out, f.px(v), f.top, f.px(v), f.bottom, "stroke=\"#e4e4e4\"");
      if (axis == 1) line(out, f.left, f.py(v), f.right, f.py(v), "stroke=\"#e4e4e4\"");
      if (((e - lo) % every) != 0) continue;
      if (axis == 0) text(out, f.px(v), f.bottom + 18, si_decade(e), " text-anchor=\"middle\"");
      if (axis == 1) text(out, f.left - 6, f.py(v) + 4, si_decade(e), " text-anchor=\"end\"");
    }
  }
  rect(out, f.left, f.top, f.right - f.left, f.bottom - f.top, "fill=\"none\" stroke=\"#333333\"");
  text(out, (f.left + f.right) / 2, f.bottom + 40, "arithmetic intensity (FLOP/byte)",
       " text-anchor=\"middle\"");
  const double lx = f.left - 58, cy = (f.top + f.bottom) / 2;
  text(out, lx, cy, "attained FLOP/s",
       " text-anchor=\"middle\" transform=\"rotate(-90 " + num(lx) + " " + num(cy) + ")\"");
}

// A sloped bandwidth line y = bw·x from where it enters the plot (left edge or bottom) to x_end,
// with its label riding the slope; nothing when it does not cross the plot.
void draw_slope(std::string& out, const LogFrame& f, double bw, double x_end,
                const std::string& style, const std::string& label, double at) {
  const double x0 = std::max(std::pow(10.0, f.x_lo), std::pow(10.0, f.y_lo) / bw);
  if (!(x0 < x_end)) return;
  const double ax = f.px(x0), ay = f.py(bw * x0), bx = f.px(x_end), by = f.py(bw * x_end);
  out += fmt::format("<polyline fill=\"none\" {} points=\"{},{} {},{}\"/>\n", style, num(ax),
                     num(ay), num(bx), num(by));
  const double mx = ax + at * (bx - ax), my = ay + at * (by - ay);
  const double angle = std::atan2(by - ay, bx - ax) * 180 / std::numbers::pi;
  text(out, mx, my - 5, label,
       " text-anchor=\"middle\" fill=\"#444444\" transform=\"rotate(" + num(angle) + " " + num(mx) +
           " " + num(my) + ")\"");
}

// Lines to `out`, the peak and ridge labels to `labels` (drawn over the circles later); returns
// the labels' boxes, for the op names to avoid.
std::vector<Box> draw_roofs(std::string& out, std::string& labels, const LogFrame& f,
                            const Device& d, const std::vector<ComputeRoof>& roofs,
                            const std::vector<BandwidthRoof>& tiers) {
  std::vector<Box> boxes;
  const double bw = d.mem_bandwidth, peak = roofs[0].peak, ridge = peak / bw,
               right = std::pow(10.0, f.x_hi);
  const std::string thin = "stroke=\"#777777\" stroke-width=\"1\" stroke-dasharray=\"6 4\"";
  double last_label_y = -1e9;  // labels of close peaks step down so they do not overprint
  for (std::size_t k = roofs.size(); k-- > 1;) {  // highest other peak first (map order ascending)
    const double rk = roofs[k].peak / bw, y = f.py(roofs[k].peak);
    out += fmt::format("<polyline fill=\"none\" {} points=\"{},{} {},{}{}\"/>\n", thin,
                       num(f.px(std::max(rk, ridge))), num(y), num(f.right), num(y),
                       rk > ridge ? fmt::format(" {},{}", num(f.px(ridge)), num(f.py(peak))) : "");
    last_label_y = std::max(y - 4, last_label_y + 13);
    boxes.push_back(label_box(f.right - 4, last_label_y, roofs[k].label, true));
    text(labels, f.right - 4, last_label_y, roofs[k].label,
         std::string(" text-anchor=\"end\" font-size=\"11\" fill=\"#666666\"") + kHalo);
  }
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    const double rt = peak / tiers[k].bw;  // a faster tier meets the peak left of the ridge
    draw_slope(out, f, tiers[k].bw, rt, thin, tiers[k].label, 0.35 + 0.2 * static_cast<double>(k));
    if (rt < ridge)
      line(out, f.px(std::max(rt, std::pow(10.0, f.x_lo))), f.py(peak), f.px(ridge), f.py(peak),
           thin);
  }
  draw_slope(out, f, bw, ridge, "stroke=\"#222222\" stroke-width=\"2\"",
             "memory " + format_quantity(bw, Dim::bandwidth), 0.6);
  out += fmt::format(
      "<polyline id=\"roof-compute\" fill=\"none\" stroke=\"#222222\" stroke-width=\"2\" "
      "points=\"{},{} {},{}\"/>\n",
      num(f.px(ridge)), num(f.py(peak)), num(f.px(right)), num(f.py(peak)));
  boxes.push_back(label_box(f.px(ridge) + 6, f.py(peak) - 6, "peak " + roofs[0].label, false));
  text(labels, f.px(ridge) + 6, f.py(peak) - 6, "peak " + roofs[0].label,
       std::string(" font-weight=\"bold\"") + kHalo);
  line(out, f.px(ridge), f.py(peak), f.px(ridge), f.bottom,
       "stroke=\"#222222\" stroke-dasharray=\"2 3\"");
  out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#222222\"/>\n", num(f.px(ridge)),
                     num(f.py(peak)));
  const bool right_half = f.px(ridge) > (f.left + f.right) / 2;
  const std::string ridge_label = fmt::format("ridge {:.3g} FLOP/B", ridge);
  text(labels, f.px(ridge) + (right_half ? -5 : 5), f.bottom - 6, ridge_label,
       right_half ? " text-anchor=\"end\"" : "");
  boxes.push_back(
      label_box(f.px(ridge) + (right_half ? -5 : 5), f.bottom - 6, ridge_label, right_half));
  return boxes;
}

std::vector<Placed> placed_ops(const std::vector<PricedOp>& ops, const LogFrame& f) {
  double total = 0;
  for (const PricedOp& p : ops) total += op_total(p);
  std::vector<Placed> pts;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    double x = 0, y = 0;
    if (place(ops[i], x, y) && f.contains(x, y) && total > 0)
      pts.push_back({i, x, y, op_total(ops[i]) / total});
  }
  std::stable_sort(pts.begin(), pts.end(),
                   [](const Placed& a, const Placed& b) { return a.share > b.share; });
  return pts;
}

double radius(double share, double max_share) {
  return max_share > 0 ? std::max(kMinRadius, kMaxRadius * std::sqrt(share / max_share))
                       : kMinRadius;
}

void draw_points(std::string& out, const std::vector<Placed>& pts, const std::vector<PricedOp>& ops,
                 const LogFrame& f) {
  for (const Placed& p : pts) {
    const PricedOp& op = ops[p.index];
    const char* c = pass_colour(op.op.pass);
    out += fmt::format(
        "<circle data-op=\"{}\" data-pass=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" "
        "fill-opacity=\"0.55\" "
        "stroke=\"{}\">",
        p.index, xml_escape(op.op.pass), num(f.px(p.x)), num(f.py(p.y)),
        num(radius(p.share, pts[0].share)), c, c);
    const std::string tip =
        fmt::format("{} {}: {} at {:.3g} FLOP/B, {:.1f}% of step, {}-bound", op_label(op),
                    op.op.shape, format_quantity(p.y, Dim::flops_rate), p.x, 100 * p.share,
                    op.bound.empty() ? "?" : op.bound);
    out += "<title>" + xml_escape(tip) + "</title></circle>\n";
  }
}

// A place for an op's name: text anchor point, anchor, its box, and whether a leader line joins
// it to the circle (for the stacked places further away).
struct LabelSpot {
  double x, y;
  const char* anchor;
  Box box;
  bool leader;
};

// Right, left, above, below the circle; then, for crowded clusters (compute-bound ops all sit at
// η·peak), rows further below or above, with a leader line.
std::vector<LabelSpot> label_spots(double cx, double cy, double r, const std::string& name) {
  const double w = 6.2 * static_cast<double>(name.size());
  const char* start = "";
  const char* end = " text-anchor=\"end\"";
  const char* mid = " text-anchor=\"middle\"";
  auto spot = [&](double x, double y, const char* a, bool leader) {
    const double x0 = a == start ? x : a == end ? x - w : x - w / 2;
    return LabelSpot{x, y, a, {x0, y - 10, x0 + w, y + 2}, leader};
  };
  std::vector<LabelSpot> s{spot(cx + r + 3, cy + 4, start, false),
                           spot(cx - r - 3, cy + 4, end, false), spot(cx, cy - r - 4, mid, false),
                           spot(cx, cy + r + 12, mid, false)};
  for (int level = 1; level <= 6; ++level) {
    const double below = cy + r + 12 + 14 * level, above = cy - r - 4 - 14 * level;
    s.push_back(spot(cx, below, mid, true));
    s.push_back(spot(cx + 4, below, start, true));
    s.push_back(spot(cx - 4, below, end, true));
    s.push_back(spot(cx, above, mid, true));
  }
  return s;
}

// Names the costliest points at the first spot that stays in the plot and hits neither an earlier
// label (`taken` starts with the roofs') nor another circle; failing that, one that only misses
// the labels; failing that, none (the tooltip names it: overprinted names help nobody).
void draw_labels(std::string& out, const std::vector<Placed>& pts, const std::vector<PricedOp>& ops,
                 const LogFrame& f, std::vector<Box> taken) {
  std::vector<Box> circles;
  for (const Placed& p : pts) {
    const double cx = f.px(p.x), cy = f.py(p.y), r = radius(p.share, pts[0].share);
    circles.push_back({cx - r, cy - r, cx + r, cy + r});
  }
  auto free_of = [](const std::vector<Box>& boxes, const Box& b, std::size_t skip) {
    for (std::size_t j = 0; j < boxes.size(); ++j)
      if (j != skip && boxes[j].overlaps(b)) return false;
    return true;
  };
  std::string leaders, labels;  // all leaders first, so none crosses a name
  for (std::size_t i = 0; i < pts.size() && i < static_cast<std::size_t>(kLabelTop); ++i) {
    const std::string name = op_label(ops[pts[i].index]);
    const double cx = f.px(pts[i].x), cy = f.py(pts[i].y), r = radius(pts[i].share, pts[0].share);
    const std::vector<LabelSpot> spots = label_spots(cx, cy, r, name);
    const LabelSpot* pick = nullptr;
    for (int pass = 0; pass < 2 && !pick; ++pass) {
      for (const LabelSpot& s : spots) {
        const Box& b = s.box;
        const bool inside = b.x0 >= f.left && b.x1 <= f.right && b.y0 >= f.top && b.y1 <= f.bottom;
        if (inside && free_of(taken, b, taken.size()) && (pass == 1 || free_of(circles, b, i))) {
          pick = &s;
          break;
        }
      }
    }
    if (!pick) continue;
    taken.push_back(pick->box);
    if (pick->leader) {
      const bool below = pick->box.y0 > cy;
      line(leaders, cx, below ? cy + r : cy - r, pick->x, below ? pick->box.y0 : pick->box.y1,
           "stroke=\"#999999\" stroke-width=\"0.8\"");
    }
    text(labels, pick->x, pick->y, name,
         std::string(pick->anchor) + " font-size=\"11\" fill=\"#222222\"" + kHalo);
  }
  out += leaders + labels;
}

void draw_legend(std::string& out, const LogFrame& f, const std::vector<Placed>& pts,
                 const std::vector<PricedOp>& ops, bool other_roofs) {
  const double x = f.right + 18;
  double y = f.top + 10;
  std::vector<std::string> seen{"fwd", "bwd", "opt", "step"};  // this order first, then any other
  for (const Placed& p : pts) {
    const std::string& pass = ops[p.index].op.pass;
    if (std::find(seen.begin(), seen.end(), pass) == seen.end()) seen.push_back(pass);
  }
  for (const std::string& pass : seen) {
    if (std::none_of(pts.begin(), pts.end(),
                     [&](const Placed& p) { return ops[p.index].op.pass == pass; }))
      continue;
    out += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{}\" fill-opacity=\"0.55\" stroke=\"{}\"/>\n",
        num(x + 6), num(y - 4), pass_colour(pass), pass_colour(pass));
    text(out, x + 18, y, pass_legend(pass));
    y += 18;
  }
  line(out, x, y - 4, x + 14, y - 4, "stroke=\"#222222\" stroke-width=\"2\"");
  text(out, x + 18, y, "roofline");
  y += 18;
  if (other_roofs) {
    line(out, x, y - 4, x + 14, y - 4, "stroke=\"#777777\" stroke-dasharray=\"4 3\"");
    text(out, x + 18, y, "other roofs");
    y += 18;
  }
  if (pts.empty()) return;
  text(out, x, y + 6, "circle area \u221d share", " fill=\"#555555\"");
  text(out, x, y + 22, "of step time", " fill=\"#555555\"");
}

std::string plural(std::size_t n, const char* what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

// One line per reason an op is missing, with its share of the step time.
std::vector<std::string> footnotes(const std::vector<PricedOp>& ops, const LogFrame& f) {
  std::size_t n[3] = {0, 0, 0};
  double t[3] = {0, 0, 0}, total = 0;
  for (const PricedOp& p : ops) {
    total += op_total(p);
    double x = 0, y = 0;
    const int why = !usable(p.op.flops) || !usable(p.op.bytes) ? 0
                    : !place(p, x, y)                          ? 1
                    : !f.contains(x, y)                        ? 2
                                                               : -1;
    if (why >= 0) ++n[why], t[why] += op_total(p);
  }
  const char* reason[3] = {"not placed (no FLOPs or no bytes)", "not placed (no time)",
                           "outside the axes"};
  std::vector<std::string> lines;
  for (int k = 0; k < 3; ++k) {
    if (n[k] == 0) continue;
    lines.push_back(fmt::format("{} {}, {:.1f}% of step time", plural(n[k], "op"), reason[k],
                                total > 0 ? 100 * t[k] / total : 0.0));
  }
  return lines;
}

std::string roofline_subtitle(const Device& d, Precision p, const NodeResult& r,
                              const std::string& auto_title, bool custom_title) {
  std::vector<std::string> parts;
  if (custom_title) parts.push_back(auto_title);
  bool exact = true;
  const double peak = d.peak(p, &exact);
  if (!exact)
    parts.push_back(fmt::format("no {} rate listed: {} peak", precision_name(p),
                                precision_name(d.default_precision)));
  if (usable(r.peak) && std::fabs(r.peak / peak - 1) > 1e-3)
    parts.push_back(fmt::format("\u03b7 = {:.2f}: ops priced at {}", r.peak / peak,
                                format_quantity(r.peak, Dim::flops_rate)));
  if (!r.bandwidth_tier.empty() && r.bandwidth_tier != "main memory" && r.bandwidth_tier != "HBM")
    parts.push_back("activations from " + r.bandwidth_tier);
  std::string s;
  for (const std::string& part : parts) s += (s.empty() ? "" : "; ") + part;
  return s;
}

}  // namespace

std::string device_roofline_svg(const Device& d, Precision p, const NodeResult& r,
                                const SimPlotOptions& o) {
  const Canvas c = canvas(o.width, o.height);
  const std::string dev = d.name.empty() ? d.key : d.name;
  const std::string auto_title =
      fmt::format("{} on {}, {}, {}", r.model.empty() ? "step" : r.model, dev, precision_name(p),
                  format_quantity(r.latency, Dim::time));
  const std::string title = o.title.empty() ? auto_title : o.title;
  const double peak = d.peak(p);
  if (!usable(peak) || !usable(d.mem_bandwidth) || !usable(peak / d.mem_bandwidth)) {
    std::string out = svg_open(c, title, "");
    centred_message(out, c,
                    dev + ": no positive peak FLOP/s and memory bandwidth to draw a roofline");
    return out + svg_close();
  }
  const std::vector<ComputeRoof> roofs = compute_roofs(d, p);
  const std::vector<BandwidthRoof> tiers = tier_roofs(d);
  LogFrame f = make_frame(d, roofs, tiers, r.ops);
  std::string out = svg_open(c, title, roofline_subtitle(d, p, r, auto_title, !o.title.empty()));
  if (f.x_hi - f.x_lo > kMaxDecades || f.y_hi - f.y_lo > kMaxDecades) {
    centred_message(out, c, dev + ": peak and bandwidth span too many decades to draw");
    return out + svg_close();
  }
  std::vector<std::string> notes = footnotes(r.ops, f);
  if (r.ops.empty()) notes.insert(notes.begin(), "no ops to place");
  f.left = 80, f.top = 58, f.right = c.w - 170;
  f.bottom = c.h - 58 - 15 * static_cast<double>(notes.size());
  const std::vector<Placed> pts = placed_ops(r.ops, f);
  draw_axes(out, f);
  std::string roof_text;
  std::vector<Box> roof_labels = draw_roofs(out, roof_text, f, d, roofs, tiers);
  draw_points(out, pts, r.ops, f);
  out += roof_text;
  draw_labels(out, pts, r.ops, f, std::move(roof_labels));
  draw_legend(out, f, pts, r.ops, roofs.size() > 1 || !tiers.empty());
  for (std::size_t i = 0; i < notes.size(); ++i)
    text(out, f.left, f.bottom + 60 + 15 * static_cast<double>(i), notes[i], " fill=\"#555555\"");
  return out + svg_close();
}

void write_device_roofline_svg(const std::string& path, const Device& d, Precision p,
                               const NodeResult& r, const SimPlotOptions& o) {
  write_svg_atomic(path, device_roofline_svg(d, p, r, o));
}

}  // namespace tt::sim

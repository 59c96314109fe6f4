// SVG line-plot writer: lays out panels side by side, picks 1-2-5 ticks, maps finite points to
// pixels and emits polylines, markers, axes and a legend as plain SVG text.
// Not interactive and not a chart toolkit: one fixed layout tuned for training curves.
#include "train/svg_plot.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/error.h"

namespace tt::train {
namespace {

// Layout in SVG pixels. Margins leave room for tick labels (left, bottom) and the panel title.
constexpr double kPanelW = 480, kPanelH = 340, kTitleH = 36;
constexpr double kLeft = 72, kRight = 18, kTop = 34, kBottom = 50;
// Values beyond this are skipped like NaN: hi - lo of two such values could overflow to Inf.
constexpr double kMaxAbs = 1e150;

// tab10: ten colours that stay distinguishable; beyond ten, series also get dashes.
constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

bool usable(double v) { return std::isfinite(v) && std::fabs(v) <= kMaxAbs; }

std::string num(double v) {  // pixel coordinates: always finite here, 2 decimals is plenty
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string tick_label(double v, double step) {
  char buf[48];
  const int e = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  if (e >= 6 || e <= -5) {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", std::max(0, -e), v);
  }
  return buf;
}

double x_of(const Series& s, std::size_t i) {
  return s.x.empty() ? static_cast<double>(i) : s.x[i];
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  bool empty() const { return lo > hi; }
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

// Maps data coordinates to pixels for one panel.
struct Frame {
  double x0, y0, x1, y1;       // plot rectangle in pixels (y0 top)
  std::vector<double> xt, yt;  // ticks; front/back are the axis limits
  // Data maps to the rectangle inset by kInset, so a curve at an axis limit (accuracy 1.0, a
  // constant series) is not hidden under the frame.
  static constexpr double kInset = 6;
  double px(double x) const {
    return x0 + kInset + (x - xt.front()) / (xt.back() - xt.front()) * (x1 - x0 - 2 * kInset);
  }
  double py(double y) const {
    return y1 - kInset - (y - yt.front()) / (yt.back() - yt.front()) * (y1 - y0 - 2 * kInset);
  }
};

Frame make_frame(const PlotPanel& p, double left, double top) {
  Range rx, ry;
  for (const Series& s : p.series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (usable(x_of(s, i)) && usable(s.y[i])) {
        rx.add(x_of(s, i));
        ry.add(s.y[i]);
      }
    }
  }
  if (rx.empty()) rx = Range{0, 1};
  if (ry.empty()) ry = Range{0, 1};
  return Frame{left + kLeft,
               top + kTop,
               left + kPanelW - kRight,
               top + kPanelH - kBottom,
               nice_ticks(rx.lo, rx.hi),
               nice_ticks(ry.lo, ry.hi)};
}

void text(std::string& out, double x, double y, const std::string& s, const std::string& extra) {
  out +=
      "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + xml_escape(s) + "</text>\n";
}

void render_axes(std::string& out, const PlotPanel& p, const Frame& f) {
  const std::string line = "<line stroke=\"#dddddd\" stroke-width=\"1\" ";
  for (double t : f.xt) {
    const double x = f.px(t);
    out += line + "x1=\"" + num(x) + "\" y1=\"" + num(f.y0) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(f.y1) + "\"/>\n";
    text(out, x, f.y1 + 16, tick_label(t, f.xt[1] - f.xt[0]), " text-anchor=\"middle\"");
  }
  for (double t : f.yt) {
    const double y = f.py(t);
    out += line + "x1=\"" + num(f.x0) + "\" y1=\"" + num(y) + "\" x2=\"" + num(f.x1) + "\" y2=\"" +
           num(y) + "\"/>\n";
    text(out, f.x0 - 6, y + 4, tick_label(t, f.yt[1] - f.yt[0]), " text-anchor=\"end\"");
  }
  out += "<rect x=\"" + num(f.x0) + "\" y=\"" + num(f.y0) + "\" width=\"" + num(f.x1 - f.x0) +
         "\" height=\"" + num(f.y1 - f.y0) + "\" fill=\"none\" stroke=\"#333333\"/>\n";
  const double cx = (f.x0 + f.x1) / 2, cy = (f.y0 + f.y1) / 2;
  text(out, cx, f.y0 - 12, p.title, " text-anchor=\"middle\" font-size=\"14\"");
  text(out, cx, f.y1 + 38, p.x_label, " text-anchor=\"middle\"");
  const double ly = f.x0 - kLeft + 16;
  text(out, ly, cy, p.y_label,
       " text-anchor=\"middle\" transform=\"rotate(-90 " + num(ly) + " " + num(cy) + ")\"");
}

std::string stroke(std::size_t i) {
  std::string s = std::string(" stroke=\"") + kColours[i % 10] + "\"";
  if (i >= 10) s += " stroke-dasharray=\"6 3\"";
  return s;
}

// One polyline per run of usable points, so a NaN breaks the line instead of bridging it; a
// run of one point becomes a dot, since a one-point polyline draws nothing.
void render_series(std::string& out, const Series& s, std::size_t index, const Frame& f) {
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    if (run.size() == 1) {
      out += "<circle cx=\"" + num(run[0].first) + "\" cy=\"" + num(run[0].second) +
             "\" r=\"3\" fill=\"" + kColours[index % 10] + "\"/>\n";
    } else if (run.size() > 1) {
      out += "<polyline fill=\"none\" stroke-width=\"1.8\"" + stroke(index) + " points=\"";
      for (std::size_t i = 0; i < run.size(); ++i) {
        if (i > 0) out += ' ';
        out += num(run[i].first);
        out += ',';
        out += num(run[i].second);
      }
      out += "\"/>\n";
    }
    run.clear();
  };
  for (std::size_t i = 0; i < s.y.size(); ++i) {
    const double x = x_of(s, i), y = s.y[i];
    if (usable(x) && usable(y)) {
      run.emplace_back(f.px(x), f.py(y));
    } else {
      flush();
    }
  }
  flush();
}

// How much of the data a legend box at (x, y, w, h) would cover: points plus samples along
// each segment, so sparse curves (five epochs) count too.
int covered(const PlotPanel& p, const Frame& f, double x, double y, double w, double h) {
  int n = 0;
  auto hit = [&](double px, double py) { n += px >= x && px <= x + w && py >= y && py <= y + h; };
  for (const Series& s : p.series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (!usable(x_of(s, i)) || !usable(s.y[i])) continue;
      const double ax = f.px(x_of(s, i)), ay = f.py(s.y[i]);
      hit(ax, ay);
      if (i + 1 < s.y.size() && usable(x_of(s, i + 1)) && usable(s.y[i + 1])) {
        const double bx = f.px(x_of(s, i + 1)), by = f.py(s.y[i + 1]);
        for (int k = 1; k < 8; ++k) hit(ax + (bx - ax) * k / 8, ay + (by - ay) * k / 8);
      }
    }
  }
  return n;
}

// The legend goes in the corner that hides the least data (top right on ties).
void render_legend(std::string& out, const PlotPanel& p, const Frame& f) {
  if (p.series.empty()) return;
  std::size_t chars = 1;
  for (const Series& s : p.series) chars = std::max(chars, s.label.size());
  const double w = 36 + 7.0 * static_cast<double>(std::min<std::size_t>(chars, 40));
  const double h = 8 + 18.0 * static_cast<double>(p.series.size());
  const double corners[4][2] = {{f.x1 - w - 8, f.y0 + 8},
                                {f.x0 + 8, f.y0 + 8},
                                {f.x1 - w - 8, f.y1 - h - 8},
                                {f.x0 + 8, f.y1 - h - 8}};
  double x = corners[0][0], y = corners[0][1];
  int best = covered(p, f, x, y, w, h);
  for (int c = 1; c < 4 && best > 0; ++c) {
    const int n = covered(p, f, corners[c][0], corners[c][1], w, h);
    if (n < best) best = n, x = corners[c][0], y = corners[c][1];
  }
  out += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
         num(h) + "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999999\"/>\n";
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const double ry = y + 16 + 18.0 * static_cast<double>(i);
    out += "<line x1=\"" + num(x + 6) + "\" y1=\"" + num(ry - 4) + "\" x2=\"" + num(x + 28) +
           "\" y2=\"" + num(ry - 4) + "\" stroke-width=\"2\"" + stroke(i) + "/>\n";
    text(out, x + 32, ry, p.series[i].label, "");
  }
}

void render_panel(std::string& out, const PlotPanel& p, double left, double top) {
  for (const Series& s : p.series) {
    TT_CHECK(s.x.empty() || s.x.size() == s.y.size(), "svg_plot: panel '", p.title, "', series '",
             s.label, "': ", s.x.size(), " x values but ", s.y.size(),
             " y values; give one x per y, or no x to plot against the index");
  }
  const Frame f = make_frame(p, left, top);
  out += "<g>\n";
  render_axes(out, p, f);
  for (std::size_t i = 0; i < p.series.size(); ++i) render_series(out, p.series[i], i, f);
  bool any = false;
  for (const Series& s : p.series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      any = any || (usable(x_of(s, i)) && usable(s.y[i]));
    }
  }
  if (!any) {
    text(out, (f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2, "no data",
         " text-anchor=\"middle\" fill=\"#999999\"");
  }
  render_legend(out, p, f);
  out += "</g>\n";
}

}  // namespace


std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  TT_CHECK(max_ticks >= 2, "svg_plot: nice_ticks needs max_ticks >= 2, got ", max_ticks);
  if (!usable(lo) || !usable(hi)) lo = 0, hi = 1;
  if (lo > hi) std::swap(lo, hi);
  // A (nearly) constant range has no scale of its own: widen it around the value.
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), std::fabs(hi)) || hi - lo < 1e-200) {
    const double pad = lo == 0 ? 1.0 : 0.1 * std::fabs(lo);
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / (max_ticks - 1);
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / base;
  const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * base;
  double first = std::floor(lo / step), last = std::ceil(hi / step);
  if (first * step > lo) first -= 1;  // lo / step can round up across an integer
  if (last * step < hi) last += 1;
  std::vector<double> ticks;
  // At most max_ticks + 1 iterations by the choice of step; the bound guards rounding surprises.
  for (double i = first; i <= last && ticks.size() <= static_cast<std::size_t>(max_ticks) + 2;
       i += 1) {
    const double t = i * step;
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);  // no "-0" or "1e-17" labels
  }
  return ticks;
}

std::string render_svg_plot(const std::vector<PlotPanel>& panels, const std::string& title) {
  TT_CHECK(!panels.empty(), "svg_plot: no panels to draw; pass at least one PlotPanel");
  const double top = title.empty() ? 8 : kTitleH;
  const double w = kPanelW * static_cast<double>(panels.size()), h = top + kPanelH;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(w) +
         "\" height=\"" + num(h) + "\" viewBox=\"0 0 " + num(w) + " " + num(h) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out +=
      "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"white\"/>\n";
  if (!title.empty()) {
    text(out, w / 2, 24, title, " text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  }
  for (std::size_t i = 0; i < panels.size(); ++i) {
    render_panel(out, panels[i], kPanelW * static_cast<double>(i), top);
  }
  return out + "</svg>\n";
}

void write_svg_plot(const std::string& path, const std::vector<PlotPanel>& panels,
                    const std::string& title) {
  const std::string svg = render_svg_plot(panels, title);
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  // Temp file + rename: a viewer refreshing the plot mid-run never sees half a file.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());  // per-process temp
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    TT_CHECK(f.good(), "svg_plot: ", path, ": cannot create ", tmp,
             "; does the directory exist and is it writable?");
    f << svg;
    f.close();
    TT_CHECK(!f.fail(), "svg_plot: ", path, ": writing ", svg.size(), " bytes failed");
  }
  fs::rename(tmp, path, ec);
  TT_CHECK(!ec, "svg_plot: ", path, ": cannot rename ", tmp, " over it (", ec.message(), ")");
}

}  // namespace tt::train

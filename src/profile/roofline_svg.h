// The roofline plot: the op table (profile/report.h) drawn as one self-contained SVG 1.1 file,
// log-log, each op a circle at (arithmetic intensity, achieved GFLOP/s) under this machine's
// memory and compute roofs, its area proportional to the op's total time, coloured by pass.
// Not a general plotting library (line plots of training curves are train/svg_plot.h) and not
// interactive beyond a tooltip (<title>) per circle.
#pragma once
#include <string>
#include <vector>

#include "profile/report.h"

namespace tt::profile {

struct RooflinePlotOptions {
  std::string title;                  // "gpt train step, batch 32 — 1 thread"; may be empty
  int label_top = 8;                  // name the points with the most total time (0: none)
  const Roof* second_roof = nullptr;  // optional, drawn dashed (e.g. the 1-thread roofs)
  std::string second_label;           // its legend text; default "roofline (N threads)"
};

// Which pass an op row belongs to, for its colour: backward if `backward`; optimizer if its name
// is not one of ops/op_list.h (the profiler names optimizer updates "AdamW.step") or is
// optimizer_step itself; forward otherwise.
enum class Pass { forward, backward, optimizer };
Pass pass_of(const OpStat& s);

// The plot's axes: x spans 10^x_lo .. 10^x_hi FLOP/byte, y spans 10^y_lo .. 10^y_hi GFLOP/s,
// both decades chosen to cover at least 0.01..1000 FLOP/B, 0.1..2·peak GFLOP/s, a decade either
// side of each ridge, and the data (at most 6 decades beyond that, so one absurd value cannot
// squash the plot; points beyond are counted in the footnote). Exposed so tests can check
// where a point lands.
struct RooflineFrame {
  int x_lo = -2, x_hi = 3, y_lo = -1, y_hi = 3;     // decade exponents
  double left = 0, top = 0, right = 1, bottom = 1;  // plot rectangle in pixels (top < bottom)
  double px(double intensity) const;                // pixel x of an intensity (FLOP/byte)
  double py(double gflops) const;                   // pixel y of a rate (GFLOP/s)
  bool contains(double intensity, double gflops) const;
};
RooflineFrame roofline_frame(const std::vector<OpStat>& ops, const Roof& roof,
                             const Roof* second_roof = nullptr);

// The SVG document. An op is drawn when flops, bytes and total_ns are finite and > 0; it sits at
// (s.intensity, s.gflops), or at (flops / bytes, flops / total_ns) where those fields are not
// finite and positive (a row not made by op_table). The rest are counted, with their share of the
// time, in a footnote. Circle ids are "op-<row index>". Throws tt::Error if a roof's peak or
// bandwidth is not finite and positive.
std::string render_roofline_svg(const std::vector<OpStat>& ops, const Roof& roof,
                                const RooflinePlotOptions& o = {});

// render_roofline_svg written atomically to `path` (parent directories are created).
void write_roofline_svg(const std::string& path, const std::vector<OpStat>& ops, const Roof& roof,
                        const RooflinePlotOptions& o = {});

}  // namespace tt::profile

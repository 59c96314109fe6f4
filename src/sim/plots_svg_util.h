// Internal to the simulator's charts (plots.h): SVG text building blocks shared by plots.cpp and
// plots_bars.cpp — escaping, pixel numbers that are always finite, the document frame, linear and
// decade ticks, the legend swatch and the atomic file write. Not a plotting library and not part
// of the public API.
#pragma once
#include "core/xml.h"
#include <string>
#include <vector>

namespace tt::sim::plots_detail {

bool usable(double v);                         // finite and > 0
using ::tt::xml_escape;                        // core/xml.h
std::string num(double px);                    // "12.35"; a non-finite value prints "0"

// A canvas of width × height (each clamped to at least 480 × 320): XML declaration, <svg> root,
// white background, and the title (bold, centred) and subtitle (grey) when not empty.
struct Canvas {
  double w = 900, h = 560;
};
Canvas canvas(int width, int height);
std::string svg_open(const Canvas& c, const std::string& title, const std::string& subtitle);
inline std::string svg_close() { return "</svg>\n"; }

// <text> with escaped content; `extra` is raw attributes starting with a space.
void text(std::string& out, double x, double y, const std::string& s,
          const std::string& extra = "");
void line(std::string& out, double x1, double y1, double x2, double y2, const std::string& style);
void rect(std::string& out, double x, double y, double w, double h, const std::string& style);
// A legend entry: a 12 px swatch with `style` and its label to the right.
void swatch(std::string& out, double x, double y, const std::string& style,
            const std::string& label);
// A message centred in the box, for charts with nothing to draw.
void centred_message(std::string& out, const Canvas& c, const std::string& msg);

// 10^e with an SI prefix: "1 G", "10 G", "100 m", "1" (e from -15 to 20; else "1e<e>").
std::string si_decade(int e);
// A short number: 3 significant digits, SI prefix from 10^4 on ("950", "12.5 k", "1.2 M").
std::string short_number(double v);
// Evenly spaced 0 = t0 < t1 < ... covering [0, hi] with a step of 1, 2, 2.5 or 5 × 10^k and about
// `target` intervals; hi not usable gives 0..1.
std::vector<double> nice_ticks(double hi, int target = 5);

// A linear y axis from 0 (at `bottom`) to ticks.back() (at `top`): grid lines and labels at the
// ticks, the axis title rotated at the left.
struct LinearY {
  double left, top, right, bottom, y_max;
  double py(double v) const { return bottom - v / y_max * (bottom - top); }
};
void draw_linear_y(std::string& out, const LinearY& f, const std::vector<double>& ticks,
                   const std::string& axis_title);

// Writes `svg` to path + ".tmp" and renames it to `path`; tt::Error naming the path on failure.
void write_svg_atomic(const std::string& path, const std::string& svg);

}  // namespace tt::sim::plots_detail

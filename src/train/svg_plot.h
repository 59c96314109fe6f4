// SVG line plots for training curves (e.g. loss vs step and accuracy vs epoch, side by side):
// a self-contained SVG 1.1 file with nice 1-2-5 ticks, a legend and distinct colours.
// Robust to what real runs produce: empty series, one point, NaN/Inf (skipped, the line breaks
// there) and constant series. Not a general plotting library: linear axes only, no log scale.
#pragma once
#include "core/xml.h"
#include <string>
#include <vector>

namespace tt::train {

struct Series {
  std::string label;
  std::vector<double> x, y;  // x may be empty: then x = 0, 1, 2, ... (one per y)
};

struct PlotPanel {
  std::string title, x_label, y_label;
  std::vector<Series> series;
};

// The SVG document for `panels` drawn left to right under `title` (may be empty). Throws
// tt::Error if there are no panels or a series has x and y of different lengths.
std::string render_svg_plot(const std::vector<PlotPanel>& panels, const std::string& title);

// render_svg_plot written to `path` (parent directories are created; the write is atomic).
void write_svg_plot(const std::string& path, const std::vector<PlotPanel>& panels,
                    const std::string& title);

// Tick values covering [lo, hi] with a step of 1, 2 or 5 times a power of ten, at most
// max_ticks + 1 of them (max_ticks >= 2); the first tick is <= lo and the last >= hi. A
// degenerate range (lo == hi) is widened around the value; non-finite input gives [0, 1].
std::vector<double> nice_ticks(double lo, double hi, int max_ticks = 6);

using ::tt::xml_escape;  // core/xml.h

}  // namespace tt::train

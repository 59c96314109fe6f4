// SVG building blocks of the simulator's charts (plots_svg_util.h): every number that becomes a
// coordinate passes through num(), which never prints NaN or infinity, and every string through
// xml_escape(). The file write is path + ".tmp" then rename, so a reader never sees half a chart.
#include "sim/plots_svg_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace tt::sim::plots_detail {

bool usable(double v) { return std::isfinite(v) && v > 0; }

std::string num(double px) {
  // Guarded here once so no chart can emit a NaN coordinate; callers skip what they cannot place.
  if (!std::isfinite(px)) return "0";
  std::string s = fmt::format("{:.2f}", px);
  return s == "-0.00" ? "0.00" : s;
}

Canvas canvas(int width, int height) {
  return {std::max(480.0, static_cast<double>(width)),
          std::max(320.0, static_cast<double>(height))};
}

std::string svg_open(const Canvas& c, const std::string& title, const std::string& subtitle) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n",
      num(c.w), num(c.h));
  rect(out, 0, 0, c.w, c.h, "fill=\"white\"");
  if (!title.empty()) {
    text(out, c.w / 2, 24, title, " text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"");
  }
  if (!subtitle.empty())
    text(out, c.w / 2, 42, subtitle, " text-anchor=\"middle\" fill=\"#555555\"");
  return out;
}

void text(std::string& out, double x, double y, const std::string& s, const std::string& extra) {
  out +=
      "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + xml_escape(s) + "</text>\n";
}

void line(std::string& out, double x1, double y1, double x2, double y2, const std::string& style) {
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", num(x1), num(y1),
                     num(x2), num(y2), style);
}

void rect(std::string& out, double x, double y, double w, double h, const std::string& style) {
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>\n", num(x), num(y),
                     num(std::max(0.0, w)), num(std::max(0.0, h)), style);
}

void swatch(std::string& out, double x, double y, const std::string& style,
            const std::string& label) {
  rect(out, x, y - 10, 12, 12, style);
  text(out, x + 18, y, label);
}

void centred_message(std::string& out, const Canvas& c, const std::string& msg) {
  text(out, c.w / 2, c.h / 2, msg, " text-anchor=\"middle\" font-size=\"14\" fill=\"#555555\"");
}

std::string si_decade(int e) {
  static const char* kPrefix[] = {"f", "p", "n", "\u00b5", "m", "", "k", "M", "G", "T", "P", "E"};
  if (e < -15 || e > 20) return fmt::format("1e{}", e);
  const int group = static_cast<int>(std::floor(e / 3.0)), rest = e - 3 * group;
  const char* mant = rest == 0 ? "1" : rest == 1 ? "10" : "100";
  const std::string prefix = kPrefix[group + 5];
  return prefix.empty() ? mant : fmt::format("{} {}", mant, prefix);
}

std::string short_number(double v) {
  if (!std::isfinite(v)) return "?";
  const double a = std::fabs(v);
  if (a < 1e3) return fmt::format("{:.3g}", v);
  if (a < 1e4) return fmt::format("{:.0f}", v);
  static const char* kPrefix[] = {"k", "M", "G", "T", "P", "E"};
  int k = std::min(6, static_cast<int>(std::floor(std::log10(a) / 3)));
  double m = v / std::pow(1e3, k);
  if (std::fabs(m) >= 999.5 && k < 6) ++k, m /= 1e3;  // 999.7 k prints as 1 M, not 1e+03 k
  return fmt::format("{:.3g} {}", m, kPrefix[k - 1]);
}

std::vector<double> nice_ticks(double hi, int target) {
  if (!usable(hi)) hi = 1;
  const double raw = hi / std::max(1, target), mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * mag >= raw * (1 - 1e-9)) {
      step = m * mag;
      break;
    }
  }
  std::vector<double> t{0};
  while (t.back() < hi * (1 - 1e-9) && t.size() < 64)
    t.push_back(step * static_cast<double>(t.size()));
  return t;
}

void draw_linear_y(std::string& out, const LinearY& f, const std::vector<double>& ticks,
                   const std::string& axis_title) {
  for (double t : ticks) {
    const double y = f.py(t);
    line(out, f.left, y, f.right, y, "stroke=\"#e4e4e4\" stroke-width=\"1\"");
    text(out, f.left - 6, y + 4, short_number(t), " text-anchor=\"end\"");
  }
  line(out, f.left, f.bottom, f.right, f.bottom, "stroke=\"#333333\"");
  line(out, f.left, f.top, f.left, f.bottom, "stroke=\"#333333\"");
  const double lx = f.left - 52, cy = (f.top + f.bottom) / 2;
  text(out, lx, cy, axis_title,
       " text-anchor=\"middle\" transform=\"rotate(-90 " + num(lx) + " " + num(cy) + ")\"");
}

void write_svg_atomic(const std::string& path, const std::string& svg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  TT_CHECK(!ec, "sim plots: cannot write ", path, ": cannot create directory ", parent.string(),
           " (", ec.message(), ")");
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    TT_CHECK(f.good(), "sim plots: cannot write ", path, ": cannot open ", tmp,
             "; is the directory writable?");
    f.write(svg.data(), static_cast<std::streamsize>(svg.size()));
    f.close();
    TT_CHECK(!f.fail(), "sim plots: cannot write ", path, ": writing ", tmp,
             " failed (disk full?)");
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);  // best effort: leave no stray .tmp behind
    TT_CHECK(false, "sim plots: cannot write ", path, ": rename from ", tmp, " failed (", why, ")");
  }
}

}  // namespace tt::sim::plots_detail

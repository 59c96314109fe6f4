// Tests for the roofline SVG: points and roofs land on the right pixels (read back out of the
// document), axes cover the roofs and the data, escaping, the footnote's counts, robustness to
// empty and non-finite input, and the small XML well-formedness checker (xml_check.h) on every
// output.
// Not a rendering test: nothing here rasterises the SVG.
#include "profile/roofline_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <utility>

#include "core/error.h"
#include "xml_check.h"

namespace tt::profile {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Attrs = tt::testing::XmlAttrs;

// Every document here must be well formed with an <svg> root.
std::string xml_problem(const std::string& doc) { return tt::testing::xml_problem(doc, "svg"); }

template <typename F>
std::string walk_xml(const std::string& doc, F&& f) {
  return tt::testing::walk_xml(doc, std::forward<F>(f), "svg");
}

// Attributes of the element with this id (empty if none).
Attrs element(const std::string& svg, const std::string& id) {
  Attrs found;
  walk_xml(svg, [&](const std::string&, const Attrs& a, const std::string&) {
    if (a.count("id") && a.at("id") == id) found = a;
  });
  return found;
}

std::vector<std::string> texts(const std::string& svg) {  // contents of <text> elements
  std::vector<std::string> out;
  walk_xml(svg, [&](const std::string& tag, const Attrs&, const std::string& body) {
    if (tag == "text") out.push_back(body);
  });
  return out;
}

bool has_text(const std::string& svg, const std::string& s) {
  for (const std::string& t : texts(svg)) {
    if (t == s) return true;
  }
  return false;
}

std::vector<std::pair<double, double>> polyline(const std::string& points) {
  std::vector<std::pair<double, double>> out;
  const char* p = points.c_str();
  while (*p != '\0') {
    char* end = nullptr;
    const double x = std::strtod(p, &end);
    const double y = std::strtod(end + 1, &end);  // skips the ','
    out.emplace_back(x, y);
    for (p = end; *p == ' ';) ++p;
  }
  return out;
}

void expect_clean(const std::string& svg) {
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  std::string lower = svg;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("nan"), std::string::npos);
  EXPECT_EQ(lower.find("inf"), std::string::npos);
}

// A 2-socket-ish laptop: ridge 216 / 15.5 = 13.9 FLOP/B.
const Roof kRoof{216, 15.5, 8};
const Roof kOneThread{27, 9, 1};

// A row as op_table makes it, with the derived fields filled from the totals.
OpStat op(const std::string& name, bool backward, double flops, double bytes, double ns) {
  OpStat s;
  s.name = name;
  s.backward = backward;
  s.calls = 10;
  s.total_ns = ns;
  s.flops = flops;
  s.bytes = bytes;
  s.gflops = ns > 0 ? flops / ns : 0;
  s.intensity = bytes > 0 ? flops / bytes : 0;
  return s;
}

TEST(RooflineSvg, XmlCheckerCatchesBrokenDocuments) {  // so a pass below means something
  EXPECT_EQ(xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"1\"><g/><t>x &amp; y</t></svg>\n"), "");
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g>"), "");
  EXPECT_NE(xml_problem("<svg a=1/>"), "");
  EXPECT_NE(xml_problem("<svg>a & b</svg>"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
  EXPECT_EQ(xml_problem("<svg>&#38; &#x26;</svg>"), "");  // character references
  EXPECT_NE(xml_problem("<svg>&#;</svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"1\" a=\"2\"/>"), "");  // repeated attribute
  EXPECT_NE(xml_problem("<g/>"), "");                    // root must be <svg> here
  EXPECT_EQ(tt::testing::xml_problem("<g/>"), "");       // unless no root name is asked for
}

TEST(RooflineSvg, AxesAreDecadesCoveringRoofsAndData) {
  const RooflineFrame f = roofline_frame({}, kRoof);
  EXPECT_EQ(f.x_lo, -2);  // the minimum 0.01 .. 1000 FLOP/B
  EXPECT_EQ(f.x_hi, 3);
  EXPECT_EQ(f.y_lo, -1);  // 0.1 .. 2 × 216 -> 1000 GFLOP/s
  EXPECT_EQ(f.y_hi, 3);
  // Data widens the axes: an op at 1e4 FLOP/B and 3000 GFLOP/s, another at 0.002 GFLOP/s.
  const RooflineFrame g =
      roofline_frame({op("matmul", false, 3e12, 3e8, 1e9), op("add", false, 2e6, 4e8, 1e9)}, kRoof);
  EXPECT_EQ(g.x_lo, -3);  // intensity 2e6 / 4e8 = 0.005
  EXPECT_EQ(g.x_hi, 4);
  EXPECT_EQ(g.y_lo, -3);
  EXPECT_EQ(g.y_hi, 4);
  // A huge ridge (fast compute, slow memory) keeps a decade of flat roof on the right; the peak
  // stays at least 2x below the top, room for its label.
  EXPECT_EQ(roofline_frame({}, Roof{1e5, 1, 1}).x_hi, 6);
  EXPECT_EQ(roofline_frame({}, Roof{600, 20, 1}).y_hi, 4);
  // Absurd data widens the axes by at most 6 decades beyond what the roofs need.
  const RooflineFrame h = roofline_frame(
      {op("a", false, 1e150, 1e-10, 1e-10), op("b", false, 1e-200, 1e100, 1e100)}, kRoof);
  EXPECT_EQ(h.x_lo, -8);
  EXPECT_EQ(h.x_hi, 9);
  EXPECT_EQ(h.y_lo, -7);
  EXPECT_EQ(h.y_hi, 9);  // 2 × 216 -> 10^3, then 6 more
  const std::string svg = render_roofline_svg({}, kRoof);
  for (const char* t : {"0.01", "0.1", "1", "10", "100", "1000"})
    EXPECT_TRUE(has_text(svg, t)) << t;
}

TEST(RooflineSvg, PointLandsAtItsIntensityAndRate) {
  // Axes 10^-2..10^3 FLOP/B and 10^-1..10^3 GFLOP/s (checked above): intensity 1 is 2/5 of the
  // way across, 10 GFLOP/s half way up.
  const std::vector<OpStat> ops = {op("matmul", false, 1e10, 1e10, 1e9),  // 1 FLOP/B, 10 GFLOP/s
                                   op("linear", true, 1e11, 1e9, 1e9)};   // 100, 100
  const std::string svg = render_roofline_svg(ops, kRoof);
  expect_clean(svg);
  const RooflineFrame f = roofline_frame(ops, kRoof);
  const Attrs a = element(svg, "op-0"), b = element(svg, "op-1");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  const double w = f.right - f.left, h = f.bottom - f.top;
  EXPECT_NEAR(std::stod(a.at("cx")), f.left + 0.4 * w, 0.01);
  EXPECT_NEAR(std::stod(a.at("cy")), f.bottom - 0.5 * h, 0.01);
  EXPECT_NEAR(std::stod(b.at("cx")), f.left + 0.8 * w, 0.01);
  EXPECT_NEAR(std::stod(b.at("cy")), f.bottom - 0.75 * h, 0.01);
  EXPECT_GT(w, 100);
  EXPECT_GT(h, 100);
}

TEST(RooflineSvg, RowWithoutDerivedFieldsIsPlacedFromItsTotals) {
  OpStat s;
  s.name = "matmul";
  s.flops = 2e9, s.bytes = 2e8, s.total_ns = 1e8;  // 10 FLOP/B, 20 GFLOP/s
  const std::string svg = render_roofline_svg({s}, kRoof);
  const RooflineFrame f = roofline_frame({s}, kRoof);
  const Attrs a = element(svg, "op-0");
  ASSERT_FALSE(a.empty());
  EXPECT_NEAR(std::stod(a.at("cx")), f.px(10), 0.01);
  EXPECT_NEAR(std::stod(a.at("cy")), f.py(20), 0.01);
}

// Pixel -> data on the log axes, independent of RooflineFrame::px/py.
std::pair<double, double> to_data(const RooflineFrame& f, double x, double y) {
  const double ex = f.x_lo + (x - f.left) / (f.right - f.left) * (f.x_hi - f.x_lo);
  const double ey = f.y_lo + (f.bottom - y) / (f.bottom - f.top) * (f.y_hi - f.y_lo);
  return {std::pow(10.0, ex), std::pow(10.0, ey)};
}

void expect_roof(const std::string& svg, const RooflineFrame& f, const std::string& id,
                 const Roof& r) {
  const Attrs a = element(svg, id);
  ASSERT_TRUE(a.count("points")) << id;
  const auto pts = polyline(a.at("points"));
  ASSERT_EQ(pts.size(), 3u) << id;
  // The memory roof rises to the ridge, where it meets the flat compute roof.
  const auto [x0, y0] = to_data(f, pts[0].first, pts[0].second);
  const auto [x1, y1] = to_data(f, pts[1].first, pts[1].second);
  const auto [x2, y2] = to_data(f, pts[2].first, pts[2].second);
  EXPECT_NEAR(x1 / r.ridge(), 1, 1e-3) << id;
  EXPECT_NEAR(y1 / r.peak_gflops, 1, 1e-3) << id;
  EXPECT_NEAR(y0 / (r.bandwidth_gbs * x0), 1, 1e-3) << id;  // y = bandwidth · x
  EXPECT_NEAR(y2 / r.peak_gflops, 1, 1e-3) << id;
  EXPECT_NEAR(pts[2].first, f.right, 0.01) << id;
  EXPECT_LT(x0, x1 / 5) << id;  // a visible slope, starting at the left or bottom edge
  EXPECT_TRUE(std::fabs(pts[0].first - f.left) < 0.01 ||
              std::fabs(pts[0].second - f.bottom) < 0.01);
}

TEST(RooflineSvg, RoofsMeetAtTheRidge) {
  RooflinePlotOptions o;
  o.second_roof = &kOneThread;
  o.second_label = "1 thread";
  const std::string svg = render_roofline_svg({}, kRoof, o);
  expect_clean(svg);
  const RooflineFrame f = roofline_frame({}, kRoof, &kOneThread);
  expect_roof(svg, f, "roof-0", kRoof);
  expect_roof(svg, f, "roof-1", kOneThread);
  EXPECT_NE(element(svg, "roof-1").at("stroke-dasharray"), "");
  EXPECT_TRUE(has_text(svg, "1 thread"));  // legend
  EXPECT_TRUE(has_text(svg, "peak 27 GFLOP/s (1 thread)"));
  EXPECT_TRUE(has_text(svg, "peak 216 GFLOP/s (8 threads)"));
}

TEST(RooflineSvg, RoofsAreLabelledWithTheirValues) {
  RooflinePlotOptions o;
  o.title = "gpt — 8 threads";
  const std::string svg = render_roofline_svg({}, kRoof, o);
  EXPECT_TRUE(has_text(svg, "peak 216 GFLOP/s"));
  EXPECT_TRUE(has_text(svg, "triad 15.5 GB/s"));
  EXPECT_TRUE(has_text(svg, "ridge 13.9 FLOP/B"));
  EXPECT_TRUE(has_text(svg, "gpt — 8 threads"));
  // Very low and very high roofs still draw inside the plot.
  const std::vector<OpStat> ops = {op("add", false, 1e3, 1e4, 1e6)};
  for (const Roof& r : {Roof{0.5, 0.001, 1}, Roof{1e6, 3000, 1}, Roof{2, 2e4, 1}}) {
    const std::string s = render_roofline_svg(ops, r);
    expect_clean(s);
    expect_roof(s, roofline_frame(ops, r), "roof-0", r);
  }
}

TEST(RooflineSvg, CircleAreaIsProportionalToTimeAndColourToPass) {
  const std::vector<OpStat> ops = {op("matmul", false, 1e9, 1e8, 4e6),
                                   op("matmul", true, 1e9, 1e8, 1e6),
                                   op("AdamW.step", false, 1e6, 1e7, 1e6)};
  const std::string svg = render_roofline_svg(ops, kRoof);
  expect_clean(svg);
  const double r0 = std::stod(element(svg, "op-0").at("r"));
  const double r1 = std::stod(element(svg, "op-1").at("r"));
  EXPECT_NEAR(r0 / r1, 2.0, 0.01);  // 4x the time, 4x the area
  EXPECT_EQ(element(svg, "op-0").at("class"), "fwd");
  EXPECT_EQ(element(svg, "op-1").at("class"), "bwd");
  EXPECT_EQ(element(svg, "op-2").at("class"), "opt");
  EXPECT_NE(element(svg, "op-0").at("fill"), element(svg, "op-1").at("fill"));
  EXPECT_NE(element(svg, "op-1").at("fill"), element(svg, "op-2").at("fill"));
  for (const char* t : {"forward", "backward", "optimizer"}) EXPECT_TRUE(has_text(svg, t)) << t;
}

TEST(RooflineSvg, PassOfTellsOptimizerFromOps) {
  OpStat s;
  s.name = "layer_norm";
  EXPECT_EQ(pass_of(s), Pass::forward);
  s.backward = true;
  EXPECT_EQ(pass_of(s), Pass::backward);
  s.backward = false;
  for (const char* n : {"AdamW.step", "SGD", "optimizer_step"}) {
    s.name = n;
    EXPECT_EQ(pass_of(s), Pass::optimizer) << n;
  }
}

TEST(RooflineSvg, LabelsTheCostliestOps) {
  const std::vector<OpStat> ops = {op("add", false, 1e6, 1e7, 1e6),
                                   op("linear", true, 1e9, 1e8, 9e6),
                                   op("gelu", false, 1e7, 1e8, 5e6)};
  RooflinePlotOptions o;
  o.label_top = 2;
  const std::string svg = render_roofline_svg(ops, kRoof, o);
  EXPECT_TRUE(has_text(svg, "linear (bwd)"));
  EXPECT_TRUE(has_text(svg, "gelu"));
  EXPECT_FALSE(has_text(svg, "add"));
  o.label_top = 0;
  EXPECT_FALSE(has_text(render_roofline_svg(ops, kRoof, o), "linear (bwd)"));
}

TEST(RooflineSvg, EscapesNamesAndTitle) {
  OpStat s = op("<script>&\"x\"", false, 1e9, 1e8, 1e6);
  s.shapes = "[2] <-> [3]";
  RooflinePlotOptions o;
  o.title = "a<b & c";
  const std::string svg = render_roofline_svg({s}, kRoof, o);
  expect_clean(svg);
  EXPECT_TRUE(has_text(svg, "&lt;script&gt;&amp;&quot;x&quot;"));
  EXPECT_TRUE(has_text(svg, "a&lt;b &amp; c"));
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

TEST(RooflineSvg, EmptyInputGivesAValidDocument) {
  const std::string svg = render_roofline_svg({}, kRoof);
  expect_clean(svg);
  EXPECT_NE(svg.find("<svg "), std::string::npos);
  EXPECT_TRUE(element(svg, "op-0").empty());
  EXPECT_TRUE(has_text(svg, "no ops with FLOPs and bytes to place"));
}

TEST(RooflineSvg, FootnoteCountsOpsThatCannotBePlaced) {
  const std::vector<OpStat> ops = {op("matmul", false, 1e9, 1e8, 6e6), op("view", false, 0, 0, 1e6),
                                   op("copy", true, 0, 4e8, 3e6)};
  const std::string svg = render_roofline_svg(ops, kRoof);
  expect_clean(svg);
  EXPECT_TRUE(has_text(svg, "2 ops without FLOPs not shown (40.0% of time)"));
  EXPECT_TRUE(element(svg, "op-1").empty());
  // A point beyond the axes' slack is counted, not drawn at a wrong place.
  const std::string far = render_roofline_svg({op("add", false, 1e-200, 1e9, 1e6)}, kRoof);
  expect_clean(far);
  EXPECT_TRUE(has_text(far, "1 op outside the axes not shown (100.0% of time)"));
  for (const std::string& t : texts(render_roofline_svg({ops[0]}, kRoof))) {
    EXPECT_EQ(t.find("not shown"), std::string::npos) << t;
  }
}

TEST(RooflineSvg, NonFiniteAndZeroValuesAreSkipped) {
  std::vector<OpStat> ops = {op("a", false, kNaN, 1e6, 1e6), op("b", false, 1e6, kInf, 1e6),
                             op("c", false, 1e6, 1e6, kNaN), op("d", false, 1e6, 1e6, 0),
                             op("e", false, 1e6, 0, 1e6),    op("f", false, 1e9, 1e8, 1e6)};
  ops.push_back(ops.back());  // derived fields fine, but no usable time: not drawn
  ops.back().total_ns = kNaN;
  ops.push_back(ops[5]);  // a broken derived field: placed from the totals instead
  ops.back().gflops = kNaN;
  ops.back().intensity = -kInf;
  ops.back().pct_of_bound = kInf;
  const std::string svg = render_roofline_svg(ops, kRoof);
  expect_clean(svg);
  EXPECT_EQ(element(svg, "op-5").at("cx"), element(svg, "op-7").at("cx"));
  EXPECT_EQ(element(svg, "op-5").at("cy"), element(svg, "op-7").at("cy"));
  for (const char* id : {"op-0", "op-1", "op-2", "op-3", "op-4", "op-6"}) {
    EXPECT_TRUE(element(svg, id).empty()) << id;
  }
  // Time of NaN or 0 counts as none; the other four rows share 5 ms.
  EXPECT_TRUE(has_text(svg, "1 op without FLOPs not shown (20.0% of time)"));
  EXPECT_TRUE(has_text(svg, "5 ops without bytes or time not shown (40.0% of time)"));
}

TEST(RooflineSvg, InvalidRoofThrows) {
  for (const Roof& r : {Roof{0, 15, 1}, Roof{216, -1, 1}, Roof{kNaN, 15, 1}, Roof{216, kInf, 1}}) {
    EXPECT_THROW(render_roofline_svg({}, r), Error);
    RooflinePlotOptions o;
    o.second_roof = &r;
    EXPECT_THROW(render_roofline_svg({}, kRoof, o), Error);
  }
}

TEST(RooflineSvg, WritesTheFileAtomically) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tt_roofline_" + std::to_string(::getpid()));
  const std::string path = (dir / "sub" / "roofline.svg").string();
  const std::vector<OpStat> ops = {op("matmul", false, 1e9, 1e8, 1e6)};
  write_roofline_svg(path, ops, kRoof);
  std::ifstream in(path, std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, render_roofline_svg(ops, kRoof));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tt::profile

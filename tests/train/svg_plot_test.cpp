// Tests for the SVG line-plot writer: well-formedness (the tiny XML checker in xml_check.h),
// escaping, finite in-bounds coordinates for NaN/Inf/empty/single-point/constant series,
// 1-2-5 ticks. Not a rendering test: nothing here rasterises the SVG.
#include "train/svg_plot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/error.h"
#include "xml_check.h"

namespace tt::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Attrs = tt::testing::XmlAttrs;

// Every document here must be well formed with an <svg> root.
std::string xml_problem(const std::string& doc) { return tt::testing::xml_problem(doc, "svg"); }

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

// Every number in a coordinate attribute must parse fully, be finite and lie on the canvas.
void expect_coordinates_in_canvas(const std::string& svg) {
  double w = -1, h = -1;
  std::vector<std::pair<bool, double>> coords;  // (horizontal, value)
  const auto visit = [&](const std::string& tag, const Attrs& attrs, const std::string&) {
    for (const auto& [name, value] : attrs) {
      if (tag == "svg" && name == "width") w = std::stod(value);
      if (tag == "svg" && name == "height") h = std::stod(value);
      if (name != "x" && name != "y" && name != "x1" && name != "y1" && name != "x2" &&
          name != "y2" && name != "cx" && name != "cy" && name != "points") {
        continue;
      }
      std::string v = value;
      std::replace(v.begin(), v.end(), ',', ' ');
      const char* p = v.c_str();
      for (int k = 0; *p != '\0'; ++k) {
        char* end = nullptr;
        const double d = std::strtod(p, &end);
        ASSERT_NE(end, p) << name << "=\"" << value << "\"";
        coords.emplace_back(name == "points" ? k % 2 == 0 : name.find('x') != std::string::npos, d);
        for (p = end; *p == ' ';) ++p;
      }
    }
  };
  const std::string problem = tt::testing::walk_xml(svg, visit, "svg");
  ASSERT_EQ(problem, "");
  ASSERT_GT(w, 0);
  ASSERT_GT(h, 0);
  ASSERT_FALSE(coords.empty());
  for (const auto& [horizontal, d] : coords) {
    ASSERT_TRUE(std::isfinite(d));
    EXPECT_GE(d, 0.0);
    EXPECT_LE(d, horizontal ? w : h);
  }
  std::string lower = svg;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("nan"), std::string::npos);
  EXPECT_EQ(lower.find("inf"), std::string::npos);
}

std::vector<PlotPanel> training_panels() {
  PlotPanel loss{"Loss", "step", "cross-entropy", {}};
  Series train{"train", {}, {}}, val{"val", {}, {}};
  for (int i = 0; i < 200; ++i) {
    train.x.push_back(i);
    train.y.push_back(2.3 * std::exp(-i / 50.0) + 0.05 * std::sin(i));
  }
  for (int e = 1; e <= 4; ++e) {
    val.x.push_back(e * 50.0);
    val.y.push_back(2.3 * std::exp(-e));
  }
  loss.series = {train, val};
  PlotPanel acc{"Accuracy", "epoch", "accuracy", {}};
  acc.series = {{"val acc", {1, 2, 3, 4}, {0.62, 0.81, 0.87, 0.9}}};
  return {loss, acc};
}

TEST(SvgPlot, XmlCheckerCatchesBrokenDocuments) {  // so a pass below means something
  EXPECT_EQ(xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"1\"><g/><t>x &amp; y</t></svg>\n"), "");
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><g>"), "");
  EXPECT_NE(xml_problem("<svg a=1/>"), "");
  EXPECT_NE(xml_problem("<svg a=\"<\"/>"), "");
  EXPECT_NE(xml_problem("<svg>a & b</svg>"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
}

TEST(SvgPlot, TrainingCurvesAreWellFormedWithLabels) {
  const std::string svg = render_svg_plot(training_panels(), "MLP on MNIST");
  EXPECT_EQ(xml_problem(svg), "");
  for (const char* s : {"MLP on MNIST", "Loss", "Accuracy", "step", "epoch", "cross-entropy",
                        ">train<", ">val<", ">val acc<"}) {
    EXPECT_NE(svg.find(s), std::string::npos) << s;
  }
  EXPECT_EQ(count(svg, "<polyline"), 3);
  EXPECT_NE(svg.find("#1f77b4"), std::string::npos);
  EXPECT_NE(svg.find("#ff7f0e"), std::string::npos);
  EXPECT_NE(svg.find(">0.7<"), std::string::npos);  // a nice accuracy tick, step 0.1
  expect_coordinates_in_canvas(svg);
}

TEST(SvgPlot, EscapesXmlInLabels) {
  PlotPanel p{"a<b & \"c\"", "x's", "y>0", {{"<script>\x01", {0, 1}, {0, 1}}}};
  const std::string svg = render_svg_plot({p}, "T&C");
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("x&apos;s"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;<"), std::string::npos);  // control char dropped
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(xml_escape("ok\ttab"), "ok\ttab");
}

TEST(SvgPlot, NonFiniteValuesBreakTheLine) {
  PlotPanel p{"p", "x", "y", {{"s", {0, 1, 2, 3, 4, 5, 6}, {1, kNaN, 2, 3, kInf, 4, -kInf}}}};
  const std::string svg = render_svg_plot({p}, "");
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, "<polyline"), 1);  // the run 2, 3
  EXPECT_EQ(count(svg, "<circle"), 2);    // lone points 1 and 4
  expect_coordinates_in_canvas(svg);
  PlotPanel huge{"p", "x", "y", {{"s", {0, 1, 2}, {1, 1e300, 2}}, {"t", {kNaN, 1}, {1, 2}}}};
  expect_coordinates_in_canvas(render_svg_plot({huge}, ""));
}

TEST(SvgPlot, EmptySinglePointAndConstantSeries) {
  const std::vector<PlotPanel> panels = {
      {"empty", "x", "y", {{"nothing", {}, {}}}},
      {"none", "x", "y", {}},
      {"all missing", "x", "y", {{"n", {}, {kNaN, kNaN}}}},
      {"one", "x", "y", {{"single", {3}, {0.25}}}},
      {"flat", "x", "y", {{"c", {}, {0.5, 0.5, 0.5}}, {"z", {1, 1}, {0, 0}}}},
  };
  const std::string svg = render_svg_plot(panels, "edge cases");
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, ">no data<"), 3);
  EXPECT_EQ(count(svg, "<circle"), 1);
  EXPECT_EQ(count(svg, "<g>"), 5);
  EXPECT_NE(svg.find(">nothing<"), std::string::npos);  // empty series still in the legend
  expect_coordinates_in_canvas(svg);
}

TEST(SvgPlot, ManySeriesGetDistinctStyles) {
  PlotPanel p{"many", "x", "y", {}};
  for (int i = 0; i < 12; ++i) {
    std::string label = "s";  // appended piecewise: GCC 12 warns falsely on "s" + to_string
    label += std::to_string(i);
    p.series.push_back({label, {}, {1.0 * i, 2.0 * i}});
  }
  const std::string svg = render_svg_plot({p}, "");
  EXPECT_EQ(xml_problem(svg), "");
  for (const char* c : {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                        "#7f7f7f", "#bcbd22", "#17becf"}) {
    EXPECT_NE(svg.find(c), std::string::npos) << c;
  }
  EXPECT_EQ(count(svg, "stroke-dasharray"), 4);  // series 10, 11: line + legend sample
}

TEST(SvgPlot, Errors) {
  EXPECT_THROW(render_svg_plot({}, "t"), Error);
  PlotPanel p{"p", "x", "y", {{"bad", {1, 2, 3}, {1, 2}}}};
  try {
    render_svg_plot({p}, "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("svg_plot: panel 'p', series 'bad': 3 x values but 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(nice_ticks(0, 1, 1), Error);
}

void expect_nice(double lo, double hi, int max_ticks = 6) {
  const std::vector<double> t = nice_ticks(lo, hi, max_ticks);
  ASSERT_GE(t.size(), 2u) << lo << " " << hi;
  EXPECT_LE(t.size(), static_cast<std::size_t>(max_ticks) + 1) << lo << " " << hi;
  EXPECT_LE(t.front(), std::min(lo, hi));
  EXPECT_GE(t.back(), std::max(lo, hi));
  const double step = t[1] - t[0];
  const double mant = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  const bool one_two_five =
      std::fabs(mant - 1) < 1e-6 || std::fabs(mant - 2) < 1e-6 || std::fabs(mant - 5) < 1e-6;
  EXPECT_TRUE(one_two_five) << "step " << step << " for [" << lo << ", " << hi << "]";
}

TEST(SvgPlot, NiceTicksFollowTheOneTwoFiveRule) {
  EXPECT_EQ(nice_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(nice_ticks(0, 10), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(-3, 7), (std::vector<double>{-4, -2, 0, 2, 4, 6, 8}));
  EXPECT_EQ(nice_ticks(0, 0), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  EXPECT_EQ(nice_ticks(kNaN, 3), nice_ticks(0, 1));
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{{0.13, 0.87},
                                                              {2.3, 0.04},
                                                              {0, 59999},
                                                              {1e-9, 3e-9},
                                                              {-1e6, 1e7},
                                                              {1e100, 3e100},
                                                              {0.9999, 1.0001},
                                                              {5, 5},
                                                              {-2.5, -2.5},
                                                              {123456.7, 123456.8}}) {
    expect_nice(lo, hi);
    expect_nice(lo, hi, 3);
  }
}

TEST(SvgPlot, WritesFileIntoNewDirectory) {
  std::string dir = (std::filesystem::temp_directory_path() / "tt-svg-test-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/run/curves.svg";
  write_svg_plot(path, training_panels(), "curves");
  std::ifstream f(path);
  const std::string got((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, render_svg_plot(training_panels(), "curves"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir + "/run"),
                          std::filesystem::directory_iterator()),
            1);  // no temp file left behind
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tt::train

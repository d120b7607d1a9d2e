#include "eval/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace llmz::eval {

namespace {

constexpr double kWidth = 900, kHeight = 480, kLeft = 70, kRight = 330, kTop = 40, kBottom = 60;
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Axis {
  double lo, hi;
  bool log;
  double map(double v, double from, double to) const {
    const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi, x = log ? std::log10(v) : v;
    return from + (to - from) * (b > a ? (x - a) / (b - a) : 0.5);
  }
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      for (double p = std::floor(std::log10(lo)); p <= std::ceil(std::log10(hi)); p++) t.push_back(std::pow(10, p));
      return t;
    }
    const double range = std::max(hi - lo, 1e-9);
    double step = std::pow(10, std::floor(std::log10(range)));
    if (range / step < 2)
      step /= 5;
    else if (range / step < 5)
      step /= 2;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9; v += step)
      t.push_back(std::fabs(v) < 1e-9 * step ? 0.0 : v);
    return t;
  }
};

Axis axis_for(std::vector<double> v, bool log) {
  v.erase(std::remove_if(v.begin(), v.end(), [&](double x) { return !std::isfinite(x) || (log && x <= 0); }), v.end());
  if (v.empty()) return {log ? 1.0 : 0.0, log ? 10.0 : 1.0, log};
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  if (log) return {std::pow(10, std::floor(std::log10(lo))), std::pow(10, std::ceil(std::log10(hi) + 1e-12)), true};
  const double pad = hi > lo ? 0.08 * (hi - lo) : std::max(1.0, std::fabs(hi) * 0.1);
  return {lo - pad, hi + pad, false};
}

}  // namespace

std::string render_svg(const Chart& c) {
  std::vector<double> xs, ys;
  for (const auto& s : c.series)
    for (const auto& p : s.points) xs.push_back(p.x), ys.push_back(p.y);
  for (const auto& l : c.lines) ys.push_back(l.y);
  const Axis ax = axis_for(xs, c.log_x), ay = c.percent_y ? Axis{0, 100, false} : axis_for(ys, false);
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  auto X = [&](double v) { return ax.map(v, x0, x1); };
  auto Y = [&](double v) { return ay.map(v, y0, y1); };

  // The canvas grows to the right for long legend names (about 7 px a character) and downwards for
  // more entries than the plot's height holds.
  size_t longest = 0, entries = c.lines.size() + c.series.size();
  for (const auto& l : c.lines) longest = std::max(longest, l.name.size());
  for (const auto& s : c.series) longest = std::max(longest, s.name.size());
  const double width = std::max(kWidth, x1 + 48 + 7.0 * double(longest));
  const double height = std::max(kHeight, y1 + 10 + 18.0 * double(entries));
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", width) + "\" height=\"" +
                    fmt("%.0f", height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + fmt("%.0f", width / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + esc(c.title) +
         "</text>\n";
  for (double t : ax.ticks()) {
    if (t < ax.lo - 1e-9 || t > ax.hi + 1e-9) continue;
    svg += "<line x1=\"" + fmt("%.1f", X(t)) + "\" y1=\"" + fmt("%.1f", y0) + "\" x2=\"" + fmt("%.1f", X(t)) +
           "\" y2=\"" + fmt("%.1f", y1) + "\" stroke=\"#eee\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", X(t)) + "\" y=\"" + fmt("%.1f", y0 + 16) + "\" text-anchor=\"middle\">" +
           fmt(std::fabs(t) >= 100 || t == std::floor(t) ? "%.0f" : "%.2g", t) + "</text>\n";
  }
  for (double t : ay.ticks()) {
    if (t < ay.lo - 1e-9 || t > ay.hi + 1e-9) continue;
    svg += "<line x1=\"" + fmt("%.1f", x0) + "\" y1=\"" + fmt("%.1f", Y(t)) + "\" x2=\"" + fmt("%.1f", x1) +
           "\" y2=\"" + fmt("%.1f", Y(t)) + "\" stroke=\"#eee\"/>\n";
    svg += "<text x=\"" + fmt("%.1f", x0 - 6) + "\" y=\"" + fmt("%.1f", Y(t) + 4) + "\" text-anchor=\"end\">" +
           fmt(t == std::floor(t) ? "%.0f" : "%.2g", t) + "</text>\n";
  }
  svg += "<rect x=\"" + fmt("%.1f", x0) + "\" y=\"" + fmt("%.1f", y1) + "\" width=\"" + fmt("%.1f", x1 - x0) +
         "\" height=\"" + fmt("%.1f", y0 - y1) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  svg += "<text x=\"" + fmt("%.1f", (x0 + x1) / 2) + "\" y=\"" + fmt("%.1f", kHeight - 18) +
         "\" text-anchor=\"middle\">" + esc(c.x_label) + (c.log_x ? " (log scale)" : "") + "</text>\n";
  svg += "<text transform=\"translate(18," + fmt("%.1f", (y0 + y1) / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         esc(c.y_label) + "</text>\n";

  double legend_y = y1 + 10;
  auto legend = [&](const std::string& name, const std::string& color, bool dashed) {
    svg += "<line x1=\"" + fmt("%.1f", x1 + 12) + "\" y1=\"" + fmt("%.1f", legend_y) + "\" x2=\"" +
           fmt("%.1f", x1 + 32) + "\" y2=\"" + fmt("%.1f", legend_y) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"" + (dashed ? " stroke-dasharray=\"5,3\"" : "") + "/>\n";
    svg +=
        "<text x=\"" + fmt("%.1f", x1 + 38) + "\" y=\"" + fmt("%.1f", legend_y + 4) + "\">" + esc(name) + "</text>\n";
    legend_y += 18;
  };
  for (size_t i = 0; i < c.lines.size(); i++) {
    const std::string color = i % 2 ? "#444" : "#999";
    svg += "<line x1=\"" + fmt("%.1f", x0) + "\" y1=\"" + fmt("%.1f", Y(c.lines[i].y)) + "\" x2=\"" + fmt("%.1f", x1) +
           "\" y2=\"" + fmt("%.1f", Y(c.lines[i].y)) + "\" stroke=\"" + color + "\" stroke-dasharray=\"5,3\"/>\n";
    legend(c.lines[i].name, color, true);
  }
  for (size_t i = 0; i < c.series.size(); i++) {
    const auto& s = c.series[i];
    const std::string color = kColors[i % (sizeof kColors / sizeof *kColors)];
    std::string path;
    for (const auto& p : s.points) {
      if (c.log_x && p.x <= 0) continue;
      path += (path.empty() ? "M" : " L") + fmt("%.1f", X(p.x)) + "," + fmt("%.1f", Y(p.y));
      svg += "<circle cx=\"" + fmt("%.1f", X(p.x)) + "\" cy=\"" + fmt("%.1f", Y(p.y)) + "\" r=\"3.5\" fill=\"" + color +
             "\"/>\n";
      if (!p.label.empty())
        svg += "<text x=\"" + fmt("%.1f", X(p.x) + 5) + "\" y=\"" + fmt("%.1f", Y(p.y) - 5) +
               "\" font-size=\"10\" fill=\"" + color + "\">" + esc(p.label) + "</text>\n";
    }
    if (s.connect && !path.empty())
      svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>\n";
    legend(s.name, color, false);
  }
  return svg + "</svg>\n";
}

}  // namespace llmz::eval

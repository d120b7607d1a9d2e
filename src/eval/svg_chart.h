// A small scatter/line chart written as standalone SVG, for the eval reports (no plotting library
// in Debian's C++ set fits; the charts need only axes, points, lines, labels and a legend).
#pragma once
#include <string>
#include <vector>

namespace llmz::eval {

struct ChartPoint {
  double x = 0, y = 0;
  std::string label;  // drawn beside the point (e.g. "N=5, 12 s")
};

struct ChartSeries {
  std::string name;
  std::vector<ChartPoint> points;
  bool connect = true;  // draw a line through the points in order
};

struct ChartLine {  // a horizontal reference line
  std::string name;
  double y = 0;
};

struct Chart {
  std::string title, x_label, y_label;
  bool log_x = false;  // points with x <= 0 are left out of a log axis
  std::vector<ChartSeries> series;
  std::vector<ChartLine> lines;
  bool percent_y = false;  // the y axis spans 0 to 100 whatever the data
};

std::string render_svg(const Chart& chart);

}  // namespace llmz::eval

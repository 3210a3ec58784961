// Charts of report tables drawn with cairo and pango: the chart a table asks for (ChartOf),
// drawing it into any cairo context (the PDF report reuses it), and standalone PNG, SVG and
// one-page PDF images written to memory.
//
// Bars are grouped by category with negative bars below the zero line; lines break at
// missing values; pies label each slice with its percentage. All text goes through pango
// ("Noto Sans CJK SC", falling back to "Sans") so Chinese labels render as text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/v1/templates.pb.h"

// cairo's own opaque type, declared here so users of this header need no cairo headers.
typedef struct _cairo cairo_t;

namespace custflow::reporting {

enum class ImageFormat { kPng, kSvg, kPdf };

// One line, one bar per category, or (for a pie) the slices; absent values are gaps.
struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;
};

struct Chart {
  v1::ChartKind kind = v1::CHART_KIND_UNSPECIFIED;
  std::string title;
  std::vector<std::string> categories;
  // Each with one value per category; a pie draws the first series only.
  std::vector<ChartSeries> series;
};

// The chart of a table: categories from the label column, one series per value column
// (a pie takes the first), total rows left out. nullopt when its chart kind is unspecified
// or it has no rows or value columns to draw.
std::optional<Chart> ChartOf(const v1::ReportTable& table);

// OK when the chart can be drawn: a chart kind, categories, series as long as the
// categories, finite values.
absl::Status ValidateChart(const Chart& chart);

// Draws the chart inside the box (user units of `cr`); draws nothing for a chart that
// ValidateChart rejects or a box without area.
void DrawChart(cairo_t* cr, const Chart& chart, double x, double y, double width, double height);

// A standalone image: PNG (pixels), SVG or one-page PDF (points), as bytes.
// INVALID_ARGUMENT for an invalid chart or a size outside 1..8192.
absl::StatusOr<std::string> RenderChart(const Chart& chart, ImageFormat format, int width = 800,
                                        int height = 480);

// An axis from `min` to `max` in steps of 1, 2 or 5 × 10^k, covering the values.
struct AxisScale {
  double min = 0;
  double max = 1;
  double step = 1;
};
// About `intervals` steps covering [low, high]; a flat range is widened around its value.
AxisScale NiceScale(double low, double high, int intervals = 6);

// A tick label readable at a glance: "12,000", "-500", "0.25", "1.2M", "3B"; `step` is the
// axis step, which decides the decimals shown.
std::string AxisLabel(double value, double step);

}  // namespace custflow::reporting

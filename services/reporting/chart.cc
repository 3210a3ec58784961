// Chart drawing with cairo and pango; see chart.h. Sizes scale with the box so the same
// code serves an 800 × 480 PNG and a chart under a table on an A4 page.
#include "services/reporting/chart.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace custflow::reporting {
namespace {

constexpr char kFontFamily[] = "Noto Sans CJK SC,Sans";
constexpr int kMaxImageSide = 8192;

struct Rgb {
  double r, g, b;
};
// Tableau 10: distinct hues that stay apart in print and for most colour-blind readers.
constexpr Rgb kPalette[] = {{0.306, 0.475, 0.655}, {0.949, 0.557, 0.169}, {0.882, 0.341, 0.349},
                            {0.463, 0.718, 0.698}, {0.349, 0.631, 0.310}, {0.929, 0.788, 0.282},
                            {0.690, 0.478, 0.631}, {1.000, 0.616, 0.655}, {0.612, 0.459, 0.373},
                            {0.729, 0.690, 0.675}};
constexpr Rgb kText = {0.15, 0.15, 0.15};
constexpr Rgb kMuted = {0.35, 0.35, 0.35};
constexpr Rgb kGrid = {0.88, 0.88, 0.88};
constexpr Rgb kAxis = {0.45, 0.45, 0.45};

void SetColor(cairo_t* cr, const Rgb& color) { cairo_set_source_rgb(cr, color.r, color.g, color.b); }
const Rgb& PaletteColor(size_t index) { return kPalette[index % std::size(kPalette)]; }

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

// A layout of plain text (never markup: labels come from data), optionally limited to
// `max_width` with an ellipsis.
Layout TextLayout(cairo_t* cr, const std::string& text, double size, bool bold = false,
                  double max_width = -1) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, kFontFamily);
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  if (max_width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(max_width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  }
  pango_layout_set_text(layout.get(), text.c_str(), -1);
  return layout;
}

struct Extent {
  double width, height;
};
Extent Measure(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return {static_cast<double>(logical.width) / PANGO_SCALE,
          static_cast<double>(logical.height) / PANGO_SCALE};
}

enum class Anchor { kLeft, kCenter, kRight };

// Draws the layout with its top at `y` and its left, centre or right at `x`.
void DrawLayout(cairo_t* cr, PangoLayout* layout, double x, double y, Anchor anchor) {
  const Extent extent = Measure(layout);
  if (anchor == Anchor::kCenter) x -= extent.width / 2;
  if (anchor == Anchor::kRight) x -= extent.width;
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
}

// Sizes that follow the box: 12 units of text in an 800 × 480 image.
struct Metrics {
  double text;
  double title;
  double pad;
};
Metrics MetricsFor(double width, double height) {
  const double text = std::clamp(std::min(width / 66, height / 40), 7.0, 16.0);
  return {text, text * 1.3, text * 0.8};
}

// The legend's entries laid out in rows centred under the plot; returns its height.
double LegendHeight(cairo_t* cr, const std::vector<std::string>& names, double width, const Metrics& m) {
  if (names.empty()) return 0;
  const double swatch = m.text * 0.8;
  double row_width = 0;
  int rows = 1;
  for (const std::string& name : names) {
    const double entry = swatch + m.text * 0.4 +
                         Measure(TextLayout(cr, name, m.text, false, width / 2).get()).width + m.text * 1.2;
    if (row_width > 0 && row_width + entry > width) {
      ++rows;
      row_width = 0;
    }
    row_width += entry;
  }
  return rows * m.text * 1.6;
}

void DrawLegend(cairo_t* cr, const std::vector<std::string>& names, double x, double y, double width,
                const Metrics& m) {
  const double swatch = m.text * 0.8;
  const double row_height = m.text * 1.6;
  // Rows of (entry layouts, row width), then each row centred.
  std::vector<std::vector<std::pair<size_t, Layout>>> rows(1);
  std::vector<double> row_widths(1, 0);
  for (size_t i = 0; i < names.size(); ++i) {
    Layout layout = TextLayout(cr, names[i], m.text, false, width / 2);
    const double entry = swatch + m.text * 0.4 + Measure(layout.get()).width + m.text * 1.2;
    if (row_widths.back() > 0 && row_widths.back() + entry > width) {
      rows.emplace_back();
      row_widths.push_back(0);
    }
    rows.back().emplace_back(i, std::move(layout));
    row_widths.back() += entry;
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    double cursor = x + (width - row_widths[r] + m.text * 1.2) / 2;
    const double top = y + r * row_height;
    for (auto& [index, layout] : rows[r]) {
      SetColor(cr, PaletteColor(index));
      cairo_rectangle(cr, cursor, top + (row_height - swatch) / 2, swatch, swatch);
      cairo_fill(cr);
      cursor += swatch + m.text * 0.4;
      const Extent extent = Measure(layout.get());
      SetColor(cr, kText);
      DrawLayout(cr, layout.get(), cursor, top + (row_height - extent.height) / 2, Anchor::kLeft);
      cursor += extent.width + m.text * 1.2;
    }
  }
}

// The value range over all series, with 0 inside for bars (they grow from the zero line).
std::pair<double, double> ValueRange(const Chart& chart) {
  double low = INFINITY, high = -INFINITY;
  for (const ChartSeries& series : chart.series) {
    for (const std::optional<double>& value : series.values) {
      if (!value) continue;
      low = std::min(low, *value);
      high = std::max(high, *value);
    }
  }
  if (low > high) return {0, 1};
  if (chart.kind == v1::CHART_KIND_BAR || low >= 0) low = std::min(low, 0.0);
  if (chart.kind == v1::CHART_KIND_BAR) high = std::max(high, 0.0);
  return {low, high};
}

// Bars and lines: axes, grid, category labels, then the marks.
void DrawAxesChart(cairo_t* cr, const Chart& chart, double x, double y, double width, double height,
                   const Metrics& m) {
  const auto [low, high] = ValueRange(chart);
  const AxisScale scale = NiceScale(low, high);
  std::vector<Layout> tick_labels;
  double label_width = 0;
  for (double tick = scale.min; tick <= scale.max + scale.step / 2; tick += scale.step) {
    tick_labels.push_back(TextLayout(cr, AxisLabel(tick, scale.step), m.text * 0.9));
    label_width = std::max(label_width, Measure(tick_labels.back().get()).width);
  }
  const double plot_left = x + label_width + m.pad;
  const double plot_width = width - label_width - m.pad * 2;
  const size_t n = chart.categories.size();
  const double slot = plot_width / n;

  // Category labels: level when they fit their slot, else at 45° (ellipsized), thinned out
  // when even slanted ones would touch.
  const double line_height = Measure(TextLayout(cr, "Ag", m.text * 0.9).get()).height;
  std::vector<Layout> category_labels;
  double widest = 0;
  for (const std::string& category : chart.categories) {
    category_labels.push_back(TextLayout(cr, category, m.text * 0.9, false, height * 0.3 / M_SQRT1_2));
    widest = std::max(widest, Measure(category_labels.back().get()).width);
  }
  const bool slanted = widest > slot * 0.92;
  const size_t every = slanted ? static_cast<size_t>(std::ceil(line_height * 1.15 / M_SQRT1_2 / slot)) : 1;
  const double label_band = slanted ? widest * M_SQRT1_2 + line_height : line_height;
  const double plot_top = y + m.pad / 2;
  const double plot_height = height - label_band - m.pad * 1.5;
  if (plot_width <= 0 || plot_height <= 0) return;
  auto y_of = [&](double value) {
    return plot_top + plot_height * (scale.max - value) / (scale.max - scale.min);
  };

  cairo_set_line_width(cr, std::max(0.5, m.text / 16));
  for (size_t i = 0; i < tick_labels.size(); ++i) {
    const double tick_y = y_of(scale.min + i * scale.step);
    SetColor(cr, kGrid);
    cairo_move_to(cr, plot_left, tick_y);
    cairo_line_to(cr, plot_left + plot_width, tick_y);
    cairo_stroke(cr);
    SetColor(cr, kMuted);
    DrawLayout(cr, tick_labels[i].get(), plot_left - m.pad / 2,
               tick_y - Measure(tick_labels[i].get()).height / 2, Anchor::kRight);
  }
  for (size_t i = 0; i < n; i += every) {
    const double center = plot_left + slot * (i + 0.5);
    const double top = plot_top + plot_height + m.pad / 3;
    SetColor(cr, kMuted);
    if (!slanted) {
      DrawLayout(cr, category_labels[i].get(), center, top, Anchor::kCenter);
      continue;
    }
    // Rotated about the label's right end, which sits under the category.
    const Extent extent = Measure(category_labels[i].get());
    cairo_save(cr);
    cairo_translate(cr, center, top);
    cairo_rotate(cr, -M_PI / 4);
    DrawLayout(cr, category_labels[i].get(), 0, -extent.height / 2, Anchor::kRight);
    cairo_restore(cr);
  }

  const double zero_y = y_of(std::clamp(0.0, scale.min, scale.max));
  if (chart.kind == v1::CHART_KIND_BAR) {
    const double group = slot * 0.8;
    const double bar = group / chart.series.size();
    for (size_t s = 0; s < chart.series.size(); ++s) {
      SetColor(cr, PaletteColor(s));
      for (size_t i = 0; i < n; ++i) {
        const std::optional<double>& value = chart.series[s].values[i];
        if (!value) continue;
        const double left = plot_left + slot * i + (slot - group) / 2 + bar * s;
        const double top = std::min(y_of(*value), zero_y);
        cairo_rectangle(cr, left + bar * 0.05, top, bar * 0.9, std::abs(y_of(*value) - zero_y));
        cairo_fill(cr);
      }
    }
  } else {
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t s = 0; s < chart.series.size(); ++s) {
      SetColor(cr, PaletteColor(s));
      cairo_set_line_width(cr, std::max(1.0, m.text / 6));
      bool drawing = false;
      for (size_t i = 0; i < n; ++i) {
        const std::optional<double>& value = chart.series[s].values[i];
        if (!value) {
          drawing = false;
          continue;
        }
        const double px = plot_left + slot * (i + 0.5);
        if (drawing) {
          cairo_line_to(cr, px, y_of(*value));
        } else {
          cairo_move_to(cr, px, y_of(*value));
        }
        drawing = true;
      }
      cairo_stroke(cr);
      for (size_t i = 0; i < n; ++i) {
        const std::optional<double>& value = chart.series[s].values[i];
        if (!value) continue;
        cairo_new_sub_path(cr);
        cairo_arc(cr, plot_left + slot * (i + 0.5), y_of(*value), m.text / 4, 0, 2 * M_PI);
      }
      cairo_fill(cr);
    }
  }
  SetColor(cr, kAxis);
  cairo_set_line_width(cr, std::max(0.75, m.text / 12));
  cairo_move_to(cr, plot_left, zero_y);
  cairo_line_to(cr, plot_left + plot_width, zero_y);
  cairo_stroke(cr);
}

// A pie of the first series' positive values, slices labelled with their percentage.
void DrawPie(cairo_t* cr, const Chart& chart, double x, double y, double width, double height,
             const Metrics& m) {
  const std::vector<std::optional<double>>& values = chart.series.front().values;
  double total = 0;
  for (const std::optional<double>& value : values) total += value && *value > 0 ? *value : 0;
  const double radius = std::min(width, height) / 2 - m.text * 1.5;
  if (total <= 0 || radius <= 0) return;
  const double cx = x + width / 2, cy = y + height / 2;
  double angle = -M_PI / 2;
  cairo_set_line_width(cr, std::max(0.75, m.text / 10));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i] || *values[i] <= 0) continue;
    const double sweep = 2 * M_PI * *values[i] / total;
    cairo_move_to(cr, cx, cy);
    cairo_arc(cr, cx, cy, radius, angle, angle + sweep);
    cairo_close_path(cr);
    SetColor(cr, PaletteColor(i));
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_stroke(cr);
    angle += sweep;
  }
  angle = -M_PI / 2;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i] || *values[i] <= 0) continue;
    const double sweep = 2 * M_PI * *values[i] / total;
    const double middle = angle + sweep / 2;
    angle += sweep;
    // Big slices carry their label inside in white, thin ones just outside the rim.
    const bool inside = sweep > 0.35;
    const double distance = inside ? radius * 0.62 : radius + m.text * 0.9;
    Layout label = TextLayout(cr, absl::StrFormat("%.1f%%", 100 * *values[i] / total), m.text * 0.9, inside);
    const Extent extent = Measure(label.get());
    if (inside) {
      cairo_set_source_rgb(cr, 1, 1, 1);
    } else {
      SetColor(cr, kText);
    }
    DrawLayout(cr, label.get(), cx + distance * std::cos(middle),
               cy + distance * std::sin(middle) - extent.height / 2, Anchor::kCenter);
  }
}

}  // namespace

std::optional<Chart> ChartOf(const v1::ReportTable& table) {
  const v1::ReportChart& spec = table.chart();
  if (spec.kind() == v1::CHART_KIND_UNSPECIFIED || spec.value_columns().empty()) return std::nullopt;
  Chart chart{.kind = spec.kind(), .title = table.title(), .categories = {}, .series = {}};
  const int series_count = spec.kind() == v1::CHART_KIND_PIE ? 1 : spec.value_columns_size();
  for (int s = 0; s < series_count; ++s) {
    const uint32_t column = spec.value_columns(s);
    chart.series.push_back(
        {.name = column < static_cast<uint32_t>(table.columns_size()) ? table.columns(column) : "",
         .values = {}});
  }
  for (const v1::ReportRow& row : table.rows()) {
    if (row.is_total()) continue;
    const auto cells = row.cells_size();
    chart.categories.push_back(
        spec.label_column() < static_cast<uint32_t>(cells) ? row.cells(spec.label_column()).text() : "");
    for (int s = 0; s < series_count; ++s) {
      const uint32_t column = spec.value_columns(s);
      const bool present = column < static_cast<uint32_t>(cells) && row.cells(column).has_value();
      chart.series[s].values.push_back(present ? std::optional<double>(row.cells(column).value())
                                               : std::nullopt);
    }
  }
  if (chart.categories.empty()) return std::nullopt;
  return chart;
}

absl::Status ValidateChart(const Chart& chart) {
  if (chart.kind == v1::CHART_KIND_UNSPECIFIED || !v1::ChartKind_IsValid(chart.kind)) {
    return absl::InvalidArgumentError("chart kind is unspecified");
  }
  if (chart.categories.empty()) return absl::InvalidArgumentError("chart has no categories");
  if (chart.series.empty()) return absl::InvalidArgumentError("chart has no series");
  for (const ChartSeries& series : chart.series) {
    if (series.values.size() != chart.categories.size()) {
      return absl::InvalidArgumentError(absl::StrCat("series \"", series.name, "\" has ",
                                                     series.values.size(), " values for ",
                                                     chart.categories.size(), " categories"));
    }
    for (const std::optional<double>& value : series.values) {
      if (value && !std::isfinite(*value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("series \"", series.name, "\" has a non-finite value"));
      }
    }
  }
  return absl::OkStatus();
}

void DrawChart(cairo_t* cr, const Chart& chart, double x, double y, double width, double height) {
  if (!ValidateChart(chart).ok() || width <= 0 || height <= 0) return;
  const Metrics m = MetricsFor(width, height);
  cairo_save(cr);
  cairo_rectangle(cr, x, y, width, height);
  cairo_clip(cr);
  Layout title = TextLayout(cr, chart.title, m.title, true, width - 2 * m.pad);
  SetColor(cr, kText);
  DrawLayout(cr, title.get(), x + width / 2, y + m.pad / 2, Anchor::kCenter);
  const double top = y + m.pad / 2 + (chart.title.empty() ? 0 : Measure(title.get()).height + m.pad / 2);

  const bool pie = chart.kind == v1::CHART_KIND_PIE;
  std::vector<std::string> legend;
  if (pie) {
    legend = chart.categories;
  } else if (chart.series.size() > 1) {
    for (const ChartSeries& series : chart.series) legend.push_back(series.name);
  }
  const double legend_height = LegendHeight(cr, legend, width - 2 * m.pad, m);
  const double body_height = y + height - top - legend_height - m.pad / 2;
  if (pie) {
    DrawPie(cr, chart, x + m.pad, top, width - 2 * m.pad, body_height, m);
  } else {
    DrawAxesChart(cr, chart, x + m.pad, top, width - 2 * m.pad, body_height, m);
  }
  if (!legend.empty()) DrawLegend(cr, legend, x + m.pad, top + body_height, width - 2 * m.pad, m);
  cairo_restore(cr);
}

namespace {

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};

absl::Status CairoError(const char* what, cairo_status_t status) {
  return absl::InternalError(absl::StrCat(what, ": ", cairo_status_to_string(status)));
}

}  // namespace

absl::StatusOr<std::string> RenderChart(const Chart& chart, ImageFormat format, int width, int height) {
  if (absl::Status valid = ValidateChart(chart); !valid.ok()) return valid;
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size ", width, " × ", height, " is outside 1..", kMaxImageSide));
  }
  std::string bytes;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface;
  switch (format) {
    case ImageFormat::kPng:
      surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
      break;
    case ImageFormat::kSvg:
      surface.reset(cairo_svg_surface_create_for_stream(AppendToString, &bytes, width, height));
      break;
    case ImageFormat::kPdf:
      surface.reset(cairo_pdf_surface_create_for_stream(AppendToString, &bytes, width, height));
      cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, chart.title.c_str());
      break;
  }
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return CairoError("creating the image surface", cairo_surface_status(surface.get()));
  }
  {
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    DrawChart(cr.get(), chart, 0, 0, width, height);
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      return CairoError("drawing the chart", cairo_status(cr.get()));
  }
  if (format == ImageFormat::kPng) {
    const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), AppendToString, &bytes);
    if (status != CAIRO_STATUS_SUCCESS) return CairoError("writing the PNG", status);
  } else {
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return CairoError("finishing the image", cairo_surface_status(surface.get()));
    }
  }
  return bytes;
}

AxisScale NiceScale(double low, double high, int intervals) {
  if (low > high) std::swap(low, high);
  if (high - low < 1e-12 * std::max(1.0, std::abs(high))) {
    const double spread = std::abs(low) * 0.1;
    if (spread == 0) {
      high = 1;
    } else {
      low -= spread;
      high += spread;
    }
  }
  const double rough = (high - low) / std::max(1, intervals);
  const double magnitude = std::pow(10, std::floor(std::log10(rough)));
  double step = 10 * magnitude;
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * magnitude >= rough) {
      step = factor * magnitude;
      break;
    }
  }
  return {.min = std::floor(low / step) * step, .max = std::ceil(high / step) * step, .step = step};
}

namespace {

// Digits with a comma every three, e.g. "12,000".
std::string GroupThousands(std::string digits) {
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

// At most `decimals` decimals, trailing zeros dropped.
std::string Trimmed(double value, int decimals) {
  std::string text = absl::StrFormat("%.*f", decimals, value);
  if (text.find('.') == std::string::npos) return text;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::string AxisLabel(double value, double step) {
  if (std::abs(value) < step * 1e-9) value = 0;
  const std::string sign = value < 0 ? "-" : "";
  const double magnitude = std::abs(value);
  if (magnitude >= 1e9) return sign + Trimmed(magnitude / 1e9, 2) + "B";
  if (magnitude >= 1e6) return sign + Trimmed(magnitude / 1e6, 2) + "M";
  const int decimals = step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  const std::string fixed = absl::StrFormat("%.*f", decimals, magnitude);
  const size_t point = fixed.find('.');
  return sign + GroupThousands(fixed.substr(0, point)) +
         (point == std::string::npos ? "" : fixed.substr(point));
}

}  // namespace custflow::reporting

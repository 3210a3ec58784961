// ReportPdf: lays the report out top to bottom on A4 pages. The layout runs twice, first
// only to count the pages so every footer can say "Page N of M".
#include "services/reporting/pdf_export.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/reporting/chart.h"
#include "services/reporting/period_text.h"

namespace custflow::reporting {
namespace {

// A4 portrait in points, 20 mm margins.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 56.7;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kFooterHeight = 24;
constexpr double kBottom = kPageHeight - kMargin - kFooterHeight;

constexpr char kFontFamily[] = "Noto Sans CJK SC,Sans";
constexpr double kTitleSize = 20;
constexpr double kHeadingSize = 14;
constexpr double kTableTitleSize = 10.5;
constexpr double kTableSize = 8.5;
constexpr double kBodySize = 9.5;
constexpr double kNoteSize = 8;
constexpr double kCellPadding = 4;
constexpr double kChartHeight = 230;

struct Rgb {
  double r, g, b;
};
constexpr Rgb kText = {0.1, 0.1, 0.1};
constexpr Rgb kMuted = {0.4, 0.4, 0.4};
constexpr Rgb kHeaderShade = {0.9, 0.92, 0.95};
constexpr Rgb kRule = {0.75, 0.75, 0.75};

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

struct TextStyle {
  double size;
  bool bold = false;
  PangoAlignment align = PANGO_ALIGN_LEFT;
};

// Plain text (never markup), wrapped to `width` when it is positive.
Layout TextLayout(cairo_t* cr, const std::string& text, const TextStyle& style, double width) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, kFontFamily);
  pango_font_description_set_absolute_size(font, style.size * PANGO_SCALE);
  if (style.bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  if (width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout.get(), style.align);
  pango_layout_set_text(layout.get(), text.c_str(), -1);
  return layout;
}

double Width(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return static_cast<double>(logical.width) / PANGO_SCALE;
}
double Height(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return static_cast<double>(logical.height) / PANGO_SCALE;
}

void SetColor(cairo_t* cr, const Rgb& color) { cairo_set_source_rgb(cr, color.r, color.g, color.b); }

// "2026-04-01, month" or "2026年4月".
std::string PeriodText(const v1::Report& report, bool chinese) {
  using namespace std::chrono;
  const year_month_day date{floor<days>(sys_seconds(seconds(report.period_start().seconds())))};
  const int y = static_cast<int>(date.year());
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  if (chinese) {
    switch (report.granularity()) {
      case v1::METRIC_GRANULARITY_YEAR:
        return absl::StrCat(y, "年");
      case v1::METRIC_GRANULARITY_QUARTER:
        return absl::StrCat(y, "年第", (m - 1) / 3 + 1, "季度");
      case v1::METRIC_GRANULARITY_MONTH:
        return absl::StrCat(y, "年", m, "月");
      case v1::METRIC_GRANULARITY_WEEK:
        return absl::StrCat(y, "年", m, "月", d, "日起一周");
      default:
        return absl::StrCat(y, "年", m, "月", d, "日");
    }
  }
  return absl::StrCat(DayText(floor<days>(sys_seconds(seconds(report.period_start().seconds())))), ", ",
                      std::string(GranularityName(report.granularity())));
}

// Column widths: each column's widest text when they all fit; otherwise every column gets
// up to an equal share and the rest goes to the wider ones in proportion to what they miss
// (their text then wraps).
std::vector<double> FitWidths(const std::vector<double>& natural, double available) {
  const double total = std::accumulate(natural.begin(), natural.end(), 0.0);
  if (total <= available) return natural;
  const double share = available / natural.size();
  std::vector<double> widths(natural.size());
  double used = 0, missing = 0;
  for (size_t i = 0; i < natural.size(); ++i) {
    widths[i] = std::min(natural[i], share);
    used += widths[i];
    missing += natural[i] - widths[i];
  }
  for (size_t i = 0; i < natural.size(); ++i) {
    widths[i] += (available - used) * (natural[i] - widths[i]) / missing;
  }
  return widths;
}

// Writes the report onto the pages of one cairo context, keeping the cursor `y_`.
class PageWriter {
 public:
  PageWriter(cairo_t* cr, bool chinese, int total_pages)
      : cr_(cr), chinese_(chinese), total_pages_(total_pages) {}

  void Write(const v1::Report& report) {
    Paragraph(report.title(), {.size = kTitleSize, .bold = true}, kText, 4);
    // Single answers (export_documents.h) have no period.
    if (report.has_period_start())
      Paragraph(PeriodText(report, chinese_), {.size = kBodySize + 1}, kMuted, 14);
    for (const v1::ReportSection& section : report.sections()) WriteSection(section);
    if (report.findings_size() > 0) {
      Heading(chinese_ ? "发现" : "Findings", 0);
      for (const v1::Finding& finding : report.findings()) {
        Paragraph(absl::StrCat("•  ", finding.text()), {.size = kBodySize}, kText, 5);
      }
    }
    Footer();
  }

  int pages() const { return page_; }

 private:
  void WriteSection(const v1::ReportSection& section) {
    std::vector<TableBlock> blocks;
    for (const v1::ReportTable& table : section.tables()) blocks.push_back(LayOut(table));
    Heading(section.title(), blocks.empty() ? 0 : blocks.front().KeepHeight());
    for (TableBlock& block : blocks) {
      WriteTable(block);
      if (block.chart) {
        NeedSpace(kChartHeight);
        DrawChart(cr_, *block.chart, kMargin, y_, kContentWidth, kChartHeight);
        y_ += kChartHeight + 10;
      }
      y_ += 6;
    }
    for (const std::string& note : section.notes()) Paragraph(note, {.size = kNoteSize}, kMuted, 3);
    y_ += 8;
  }

  // A section heading, kept on the page of the `keep_with` high start of what follows.
  void Heading(const std::string& text, double keep_with) {
    Layout layout = TextLayout(cr_, text, {.size = kHeadingSize, .bold = true}, kContentWidth);
    NeedSpace(Height(layout.get()) + 12 + std::max(keep_with, 40.0));
    y_ += 6;
    Draw(layout.get(), kMargin, kText);
    y_ += Height(layout.get()) + 6;
  }

  void Paragraph(const std::string& text, const TextStyle& style, const Rgb& color, double space_after) {
    Layout layout = TextLayout(cr_, text, style, kContentWidth);
    NeedSpace(Height(layout.get()));
    Draw(layout.get(), kMargin, color);
    y_ += Height(layout.get()) + space_after;
  }

  struct TableRow {
    std::vector<Layout> cells;
    double height = 0;
    bool total = false;
  };

  // A table laid out for the page width, and its chart.
  struct TableBlock {
    Layout title;
    std::vector<double> widths;
    TableRow header;
    std::vector<TableRow> rows;
    std::optional<Chart> chart;

    double StartHeight() const {
      return Height(title.get()) + 4 + header.height + (rows.empty() ? 0 : rows.front().height);
    }
    // What must start on one page: the whole table and its chart when they fit on a page,
    // else the title, header and first row.
    double KeepHeight() const {
      double whole = Height(title.get()) + 4 + header.height + (chart ? kChartHeight : 0);
      for (const TableRow& row : rows) whole += row.height;
      return whole <= kBottom - kMargin ? whole : StartHeight();
    }
  };

  TableBlock LayOut(const v1::ReportTable& table) {
    TableBlock block{
        .title = TextLayout(cr_, table.title(), {.size = kTableTitleSize, .bold = true}, kContentWidth),
        .widths = {},
        .header = {},
        .rows = {},
        .chart = ChartOf(table)};
    // The table's title just above names the chart.
    if (block.chart) block.chart->title.clear();
    size_t columns = table.columns_size();
    for (const v1::ReportRow& row : table.rows()) {
      columns = std::max(columns, static_cast<size_t>(row.cells_size()));
    }
    // A column of numbers is right-aligned, header included.
    std::vector<bool> numeric(columns, false);
    std::vector<double> natural(columns, 0);
    auto header_text = [&](size_t c) {
      return c < static_cast<size_t>(table.columns_size()) ? table.columns(c) : "";
    };
    for (size_t c = 0; c < columns; ++c) {
      natural[c] = Width(TextLayout(cr_, header_text(c), {.size = kTableSize, .bold = true}, -1).get());
    }
    for (const v1::ReportRow& row : table.rows()) {
      for (int c = 0; c < row.cells_size(); ++c) {
        numeric[c] = numeric[c] || row.cells(c).has_value();
        const double width = Width(
            TextLayout(cr_, row.cells(c).text(), {.size = kTableSize, .bold = row.is_total()}, -1).get());
        natural[c] = std::max(natural[c], width);
      }
    }
    for (double& width : natural) width += 2 * kCellPadding + 1;
    block.widths = FitWidths(natural, kContentWidth);

    auto make_row = [&](auto text_of, bool bold) {
      TableRow row{.cells = {}, .height = 0, .total = bold};
      for (size_t c = 0; c < columns; ++c) {
        const TextStyle style{
            .size = kTableSize, .bold = bold, .align = numeric[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT};
        row.cells.push_back(TextLayout(cr_, text_of(c), style, block.widths[c] - 2 * kCellPadding));
        row.height = std::max(row.height, Height(row.cells.back().get()) + 2 * kCellPadding);
      }
      return row;
    };
    block.header = make_row(header_text, true);
    for (const v1::ReportRow& row : table.rows()) {
      block.rows.push_back(make_row(
          [&](size_t c) {
            return c < static_cast<size_t>(row.cells_size()) ? row.cells(c).text() : std::string();
          },
          row.is_total()));
    }
    return block;
  }

  // Rows that do not fit continue on the next page under a repeated header.
  void WriteTable(const TableBlock& block) {
    if (block.widths.empty()) return;
    NeedSpace(block.KeepHeight());
    Draw(block.title.get(), kMargin, kText);
    y_ += Height(block.title.get()) + 4;
    DrawRow(block.header, block.widths, true);
    for (const TableRow& row : block.rows) {
      if (y_ + row.height > kBottom) {
        NewPage();
        DrawRow(block.header, block.widths, true);
      }
      DrawRow(row, block.widths, false);
    }
    y_ += 6;
  }

  void DrawRow(const TableRow& row, const std::vector<double>& widths, bool header) {
    const double width = std::accumulate(widths.begin(), widths.end(), 0.0);
    if (header) {
      SetColor(cr_, kHeaderShade);
      cairo_rectangle(cr_, kMargin, y_, width, row.height);
      cairo_fill(cr_);
    }
    SetColor(cr_, kRule);
    cairo_set_line_width(cr_, row.total ? 0.8 : 0.4);
    if (row.total && !header) {
      cairo_move_to(cr_, kMargin, y_);
      cairo_line_to(cr_, kMargin + width, y_);
      cairo_stroke(cr_);
    }
    double x = kMargin;
    for (size_t c = 0; c < row.cells.size(); ++c) {
      const double saved_y = y_;
      y_ += kCellPadding;
      Draw(row.cells[c].get(), x + kCellPadding, kText);
      y_ = saved_y;
      x += widths[c];
    }
    y_ += row.height;
    SetColor(cr_, kRule);
    cairo_set_line_width(cr_, 0.4);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kMargin + width, y_);
    cairo_stroke(cr_);
  }

  void Draw(PangoLayout* layout, double x, const Rgb& color) {
    SetColor(cr_, color);
    cairo_move_to(cr_, x, y_);
    pango_cairo_show_layout(cr_, layout);
  }

  // Starts a new page unless `height` more fits on this one (or the page is still empty).
  void NeedSpace(double height) {
    if (y_ + height > kBottom && y_ > kMargin) NewPage();
  }

  void NewPage() {
    Footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kMargin;
  }

  void Footer() {
    const std::string text = chinese_ ? absl::StrCat("第 ", page_, " 页，共 ", total_pages_, " 页")
                                      : absl::StrCat("Page ", page_, " of ", total_pages_);
    Layout layout = TextLayout(cr_, text, {.size = kNoteSize, .align = PANGO_ALIGN_CENTER}, kContentWidth);
    const double saved_y = y_;
    y_ = kPageHeight - kMargin - Height(layout.get());
    Draw(layout.get(), kMargin, kMuted);
    y_ = saved_y;
  }

  cairo_t* cr_;
  bool chinese_;
  int total_pages_;
  int page_ = 1;
  double y_ = kMargin;
};

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}
cairo_status_t Discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

// Lays the report out onto a PDF stream; returns the page count, or the cairo error.
absl::StatusOr<int> Render(const v1::Report& report, cairo_write_func_t write, void* closure,
                           int total_pages) {
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(write, closure, kPageWidth, kPageHeight);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, report.title().c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "custflow-reporting");
  cairo_t* cr = cairo_create(surface);
  PageWriter writer(cr, report.language() == "zh", total_pages);
  writer.Write(report);
  const cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t finished = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  const cairo_status_t status = drawn != CAIRO_STATUS_SUCCESS ? drawn : finished;
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("rendering the report PDF: ", cairo_status_to_string(status)));
  }
  return writer.pages();
}

}  // namespace

absl::StatusOr<std::string> ReportPdf(const v1::Report& report) {
  absl::StatusOr<int> pages = Render(report, Discard, nullptr, 0);
  if (!pages.ok()) return pages.status();
  std::string bytes;
  if (absl::StatusOr<int> written = Render(report, AppendToString, &bytes, *pages); !written.ok()) {
    return written.status();
  }
  return bytes;
}

}  // namespace custflow::reporting

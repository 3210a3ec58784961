// The XLSX writer: libxlsxwriter writes to a file in a private temporary directory (this
// version has no in-memory output), which is read back and removed.
#include "services/reporting/xlsx_export.h"

#include <stdlib.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace custflow::reporting {
namespace {

constexpr size_t kMaxSheetNameChars = 31;
// A chart's default size covers about this many rows; the next table starts below it.
constexpr int kChartRows = 16;
constexpr double kMaxColumnWidth = 60;

// The code points of UTF-8 text, each with the bytes it spans.
struct CodePoint {
  char32_t value;
  std::string_view bytes;
};

std::vector<CodePoint> DecodeUtf8(std::string_view text) {
  std::vector<CodePoint> points;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >> 5 == 0x6 ? 2 : lead >> 4 == 0xE ? 3 : lead >> 3 == 0x1E ? 4 : 1;
    length = std::min(length, text.size() - i);
    char32_t value = length == 1 ? lead : lead & (0xFF >> (length + 1));
    for (size_t k = 1; k < length; ++k)
      value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    points.push_back({value, text.substr(i, length)});
    i += length;
  }
  return points;
}

bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x20000;
}

// The first `count` code points of the text.
std::string Prefix(const std::vector<CodePoint>& points, size_t count) {
  std::string prefix;
  for (size_t i = 0; i < std::min(count, points.size()); ++i) prefix += points[i].bytes;
  return prefix;
}

// A sheet name as a formula quotes it: 'name' with apostrophes doubled.
std::string QuotedSheet(std::string_view name) {
  return absl::StrCat("'", absl::StrReplaceAll(std::string(name), {{"'", "''"}}), "'");
}

// An absolute reference, 0-based row and column: $B$3.
std::string CellReference(int row, int column) {
  std::string letters;
  for (int n = column + 1; n > 0; n = (n - 1) / 26)
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return absl::StrCat("$", letters, "$", row + 1);
}

// The cells of one column over runs of rows; a union "(a,b)" when the runs are apart.
std::string ColumnFormula(std::string_view sheet, const std::vector<std::pair<int, int>>& runs, int column) {
  std::vector<std::string> ranges;
  for (const auto& [first, last] : runs) {
    ranges.push_back(absl::StrCat(QuotedSheet(sheet), "!", CellReference(first, column), ":",
                                  CellReference(last, column)));
  }
  if (ranges.size() == 1) return absl::StrCat("=", ranges[0]);
  return absl::StrCat("=(", absl::StrJoin(ranges, ","), ")");
}

// Integers with thousands separators, other numbers with two decimals.
std::string PlainNumberFormat(double value) {
  return std::isfinite(value) && value == std::trunc(value) ? "#,##0" : "#,##0.00";
}

bool IsChartValueColumn(const v1::ReportTable& table, int column) {
  if (table.chart().kind() == v1::CHART_KIND_UNSPECIFIED) return false;
  const auto& columns = table.chart().value_columns();
  return std::find(columns.begin(), columns.end(), static_cast<uint32_t>(column)) != columns.end();
}

std::string Say(bool chinese, const char* english, const char* zh) { return chinese ? zh : english; }

std::string GranularityLabel(v1::MetricGranularity granularity, bool chinese) {
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return Say(chinese, "day", "日");
    case v1::METRIC_GRANULARITY_WEEK:
      return Say(chinese, "week", "周");
    case v1::METRIC_GRANULARITY_MONTH:
      return Say(chinese, "month", "月");
    case v1::METRIC_GRANULARITY_QUARTER:
      return Say(chinese, "quarter", "季度");
    case v1::METRIC_GRANULARITY_YEAR:
      return Say(chinese, "year", "年");
    default:
      return "";
  }
}

std::string ComparisonLabel(v1::FindingComparison comparison, bool chinese) {
  switch (comparison) {
    case v1::FINDING_COMPARISON_PREVIOUS_PERIOD:
      return Say(chinese, "previous period", "环比");
    case v1::FINDING_COMPARISON_YEAR_AGO:
      return Say(chinese, "year ago", "同比");
    default:
      return "";
  }
}

std::string SeverityLabel(v1::FindingSeverity severity, bool chinese) {
  switch (severity) {
    case v1::FINDING_SEVERITY_LOW:
      return Say(chinese, "low", "低");
    case v1::FINDING_SEVERITY_MEDIUM:
      return Say(chinese, "medium", "中");
    case v1::FINDING_SEVERITY_HIGH:
      return Say(chinese, "high", "高");
    default:
      return "";
  }
}

// Removes the directory and what is in it when the export ends, whichever way.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::error_code error;
    std::string pattern = (std::filesystem::temp_directory_path(error) / "custflow-xlsx-XXXXXX").string();
    if (!error && ::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One workbook being written. libxlsxwriter reports most errors per call; the first one
// is kept and returned when the workbook is closed.
class WorkbookWriter {
 public:
  WorkbookWriter(lxw_workbook* workbook, bool chinese) : workbook_(workbook), chinese_(chinese) {
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_bg_color(header_, 0xD9E1F2);
    format_set_bottom(header_, LXW_BORDER_THIN);
    italic_ = workbook_add_format(workbook_);
    format_set_italic(italic_);
    date_ = workbook_add_format(workbook_);
    format_set_num_format(date_, "yyyy-mm-dd");
    format_set_align(date_, LXW_ALIGN_LEFT);
  }

  void WriteCover(const v1::Report& report);
  void WriteSection(const v1::ReportSection& section);
  void WriteFindings(const v1::Report& report);

  absl::Status Close() {
    const lxw_error error = workbook_close(workbook_);
    Check(error);
    return status_;
  }

 private:
  struct Sheet {
    lxw_worksheet* worksheet;
    std::string name;
  };

  Sheet AddSheet(std::string_view title) {
    std::string name = names_.Claim(title);
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook_, name.c_str());
    if (worksheet == nullptr && status_.ok()) {
      status_ = absl::InternalError(absl::StrCat("xlsx: cannot add the sheet \"", name, "\""));
    }
    if (worksheet != nullptr) {
      // Printed (and converted to PDF) landscape, one page wide, so a chart is not cut
      // from its table.
      worksheet_set_landscape(worksheet);
      worksheet_fit_to_pages(worksheet, 1, 0);
    }
    return {worksheet, std::move(name)};
  }

  void Check(lxw_error error) {
    if (error != LXW_NO_ERROR && status_.ok()) {
      status_ = absl::InternalError(absl::StrCat("xlsx: ", lxw_strerror(error)));
    }
  }

  void Text(const Sheet& sheet, int row, int column, const std::string& text, lxw_format* format) {
    if (sheet.worksheet == nullptr) return;
    Check(worksheet_write_string(sheet.worksheet, row, column, text.c_str(), format));
  }

  void Number(const Sheet& sheet, int row, int column, double value, lxw_format* format) {
    if (sheet.worksheet == nullptr) return;
    Check(worksheet_write_number(sheet.worksheet, row, column, value, format));
  }

  // A shared format per number format and boldness.
  lxw_format* NumberFormat(const std::string& number_format, bool bold) {
    const std::string key = absl::StrCat(bold ? "b:" : "n:", number_format);
    for (const auto& [known, format] : number_formats_) {
      if (known == key) return format;
    }
    lxw_format* format = workbook_add_format(workbook_);
    format_set_num_format(format, number_format.c_str());
    if (bold) format_set_bold(format);
    number_formats_.emplace_back(key, format);
    return format;
  }

  void FitColumns(const Sheet& sheet, const std::vector<double>& widths) {
    if (sheet.worksheet == nullptr) return;
    for (size_t column = 0; column < widths.size(); ++column) {
      const double width = std::min(kMaxColumnWidth, std::max(8.43, widths[column] + 2));
      Check(worksheet_set_column(sheet.worksheet, column, column, width, nullptr));
    }
  }

  static void Widen(std::vector<double>& widths, size_t column, std::string_view text) {
    if (widths.size() <= column) widths.resize(column + 1, 0);
    widths[column] = std::max(widths[column], DisplayWidth(text));
  }

  // Writes the table from `row` on; returns the row after its last.
  int WriteTable(const Sheet& sheet, const v1::ReportTable& table, int row, std::vector<double>& widths);
  void AddChart(const Sheet& sheet, const v1::ReportTable& table, int title_row);

  lxw_workbook* workbook_;
  bool chinese_;
  SheetNames names_;
  absl::Status status_;
  lxw_format* bold_;
  lxw_format* header_;
  lxw_format* italic_;
  lxw_format* date_;
  std::vector<std::pair<std::string, lxw_format*>> number_formats_;
};

void WorkbookWriter::WriteCover(const v1::Report& report) {
  const Sheet sheet = AddSheet(Say(chinese_, "Report", "报告"));
  std::vector<double> widths;
  const std::pair<std::string, std::string> texts[] = {
      {Say(chinese_, "Title", "标题"), report.title()},
      {Say(chinese_, "Template", "模板"), report.template_id()},
  };
  int row = 0;
  for (const auto& [label, value] : texts) {
    Text(sheet, row, 0, label, bold_);
    Text(sheet, row, 1, value, nullptr);
    Widen(widths, 0, label);
    Widen(widths, 1, value);
    ++row;
  }
  const std::string period_label = Say(chinese_, "Period start", "期初");
  Text(sheet, row, 0, period_label, bold_);
  Widen(widths, 0, period_label);
  const absl::CivilDay day =
      absl::ToCivilDay(absl::FromUnixSeconds(report.period_start().seconds()), absl::UTCTimeZone());
  lxw_datetime date = {static_cast<int>(day.year()), day.month(), day.day(), 0, 0, 0};
  if (sheet.worksheet != nullptr) Check(worksheet_write_datetime(sheet.worksheet, row, 1, &date, date_));
  Widen(widths, 1, "yyyy-mm-dd");
  ++row;
  const std::string granularity_label = Say(chinese_, "Granularity", "粒度");
  Text(sheet, row, 0, granularity_label, bold_);
  Text(sheet, row, 1, GranularityLabel(report.granularity(), chinese_), nullptr);
  Widen(widths, 0, granularity_label);
  FitColumns(sheet, widths);
}

void WorkbookWriter::WriteSection(const v1::ReportSection& section) {
  const Sheet sheet = AddSheet(section.title());
  std::vector<double> widths;
  int row = 0;
  for (const v1::ReportTable& table : section.tables()) {
    const int title_row = row;
    row = WriteTable(sheet, table, row, widths);
    if (table.chart().kind() != v1::CHART_KIND_UNSPECIFIED) {
      AddChart(sheet, table, title_row);
      row = std::max(row, title_row + kChartRows);
    }
    ++row;  // the blank row between tables
  }
  for (const std::string& note : section.notes()) Text(sheet, row++, 0, note, italic_);
  FitColumns(sheet, widths);
}

int WorkbookWriter::WriteTable(const Sheet& sheet, const v1::ReportTable& table, int row,
                               std::vector<double>& widths) {
  Text(sheet, row++, 0, table.title(), bold_);
  for (int column = 0; column < table.columns_size(); ++column) {
    Text(sheet, row, column, table.columns(column), header_);
    Widen(widths, column, table.columns(column));
  }
  ++row;
  for (const v1::ReportRow& table_row : table.rows()) {
    for (int column = 0; column < table_row.cells_size(); ++column) {
      const v1::ReportCell& cell = table_row.cells(column);
      Widen(widths, column, cell.text());
      if (cell.has_value() && std::isfinite(cell.value())) {
        Number(sheet, row, column, cell.value(), NumberFormat(NumberFormatFor(cell), table_row.is_total()));
      } else if (IsChartValueColumn(table, column)) {
        // Left blank: a chart draws text (the "-" of a missing value) as 0, a blank as a gap.
        continue;
      } else {
        Text(sheet, row, column, cell.text(), table_row.is_total() ? bold_ : nullptr);
      }
    }
    ++row;
  }
  return row;
}

void WorkbookWriter::AddChart(const Sheet& sheet, const v1::ReportTable& table, int title_row) {
  if (sheet.worksheet == nullptr) return;
  // Runs of consecutive rows that are not totals, as sheet rows.
  const int first_data_row = title_row + 2;
  std::vector<std::pair<int, int>> runs;
  for (int i = 0; i < table.rows_size(); ++i) {
    if (table.rows(i).is_total()) continue;
    const int row = first_data_row + i;
    if (!runs.empty() && runs.back().second == row - 1) {
      runs.back().second = row;
    } else {
      runs.emplace_back(row, row);
    }
  }
  if (runs.empty()) return;

  const v1::ChartKind kind = table.chart().kind();
  const uint8_t type = kind == v1::CHART_KIND_LINE  ? LXW_CHART_LINE
                       : kind == v1::CHART_KIND_PIE ? LXW_CHART_PIE
                                                    : LXW_CHART_COLUMN;
  lxw_chart* chart = workbook_add_chart(workbook_, type);
  if (chart == nullptr) {
    if (status_.ok()) status_ = absl::InternalError("xlsx: cannot add a chart");
    return;
  }
  chart_title_set_name(chart, table.title().c_str());
  const int label_column = static_cast<int>(table.chart().label_column());
  const std::string categories = ColumnFormula(sheet.name, runs, label_column);
  for (uint32_t value_column : table.chart().value_columns()) {
    if (static_cast<int>(value_column) >= table.columns_size()) continue;
    const std::string values = ColumnFormula(sheet.name, runs, static_cast<int>(value_column));
    lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
    if (series == nullptr) continue;
    const std::string name = absl::StrCat("=", QuotedSheet(sheet.name), "!",
                                          CellReference(title_row + 1, static_cast<int>(value_column)));
    chart_series_set_name(series, name.c_str());
    if (kind == v1::CHART_KIND_LINE) chart_series_set_marker_type(series, LXW_CHART_MARKER_AUTOMATIC);
    if (kind == v1::CHART_KIND_PIE) {
      chart_series_set_labels_options(series, LXW_FALSE, LXW_FALSE, LXW_FALSE);
      chart_series_set_labels_percentage(series);
      break;  // a pie draws one series
    }
  }
  chart_show_blanks_as(chart, LXW_CHART_BLANKS_AS_GAP);
  Check(worksheet_insert_chart(sheet.worksheet, title_row, table.columns_size() + 1, chart));
}

void WorkbookWriter::WriteFindings(const v1::Report& report) {
  const Sheet sheet = AddSheet(Say(chinese_, "Findings", "发现"));
  const std::string headers[] = {
      Say(chinese_, "Metric", "指标"),           Say(chinese_, "Breakdown", "细分"),
      Say(chinese_, "Comparison", "对比"),       Say(chinese_, "Value", "本期值"),
      Say(chinese_, "Compared value", "对比值"), Say(chinese_, "Change", "变化"),
      Say(chinese_, "Severity", "严重程度"),     Say(chinese_, "Text", "说明"),
  };
  std::vector<double> widths;
  for (int column = 0; column < 8; ++column) {
    Text(sheet, 0, column, headers[column], header_);
    Widen(widths, column, headers[column]);
  }
  int row = 1;
  for (const v1::Finding& finding : report.findings()) {
    const std::string breakdown = absl::StrJoin(finding.breakdown_values(), " / ");
    const std::string comparison = ComparisonLabel(finding.comparison(), chinese_);
    const std::string severity = SeverityLabel(finding.severity(), chinese_);
    Text(sheet, row, 0, finding.metric_name(), nullptr);
    Text(sheet, row, 1, breakdown, nullptr);
    Text(sheet, row, 2, comparison, nullptr);
    Number(sheet, row, 3, finding.value(), NumberFormat(PlainNumberFormat(finding.value()), false));
    Number(sheet, row, 4, finding.compared_value(),
           NumberFormat(PlainNumberFormat(finding.compared_value()), false));
    Number(sheet, row, 5, finding.change(),
           NumberFormat(finding.in_points() ? Say(chinese_, "0.0\" pt\"", "0.0\" 个百分点\"") : "0.0\" %\"",
                        false));
    Text(sheet, row, 6, severity, nullptr);
    Text(sheet, row, 7, finding.text(), nullptr);
    const std::string_view texts[] = {finding.metric_name(), breakdown, comparison, "", "", "", severity,
                                      finding.text()};
    for (int column = 0; column < 8; ++column) Widen(widths, column, texts[column]);
    ++row;
  }
  FitColumns(sheet, widths);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat("xlsx: cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::string SheetNames::Claim(std::string_view title) {
  std::string clean;
  for (const CodePoint& point : DecodeUtf8(title)) {
    const bool forbidden =
        point.value < 0x20 ||
        std::string_view("[]:*?/\\").find(static_cast<char>(point.value)) != std::string_view::npos;
    clean += forbidden && point.value < 0x80 ? std::string("_") : std::string(point.bytes);
  }
  // Excel refuses a name that starts or ends with an apostrophe.
  while (!clean.empty() && clean.front() == '\'') clean.erase(0, 1);
  while (!clean.empty() && clean.back() == '\'') clean.pop_back();
  if (clean.empty()) clean = "Sheet";
  const std::vector<CodePoint> points = DecodeUtf8(clean);
  std::string name = Prefix(points, kMaxSheetNameChars);
  for (int copy = 2;; ++copy) {
    std::string lower = absl::AsciiStrToLower(name);
    if (std::find(taken_lower_.begin(), taken_lower_.end(), lower) == taken_lower_.end()) {
      taken_lower_.push_back(std::move(lower));
      return name;
    }
    const std::string suffix = absl::StrCat(" (", copy, ")");
    name = Prefix(points, kMaxSheetNameChars - suffix.size()) + suffix;
  }
}

std::string NumberFormatFor(const v1::ReportCell& cell) {
  const std::string text = std::string(absl::StripTrailingAsciiWhitespace(cell.text()));
  if (!text.empty() && text.back() == '%') {
    const bool spaced = text.size() >= 2 && text[text.size() - 2] == ' ';
    const std::string number = text.substr(0, text.size() - (spaced ? 2 : 1));
    const size_t point = number.find('.');
    const size_t decimals = point == std::string::npos ? 0 : number.size() - point - 1;
    const std::string digits = decimals == 0 ? "0" : absl::StrCat("0.", std::string(decimals, '0'));
    return absl::StrCat(digits, spaced ? "\" %\"" : "\"%\"");
  }
  return PlainNumberFormat(cell.value());
}

double DisplayWidth(std::string_view text) {
  double width = 0;
  for (const CodePoint& point : DecodeUtf8(text)) width += IsWide(point.value) ? 2 : 1;
  return width;
}

absl::StatusOr<std::string> ReportXlsx(const v1::Report& report) {
  TemporaryDirectory directory;
  if (!directory.ok()) return absl::InternalError("xlsx: cannot create a temporary directory");
  const std::string path = directory.path() + "/report.xlsx";
  lxw_workbook_options options = {.constant_memory = LXW_FALSE,
                                  .tmpdir = const_cast<char*>(directory.path().c_str()),
                                  .use_zip64 = LXW_FALSE};
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return absl::InternalError("xlsx: cannot create the workbook");

  WorkbookWriter writer(workbook, report.language() == "zh");
  writer.WriteCover(report);
  for (const v1::ReportSection& section : report.sections()) writer.WriteSection(section);
  writer.WriteFindings(report);
  if (absl::Status status = writer.Close(); !status.ok()) return status;
  return ReadFile(path);
}

}  // namespace custflow::reporting

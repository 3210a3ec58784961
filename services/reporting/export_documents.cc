// Single answers as reports, and reports as files of each export format.
#include "services/reporting/export_documents.h"

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/reporting/chart.h"
#include "services/reporting/csv_export.h"
#include "services/reporting/pdf_export.h"
#include "services/reporting/report_cells.h"
#include "services/reporting/xlsx_export.h"

namespace custflow::reporting {
namespace {

struct FormatInfo {
  ExportFormat format;
  std::string_view extension;
  std::string_view content_type;
};

constexpr FormatInfo kFormats[] = {
    {ExportFormat::kXlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {ExportFormat::kPdf, "pdf", "application/pdf"},
    {ExportFormat::kPng, "png", "image/png"},
    {ExportFormat::kSvg, "svg", "image/svg+xml"},
};

const FormatInfo& InfoOf(ExportFormat format) {
  for (const FormatInfo& info : kFormats) {
    if (info.format == format) return info;
  }
  return kFormats[0];
}

std::string DimensionLabel(v1::Dimension dimension) {
  return EnumLabel(v1::Dimension_descriptor(), dimension, "DIMENSION_");
}

// A group's name as shown: "(other)" for the sum outside the top values, "(none)" for
// customers without a value.
std::string GroupLabel(const std::string& value, bool is_other) {
  if (is_other) return "(other)";
  return value.empty() ? "(none)" : value;
}

std::optional<double> Optional(bool present, double value) {
  return present ? std::optional<double>(value) : std::nullopt;
}

// Values in the order they are first seen, each once.
class Ordered {
 public:
  size_t Index(const std::string& value) {
    auto [it, added] = index_.emplace(value, values_.size());
    if (added) values_.push_back(value);
    return it->second;
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> values_;
};

v1::ReportTable& OnlyTable(v1::Report& report, const std::string& title) {
  report.set_title(title);
  report.set_language("en");
  v1::ReportSection& section = *report.add_sections();
  section.set_title(title);
  v1::ReportTable& table = *section.add_tables();
  table.set_title(title);
  return table;
}

}  // namespace

std::optional<ExportFormat> ExportFormatOf(std::string_view extension) {
  for (const FormatInfo& info : kFormats) {
    if (info.extension == extension) return info.format;
  }
  return std::nullopt;
}

std::string_view ExtensionOf(ExportFormat format) { return InfoOf(format).extension; }
std::string_view ContentTypeOf(ExportFormat format) { return InfoOf(format).content_type; }

absl::StatusOr<std::string> ExportReport(const v1::Report& report, ExportFormat format) {
  switch (format) {
    case ExportFormat::kXlsx:
      return ReportXlsx(report);
    case ExportFormat::kPdf:
      return ReportPdf(report);
    case ExportFormat::kPng:
    case ExportFormat::kSvg:
      break;
  }
  for (const v1::ReportSection& section : report.sections()) {
    for (const v1::ReportTable& table : section.tables()) {
      std::optional<Chart> chart = ChartOf(table);
      if (!chart.has_value()) continue;
      return RenderChart(*chart, format == ExportFormat::kPng ? ImageFormat::kPng : ImageFormat::kSvg);
    }
  }
  return absl::NotFoundError(absl::StrCat("the report \"", report.title(), "\" has no chart to draw"));
}

v1::Report DistributionDocument(const v1::DistributionRequest& request,
                                const v1::DistributionResponse& response) {
  v1::Report report;
  const std::string first = DimensionLabel(request.dimension());
  if (request.second_dimension() == v1::DIMENSION_UNSPECIFIED) {
    v1::ReportTable& table = OnlyTable(report, absl::StrCat("Customers by ", first));
    for (const char* column : {first.c_str(), "customers", "interactions"}) table.add_columns(column);
    for (const v1::DistributionRow& row : response.rows()) {
      AddRow(table, {LabelCell(GroupLabel(row.value(), row.is_other())),
                     NumberCell(static_cast<double>(row.customers()), "customers"),
                     NumberCell(static_cast<double>(row.interactions()), "interactions")});
    }
    // By tag a customer counts in several rows: the total counts each once, and their
    // interactions have no such total.
    AddTotalRow(table,
                {LabelCell("total"), NumberCell(static_cast<double>(response.total_customers()), "customers"),
                 NumberCell(std::nullopt, "interactions")});
    SetChart(table, v1::CHART_KIND_BAR, {1});
    return report;
  }

  const std::string second = DimensionLabel(request.second_dimension());
  v1::ReportTable& table = OnlyTable(report, absl::StrCat("Customers by ", first, " and ", second));
  Ordered rows;
  Ordered columns;
  std::map<std::pair<size_t, size_t>, double> customers;
  for (const v1::DistributionRow& row : response.rows()) {
    const size_t r = rows.Index(GroupLabel(row.value(), row.is_other()));
    const size_t c = columns.Index(GroupLabel(row.second_value(), false));
    customers[{r, c}] += static_cast<double>(row.customers());
  }
  table.add_columns(absl::StrCat(first, " \\ ", second));
  std::vector<uint32_t> charted;
  for (const std::string& column : columns.values()) {
    charted.push_back(static_cast<uint32_t>(table.columns_size()));
    table.add_columns(column);
  }
  for (size_t r = 0; r < rows.values().size(); ++r) {
    std::vector<v1::ReportCell> cells = {LabelCell(rows.values()[r])};
    for (size_t c = 0; c < columns.values().size(); ++c) {
      auto found = customers.find({r, c});
      cells.push_back(NumberCell(found == customers.end() ? 0.0 : found->second, "customers"));
    }
    AddRow(table, std::move(cells));
  }
  SetChart(table, v1::CHART_KIND_BAR, charted);
  return report;
}

v1::Report MetricDocument(const v1::MetricQueryRequest& request, const v1::MetricQueryResponse& response) {
  v1::Report report;
  const v1::MetricDefinition& metric = response.metric();
  const std::string& unit = metric.unit();
  report.set_granularity(request.granularity());
  if (!response.rows().empty()) *report.mutable_period_start() = response.rows(0).period_start();
  v1::ReportTable& table = OnlyTable(report, absl::StrCat(metric.name(), " (", unit, ")"));
  if (request.breakdowns().empty()) {
    for (const char* column :
         {"period_start", "value", "previous_value", "change %", "year_ago_value", "year-ago change %"}) {
      table.add_columns(column);
    }
    for (const v1::MetricRow& row : response.rows()) {
      AddRow(table,
             {LabelCell(Date(row.period_start())), NumberCell(Optional(row.has_value(), row.value()), unit),
              NumberCell(Optional(row.has_previous_value(), row.previous_value()), unit),
              ChangeCell(Optional(row.has_previous_change_percent(), row.previous_change_percent())),
              NumberCell(Optional(row.has_year_ago_value(), row.year_ago_value()), unit),
              ChangeCell(Optional(row.has_year_ago_change_percent(), row.year_ago_change_percent()))});
    }
    SetChart(table, v1::CHART_KIND_LINE, {1});
    return report;
  }

  Ordered periods;
  Ordered series;
  std::map<std::pair<size_t, size_t>, double> values;
  for (const v1::MetricRow& row : response.rows()) {
    const size_t p = periods.Index(Date(row.period_start()));
    std::vector<std::string> labels;
    for (const std::string& value : row.breakdown_values()) labels.push_back(GroupLabel(value, false));
    const size_t s = series.Index(absl::StrJoin(labels, " / "));
    if (row.has_value()) values[{p, s}] = row.value();
  }
  table.add_columns("period_start");
  std::vector<uint32_t> charted;
  for (const std::string& name : series.values()) {
    charted.push_back(static_cast<uint32_t>(table.columns_size()));
    table.add_columns(name);
  }
  for (size_t p = 0; p < periods.values().size(); ++p) {
    std::vector<v1::ReportCell> cells = {LabelCell(periods.values()[p])};
    for (size_t s = 0; s < series.values().size(); ++s) {
      auto found = values.find({p, s});
      cells.push_back(NumberCell(found == values.end() ? std::nullopt : std::optional(found->second), unit));
    }
    AddRow(table, std::move(cells));
  }
  SetChart(table, v1::CHART_KIND_LINE, charted);
  return report;
}

}  // namespace custflow::reporting

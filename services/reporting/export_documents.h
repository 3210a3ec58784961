// Downloads beyond CSV: the answers of Distribution and QueryMetric as one-table reports
// (templates.proto) with a chart, and any report as an XLSX workbook, a PDF document or
// its first chart as a PNG or SVG image. The HTTP downloads and the scheduled reports
// both write files through ExportReport.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "custflow/v1/metrics.pb.h"
#include "custflow/v1/reporting.pb.h"
#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

enum class ExportFormat { kXlsx, kPdf, kPng, kSvg };

// "xlsx", "pdf", "png", "svg" and back; nullopt for another extension.
std::optional<ExportFormat> ExportFormatOf(std::string_view extension);
std::string_view ExtensionOf(ExportFormat format);
std::string_view ContentTypeOf(ExportFormat format);

// The file's bytes. PNG and SVG draw the report's first chart: NOT_FOUND when no table
// has one. Errors of the writers are returned as they are.
absl::StatusOr<std::string> ExportReport(const v1::Report& report, ExportFormat format);

// One table: a row per value of the dimension with customers and interactions, bars of
// the customers. A cross table has a row per value of the first dimension and a column of
// customers per value of the second, drawn as grouped bars. "Other" rows read "(other)".
v1::Report DistributionDocument(const v1::DistributionRequest& request,
                                const v1::DistributionResponse& response);
// One table: a row per period. Without breakdowns: value, previous value, change %,
// year-ago value and change %, with a line of the value. With breakdowns: one value
// column per breakdown value (several breakdowns joined by " / "), a line each.
v1::Report MetricDocument(const v1::MetricQueryRequest& request, const v1::MetricQueryResponse& response);

}  // namespace custflow::reporting

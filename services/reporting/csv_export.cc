// The CSV writers: quoting, numbers, and one table layout per downloadable answer.
#include "services/reporting/csv_export.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace custflow::reporting {
namespace {

// The UTF-8 byte order mark: without it Excel reads the file in the system's code page.
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::string Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

std::string EnumLabel(const google::protobuf::EnumDescriptor* type, int number, std::string_view prefix) {
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  std::string_view name = value->name();
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(std::string(name));
}

std::string Date(const google::protobuf::Timestamp& instant) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(instant.seconds()), absl::UTCTimeZone());
}

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string ToCsv(const CsvTable& table) {
  std::string text(kByteOrderMark);
  auto append_line = [&text](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) text += ',';
      text += CsvField(fields[i]);
    }
    text += "\r\n";
  };
  append_line(table.header);
  for (const std::vector<std::string>& row : table.rows) append_line(row);
  return text;
}

std::string CsvNumber(double value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error != std::errc()) return absl::StrCat(value);
  return std::string(buffer, end);
}

std::string CsvNumber(const std::optional<double>& value) { return value ? CsvNumber(*value) : ""; }

std::string DownloadFileName(std::string_view method, absl::Time now, std::string_view extension) {
  return absl::StrCat(std::string(method), "-", absl::FormatTime("%Y-%m-%d", now, absl::UTCTimeZone()), ".",
                      std::string(extension));
}

CsvTable DistributionCsv(const v1::DistributionRequest& request, const v1::DistributionResponse& response) {
  const auto* dimensions = v1::Dimension_descriptor();
  bool cross = request.second_dimension() != v1::DIMENSION_UNSPECIFIED;
  CsvTable table;
  table.header.push_back(EnumLabel(dimensions, request.dimension(), "DIMENSION_"));
  if (cross) table.header.push_back(EnumLabel(dimensions, request.second_dimension(), "DIMENSION_"));
  table.header.insert(table.header.end(), {"customers", "interactions", "is_other"});
  for (const v1::DistributionRow& row : response.rows()) {
    std::vector<std::string> fields = {row.value()};
    if (cross) fields.push_back(row.second_value());
    fields.insert(fields.end(),
                  {absl::StrCat(row.customers()), absl::StrCat(row.interactions()), Bool(row.is_other())});
    table.rows.push_back(std::move(fields));
  }
  return table;
}

CsvTable MetricCsv(const v1::MetricQueryRequest& request, const v1::MetricQueryResponse& response) {
  CsvTable table;
  table.header.push_back("period_start");
  for (int breakdown : request.breakdowns()) {
    table.header.push_back(EnumLabel(v1::MetricDimension_descriptor(), breakdown, "METRIC_DIMENSION_"));
  }
  table.header.insert(table.header.end(), {"value", "previous_value", "previous_change_percent",
                                           "year_ago_value", "year_ago_change_percent"});
  auto if_present = [](bool present, double value) { return present ? std::optional(value) : std::nullopt; };
  for (const v1::MetricRow& row : response.rows()) {
    std::vector<std::string> fields = {Date(row.period_start())};
    // A row has one value per requested breakdown; padding keeps the columns aligned
    // should it ever have fewer.
    for (int i = 0; i < request.breakdowns_size(); ++i) {
      fields.push_back(i < row.breakdown_values_size() ? row.breakdown_values(i) : "");
    }
    fields.insert(fields.end(),
                  {CsvNumber(if_present(row.has_value(), row.value())),
                   CsvNumber(if_present(row.has_previous_value(), row.previous_value())),
                   CsvNumber(if_present(row.has_previous_change_percent(), row.previous_change_percent())),
                   CsvNumber(if_present(row.has_year_ago_value(), row.year_ago_value())),
                   CsvNumber(if_present(row.has_year_ago_change_percent(), row.year_ago_change_percent()))});
    table.rows.push_back(std::move(fields));
  }
  return table;
}

CsvTable FindingsCsv(const v1::FindingsResponse& response) {
  CsvTable table;
  table.header = {"period_start",   "metric_id", "metric_name", "breakdown_values", "comparison", "value",
                  "compared_value", "change",    "in_points",   "threshold",        "severity",   "text"};
  for (const v1::Finding& finding : response.findings()) {
    table.rows.push_back(
        {Date(response.period_start()), finding.metric_id(), finding.metric_name(),
         absl::StrJoin(finding.breakdown_values(), " / "),
         EnumLabel(v1::FindingComparison_descriptor(), finding.comparison(), "FINDING_COMPARISON_"),
         CsvNumber(finding.value()), CsvNumber(finding.compared_value()), CsvNumber(finding.change()),
         Bool(finding.in_points()), CsvNumber(finding.threshold()),
         EnumLabel(v1::FindingSeverity_descriptor(), finding.severity(), "FINDING_SEVERITY_"),
         finding.text()});
  }
  return table;
}

CsvTable SatisfactionExtremesCsv(const v1::SatisfactionExtremesResponse& response) {
  CsvTable table;
  table.header = {"group",
                  "customer_id",
                  "name",
                  "owner",
                  "province",
                  "industry",
                  "customer_type",
                  "cumulative_amount",
                  "average_satisfaction",
                  "rated_interactions"};
  auto add_group = [&table](std::string_view group, const auto& customers) {
    for (const v1::SatisfactionCustomer& customer : customers) {
      table.rows.push_back(
          {std::string(group), customer.customer_id(), customer.name(), customer.owner(), customer.province(),
           customer.industry(), customer.customer_type(), CsvNumber(customer.cumulative_amount()),
           CsvNumber(customer.average_satisfaction()), absl::StrCat(customer.rated_interactions())});
    }
  };
  add_group("top", response.top());
  add_group("bottom", response.bottom());
  return table;
}

CsvTable ComplaintAnalysisCsv(const v1::ComplaintAnalysisRequest& request,
                              const v1::ComplaintAnalysisResponse& response) {
  CsvTable table;
  table.header = {EnumLabel(v1::ComplaintGrouping_descriptor(), request.group_by(), "COMPLAINT_GROUPING_"),
                  "complaints", "resolved", "average_resolution_seconds", "is_total"};
  auto add = [&table](const v1::ComplaintGroup& group, bool is_total) {
    std::optional<double> average;
    if (group.has_average_resolution_seconds()) average = group.average_resolution_seconds();
    table.rows.push_back({group.value(), absl::StrCat(group.complaints()), absl::StrCat(group.resolved()),
                          CsvNumber(average), Bool(is_total)});
  };
  for (const v1::ComplaintGroup& group : response.groups()) add(group, false);
  add(response.total(), true);
  return table;
}

}  // namespace custflow::reporting

// The documents of single answers: which rows, columns and chart a distribution, a cross
// table and a metric with and without breakdowns become; and the export format names.
#include "services/reporting/export_documents.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Texts(const v1::ReportRow& row) {
  std::vector<std::string> texts;
  for (const v1::ReportCell& cell : row.cells()) texts.push_back(cell.text());
  return texts;
}

v1::DistributionRow Group(const std::string& value, uint64_t customers, const std::string& second = "",
                          bool is_other = false) {
  v1::DistributionRow row;
  row.set_value(value);
  row.set_second_value(second);
  row.set_customers(customers);
  row.set_interactions(customers * 3);
  row.set_is_other(is_other);
  return row;
}

TEST(ExportFormatTest, ExtensionsAndContentTypes) {
  for (const char* extension : {"xlsx", "pdf", "png", "svg"}) {
    ASSERT_TRUE(ExportFormatOf(extension).has_value()) << extension;
    EXPECT_EQ(ExtensionOf(*ExportFormatOf(extension)), extension);
  }
  EXPECT_FALSE(ExportFormatOf("csv").has_value());
  EXPECT_FALSE(ExportFormatOf("").has_value());
  EXPECT_EQ(ContentTypeOf(ExportFormat::kPdf), "application/pdf");
  EXPECT_EQ(ContentTypeOf(ExportFormat::kSvg), "image/svg+xml");
}

TEST(ExportReportTest, AnImageOfAReportWithoutChartsIsNotFound) {
  v1::Report report;
  report.set_title("empty");
  report.add_sections()->add_tables()->add_columns("a");
  EXPECT_EQ(ExportReport(report, ExportFormat::kPng).status().code(), absl::StatusCode::kNotFound);
}

TEST(DistributionDocumentTest, OneRowPerGroupWithATotalAndBarsOfCustomers) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  v1::DistributionResponse response;
  *response.add_rows() = Group("浙江省", 5);
  *response.add_rows() = Group("", 2);
  *response.add_rows() = Group("", 1, "", true);
  response.set_total_customers(8);

  const v1::Report report = DistributionDocument(request, response);

  ASSERT_EQ(report.sections_size(), 1);
  ASSERT_EQ(report.sections(0).tables_size(), 1);
  const v1::ReportTable& table = report.sections(0).tables(0);
  EXPECT_EQ(report.title(), "Customers by province");
  EXPECT_THAT(table.columns(), ElementsAre("province", "customers", "interactions"));
  ASSERT_EQ(table.rows_size(), 4);
  EXPECT_THAT(Texts(table.rows(0)), ElementsAre("浙江省", "5", "15"));
  EXPECT_THAT(Texts(table.rows(1)), ElementsAre("(none)", "2", "6"));
  EXPECT_THAT(Texts(table.rows(2)), ElementsAre("(other)", "1", "3"));
  EXPECT_THAT(Texts(table.rows(3)), ElementsAre("total", "8", "-"));
  EXPECT_TRUE(table.rows(3).is_total());
  EXPECT_EQ(table.chart().kind(), v1::CHART_KIND_BAR);
  EXPECT_THAT(table.chart().value_columns(), ElementsAre(1));
}

TEST(DistributionDocumentTest, ACrossTableIsPivotedWithZerosForMissingPairs) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  request.set_second_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  v1::DistributionResponse response;
  *response.add_rows() = Group("浙江省", 5, "closed");
  *response.add_rows() = Group("广东省", 4, "potential");
  *response.add_rows() = Group("浙江省", 2, "potential");

  const v1::Report report = DistributionDocument(request, response);
  const v1::ReportTable& table = report.sections(0).tables(0);

  EXPECT_THAT(table.columns(), ElementsAre("province \\ customer_type", "closed", "potential"));
  ASSERT_EQ(table.rows_size(), 2);
  EXPECT_THAT(Texts(table.rows(0)), ElementsAre("浙江省", "5", "2"));
  EXPECT_THAT(Texts(table.rows(1)), ElementsAre("广东省", "0", "4"));
  EXPECT_THAT(table.chart().value_columns(), ElementsAre(1, 2));
}

v1::MetricRow Period(int64_t seconds, std::optional<double> value,
                     const std::vector<std::string>& breakdown = {}) {
  v1::MetricRow row;
  row.mutable_period_start()->set_seconds(seconds);
  if (value.has_value()) row.set_value(*value);
  for (const std::string& b : breakdown) row.add_breakdown_values(b);
  return row;
}

constexpr int64_t kMay2026 = 1777593600;
constexpr int64_t kJune2026 = 1780272000;

TEST(MetricDocumentTest, WithoutBreakdownsOneRowPerPeriodWithItsComparisons) {
  v1::MetricQueryRequest request;
  request.set_granularity(v1::METRIC_GRANULARITY_MONTH);
  v1::MetricQueryResponse response;
  response.mutable_metric()->set_name("Churn rate");
  response.mutable_metric()->set_unit("%");
  *response.add_rows() = Period(kMay2026, std::nullopt);
  v1::MetricRow& june = *response.add_rows() = Period(kJune2026, 12.5);
  june.set_previous_value(10);
  june.set_previous_change_percent(25);

  const v1::Report report = MetricDocument(request, response);

  const v1::ReportTable& table = report.sections(0).tables(0);
  EXPECT_EQ(report.title(), "Churn rate (%)");
  EXPECT_EQ(report.period_start().seconds(), kMay2026);
  EXPECT_THAT(Texts(table.rows(0)), ElementsAre("2026-05-01", "-", "-", "-", "-", "-"));
  EXPECT_THAT(Texts(table.rows(1)), ElementsAre("2026-06-01", "12.5 %", "10.0 %", "+25.0 %", "-", "-"));
  EXPECT_EQ(table.chart().kind(), v1::CHART_KIND_LINE);
  EXPECT_THAT(table.chart().value_columns(), ElementsAre(1));
}

TEST(MetricDocumentTest, BreakdownsBecomeOneLinePerValue) {
  v1::MetricQueryRequest request;
  request.add_breakdowns(v1::METRIC_DIMENSION_PROVINCE);
  request.add_breakdowns(v1::METRIC_DIMENSION_CHANNEL);
  v1::MetricQueryResponse response;
  response.mutable_metric()->set_name("Active customers");
  response.mutable_metric()->set_unit("customers");
  *response.add_rows() = Period(kMay2026, 3, {"浙江省", "phone"});
  *response.add_rows() = Period(kJune2026, 4, {"浙江省", "phone"});
  *response.add_rows() = Period(kJune2026, 1, {"", "web"});

  const v1::Report report = MetricDocument(request, response);
  const v1::ReportTable& table = report.sections(0).tables(0);

  EXPECT_THAT(table.columns(), ElementsAre("period_start", "浙江省 / phone", "(none) / web"));
  EXPECT_THAT(Texts(table.rows(0)), ElementsAre("2026-05-01", "3", "-"));
  EXPECT_THAT(Texts(table.rows(1)), ElementsAre("2026-06-01", "4", "1"));
  EXPECT_THAT(table.chart().value_columns(), ElementsAre(1, 2));
}

}  // namespace
}  // namespace custflow::reporting

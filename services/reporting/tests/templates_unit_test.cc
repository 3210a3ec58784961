// Report templates without a server: every template composed from canned query answers,
// in both languages, with the numbers of the answers in its tables and its findings.
#include <chrono>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "custflow/auth/principal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/metrics.h"
#include "services/reporting/templates.h"
#include "services/reporting/tests/test_days.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<std::string> kProvinces = {"广东省", "浙江省"};

// Answers every metric with 50 per period and breakdown value unless `values` says
// otherwise, and records the requests.
class CannedQueries final : public ReportQueries {
 public:
  // metric id, breakdown value ("" without a breakdown), period start seconds
  std::map<std::tuple<std::string, std::string, int64_t>, double> values;
  std::vector<v1::MetricQueryRequest> metric_requests;
  std::vector<v1::DistributionRequest> distribution_requests;
  v1::ParetoResponse pareto;
  v1::ComplaintAnalysisResponse complaints;

  absl::StatusOr<v1::MetricQueryResponse> Metric(const v1::MetricQueryRequest& request) override {
    metric_requests.push_back(request);
    absl::StatusOr<MetricPlan> plan = PlanMetricQuery(request, auth::RowScope::Everything());
    if (!plan.ok()) return plan.status();
    v1::MetricQueryResponse response;
    *response.mutable_metric() = plan->metric;
    const std::vector<std::string> groups =
        plan->breakdowns.empty() ? std::vector<std::string>{""} : kProvinces;
    for (const std::string& group : groups) {
      for (sys_days start = plan->first_period; start < plan->end;
           start = NextPeriod(start, plan->granularity)) {
        v1::MetricRow& row = *response.add_rows();
        row.mutable_period_start()->set_seconds(SecondsOf(start));
        if (!group.empty()) row.add_breakdown_values(group);
        row.set_value(Value(request.metric_id(), group, start));
        row.set_numerator(row.value());
        row.set_denominator(plan->metric.unit() == "%" ? 100 : 1);
        const double previous = Value(request.metric_id(), group, PreviousPeriod(start, plan->granularity));
        row.set_previous_value(previous);
        if (previous != 0) row.set_previous_change_percent((row.value() - previous) / previous * 100);
      }
    }
    return response;
  }
  absl::StatusOr<v1::DistributionResponse> Distribution(const v1::DistributionRequest& request) override {
    distribution_requests.push_back(request);
    v1::DistributionResponse response;
    const bool by_tag = request.dimension() == v1::DIMENSION_TAG;
    auto add = [&](const std::string& value, uint64_t customers) {
      v1::DistributionRow& row = *response.add_rows();
      row.set_value(value);
      row.set_customers(customers);
    };
    if (by_tag) {
      add("lifecycle:active", 60);
      add("value:high", 30);
      add("lifecycle:lost", 40);
    } else {
      add("closed", 70);
      add("potential", 30);
    }
    response.set_total_customers(request.filter().tags_size() > 0 ? 7 * request.filter().tags_size() : 100);
    return response;
  }
  absl::StatusOr<v1::ParetoResponse> Pareto(const v1::ParetoRequest&) override { return pareto; }
  absl::StatusOr<v1::ComplaintAnalysisResponse> Complaints(const v1::ComplaintAnalysisRequest&) override {
    return complaints;
  }

 private:
  static int64_t SecondsOf(sys_days day) { return std::chrono::sys_seconds(day).time_since_epoch().count(); }
  double Value(const std::string& id, const std::string& group, sys_days start) const {
    auto found = values.find({id, group, SecondsOf(start)});
    return found == values.end() ? 50 : found->second;
  }
};

v1::RenderReportRequest Request(const std::string& template_id, const std::string& language) {
  v1::RenderReportRequest request;
  request.set_template_id(template_id);
  request.set_language(language);
  request.mutable_period()->set_seconds(Seconds(2026, 10, 15));
  return request;
}

const std::chrono::system_clock::time_point kNow = std::chrono::sys_days(std::chrono::year(2026) / 11 / 27);

const v1::ReportTable* FindTable(const v1::Report& report, const std::string& title) {
  for (const v1::ReportSection& section : report.sections()) {
    for (const v1::ReportTable& table : section.tables()) {
      if (table.title() == title) return &table;
    }
  }
  return nullptr;
}

std::vector<std::string> RowTexts(const v1::ReportRow& row) {
  std::vector<std::string> texts;
  for (const v1::ReportCell& cell : row.cells()) texts.push_back(cell.text());
  return texts;
}

TEST(ListTemplatesTest, ListsTheSixTemplatesInOrder) {
  const v1::ListTemplatesResponse templates = ListTemplates();
  std::vector<std::string> ids;
  for (const v1::ReportTemplate& entry : templates.templates()) ids.push_back(entry.id());
  EXPECT_THAT(ids, ElementsAre("overview", "sales", "health", "service", "quarterly", "region"));
}

TEST(RenderReportTest, RefusesAnUnknownTemplateAndAnUnknownLanguage) {
  CannedQueries queries;
  EXPECT_EQ(RenderReport(queries, Request("weekly", "en"), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderReport(queries, Request("overview", "fr"), kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(queries.metric_requests.empty());
}

class EveryTemplateTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(EveryTemplateTest, RendersSectionsWithFullRowsInTheRequestedLanguage) {
  const auto& [template_id, language] = GetParam();
  CannedQueries queries;
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request(template_id, language), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->template_id(), template_id);
  EXPECT_EQ(report->language(), language);
  EXPECT_FALSE(report->sections().empty());
  const bool chinese = language == "zh";
  for (const v1::ReportSection& section : report->sections()) {
    // Chinese titles are in CJK characters (three bytes each in UTF-8).
    EXPECT_EQ(static_cast<unsigned char>(section.title()[0]) >= 0xE0, chinese) << section.title();
    for (const v1::ReportTable& table : section.tables()) {
      EXPECT_FALSE(table.rows().empty()) << table.title();
      for (const v1::ReportRow& row : table.rows()) EXPECT_EQ(row.cells_size(), table.columns_size());
      // A chart draws numbers of the table's own columns.
      if (table.chart().kind() == v1::CHART_KIND_UNSPECIFIED) continue;
      EXPECT_FALSE(table.chart().value_columns().empty()) << table.title();
      for (uint32_t column : table.chart().value_columns()) {
        ASSERT_LT(column, static_cast<uint32_t>(table.columns_size())) << table.title();
        EXPECT_NE(column, table.chart().label_column()) << table.title();
        for (const v1::ReportRow& row : table.rows()) {
          EXPECT_TRUE(row.cells(static_cast<int>(column)).has_value() ||
                      row.cells(static_cast<int>(column)).text() == "-")
              << table.title();
        }
      }
    }
  }
  // Every metric is flat at 50, so nothing is a finding.
  EXPECT_TRUE(report->findings().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Templates, EveryTemplateTest,
    ::testing::Combine(::testing::Values("overview", "sales", "health", "service", "quarterly", "region"),
                       ::testing::Values("en", "zh")),
    [](const auto& param) { return std::get<0>(param.param) + "_" + std::get<1>(param.param); });

TEST(RenderReportTest, QuarterlyDefaultsToQuartersAndRecommendsForEachFinding) {
  CannedQueries queries;
  queries.values[{"new_customers", "", Seconds(2026, 10, 1)}] = 25;
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request("quarterly", "en"), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->granularity(), v1::METRIC_GRANULARITY_QUARTER);
  EXPECT_EQ(report->period_start().seconds(), Seconds(2026, 10, 1));
  ASSERT_EQ(report->findings_size(), 1);
  EXPECT_EQ(report->findings(0).metric_id(), "new_customers");
  const v1::ReportSection& last = report->sections(report->sections_size() - 1);
  EXPECT_EQ(last.title(), "Findings and recommendations");
  EXPECT_THAT(last.notes(), ElementsAre(report->findings(0).text() +
                                        ": review lead sources and campaigns in the affected regions"));
}

TEST(RenderReportTest, RegionTableComparesProvincesWithThePeriodBeforeAndFindsTheDrop) {
  CannedQueries queries;
  queries.values[{"new_customers", "浙江省", Seconds(2026, 9, 1)}] = 40;
  queries.values[{"new_customers", "浙江省", Seconds(2026, 10, 1)}] = 20;
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request("region", "zh"), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::ReportTable* table = FindTable(*report, "新客户数与上期对比");
  ASSERT_NE(table, nullptr);
  EXPECT_THAT(table->columns(), ElementsAre("省份", "本期", "上期", "变化", "环比"));
  ASSERT_EQ(table->rows_size(), 3);
  EXPECT_THAT(RowTexts(table->rows(0)), ElementsAre("浙江省", "20", "40", "-20", "-50.0 %"));
  EXPECT_THAT(RowTexts(table->rows(1)), ElementsAre("广东省", "50", "50", "0", "+0.0 %"));
  EXPECT_THAT(RowTexts(table->rows(2)), ElementsAre("合计", "70", "90", "-20", "-22.2 %"));
  ASSERT_EQ(report->findings_size(), 1);
  EXPECT_EQ(report->findings(0).text(), "浙江省新客户数环比下降50%，从40降至20");
}

TEST(RenderReportTest, SalesShowsTheParetoShareAndHealthCountsTheRiskTags) {
  CannedQueries queries;
  queries.pareto.set_customers(10);
  queries.pareto.set_top_customers(2);
  queries.pareto.set_top_revenue_percent(64.5);
  absl::StatusOr<v1::Report> sales = RenderReport(queries, Request("sales", "en"), kNow);
  ASSERT_TRUE(sales.ok()) << sales.status();
  const v1::ReportTable* pareto = FindTable(*sales, "Pareto 20/80");
  ASSERT_NE(pareto, nullptr);
  EXPECT_THAT(RowTexts(pareto->rows(3)), ElementsAre("Their share of revenue", "64.5 %"));
  EXPECT_DOUBLE_EQ(pareto->rows(3).cells(1).value(), 64.5);

  absl::StatusOr<v1::Report> health = RenderReport(queries, Request("health", "en"), kNow);
  ASSERT_TRUE(health.ok()) << health.status();
  const v1::ReportTable* risk = FindTable(*health, "Customers at risk");
  ASSERT_NE(risk, nullptr);
  ASSERT_EQ(risk->rows_size(), 3);
  EXPECT_THAT(RowTexts(risk->rows(0)), ElementsAre("value-trend:downgraded", "7"));
  EXPECT_THAT(RowTexts(risk->rows(2)), ElementsAre("Either", "14"));
  EXPECT_THAT(queries.distribution_requests.back().filter().tags(),
              ElementsAre("value-trend:downgraded", "lifecycle:lost"));
}

TEST(RenderReportTest, OverviewTrendCoversTheLastSixPeriods) {
  CannedQueries queries;
  queries.values[{"new_customers", "", Seconds(2026, 5, 1)}] = 11;
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request("overview", "en"), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::ReportTable* trend = FindTable(*report, "New and active customers, last six periods");
  ASSERT_NE(trend, nullptr);
  EXPECT_THAT(trend->columns(), ElementsAre("Period", "New customers", "Active customers"));
  ASSERT_EQ(trend->rows_size(), 6);
  EXPECT_THAT(RowTexts(trend->rows(0)), ElementsAre("2026-05-01", "11", "50"));
  EXPECT_THAT(RowTexts(trend->rows(5)), ElementsAre("2026-10-01", "50", "50"));
  const v1::ReportTable* types = FindTable(*report, "Customers by type");
  ASSERT_NE(types, nullptr);
  EXPECT_THAT(RowTexts(types->rows(2)), ElementsAre("Total", "100", "100.0 %"));
  EXPECT_TRUE(types->rows(2).is_total());
  EXPECT_FALSE(types->rows(1).is_total());
  EXPECT_EQ(types->chart().kind(), v1::CHART_KIND_PIE);
  EXPECT_THAT(types->chart().value_columns(), ElementsAre(1));
  EXPECT_EQ(trend->chart().kind(), v1::CHART_KIND_LINE);
  EXPECT_THAT(trend->chart().value_columns(), ElementsAre(1, 2));
}

TEST(RenderReportTest, TrendChartsOnlyTheMetricsInTheFirstOnesUnit) {
  CannedQueries queries;
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request("quarterly", "en"), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::ReportTable* trend = FindTable(*report, "Last four periods");
  ASSERT_NE(trend, nullptr);
  EXPECT_THAT(trend->columns(), ElementsAre("Period", "New customers", "Active customers", "Total sales"));
  // Total sales are yuan, the others customers: one axis cannot show both.
  EXPECT_THAT(trend->chart().value_columns(), ElementsAre(1, 2));
}

TEST(RenderReportTest, ServiceCountsComplaintsAndCallBacks) {
  CannedQueries queries;
  queries.complaints.mutable_total()->set_complaints(3);
  absl::StatusOr<v1::Report> report = RenderReport(queries, Request("service", "en"), kNow);
  ASSERT_TRUE(report.ok()) << report.status();
  const v1::ReportTable* complaints = FindTable(*report, "Complaints by category");
  ASSERT_NE(complaints, nullptr);
  EXPECT_THAT(RowTexts(complaints->rows(0)), ElementsAre("Total", "3", "0", "-"));
  EXPECT_TRUE(complaints->rows(0).is_total());
  const v1::ReportTable* callbacks = FindTable(*report, "Call-backs and missed calls");
  ASSERT_NE(callbacks, nullptr);
  EXPECT_THAT(RowTexts(callbacks->rows(0)), ElementsAre("Call-backs", "50", "50", "+0.0 %"));
  EXPECT_THAT(RowTexts(callbacks->rows(1)), ElementsAre("Call-back rate", "50.0 %", "50.0 %", "+0.0 %"));
}

}  // namespace
}  // namespace custflow::reporting

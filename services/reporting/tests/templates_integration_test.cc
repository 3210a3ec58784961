// Report templates on a real clickhouse-server 18.16: generated customers and interactions go
// through the sink, every template is rendered through the RenderReport handler in English
// and Chinese, and the key numbers of each report equal what the direct queries
// (QueryMetric, QueryDistribution, Pareto, ComplaintAnalysis) return for the same period.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/analysis.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/distribution.h"
#include "services/reporting/metrics.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/templates.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "services/reporting/tests/test_days.h"

namespace custflow::reporting {
namespace {

const int64_t kOctober = Seconds(2026, 10, 1);
const int64_t kNovember = Seconds(2026, 11, 1);

class TemplatesTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    Store();
  }

  // 120 customers in two provinces, first contacts spread over September and October 2026,
  // of mixed type, industry and tags; each one calls every month from August to October
  // with a satisfaction score, some order (different amounts and departments) and some
  // complain, most complaints resolved a few hours later.
  void Store() {
    const char* provinces[] = {"浙江省", "广东省"};
    const char* industries[] = {"制造业", "零售", "金融"};
    const std::vector<std::vector<std::string>> tags = {
        {"lifecycle:active"}, {"lifecycle:lost"}, {"value-trend:downgraded", "lifecycle:active"}, {}};
    int64_t events = 0;
    for (int i = 0; i < 120; ++i) {
      const std::string id = "c-" + std::to_string(i);
      v1::Profile profile = MakeProfile(id, 1, provinces[i % 3 == 0 ? 0 : 1], 0);
      v1::Customer& customer = *profile.mutable_customer();
      customer.set_type(i % 4 == 0 ? v1::CUSTOMER_TYPE_CLOSED : v1::CUSTOMER_TYPE_POTENTIAL);
      customer.set_industry(industries[i % 3]);
      customer.mutable_first_contact_at()->set_seconds((i % 5 < 2 ? Seconds(2026, 9, 2) : kOctober + 86400) +
                                                       i * 3600);
      profile.mutable_tags()->Assign(tags[i % 4].begin(), tags[i % 4].end());
      batch_.AddProfile(0, i, profile);
      for (unsigned month : {8u, 9u, 10u}) {
        if (month == 10 && i % 7 == 0) continue;  // some churn in October
        const int64_t when = Seconds(2026, month, 5) + i * 600;
        auto add = [&](v1::Interaction event, int64_t at) {
          event.mutable_occurred_at()->set_seconds(at);
          event.mutable_received_at()->set_seconds(at + 1);
          batch_.AddInteraction(0, events, event);
          ++events;
        };
        v1::Interaction call = MakeInteraction("e-" + std::to_string(events), id);
        call.set_satisfaction(static_cast<int32_t>(1 + (i + month) % 5));
        add(call, when);
        if (i % 3 != 2) {
          v1::Interaction order = MakeInteraction("e-" + std::to_string(events), id);
          order.set_type(v1::INTERACTION_TYPE_ORDER_PLACED);
          order.set_department(i % 2 == 0 ? "销售一部" : "销售二部");
          order.mutable_amount()->set_amount_minor(10000 * (1 + i % 9) * (month == 10 ? 2 : 1));
          order.mutable_amount()->set_currency("CNY");
          add(order, when + 60);
        }
        if (i % 6 == 1) {
          const std::string case_id = id + "-" + std::to_string(month);
          v1::Interaction opened = MakeInteraction("e-" + std::to_string(events), id);
          opened.set_type(v1::INTERACTION_TYPE_COMPLAINT_OPENED);
          opened.mutable_complaint()->set_case_id(case_id);
          opened.mutable_complaint()->set_category(i % 4 == 1 ? "quality" : "delivery");
          add(opened, when + 120);
          if (i % 12 != 7) {
            v1::Interaction resolved = MakeInteraction("e-" + std::to_string(events), id);
            resolved.set_type(v1::INTERACTION_TYPE_COMPLAINT_RESOLVED);
            resolved.mutable_complaint()->set_case_id(case_id);
            add(resolved, when + 120 + 3 * 3600);
          }
        }
      }
    }
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch_.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  v1::Report Render(const std::string& template_id, const std::string& language) {
    v1::RenderReportRequest request;
    request.set_template_id(template_id);
    request.set_language(language);
    request.mutable_period()->set_seconds(Seconds(2026, 10, 15));
    const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
    ReportingService service(client(), open_auth);
    v1::Report report;
    const grpc::Status status = service.RenderReport(nullptr, &request, &report);
    EXPECT_TRUE(status.ok()) << template_id << " " << language << ": " << status.error_message();
    return report;
  }

  v1::MetricQueryResponse Metric(const std::string& id, v1::MetricGranularity granularity, int64_t from,
                                 int64_t to, std::vector<v1::MetricDimension> breakdowns = {}) {
    v1::MetricQueryRequest request;
    request.set_metric_id(id);
    request.set_granularity(granularity);
    request.mutable_from()->set_seconds(from);
    request.mutable_to()->set_seconds(to);
    for (v1::MetricDimension breakdown : breakdowns) request.add_breakdowns(breakdown);
    absl::StatusOr<v1::MetricQueryResponse> response =
        QueryMetric(client(), request, auth::RowScope::Everything());
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::MetricQueryResponse();
  }

  static double Cell(const v1::Report& report, int section, int table, int row, int column) {
    const v1::ReportTable& found = report.sections(section).tables(table);
    const int row_index = row < 0 ? found.rows_size() + row : row;
    EXPECT_TRUE(found.rows(row_index).cells(column).has_value()) << found.title();
    return found.rows(row_index).cells(column).value();
  }

  MessageBatch batch_;
};

TEST_F(TemplatesTest, EveryTemplateRendersTheSameNumbersInEnglishAndChinese) {
  const v1::ListTemplatesResponse templates = ListTemplates();
  for (const v1::ReportTemplate& entry : templates.templates()) {
    const v1::Report english = Render(entry.id(), "en");
    const v1::Report chinese = Render(entry.id(), "zh");
    ASSERT_EQ(english.sections_size(), chinese.sections_size()) << entry.id();
    ASSERT_GT(english.sections_size(), 0) << entry.id();
    EXPECT_NE(english.title(), chinese.title());
    for (int s = 0; s < english.sections_size(); ++s) {
      ASSERT_EQ(english.sections(s).tables_size(), chinese.sections(s).tables_size());
      for (int t = 0; t < english.sections(s).tables_size(); ++t) {
        const v1::ReportTable& en = english.sections(s).tables(t);
        const v1::ReportTable& zh = chinese.sections(s).tables(t);
        ASSERT_EQ(en.rows_size(), zh.rows_size()) << en.title();
        for (int r = 0; r < en.rows_size(); ++r) {
          for (int c = 0; c < en.rows(r).cells_size(); ++c) {
            EXPECT_EQ(en.rows(r).cells(c).has_value(), zh.rows(r).cells(c).has_value());
            EXPECT_EQ(en.rows(r).cells(c).value(), zh.rows(r).cells(c).value()) << en.title();
          }
        }
      }
    }
    ASSERT_EQ(english.findings_size(), chinese.findings_size()) << entry.id();
  }
}

TEST_F(TemplatesTest, RegionTableEqualsNewCustomersByProvince) {
  const v1::Report report = Render("region", "en");
  const v1::MetricQueryResponse direct = Metric("new_customers", v1::METRIC_GRANULARITY_MONTH, kOctober,
                                                kNovember, {v1::METRIC_DIMENSION_PROVINCE});
  const v1::ReportTable& table = report.sections(0).tables(0);
  ASSERT_EQ(table.rows_size(), direct.rows_size() + 1);  // plus the total
  double total = 0;
  for (const v1::MetricRow& row : direct.rows()) {
    bool found = false;
    for (const v1::ReportRow& line : table.rows()) {
      if (line.cells(0).text() != row.breakdown_values(0)) continue;
      found = true;
      EXPECT_EQ(line.cells(1).value(), row.value());
      EXPECT_EQ(line.cells(2).value(), row.previous_value());
    }
    EXPECT_TRUE(found) << row.breakdown_values(0);
    total += row.value();
  }
  EXPECT_EQ(Cell(report, 0, 0, -1, 1), total);
  EXPECT_GT(total, 0);
}

TEST_F(TemplatesTest, OverviewSalesHealthServiceAndQuarterlyEqualTheDirectQueries) {
  v1::DistributionRequest by_type;
  by_type.set_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  absl::StatusOr<v1::DistributionResponse> types =
      QueryDistribution(client(), by_type, auth::RowScope::Everything());
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_EQ(Cell(Render("overview", "zh"), 0, 0, -1, 1), static_cast<double>(types->total_customers()));

  const v1::Report sales = Render("sales", "en");
  const v1::MetricQueryResponse total_sales =
      Metric("total_sales", v1::METRIC_GRANULARITY_MONTH, kOctober, kNovember);
  EXPECT_EQ(Cell(sales, 0, 0, 0, 1), total_sales.rows(0).value());
  v1::ParetoRequest pareto_request;
  pareto_request.mutable_scope()->mutable_from()->set_seconds(kOctober);
  pareto_request.mutable_scope()->mutable_to()->set_seconds(kNovember);
  absl::StatusOr<v1::ParetoResponse> pareto = Pareto(client(), pareto_request, auth::RowScope::Everything());
  ASSERT_TRUE(pareto.ok()) << pareto.status();
  EXPECT_EQ(Cell(sales, 1, 0, 3, 1), pareto->top_revenue_percent());

  v1::DistributionRequest at_risk;
  at_risk.set_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  for (const char* tag : kChurnRiskTags) at_risk.mutable_filter()->add_tags(tag);
  absl::StatusOr<v1::DistributionResponse> risk =
      QueryDistribution(client(), at_risk, auth::RowScope::Everything());
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_EQ(Cell(Render("health", "en"), 2, 0, -1, 1), static_cast<double>(risk->total_customers()));
  EXPECT_GT(risk->total_customers(), 0u);

  v1::ComplaintAnalysisRequest complaints_request;
  complaints_request.mutable_from()->set_seconds(kOctober);
  complaints_request.mutable_to()->set_seconds(kNovember);
  complaints_request.set_group_by(v1::COMPLAINT_GROUPING_CATEGORY);
  absl::StatusOr<v1::ComplaintAnalysisResponse> complaints =
      ComplaintAnalysis(client(), complaints_request, auth::RowScope::Everything());
  ASSERT_TRUE(complaints.ok()) << complaints.status();
  const v1::Report service = Render("service", "zh");
  EXPECT_EQ(Cell(service, 0, 0, -1, 1), static_cast<double>(complaints->total().complaints()));
  EXPECT_EQ(Cell(service, 0, 0, -1, 2), static_cast<double>(complaints->total().resolved()));
  EXPECT_GT(complaints->total().complaints(), 0u);

  const v1::Report quarterly = Render("quarterly", "en");
  EXPECT_EQ(quarterly.granularity(), v1::METRIC_GRANULARITY_QUARTER);
  const v1::MetricQueryResponse new_customers =
      Metric("new_customers", v1::METRIC_GRANULARITY_QUARTER, kOctober, Seconds(2027, 1, 1));
  EXPECT_EQ(Cell(quarterly, 0, 0, 0, 1), new_customers.rows(0).value());
}

}  // namespace
}  // namespace custflow::reporting

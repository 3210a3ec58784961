// Row scope in every report (docs/SECURITY.md): each role asks every read rpc of
// ReportingService (every distribution dimension, every metric of the catalog, findings,
// every analysis, every template) and each answer must equal the administrator's answer
// over a database holding only the customers in the caller's scope. So a manager sees
// exactly the rows of their department and a sales rep exactly those of the customers they
// own, and every count, metric, analysis and report matches the scoped data. Scope follows
// a customer's latest profile: a customer moved to another department or owner takes its
// whole history along. The gRPC handlers and the HTTP routes answer with their caller's
// scope, as the callers' tokens say.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "custflow/core/http_server.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "custflow/runtime/auth_setup.h"
#include "gtest/gtest.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/http_reports.h"
#include "services/reporting/metrics.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/reports.h"
#include "services/reporting/schema.h"
#include "services/reporting/templates.h"
#include "services/reporting/tests/every_dimension.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "services/reporting/tests/test_days.h"
#include "tests/http_client.h"
#include "tests/support/test_callers.h"

namespace custflow::reporting {
namespace {

using custflow::testing::CallerOf;
using custflow::testing::TestCaller;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

const int64_t kAugust = Seconds(2026, 8, 1);
const int64_t kOctober = Seconds(2026, 10, 1);
const int64_t kNovember = Seconds(2026, 11, 1);

// Customer i's latest department and owner: east/x, east/y and west/z in turn. Every tenth
// customer had the other side's department and owner in its first version.
struct Assignment {
  std::string department;
  std::string owner;
};
Assignment LatestAssignment(int i) {
  if (i % 3 == 0) return {"east", "x"};
  if (i % 3 == 1) return {"east", "y"};
  return {"west", "z"};
}

// The messages of one customer: its versions and its interactions.
struct CustomerHistory {
  Assignment latest;
  std::vector<v1::Profile> versions;
  std::vector<v1::Interaction> interactions;
};

// 90 customers in two provinces, of mixed type, industry and tags, first contacted from
// August to October 2026; each calls every month with a satisfaction score, most order,
// some complain and have most complaints resolved.
std::vector<CustomerHistory> Customers() {
  const char* provinces[] = {"浙江省", "广东省"};
  const char* industries[] = {"制造业", "零售", "金融"};
  const std::vector<std::vector<std::string>> tags = {{"lifecycle:active"}, {"lifecycle:lost"}, {}};
  std::vector<CustomerHistory> customers;
  int events = 0;
  for (int i = 0; i < 90; ++i) {
    CustomerHistory& history = customers.emplace_back();
    history.latest = LatestAssignment(i);
    const std::string id = "c-" + std::to_string(i);
    v1::Profile profile = MakeProfile(id, 1, provinces[i % 2], 0);
    v1::Customer& customer = *profile.mutable_customer();
    customer.set_type(i % 4 == 0 ? v1::CUSTOMER_TYPE_CLOSED : v1::CUSTOMER_TYPE_POTENTIAL);
    customer.set_industry(industries[i % 3]);
    customer.mutable_first_contact_at()->set_seconds(kAugust + (i % 80) * 86400 + i * 60);
    profile.mutable_tags()->Assign(tags[i % 3].begin(), tags[i % 3].end());
    if (i % 10 == 0) {
      const Assignment before = LatestAssignment(i + 2);
      customer.set_department(before.department);
      customer.set_owner(before.owner);
      history.versions.push_back(profile);
      profile.set_version(2);
    }
    customer.set_department(history.latest.department);
    customer.set_owner(history.latest.owner);
    history.versions.push_back(profile);
    for (unsigned month : {8u, 9u, 10u}) {
      if (month == 10 && i % 7 == 0) continue;  // some churn in October
      const int64_t when = Seconds(2026, month, 3 + static_cast<unsigned>(i % 20)) + i * 600;
      auto add = [&](v1::Interaction event, int64_t at) {
        event.mutable_occurred_at()->set_seconds(at);
        event.mutable_received_at()->set_seconds(at + 1);
        history.interactions.push_back(std::move(event));
      };
      v1::Interaction call = MakeInteraction("e-" + std::to_string(events++), id);
      call.set_satisfaction(static_cast<int32_t>(1 + (i + month) % 5));
      call.set_agent(i % 2 == 0 ? "agent-a" : "agent-b");
      add(call, when);
      if (i % 5 != 4) {
        v1::Interaction order = MakeInteraction("e-" + std::to_string(events++), id);
        order.set_type(v1::INTERACTION_TYPE_ORDER_PLACED);
        order.mutable_amount()->set_amount_minor(10000 * (1 + (i * month) % 9));
        order.mutable_amount()->set_currency("CNY");
        add(order, when + 60);
      }
      if (i % 4 == 1) {
        const std::string case_id = id + "-" + std::to_string(month);
        v1::Interaction opened = MakeInteraction("e-" + std::to_string(events++), id);
        opened.set_type(v1::INTERACTION_TYPE_COMPLAINT_OPENED);
        opened.mutable_complaint()->set_case_id(case_id);
        opened.mutable_complaint()->set_category(i % 8 == 1 ? "quality" : "delivery");
        opened.mutable_complaint()->set_product(i % 2 == 0 ? "p-1" : "p-2");
        add(opened, when + 120);
        if (i % 12 != 9) {
          v1::Interaction resolved = MakeInteraction("e-" + std::to_string(events++), id);
          resolved.set_type(v1::INTERACTION_TYPE_COMPLAINT_RESOLVED);
          resolved.mutable_complaint()->set_case_id(case_id);
          add(resolved, when + 120 + (1 + i % 5) * 3600);
        }
      }
    }
  }
  return customers;
}

// One read of the catalog: a request to a Reports method, answered as a message.
struct Read {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<Message>>(const Reports&, const auth::Principal&)> answer;
};

template <typename Request, typename Response>
Read Ask(std::string name,
         absl::StatusOr<Response> (Reports::*method)(const auth::Principal&, const Request&) const,
         Request request) {
  return {
      std::move(name),
      [method, request = std::move(request)](
          const Reports& reports, const auth::Principal& caller) -> absl::StatusOr<std::unique_ptr<Message>> {
        absl::StatusOr<Response> response = (reports.*method)(caller, request);
        if (!response.ok()) return response.status();
        return std::make_unique<Response>(*std::move(response));
      }};
}

void SetPeriod(v1::AnalysisScope& scope) {
  scope.mutable_from()->set_seconds(kAugust);
  scope.mutable_to()->set_seconds(kNovember);
}

// Every read rpc with data, over the test's data.
std::vector<Read> EveryRead() {
  std::vector<Read> reads;
  for (v1::Dimension dimension : EveryDimension()) {
    v1::DistributionRequest request;
    request.set_dimension(dimension);
    reads.push_back(Ask("Distribution by " + v1::Dimension_Name(dimension), &Reports::Distribution, request));
  }
  v1::DistributionRequest cross;
  cross.set_dimension(v1::DIMENSION_PROVINCE);
  cross.set_second_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  cross.set_top(1);
  reads.push_back(Ask("Distribution top province x type", &Reports::Distribution, cross));

  const v1::ListMetricsResponse catalog = ListMetrics();
  for (const v1::MetricDefinition& metric : catalog.metrics()) {
    v1::MetricQueryRequest request;
    request.set_metric_id(metric.id());
    request.set_granularity(v1::METRIC_GRANULARITY_MONTH);
    request.mutable_from()->set_seconds(kAugust);
    request.mutable_to()->set_seconds(kNovember);
    request.set_goal(100000);
    reads.push_back(Ask("QueryMetric " + metric.id(), &Reports::QueryMetric, request));
  }
  v1::FindingsRequest findings;
  findings.mutable_period()->set_seconds(kOctober);
  reads.push_back(Ask("Findings", &Reports::Findings, findings));

  for (v1::CustomerMeasure measure :
       {v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT, v1::CUSTOMER_MEASURE_ORDER_COUNT,
        v1::CUSTOMER_MEASURE_INTERACTION_COUNT, v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION}) {
    for (bool period : {false, true}) {
      v1::DescribeRequest request;
      request.set_measure(measure);
      if (period) SetPeriod(*request.mutable_scope());
      reads.push_back(Ask("Describe " + v1::CustomerMeasure_Name(measure) + (period ? " in the period" : ""),
                          &Reports::Describe, request));
    }
  }
  v1::CorrelateRequest correlate;
  correlate.set_x(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT);
  correlate.set_y(v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION);
  reads.push_back(Ask("Correlate", &Reports::Correlate, correlate));
  v1::ParetoRequest pareto;
  SetPeriod(*pareto.mutable_scope());
  reads.push_back(Ask("Pareto", &Reports::Pareto, pareto));
  v1::SatisfactionExtremesRequest extremes;
  extremes.set_percent(30);
  reads.push_back(Ask("SatisfactionExtremes", &Reports::SatisfactionExtremes, extremes));
  const google::protobuf::EnumDescriptor* groupings = v1::ComplaintGrouping_descriptor();
  for (int i = 0; i < groupings->value_count(); ++i) {
    const auto grouping = static_cast<v1::ComplaintGrouping>(groupings->value(i)->number());
    if (grouping == v1::COMPLAINT_GROUPING_UNSPECIFIED) continue;
    v1::ComplaintAnalysisRequest request;
    request.mutable_from()->set_seconds(kAugust);
    request.mutable_to()->set_seconds(kNovember);
    request.set_group_by(grouping);
    reads.push_back(
        Ask("ComplaintAnalysis by " + groupings->value(i)->name(), &Reports::ComplaintAnalysis, request));
  }
  v1::RfmRequest rfm;
  SetPeriod(*rfm.mutable_scope());
  reads.push_back(Ask("Rfm", &Reports::Rfm, rfm));
  v1::ClusterRequest clusters;
  SetPeriod(*clusters.mutable_scope());
  clusters.set_k(3);
  reads.push_back(Ask("Cluster", &Reports::Cluster, clusters));

  const v1::ListTemplatesResponse templates = ListTemplates();
  for (const v1::ReportTemplate& report_template : templates.templates()) {
    v1::RenderReportRequest request;
    request.set_template_id(report_template.id());
    request.set_granularity(v1::METRIC_GRANULARITY_MONTH);
    request.mutable_period()->set_seconds(kOctober);
    reads.push_back(Ask("RenderReport " + report_template.id(), &Reports::RenderReport, request));
  }
  return reads;
}

// "" when equal (doubles within a relative margin: sums may add up in another order),
// else the differences.
std::string Differences(const Message& expected, const Message& actual) {
  MessageDifferencer differencer;
  differencer.set_float_comparison(MessageDifferencer::APPROXIMATE);
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  if (differencer.Compare(expected, actual)) return "";
  return differences.empty() ? "they differ" : differences;
}

const auth::Principal kAdministrator{.name = "root", .role = auth::Role::kAdmin};

// The test's customers stored in full, and for each scoped caller a database of only the
// customers in its scope.
class ReportingScopeTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    const std::vector<CustomerHistory> customers = Customers();
    ASSERT_NO_FATAL_FAILURE(Store(client(), customers, [](const Assignment&) { return true; }));
    for (auth::Role role : {auth::Role::kManager, auth::Role::kSales}) {
      const auth::RowScope scope = auth::RowScope::Of(CallerOf(role).principal);
      std::unique_ptr<clickhouse::HttpClickHouseClient>& scoped = scoped_[role == auth::Role::kManager];
      scoped = NewDatabase(role == auth::Role::kManager ? "department" : "owner");
      ASSERT_NE(scoped, nullptr);
      ASSERT_TRUE(ApplyMigrations(*scoped).ok());
      ASSERT_NO_FATAL_FAILURE(Store(*scoped, customers, [&scope](const Assignment& latest) {
        return scope.Contains(latest.department, latest.owner);
      }));
    }
  }

  // Every version and interaction of the customers `keep` keeps, through the sink.
  static void Store(clickhouse::ClickHouseClient& client, const std::vector<CustomerHistory>& customers,
                    const std::function<bool(const Assignment&)>& keep) {
    MessageBatch batch;
    int64_t offset = 0;
    for (const CustomerHistory& customer : customers) {
      if (!keep(customer.latest)) continue;
      for (const v1::Profile& version : customer.versions) batch.AddProfile(0, offset++, version);
      for (const v1::Interaction& event : customer.interactions) batch.AddInteraction(0, offset++, event);
    }
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client, metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  // The database of `role`'s customers only.
  clickhouse::ClickHouseClient& ScopedDatabase(auth::Role role) {
    return *scoped_[role == auth::Role::kManager];
  }

  std::unique_ptr<clickhouse::HttpClickHouseClient> scoped_[2];
};

TEST_F(ReportingScopeTest, EachRoleSeesExactlyItsRowsInEveryRead) {
  const Reports everything(client());
  const std::vector<Read> reads = EveryRead();
  for (auth::Role role : {auth::Role::kManager, auth::Role::kSales}) {
    const TestCaller& caller = CallerOf(role);
    const Reports scoped_data(ScopedDatabase(role));
    for (const Read& read : reads) {
      SCOPED_TRACE(caller.principal.name + ": " + read.name);
      absl::StatusOr<std::unique_ptr<Message>> expected = read.answer(scoped_data, kAdministrator);
      absl::StatusOr<std::unique_ptr<Message>> actual = read.answer(everything, caller.principal);
      ASSERT_TRUE(expected.ok()) << expected.status();
      ASSERT_TRUE(actual.ok()) << actual.status();
      EXPECT_EQ(Differences(**expected, **actual), "");
    }
  }
  // The service role reads everything, as the administrator does.
  for (const Read& read : reads) {
    SCOPED_TRACE(read.name);
    absl::StatusOr<std::unique_ptr<Message>> expected = read.answer(everything, kAdministrator);
    absl::StatusOr<std::unique_ptr<Message>> actual =
        read.answer(everything, CallerOf(auth::Role::kService).principal);
    ASSERT_TRUE(expected.ok() && actual.ok());
    EXPECT_EQ(Differences(**expected, **actual), "");
  }
}

// The comparison above would pass for answers that ignore the data: here the scoped
// counts are the test data's own numbers.
TEST_F(ReportingScopeTest, ScopedCountsAreTheCallersCustomers) {
  const Reports reports(client());
  v1::DistributionRequest by_owner;
  by_owner.set_dimension(v1::DIMENSION_OWNER);
  auto customers_by_owner = [&](const auth::Principal& caller) {
    std::map<std::string, uint64_t> counts;
    absl::StatusOr<v1::DistributionResponse> response = reports.Distribution(caller, by_owner);
    EXPECT_TRUE(response.ok()) << response.status();
    if (response.ok()) {
      for (const v1::DistributionRow& row : response->rows()) counts[row.value()] = row.customers();
    }
    return counts;
  };
  using Counts = std::map<std::string, uint64_t>;
  EXPECT_EQ(customers_by_owner(kAdministrator), (Counts{{"x", 30}, {"y", 30}, {"z", 30}}));
  EXPECT_EQ(customers_by_owner(CallerOf(auth::Role::kManager).principal), (Counts{{"x", 30}, {"y", 30}}));
  EXPECT_EQ(customers_by_owner(CallerOf(auth::Role::kSales).principal), (Counts{{"x", 30}}));
  // A scope of nothing counts nothing.
  EXPECT_EQ(customers_by_owner(CallerOf(auth::Role::kIngest).principal), Counts{});

  // Customers active each month: rep.x's are fewer than all, and more than none.
  v1::MetricQueryRequest interactions;
  interactions.set_metric_id("active_customers");
  interactions.set_granularity(v1::METRIC_GRANULARITY_MONTH);
  interactions.mutable_from()->set_seconds(kAugust);
  interactions.mutable_to()->set_seconds(kNovember);
  absl::StatusOr<v1::MetricQueryResponse> all = reports.QueryMetric(kAdministrator, interactions);
  absl::StatusOr<v1::MetricQueryResponse> mine =
      reports.QueryMetric(CallerOf(auth::Role::kSales).principal, interactions);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_FALSE(mine->rows().empty());
  EXPECT_LT(mine->rows(0).value(), all->rows(0).value());
  EXPECT_GT(mine->rows(0).value(), 0);
}

// Over gRPC and HTTP the caller is the token's principal, and so is the scope.
TEST_F(ReportingScopeTest, GrpcAndHttpAnswerWithTheTokensScope) {
  const auth::RequestAuthenticator authenticator = custflow::testing::TestAuthenticator();
  ReportingService service(client(), authenticator);
  custflow::testing::LoopbackServer served = custflow::testing::ServeOnLoopback({&service});
  HttpReports http_reports(service.reports(), HttpReportsOptions{});
  auto http_server =
      core::HttpServer::Start({.address = "127.0.0.1", .port = 0},
                              runtime::RequireAuthentication(authenticator, http_reports.Handler()));
  ASSERT_TRUE(http_server.ok()) << http_server.status();
  auto stub =
      v1::ReportingService::NewStub(grpc::CreateChannel(served.target, grpc::InsecureChannelCredentials()));

  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  for (auth::Role role : {auth::Role::kManager, auth::Role::kSales}) {
    const TestCaller& caller = CallerOf(role);
    SCOPED_TRACE(caller.principal.name);
    absl::StatusOr<v1::DistributionResponse> expected =
        Reports(ScopedDatabase(role)).Distribution(kAdministrator, request);
    ASSERT_TRUE(expected.ok()) << expected.status();

    grpc::ClientContext context;
    context.AddMetadata("authorization", custflow::testing::Bearer(caller));
    v1::DistributionResponse over_grpc;
    grpc::Status status = stub->Distribution(&context, request, &over_grpc);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(Differences(*expected, over_grpc), "");

    core::testing::Reply reply = core::testing::Send(
        "POST", "http://127.0.0.1:" + std::to_string((*http_server)->port()) + "/v1/reports/Distribution",
        R"({"dimension":"DIMENSION_PROVINCE"})",
        {"Content-Type: application/json", "Authorization: " + custflow::testing::Bearer(caller)});
    ASSERT_EQ(reply.status, 200) << reply.body;
    v1::DistributionResponse over_http;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &over_http).ok()) << reply.body;
    EXPECT_EQ(Differences(*expected, over_http), "");
  }
  (*http_server)->Stop();
  served.server->Shutdown();
}

}  // namespace
}  // namespace custflow::reporting

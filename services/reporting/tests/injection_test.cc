// Injection attempts against every text a reporting request binds into ClickHouse SQL, on a
// real clickhouse-server: each filter value is either refused with INVALID_ARGUMENT or
// matched literally (a hostile value stored on a customer finds exactly that customer, one
// not stored finds nobody), nothing answers INTERNAL, and the tables are intact afterwards.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "custflow/auth/request_authenticator.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "tests/support/hostile_strings.h"

namespace custflow::reporting {
namespace {

using custflow::testing::Hostile;
using custflow::testing::HostileStrings;

// One string field of DistributionFilter and the customer field it selects on.
struct FilterField {
  const char* name;
  std::function<void(v1::DistributionFilter&, const std::string&)> add;
};

std::vector<FilterField> FilterFields() {
  return {
      {"departments", [](v1::DistributionFilter& f, const std::string& v) { f.add_departments(v); }},
      {"teams", [](v1::DistributionFilter& f, const std::string& v) { f.add_teams(v); }},
      {"owners", [](v1::DistributionFilter& f, const std::string& v) { f.add_owners(v); }},
      {"provinces", [](v1::DistributionFilter& f, const std::string& v) { f.add_provinces(v); }},
      {"cities", [](v1::DistributionFilter& f, const std::string& v) { f.add_cities(v); }},
      {"districts", [](v1::DistributionFilter& f, const std::string& v) { f.add_districts(v); }},
      {"industries", [](v1::DistributionFilter& f, const std::string& v) { f.add_industries(v); }},
      {"sources", [](v1::DistributionFilter& f, const std::string& v) { f.add_sources(v); }},
      {"tags", [](v1::DistributionFilter& f, const std::string& v) { f.add_tags(v); }},
      {"follow_up_stages",
       [](v1::DistributionFilter& f, const std::string& v) { f.add_follow_up_stages(v); }},
  };
}

// A customer whose every text field (and only tag) is `value`.
v1::Profile HostileCustomer(const std::string& customer_id, const std::string& value) {
  v1::Profile profile = MakeProfile(customer_id, 1, value, 1);
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_name(value);
  customer.set_department(value);
  customer.set_team(value);
  customer.set_owner(value);
  customer.mutable_region()->set_city(value);
  customer.mutable_region()->set_district(value);
  customer.set_industry(value);
  customer.set_source(value);
  customer.set_follow_up_stage(value);
  profile.add_tags(value);
  return profile;
}

v1::Profile NormalCustomer(const std::string& customer_id) {
  v1::Profile profile = MakeProfile(customer_id, 1, "浙江省", 2);
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_department("销售部");
  customer.set_team("华东组");
  customer.set_owner("王芳");
  customer.mutable_region()->set_city("杭州市");
  customer.mutable_region()->set_district("西湖区");
  customer.set_industry("汽车");
  customer.set_source("展会");
  customer.set_follow_up_stage("初访");
  profile.add_tags("vip");
  return profile;
}

std::string Id(size_t index) { return "h" + std::to_string(index); }

class InjectionTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    MessageBatch batch;
    int64_t offset = 0;
    const std::vector<Hostile> hostile = HostileStrings();
    for (size_t i = 0; i < hostile.size(); ++i) {
      if (hostile[i].storable) batch.AddProfile(0, offset++, HostileCustomer(Id(i), hostile[i].value));
    }
    batch.AddProfile(0, offset, NormalCustomer("normal-1"))
        .AddProfile(0, offset + 1, NormalCustomer("normal-2"));
    batch.AddInteraction(1, 0, MakeInteraction("e1", "normal-1"))
        .AddInteraction(1, 1, MakeInteraction("e2", "h0"));
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
    before_ = TableState();
    ASSERT_THAT(before_, ::testing::Contains("interactions: 2"));
  }

  // Every table of the test's database with its row count.
  std::vector<std::string> TableState() {
    std::vector<std::string> state;
    for (const std::string& table :
         Rows("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name")) {
      state.push_back(table + ": " + std::to_string(Count("SELECT count() FROM `" + table + "`")));
    }
    return state;
  }

  void ExpectTablesIntact() { EXPECT_EQ(TableState(), before_); }

  // OK, or INVALID_ARGUMENT with a message; never INTERNAL or anything else.
  static void ExpectOkOrInvalid(const grpc::Status& status) {
    if (status.ok()) return;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_FALSE(status.error_message().empty());
  }

  const auth::RequestAuthenticator open_auth_ = auth::RequestAuthenticator::Open();
  std::vector<std::string> before_;
};

TEST_F(InjectionTest, EveryDistributionFilterFieldMatchesHostileValuesLiterally) {
  ReportingService service(client(), open_auth_);
  const std::vector<Hostile> hostile = HostileStrings();
  for (const FilterField& field : FilterFields()) {
    for (size_t i = 0; i < hostile.size(); ++i) {
      // The value itself, then a variant stored nowhere.
      for (const std::string& value : {hostile[i].value, "zz" + hostile[i].value}) {
        SCOPED_TRACE(std::string(field.name) + " = " + hostile[i].label +
                     (value == hostile[i].value ? "" : " (unstored)"));
        v1::DistributionRequest request;
        request.set_dimension(v1::DIMENSION_PROVINCE);
        field.add(*request.mutable_filter(), value);
        v1::DistributionResponse response;
        const grpc::Status status = service.Distribution(nullptr, &request, &response);
        ExpectOkOrInvalid(status);
        // Text a customer can really have is searchable, hostile or not.
        EXPECT_TRUE(!hostile[i].storable || status.ok()) << status.error_message();
        if (!status.ok()) continue;
        const bool stored = hostile[i].storable && value == hostile[i].value;
        if (stored) {
          ASSERT_EQ(response.rows_size(), 1);
          EXPECT_EQ(response.rows(0).value(), value);  // the province is the same hostile bytes
          EXPECT_EQ(response.rows(0).customers(), 1u);
          EXPECT_EQ(response.total_customers(), 1u);
        } else {
          EXPECT_EQ(response.rows_size(), 0);
          EXPECT_EQ(response.total_customers(), 0u);
        }
      }
    }
  }
  ExpectTablesIntact();
}

TEST_F(InjectionTest, HostileValuesStoredAsDimensionValuesComeBackByteForByte) {
  ReportingService service(client(), open_auth_);
  // Each dimension with the value of the normal customers.
  const std::map<v1::Dimension, std::string> normal_values = {
      {v1::DIMENSION_DEPARTMENT, "销售部"},    {v1::DIMENSION_TEAM, "华东组"},
      {v1::DIMENSION_OWNER, "王芳"},           {v1::DIMENSION_PROVINCE, "浙江省"},
      {v1::DIMENSION_CITY, "杭州市"},          {v1::DIMENSION_DISTRICT, "西湖区"},
      {v1::DIMENSION_INDUSTRY, "汽车"},        {v1::DIMENSION_SOURCE, "展会"},
      {v1::DIMENSION_FOLLOW_UP_STAGE, "初访"}, {v1::DIMENSION_TAG, "vip"}};
  for (const auto& [dimension, normal] : normal_values) {
    SCOPED_TRACE(v1::Dimension_Name(dimension));
    std::multiset<std::string> expected = {normal};
    for (const Hostile& h : HostileStrings()) {
      if (h.storable) expected.insert(h.value);
    }
    v1::DistributionRequest request;
    request.set_dimension(dimension);
    v1::DistributionResponse response;
    const grpc::Status status = service.Distribution(nullptr, &request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    std::multiset<std::string> values;
    for (const v1::DistributionRow& row : response.rows()) values.insert(row.value());
    EXPECT_EQ(values, expected);
  }
}

TEST_F(InjectionTest, AnalysisScopeFiltersMatchHostileValuesLiterally) {
  ReportingService service(client(), open_auth_);
  const std::vector<Hostile> hostile = HostileStrings();
  for (const bool by_province : {true, false}) {
    for (size_t i = 0; i < hostile.size(); ++i) {
      for (const std::string& value : {hostile[i].value, "zz" + hostile[i].value}) {
        SCOPED_TRACE(std::string(by_province ? "provinces" : "departments") + " = " + hostile[i].label +
                     (value == hostile[i].value ? "" : " (unstored)"));
        const bool stored = hostile[i].storable && value == hostile[i].value;
        v1::DescribeRequest describe;
        describe.set_measure(v1::CUSTOMER_MEASURE_INTERACTION_COUNT);
        if (by_province) {
          describe.mutable_scope()->add_provinces(value);
        } else {
          describe.mutable_scope()->add_departments(value);
        }
        v1::DescribeResponse described;
        const grpc::Status status = service.Describe(nullptr, &describe, &described);
        ExpectOkOrInvalid(status);
        EXPECT_TRUE(!hostile[i].storable || status.ok()) << status.error_message();
        if (status.ok()) {
          EXPECT_EQ(described.count(), stored ? 1u : 0u);
        }

        v1::ParetoRequest pareto;
        *pareto.mutable_scope() = describe.scope();
        v1::ParetoResponse concentrated;
        ExpectOkOrInvalid(service.Pareto(nullptr, &pareto, &concentrated));
      }
    }
  }
  ExpectTablesIntact();
}

TEST_F(InjectionTest, HostileMetricTemplateAndLanguageIdsAreRefusedAsInvalidArguments) {
  ReportingService service(client(), open_auth_);
  for (const Hostile& h : HostileStrings()) {
    SCOPED_TRACE(h.label);
    v1::MetricQueryRequest metric;
    metric.set_metric_id(h.value);
    metric.set_granularity(v1::METRIC_GRANULARITY_MONTH);
    metric.mutable_from()->set_seconds(1'714'521'600);  // 2024-05-01
    metric.mutable_to()->set_seconds(1'719'792'000);    // 2024-07-01
    v1::MetricQueryResponse metric_response;
    grpc::Status status = service.QueryMetric(nullptr, &metric, &metric_response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();

    v1::FindingsRequest findings;
    findings.add_metric_ids(h.value);
    findings.mutable_period()->set_seconds(1'714'521'600);
    v1::FindingsResponse findings_response;
    status = service.Findings(nullptr, &findings, &findings_response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();

    findings.clear_metric_ids();
    findings.set_language(h.value);
    status = service.Findings(nullptr, &findings, &findings_response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();

    v1::RenderReportRequest render;
    render.set_template_id(h.value);
    render.mutable_period()->set_seconds(1'714'521'600);
    v1::Report report;
    status = service.RenderReport(nullptr, &render, &report);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  }
  ExpectTablesIntact();
}

}  // namespace
}  // namespace custflow::reporting

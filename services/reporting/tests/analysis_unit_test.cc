// The analysis SQL builders without a server: requests are validated, values are bound
// (never pasted), filters and periods reach the SQL, and the shapes the integration test
// runs on ClickHouse are the ones built here. Then the handlers' gRPC mapping.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/analysis.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/tests/unreachable_clickhouse.h"

namespace custflow::reporting {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kMar2026 = 1'772'323'200;
constexpr int64_t kOct2026 = 1'790'812'800;

v1::AnalysisScope Period() {
  v1::AnalysisScope scope;
  scope.mutable_from()->set_seconds(kMar2026);
  scope.mutable_to()->set_seconds(kOct2026);
  return scope;
}

v1::DescribeRequest DescribeOf(v1::CustomerMeasure measure, v1::AnalysisScope scope = {}) {
  v1::DescribeRequest request;
  request.set_measure(measure);
  *request.mutable_scope() = std::move(scope);
  return request;
}

struct BadScopeCase {
  const char* name;
  v1::AnalysisScope scope;
};

std::vector<BadScopeCase> BadScopes() {
  v1::AnalysisScope unspecified_type;
  unspecified_type.add_customer_types(v1::CUSTOMER_TYPE_UNSPECIFIED);
  v1::AnalysisScope only_from;
  only_from.mutable_from()->set_seconds(kMar2026);
  v1::AnalysisScope only_to;
  only_to.mutable_to()->set_seconds(kOct2026);
  v1::AnalysisScope reversed;
  reversed.mutable_from()->set_seconds(kOct2026);
  reversed.mutable_to()->set_seconds(kMar2026);
  v1::AnalysisScope empty_period;
  empty_period.mutable_from()->set_seconds(kMar2026);
  empty_period.mutable_to()->set_seconds(kMar2026);
  return {{"UnspecifiedCustomerType", unspecified_type},
          {"OnlyFrom", only_from},
          {"OnlyTo", only_to},
          {"FromAfterTo", reversed},
          {"EmptyPeriod", empty_period}};
}

class BadScopeTest : public ::testing::TestWithParam<BadScopeCase> {};

TEST_P(BadScopeTest, EveryAnalysisRefusesIt) {
  const v1::AnalysisScope& scope = GetParam().scope;
  EXPECT_EQ(ValidateScope(scope).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_ORDER_COUNT, scope)).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::CorrelateRequest correlate;
  correlate.set_x(v1::CUSTOMER_MEASURE_ORDER_COUNT);
  correlate.set_y(v1::CUSTOMER_MEASURE_INTERACTION_COUNT);
  *correlate.mutable_scope() = scope;
  EXPECT_EQ(CorrelateSql(correlate).status().code(), absl::StatusCode::kInvalidArgument);
  v1::ParetoRequest pareto;
  *pareto.mutable_scope() = scope;
  EXPECT_EQ(ParetoSql(pareto).status().code(), absl::StatusCode::kInvalidArgument);
  v1::SatisfactionExtremesRequest extremes;
  *extremes.mutable_scope() = scope;
  EXPECT_EQ(RatedCustomersSql(extremes).status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Scopes, BadScopeTest, ::testing::ValuesIn(BadScopes()),
                         [](const ::testing::TestParamInfo<BadScopeCase>& param) {
                           return param.param.name;
                         });

TEST(AnalysisSqlTest, DescribeRefusesAnUnspecifiedMeasure) {
  EXPECT_EQ(DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_UNSPECIFIED)).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::CorrelateRequest correlate;
  correlate.set_x(v1::CUSTOMER_MEASURE_ORDER_COUNT);
  EXPECT_EQ(CorrelateSql(correlate).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AnalysisSqlTest, DescribeOverProfilesReadsTheLatestUnmergedProfiles) {
  absl::StatusOr<std::string> sql = DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT));
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("argMax(cumulative_amount_minor, version)"));
  EXPECT_THAT(*sql, HasSubstr("profile_merged_into = ''"));
  EXPECT_THAT(*sql, HasSubstr("quantileExact(0.5)(value) AS median"));
  EXPECT_THAT(*sql, HasSubstr("stddevPop(value)"));
  EXPECT_THAT(*sql, Not(HasSubstr("occurred_at >=")));
}

TEST(AnalysisSqlTest, DescribeOverAPeriodBindsItsBoundsAndTypes) {
  absl::StatusOr<std::string> sql = DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT, Period()));
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("occurred_at >= toDateTime(1772323200)"));
  EXPECT_THAT(*sql, HasSubstr("occurred_at < toDateTime(1790812800)"));
  EXPECT_THAT(*sql, HasSubstr("sumIf(amount_minor, type = 'INTERACTION_TYPE_ORDER_PLACED')"));
  EXPECT_THAT(*sql, HasSubstr("ANY INNER JOIN"));
}

TEST(AnalysisSqlTest, AverageSatisfactionLeavesOutCustomersWithoutARating) {
  absl::StatusOr<std::string> sql = ModeSql(DescribeOf(v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION));
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("satisfaction_sum / rated AS value"));
  EXPECT_THAT(*sql, HasSubstr("WHERE rated > 0"));
  EXPECT_THAT(*sql, HasSubstr("ORDER BY frequency DESC, value ASC LIMIT 1"));
}

TEST(AnalysisSqlTest, FiltersAreBoundAsEscapedTuples) {
  v1::AnalysisScope scope;
  scope.add_customer_types(v1::CUSTOMER_TYPE_CLOSED);
  scope.add_customer_types(v1::CUSTOMER_TYPE_LOST);
  scope.add_provinces("广东省");
  scope.add_departments("O'Brien') OR 1 --");
  absl::StatusOr<std::string> sql = DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_ORDER_COUNT, scope));
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("profile_customer_type IN ('closed', 'lost')"));
  EXPECT_THAT(*sql, HasSubstr("profile_province IN ('广东省')"));
  EXPECT_THAT(*sql, HasSubstr("profile_department IN ('O\\'Brien\\') OR 1 --')"));
}

TEST(AnalysisSqlTest, CorrelateNeedsBothValues) {
  v1::CorrelateRequest request;
  request.set_x(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT);
  request.set_y(v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION);
  absl::StatusOr<std::string> sql = CorrelateSql(request);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("corr(x, y) AS pearson"));
  EXPECT_THAT(*sql, HasSubstr("WHERE 1 AND rated > 0"));
}

TEST(AnalysisSqlTest, ParetoDefaultsToTwentyPercentAndRefusesOutOfRange) {
  v1::ParetoRequest request;
  absl::StatusOr<std::string> sql = ParetoSql(request);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("ceil(customers * 20.0 / 100)"));
  EXPECT_THAT(*sql, HasSubstr("WHERE net_amount_minor > 0"));
  for (double bad : {-1.0, 100.5, std::nan("")}) {
    request.set_top_percent(bad);
    EXPECT_EQ(ParetoSql(request).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  request.set_top_percent(100);
  EXPECT_TRUE(ParetoSql(request).ok());
}

TEST(AnalysisSqlTest, SatisfactionExtremesValidatesPercentAndLimit) {
  v1::SatisfactionExtremesRequest request;
  request.set_percent(51);
  EXPECT_EQ(RatedCustomersSql(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_percent(0);
  request.set_limit(kMaxSatisfactionLimit + 1);
  EXPECT_EQ(RatedCustomersSql(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_limit(-1);
  EXPECT_EQ(RatedCustomersSql(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_limit(0);
  absl::StatusOr<std::string> lowest = SatisfactionGroupSql(request, false, 7);
  ASSERT_TRUE(lowest.ok()) << lowest.status();
  EXPECT_THAT(*lowest, HasSubstr("ORDER BY average ASC, customer_id LIMIT 7"));
  absl::StatusOr<std::string> highest = SatisfactionGroupSql(request, true, 7);
  ASSERT_TRUE(highest.ok()) << highest.status();
  EXPECT_THAT(*highest, HasSubstr("ORDER BY average DESC, customer_id LIMIT 7"));
}

TEST(AnalysisSqlTest, SatisfactionGroupSizeRoundsUp) {
  v1::SatisfactionExtremesRequest request;
  EXPECT_EQ(SatisfactionGroupSize(0, request), 0u);
  EXPECT_EQ(SatisfactionGroupSize(1, request), 1u);
  EXPECT_EQ(SatisfactionGroupSize(10, request), 2u);
  EXPECT_EQ(SatisfactionGroupSize(11, request), 3u);
  request.set_percent(50);
  EXPECT_EQ(SatisfactionGroupSize(11, request), 6u);
}

TEST(AnalysisSqlTest, ComplaintAnalysisNeedsAPeriodAndAGrouping) {
  v1::ComplaintAnalysisRequest request;
  request.set_group_by(v1::COMPLAINT_GROUPING_CATEGORY);
  EXPECT_EQ(ComplaintSql(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.mutable_from()->set_seconds(kOct2026);
  request.mutable_to()->set_seconds(kMar2026);
  EXPECT_EQ(ComplaintSql(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.mutable_from()->set_seconds(kMar2026);
  request.mutable_to()->set_seconds(kOct2026);
  EXPECT_TRUE(ComplaintSql(request).ok());
  request.set_group_by(v1::COMPLAINT_GROUPING_UNSPECIFIED);
  EXPECT_EQ(ComplaintSql(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AnalysisSqlTest, ComplaintsJoinTheProvinceOnlyWhenGroupedByIt) {
  v1::ComplaintAnalysisRequest request;
  request.mutable_from()->set_seconds(kMar2026);
  request.mutable_to()->set_seconds(kOct2026);
  request.set_group_by(v1::COMPLAINT_GROUPING_AGENT);
  absl::StatusOr<std::string> by_agent = ComplaintSql(request);
  ASSERT_TRUE(by_agent.ok()) << by_agent.status();
  EXPECT_THAT(*by_agent, HasSubstr("SELECT agent AS value"));
  EXPECT_THAT(*by_agent, HasSubstr("type = 'INTERACTION_TYPE_COMPLAINT_RESOLVED' AND case_id != ''"));
  EXPECT_THAT(*by_agent, Not(HasSubstr("profile_versions")));
  request.set_group_by(v1::COMPLAINT_GROUPING_PROVINCE);
  absl::StatusOr<std::string> by_province = ComplaintSql(request);
  ASSERT_TRUE(by_province.ok()) << by_province.status();
  EXPECT_THAT(*by_province, HasSubstr("argMax(province, version) AS profile_province"));
}

TEST(AnalysisHandlersTest, RefuseInvalidRequestsBeforeReachingClickHouse) {
  UnreachableClickHouse clickhouse;
  ReportingService service(clickhouse);
  v1::DescribeResponse described;
  v1::CorrelateResponse correlated;
  v1::ParetoResponse pareto;
  v1::SatisfactionExtremesResponse extremes;
  v1::ComplaintAnalysisResponse complaints;
  const v1::DescribeRequest bad_describe = DescribeOf(v1::CUSTOMER_MEASURE_UNSPECIFIED);
  v1::ParetoRequest bad_pareto;
  bad_pareto.set_top_percent(120);
  v1::SatisfactionExtremesRequest bad_extremes;
  bad_extremes.set_limit(-5);
  const grpc::Status statuses[] = {
      service.Describe(nullptr, &bad_describe, &described),
      service.Correlate(nullptr, &v1::CorrelateRequest::default_instance(), &correlated),
      service.Pareto(nullptr, &bad_pareto, &pareto),
      service.SatisfactionExtremes(nullptr, &bad_extremes, &extremes),
      service.ComplaintAnalysis(nullptr, &v1::ComplaintAnalysisRequest::default_instance(), &complaints)};
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  }
  EXPECT_FALSE(clickhouse.reached);
}

TEST(AnalysisHandlersTest, PassClickHouseFailuresOn) {
  UnreachableClickHouse clickhouse;
  ReportingService service(clickhouse);
  v1::ParetoResponse response;
  grpc::Status status = service.Pareto(nullptr, &v1::ParetoRequest::default_instance(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), HasSubstr("ClickHouse reached"));
}

}  // namespace
}  // namespace custflow::reporting

// The analysis SQL builders without a server: requests are validated, values are bound
// (never pasted), filters and periods reach the SQL, and the shapes the integration test
// runs on ClickHouse are the ones built here. Then the handlers' gRPC mapping.
#include <map>
#include <set>

#include "custflow/auth/principal.h"
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
  EXPECT_EQ(DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_ORDER_COUNT, scope), auth::RowScope::Everything())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  v1::CorrelateRequest correlate;
  correlate.set_x(v1::CUSTOMER_MEASURE_ORDER_COUNT);
  correlate.set_y(v1::CUSTOMER_MEASURE_INTERACTION_COUNT);
  *correlate.mutable_scope() = scope;
  EXPECT_EQ(CorrelateSql(correlate, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ParetoRequest pareto;
  *pareto.mutable_scope() = scope;
  EXPECT_EQ(ParetoSql(pareto, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SatisfactionExtremesRequest extremes;
  *extremes.mutable_scope() = scope;
  EXPECT_EQ(RatedCustomersSql(extremes, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Scopes, BadScopeTest, ::testing::ValuesIn(BadScopes()),
                         [](const ::testing::TestParamInfo<BadScopeCase>& param) {
                           return param.param.name;
                         });

TEST(AnalysisSqlTest, DescribeRefusesAnUnspecifiedMeasure) {
  EXPECT_EQ(
      DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_UNSPECIFIED), auth::RowScope::Everything()).status().code(),
      absl::StatusCode::kInvalidArgument);
  v1::CorrelateRequest correlate;
  correlate.set_x(v1::CUSTOMER_MEASURE_ORDER_COUNT);
  EXPECT_EQ(CorrelateSql(correlate, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AnalysisSqlTest, DescribeOverProfilesReadsTheLatestUnmergedProfiles) {
  absl::StatusOr<std::string> sql =
      DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT), auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("cumulative_amount_minor AS profile_amount_minor"));
  EXPECT_THAT(*sql, HasSubstr("FROM profile_versions FINAL"));
  EXPECT_THAT(*sql, HasSubstr("profile_merged_into = ''"));
  EXPECT_THAT(*sql, HasSubstr("quantileExact(0.5)(value) AS median"));
  EXPECT_THAT(*sql, HasSubstr("stddevPop(value)"));
  EXPECT_THAT(*sql, Not(HasSubstr("occurred_at >=")));
}

TEST(AnalysisSqlTest, DescribeOverAPeriodBindsItsBoundsAndTypes) {
  absl::StatusOr<std::string> sql =
      DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT, Period()), auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("occurred_at >= toDateTime(1772323200)"));
  EXPECT_THAT(*sql, HasSubstr("occurred_at < toDateTime(1790812800)"));
  EXPECT_THAT(*sql, HasSubstr("sumIf(amount_minor, type = 'INTERACTION_TYPE_ORDER_PLACED')"));
  EXPECT_THAT(*sql, HasSubstr("ANY INNER JOIN"));
}

TEST(AnalysisSqlTest, AverageSatisfactionLeavesOutCustomersWithoutARating) {
  absl::StatusOr<std::string> sql =
      ModeSql(DescribeOf(v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION), auth::RowScope::Everything());
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
  absl::StatusOr<std::string> sql =
      DescribeSql(DescribeOf(v1::CUSTOMER_MEASURE_ORDER_COUNT, scope), auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("profile_customer_type IN ('closed', 'lost')"));
  EXPECT_THAT(*sql, HasSubstr("profile_province IN ('广东省')"));
  EXPECT_THAT(*sql, HasSubstr("profile_department IN ('O\\'Brien\\') OR 1 --')"));
}

TEST(AnalysisSqlTest, CorrelateNeedsBothValues) {
  v1::CorrelateRequest request;
  request.set_x(v1::CUSTOMER_MEASURE_CUMULATIVE_AMOUNT);
  request.set_y(v1::CUSTOMER_MEASURE_AVERAGE_SATISFACTION);
  absl::StatusOr<std::string> sql = CorrelateSql(request, auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("corr(x, y) AS pearson"));
  EXPECT_THAT(*sql, HasSubstr("WHERE 1 AND rated > 0"));
}

TEST(AnalysisSqlTest, ParetoDefaultsToTwentyPercentAndRefusesOutOfRange) {
  v1::ParetoRequest request;
  absl::StatusOr<std::string> sql = ParetoSql(request, auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("ceil(customers * 20.0 / 100)"));
  EXPECT_THAT(*sql, HasSubstr("WHERE net_amount_minor > 0"));
  for (double bad : {-1.0, 100.5, std::nan("")}) {
    request.set_top_percent(bad);
    EXPECT_EQ(ParetoSql(request, auth::RowScope::Everything()).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  request.set_top_percent(100);
  EXPECT_TRUE(ParetoSql(request, auth::RowScope::Everything()).ok());
}

TEST(AnalysisSqlTest, SatisfactionExtremesValidatesPercentAndLimit) {
  v1::SatisfactionExtremesRequest request;
  request.set_percent(51);
  EXPECT_EQ(RatedCustomersSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_percent(0);
  request.set_limit(kMaxSatisfactionLimit + 1);
  EXPECT_EQ(RatedCustomersSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_limit(-1);
  EXPECT_EQ(RatedCustomersSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_limit(0);
  absl::StatusOr<std::string> lowest = SatisfactionGroupSql(request, auth::RowScope::Everything(), false, 7);
  ASSERT_TRUE(lowest.ok()) << lowest.status();
  EXPECT_THAT(*lowest, HasSubstr("ORDER BY average ASC, customer_id LIMIT 7"));
  absl::StatusOr<std::string> highest = SatisfactionGroupSql(request, auth::RowScope::Everything(), true, 7);
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
  EXPECT_EQ(ComplaintSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.mutable_from()->set_seconds(kOct2026);
  request.mutable_to()->set_seconds(kMar2026);
  EXPECT_EQ(ComplaintSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.mutable_from()->set_seconds(kMar2026);
  request.mutable_to()->set_seconds(kOct2026);
  EXPECT_TRUE(ComplaintSql(request, auth::RowScope::Everything()).ok());
  request.set_group_by(v1::COMPLAINT_GROUPING_UNSPECIFIED);
  EXPECT_EQ(ComplaintSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AnalysisSqlTest, ComplaintsJoinTheProvinceOnlyWhenGroupedByIt) {
  v1::ComplaintAnalysisRequest request;
  request.mutable_from()->set_seconds(kMar2026);
  request.mutable_to()->set_seconds(kOct2026);
  request.set_group_by(v1::COMPLAINT_GROUPING_AGENT);
  absl::StatusOr<std::string> by_agent = ComplaintSql(request, auth::RowScope::Everything());
  ASSERT_TRUE(by_agent.ok()) << by_agent.status();
  EXPECT_THAT(*by_agent, HasSubstr("SELECT agent AS value"));
  EXPECT_THAT(*by_agent, HasSubstr("type = 'INTERACTION_TYPE_COMPLAINT_RESOLVED' AND case_id != ''"));
  EXPECT_THAT(*by_agent, Not(HasSubstr("profile_versions")));
  request.set_group_by(v1::COMPLAINT_GROUPING_PROVINCE);
  absl::StatusOr<std::string> by_province = ComplaintSql(request, auth::RowScope::Everything());
  ASSERT_TRUE(by_province.ok()) << by_province.status();
  EXPECT_THAT(*by_province, HasSubstr("province AS profile_province FROM profile_versions FINAL"));
}

TEST(RfmSqlTest, NeedsAPeriodAndAValidScope) {
  v1::RfmRequest request;
  EXPECT_EQ(RfmBoundariesSql(request, auth::RowScope::Everything()).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (const BadScopeCase& bad : BadScopes()) {
    *request.mutable_scope() = bad.scope;
    EXPECT_EQ(RfmBoundariesSql(request, auth::RowScope::Everything()).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad.name;
    EXPECT_EQ(RfmGridSql(request, auth::RowScope::Everything(), {}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad.name;
  }
}

TEST(RfmSqlTest, BoundariesAreExactQuintilesOfCustomersWhoOrdered) {
  v1::RfmRequest request;
  *request.mutable_scope() = Period();
  request.mutable_scope()->add_provinces("O'Brien");
  absl::StatusOr<std::string> sql = RfmBoundariesSql(request, auth::RowScope::Everything());
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("quantilesExact(0.2, 0.4, 0.6, 0.8)(recency_days) AS rq, rq[1] AS r1"));
  EXPECT_THAT(*sql, HasSubstr("quantilesExact(0.2, 0.4, 0.6, 0.8)(net_amount_minor) AS mq"));
  EXPECT_THAT(*sql, HasSubstr("mq[4] AS m4"));
  EXPECT_THAT(*sql, HasSubstr("intDiv(toInt64(1790812800) - toInt64(toUInt32(maxIf(occurred_at, type = "
                              "'INTERACTION_TYPE_ORDER_PLACED'))), 86400) AS recency_days"));
  EXPECT_THAT(*sql, HasSubstr("occurred_at >= toDateTime(1772323200)"));
  EXPECT_THAT(*sql, HasSubstr("profile_province IN ('O\\'Brien')"));
  EXPECT_THAT(*sql, HasSubstr("AND order_total > 0"));
}

TEST(RfmSqlTest, GridBindsTheBoundariesAndScoresRecencyReversed) {
  v1::RfmRequest request;
  *request.mutable_scope() = Period();
  const RfmBoundaries boundaries{.recency_days = {10, 20, 30, 40}, .orders = {1, 1, 2, 5}};
  absl::StatusOr<std::string> sql = RfmGridSql(request, auth::RowScope::Everything(), boundaries);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("SELECT 1 + (recency_days < 10) + (recency_days < 20) + (recency_days < 30) + "
                              "(recency_days < 40) AS r_score"));
  EXPECT_THAT(*sql,
              HasSubstr("1 + (toInt64(order_total) > 1) + (toInt64(order_total) > 1) + (toInt64(order_total) "
                        "> 2) + (toInt64(order_total) > 5) AS f_score"));
  EXPECT_THAT(*sql, HasSubstr("GROUP BY r_score, f_score"));
}

TEST(RfmSegmentsTest, CoverTheGridExactlyOnce) {
  std::map<std::string, int> cells;
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      int holders = 0;
      for (const RfmSegmentDefinition& segment : RfmSegments()) {
        holders += r >= segment.r_min && r <= segment.r_max && f >= segment.f_min && f <= segment.f_max;
      }
      EXPECT_EQ(holders, 1) << "R" << r << " F" << f;
      ASSERT_LT(RfmSegmentOf(r, f), RfmSegments().size());
      ++cells[RfmSegments()[RfmSegmentOf(r, f)].name];
    }
  }
  EXPECT_EQ(cells.size(), RfmSegments().size());
  EXPECT_EQ(std::string(RfmSegments()[RfmSegmentOf(5, 5)].name), "champions");
  EXPECT_EQ(std::string(RfmSegments()[RfmSegmentOf(1, 1)].name), "lost");
  EXPECT_EQ(std::string(RfmSegments()[RfmSegmentOf(1, 5)].name), "can't lose");
  EXPECT_EQ(std::string(RfmSegments()[RfmSegmentOf(5, 1)].name), "new");
}

TEST(ClusterSqlTest, ValidatesKAndScope) {
  v1::ClusterRequest request;
  *request.mutable_scope() = Period();
  EXPECT_EQ(*ValidateCluster(request), kDefaultClusters);
  for (int bad : {-1, 1, 9}) {
    request.set_k(bad);
    EXPECT_EQ(ClusterSql(request, auth::RowScope::Everything(), 10).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  request.set_k(8);
  absl::StatusOr<std::string> sql = ClusterSql(request, auth::RowScope::Everything(), 2'000'001);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("ORDER BY cityHash64(customer_id), customer_id LIMIT 2000001"));
  EXPECT_THAT(*sql, HasSubstr("countIf(satisfaction > 0) AS rated"));
  request.clear_scope();
  EXPECT_EQ(ClusterSql(request, auth::RowScope::Everything(), 10).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Planted groups far apart: points around `centers`, each group `sizes[g]` points.
std::vector<std::vector<double>> PlantedPoints(const std::vector<std::vector<double>>& centers,
                                               const std::vector<int>& sizes, std::vector<int>& group) {
  std::vector<std::vector<double>> points;
  for (size_t g = 0; g < centers.size(); ++g) {
    for (int i = 0; i < sizes[g]; ++i) {
      std::vector<double> point = centers[g];
      for (size_t d = 0; d < point.size(); ++d)
        point[d] += ((i * 7 + static_cast<int>(d) * 3) % 11 - 5) * 0.1;
      points.push_back(point);
      group.push_back(static_cast<int>(g));
    }
  }
  return points;
}

TEST(KMeansTest, FindsWellSeparatedGroupsExactlyAndDeterministically) {
  std::vector<int> group;
  const std::vector<std::vector<double>> points =
      PlantedPoints({{0, 0, 0, 0}, {50, 0, 0, 0}, {0, 50, 0, 0}, {0, 0, 50, 50}}, {30, 20, 25, 15}, group);
  for (uint64_t seed : {kKMeansSeed, uint64_t{1}, uint64_t{99}}) {
    const KMeansResult result = KMeans(points, 4, seed);
    ASSERT_EQ(result.assignment.size(), points.size());
    // The same partition: points share a cluster exactly when they share a group.
    std::map<int, int> cluster_of_group;
    std::set<int> clusters;
    for (size_t i = 0; i < points.size(); ++i) {
      auto [found, inserted] = cluster_of_group.emplace(group[i], result.assignment[i]);
      EXPECT_EQ(found->second, result.assignment[i]) << "point " << i << " seed " << seed;
      if (inserted) clusters.insert(result.assignment[i]);
    }
    EXPECT_EQ(clusters.size(), 4u) << seed;
    EXPECT_LE(result.iterations, 100);
  }
  const KMeansResult once = KMeans(points, 4);
  const KMeansResult again = KMeans(points, 4);
  EXPECT_EQ(once.assignment, again.assignment);
  EXPECT_EQ(once.centroids, again.centroids);
}

TEST(KMeansTest, StopsWithDuplicatePointsAndMoreClustersThanDistinctValues) {
  const std::vector<std::vector<double>> points(5, std::vector<double>{1, 2});
  const KMeansResult result = KMeans(points, 3);
  EXPECT_EQ(result.assignment, std::vector<int>(5, 0));
  EXPECT_EQ(result.iterations, 2);
}

ClusterCustomer Customer(double days, double orders, double spend, std::optional<double> satisfaction) {
  return ClusterCustomer{
      .recency_days = days, .orders = orders, .net_spend = spend, .satisfaction = satisfaction};
}

TEST(ClusterCustomersTest, ReportsPlantedGroupsInOriginalUnitsWithLabels) {
  std::vector<ClusterCustomer> customers;
  for (int i = 0; i < 40; ++i) customers.push_back(Customer(2 + i % 3, 20, 90000, 5));
  for (int i = 0; i < 25; ++i)
    customers.push_back(Customer(200, 1, 50, i % 2 == 0 ? std::optional(1.0) : std::nullopt));
  absl::StatusOr<v1::ClusterResponse> response = ClusterCustomers(customers, 2);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->customers(), 65u);
  EXPECT_FALSE(response->sampled());
  ASSERT_EQ(response->clusters_size(), 2);
  const v1::CustomerCluster& loyal = response->clusters(0);
  EXPECT_EQ(loyal.customers(), 40u);
  EXPECT_NEAR(loyal.share_percent(), 40.0 * 100 / 65, 1e-9);
  EXPECT_NEAR(loyal.recency_days(), (14 * 2 + 13 * 3 + 13 * 4) / 40.0, 1e-9);
  EXPECT_DOUBLE_EQ(loyal.orders(), 20);
  EXPECT_DOUBLE_EQ(loyal.net_spend(), 90000);
  EXPECT_DOUBLE_EQ(loyal.satisfaction(), 5);
  EXPECT_EQ(loyal.label(), "recent, frequent, high spend, satisfied");
  const v1::CustomerCluster& lapsed = response->clusters(1);
  EXPECT_EQ(lapsed.customers(), 25u);
  EXPECT_DOUBLE_EQ(lapsed.satisfaction(), 1);
  EXPECT_EQ(lapsed.label(), "lapsed, infrequent, low spend, dissatisfied");
  EXPECT_EQ(response->overall().customers(), 65u);
  EXPECT_EQ(response->overall().label(), "all");
  EXPECT_NEAR(response->overall().orders(), (40 * 20 + 25) / 65.0, 1e-9);
}

TEST(ClusterCustomersTest, NeedsAtLeastKCustomers) {
  const std::vector<ClusterCustomer> customers(3, Customer(1, 1, 1, std::nullopt));
  EXPECT_EQ(ClusterCustomers(customers, 4).status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<v1::ClusterResponse> response = ClusterCustomers(customers, 3);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->clusters_size(), 1);
  EXPECT_EQ(response->clusters(0).label(), "average");
  EXPECT_FALSE(response->clusters(0).has_satisfaction());
}

TEST(AnalysisHandlersTest, RefuseInvalidRequestsBeforeReachingClickHouse) {
  UnreachableClickHouse clickhouse;
  const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
  ReportingService service(clickhouse, open_auth);
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
  v1::RfmResponse rfm;
  v1::ClusterResponse clusters;
  v1::ClusterRequest bad_cluster;
  *bad_cluster.mutable_scope() = Period();
  bad_cluster.set_k(9);
  const grpc::Status statuses[] = {
      service.Describe(nullptr, &bad_describe, &described),
      service.Correlate(nullptr, &v1::CorrelateRequest::default_instance(), &correlated),
      service.Pareto(nullptr, &bad_pareto, &pareto),
      service.SatisfactionExtremes(nullptr, &bad_extremes, &extremes),
      service.ComplaintAnalysis(nullptr, &v1::ComplaintAnalysisRequest::default_instance(), &complaints),
      service.Rfm(nullptr, &v1::RfmRequest::default_instance(), &rfm),
      service.Cluster(nullptr, &bad_cluster, &clusters)};
  for (const grpc::Status& status : statuses) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  }
  EXPECT_FALSE(clickhouse.reached);
}

TEST(AnalysisHandlersTest, PassClickHouseFailuresOn) {
  UnreachableClickHouse clickhouse;
  const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
  ReportingService service(clickhouse, open_auth);
  v1::ParetoResponse response;
  grpc::Status status = service.Pareto(nullptr, &v1::ParetoRequest::default_instance(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), HasSubstr("ClickHouse reached"));
}

}  // namespace
}  // namespace custflow::reporting

// Customer analysis over ClickHouse 18.16 (analysis.proto, docs/REPORTS.md "Analysis"):
// descriptive statistics and correlation of per-customer measures, Pareto, satisfaction
// extremes, complaint analysis, RFM and k-means clustering. The SQL builders, validation,
// the RFM segment table and the clustering are pure and unit-tested without a server; the
// query functions run them and assemble responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/analysis.pb.h"

namespace custflow::reporting {

// Defaults and bounds of the requests.
inline constexpr double kDefaultParetoPercent = 20;
inline constexpr double kDefaultSatisfactionPercent = 20;
inline constexpr int kDefaultSatisfactionLimit = 100;
inline constexpr int kMaxSatisfactionLimit = 1000;
inline constexpr int kDefaultClusters = 4;
inline constexpr int kMinClusters = 2;
inline constexpr int kMaxClusters = 8;
// Cluster reads at most this many customers (a sample by hash of the customer id beyond).
inline constexpr uint64_t kMaxClusterCustomers = 2'000'000;
// k-means++ seeding is pseudo-random with this fixed seed, so equal input clusters equally.
inline constexpr uint64_t kKMeansSeed = 20261127;

// INVALID_ARGUMENT for CUSTOMER_TYPE_UNSPECIFIED, a period with only one end or from >= to.
absl::Status ValidateScope(const v1::AnalysisScope& scope);

// Every SQL builder validates its request first (INVALID_ARGUMENT on a bad one) and binds
// every value; none pastes request text into SQL. Builders and queries count only the
// customers in `row_scope`, the caller's rows.

// One row: n, mean, median, standard_deviation, min_value, max_value, p10, p25, p75, p90.
absl::StatusOr<std::string> DescribeSql(const v1::DescribeRequest& request, const auth::RowScope& row_scope);
// At most one row: the most frequent value (the smallest among ties) and its frequency.
absl::StatusOr<std::string> ModeSql(const v1::DescribeRequest& request, const auth::RowScope& row_scope);
// One row: n, pearson.
absl::StatusOr<std::string> CorrelateSql(const v1::CorrelateRequest& request,
                                         const auth::RowScope& row_scope);
// One row: customers, total_minor, top_customers, top_minor, customers_for_80.
absl::StatusOr<std::string> ParetoSql(const v1::ParetoRequest& request, const auth::RowScope& row_scope);
// One row: rated_customers (customers with a rated interaction; an alias must not
// shadow the column it counts by in ClickHouse 18.16).
absl::StatusOr<std::string> RatedCustomersSql(const v1::SatisfactionExtremesRequest& request,
                                              const auth::RowScope& row_scope);
// The `rows` customers with the highest (`highest`) or lowest average satisfaction, with
// their profile fields.
absl::StatusOr<std::string> SatisfactionGroupSql(const v1::SatisfactionExtremesRequest& request,
                                                 const auth::RowScope& row_scope, bool highest,
                                                 uint64_t rows);
// One row per group: value, complaints, resolved, resolution_seconds (sum over resolved).
absl::StatusOr<std::string> ComplaintSql(const v1::ComplaintAnalysisRequest& request,
                                         const auth::RowScope& row_scope);

// Quintile boundaries of the scored RFM measures, quantilesExact(0.2, 0.4, 0.6, 0.8) each:
// recency in days, frequency in orders (the segments and the grid need no monetary score).
struct RfmBoundaries {
  std::vector<int64_t> recency_days;
  std::vector<int64_t> orders;
};

// One row: customers, revenue_minor and the boundaries as r1..r4, f1..f4, m1..m4.
absl::StatusOr<std::string> RfmBoundariesSql(const v1::RfmRequest& request, const auth::RowScope& row_scope);
// One row per occupied R x F cell: r_score, f_score, customers, revenue_minor.
absl::StatusOr<std::string> RfmGridSql(const v1::RfmRequest& request, const auth::RowScope& row_scope,
                                       const RfmBoundaries& boundaries);
// At most `rows` customers (by hash of the customer id): recency_days, order_total,
// net_amount_minor, satisfaction_sum, rated.
absl::StatusOr<std::string> ClusterSql(const v1::ClusterRequest& request, const auth::RowScope& row_scope,
                                       uint64_t rows);
// The request's k (0 means kDefaultClusters); INVALID_ARGUMENT outside [2, 8] or for a bad scope.
absl::StatusOr<int> ValidateCluster(const v1::ClusterRequest& request);

// A named RFM segment: the R and F scores it covers, bounds included.
struct RfmSegmentDefinition {
  const char* name;
  int r_min;
  int r_max;
  int f_min;
  int f_max;
};
// The fixed segmentation, champions first; it covers every (R, F) in 1..5 exactly once.
const std::vector<RfmSegmentDefinition>& RfmSegments();
// The index in RfmSegments() of the segment holding the scores (each in 1..5).
size_t RfmSegmentOf(int r_score, int f_score);

// k-means over points of equal dimension: k-means++ seeding from `seed`, then Lloyd's
// iterations (each point to the nearest centroid, ties to the lower index; an emptied
// cluster keeps its centroid) until no assignment changes or 100 iterations.
// Requires 1 <= k <= points.size().
struct KMeansResult {
  std::vector<int> assignment;
  std::vector<std::vector<double>> centroids;
  int iterations = 0;
};
KMeansResult KMeans(const std::vector<std::vector<double>>& points, int k, uint64_t seed = kKMeansSeed);

// A clustered customer in original units.
struct ClusterCustomer {
  double recency_days = 0;
  double orders = 0;
  // Net spend, yuan.
  double net_spend = 0;
  // Average satisfaction; absent without a rated interaction.
  std::optional<double> satisfaction;
};
// Clusters customers into k groups on the standardized features log1p(recency days),
// log1p(orders), log1p(max(net spend, 0)) and average satisfaction (the mean of the rated
// customers for the unrated); FAILED_PRECONDITION with fewer than k customers. `sampled`
// is left false.
absl::StatusOr<v1::ClusterResponse> ClusterCustomers(const std::vector<ClusterCustomer>& customers, int k);

// The size of each satisfaction group: ceil(rated x percent / 100).
uint64_t SatisfactionGroupSize(uint64_t rated, const v1::SatisfactionExtremesRequest& request);

absl::StatusOr<v1::DescribeResponse> Describe(clickhouse::ClickHouseClient& client,
                                              const v1::DescribeRequest& request,
                                              const auth::RowScope& row_scope);
absl::StatusOr<v1::CorrelateResponse> Correlate(clickhouse::ClickHouseClient& client,
                                                const v1::CorrelateRequest& request,
                                                const auth::RowScope& row_scope);
absl::StatusOr<v1::ParetoResponse> Pareto(clickhouse::ClickHouseClient& client,
                                          const v1::ParetoRequest& request, const auth::RowScope& row_scope);
absl::StatusOr<v1::SatisfactionExtremesResponse> SatisfactionExtremes(
    clickhouse::ClickHouseClient& client, const v1::SatisfactionExtremesRequest& request,
    const auth::RowScope& row_scope);
absl::StatusOr<v1::ComplaintAnalysisResponse> ComplaintAnalysis(clickhouse::ClickHouseClient& client,
                                                                const v1::ComplaintAnalysisRequest& request,
                                                                const auth::RowScope& row_scope);
absl::StatusOr<v1::RfmResponse> Rfm(clickhouse::ClickHouseClient& client, const v1::RfmRequest& request,
                                    const auth::RowScope& row_scope);
absl::StatusOr<v1::ClusterResponse> Cluster(clickhouse::ClickHouseClient& client,
                                            const v1::ClusterRequest& request,
                                            const auth::RowScope& row_scope);

}  // namespace custflow::reporting

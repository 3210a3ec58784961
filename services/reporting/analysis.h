// Customer analysis over ClickHouse 18.16 (analysis.proto, docs/REPORTS.md "Analysis"):
// descriptive statistics and correlation of per-customer measures, Pareto, satisfaction
// extremes and complaint analysis. The SQL builders and validation are pure and
// unit-tested without a server; the query functions run them and assemble responses.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/analysis.pb.h"

namespace custflow::reporting {

// Defaults and bounds of the requests.
inline constexpr double kDefaultParetoPercent = 20;
inline constexpr double kDefaultSatisfactionPercent = 20;
inline constexpr int kDefaultSatisfactionLimit = 100;
inline constexpr int kMaxSatisfactionLimit = 1000;

// INVALID_ARGUMENT for CUSTOMER_TYPE_UNSPECIFIED, a period with only one end or from >= to.
absl::Status ValidateScope(const v1::AnalysisScope& scope);

// Every SQL builder validates its request first (INVALID_ARGUMENT on a bad one) and binds
// every value; none pastes request text into SQL.

// One row: n, mean, median, standard_deviation, min_value, max_value, p10, p25, p75, p90.
absl::StatusOr<std::string> DescribeSql(const v1::DescribeRequest& request);
// At most one row: the most frequent value (the smallest among ties) and its frequency.
absl::StatusOr<std::string> ModeSql(const v1::DescribeRequest& request);
// One row: n, pearson.
absl::StatusOr<std::string> CorrelateSql(const v1::CorrelateRequest& request);
// One row: customers, total_minor, top_customers, top_minor, customers_for_80.
absl::StatusOr<std::string> ParetoSql(const v1::ParetoRequest& request);
// One row: rated_customers (customers with a rated interaction; an alias must not
// shadow the column it counts by in ClickHouse 18.16).
absl::StatusOr<std::string> RatedCustomersSql(const v1::SatisfactionExtremesRequest& request);
// The `rows` customers with the highest (`highest`) or lowest average satisfaction, with
// their profile fields.
absl::StatusOr<std::string> SatisfactionGroupSql(const v1::SatisfactionExtremesRequest& request, bool highest,
                                                 uint64_t rows);
// One row per group: value, complaints, resolved, resolution_seconds (sum over resolved).
absl::StatusOr<std::string> ComplaintSql(const v1::ComplaintAnalysisRequest& request);

// The size of each satisfaction group: ceil(rated x percent / 100).
uint64_t SatisfactionGroupSize(uint64_t rated, const v1::SatisfactionExtremesRequest& request);

absl::StatusOr<v1::DescribeResponse> Describe(clickhouse::ClickHouseClient& client,
                                              const v1::DescribeRequest& request);
absl::StatusOr<v1::CorrelateResponse> Correlate(clickhouse::ClickHouseClient& client,
                                                const v1::CorrelateRequest& request);
absl::StatusOr<v1::ParetoResponse> Pareto(clickhouse::ClickHouseClient& client,
                                          const v1::ParetoRequest& request);
absl::StatusOr<v1::SatisfactionExtremesResponse> SatisfactionExtremes(
    clickhouse::ClickHouseClient& client, const v1::SatisfactionExtremesRequest& request);
absl::StatusOr<v1::ComplaintAnalysisResponse> ComplaintAnalysis(clickhouse::ClickHouseClient& client,
                                                                const v1::ComplaintAnalysisRequest& request);

}  // namespace custflow::reporting

// The metrics catalog (docs/METRICS.md): each metric's formula, the SQL that computes its
// numerator and denominator per period and breakdown over ClickHouse 18.16, and the
// pairing of each period with the one before and the one a year before. Everything but
// QueryMetric is pure and unit-tested without a server.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/metrics.pb.h"

namespace custflow::reporting {

// At most this many periods per query: a day-by-day query over ten years is refused
// rather than scanning and returning millions of rows.
inline constexpr int kMaxMetricPeriods = 1000;

v1::ListMetricsResponse ListMetrics();

// The first day of the period holding `day`, and of the period after / before it.
std::chrono::sys_days PeriodStart(std::chrono::sys_days day, v1::MetricGranularity granularity);
std::chrono::sys_days NextPeriod(std::chrono::sys_days start, v1::MetricGranularity granularity);
std::chrono::sys_days PreviousPeriod(std::chrono::sys_days start, v1::MetricGranularity granularity);
// The start of the period holding the same date one year before `start` (29 February
// maps to 28 February).
std::chrono::sys_days YearAgoPeriod(std::chrono::sys_days start, v1::MetricGranularity granularity);

// A validated request: the metric, the periods to report, the wider range the SQL reads so
// that the first period has its previous and year-ago values, and the customers it counts.
struct MetricPlan {
  v1::MetricDefinition metric;
  auth::RowScope scope;
  v1::MetricGranularity granularity = v1::METRIC_GRANULARITY_UNSPECIFIED;
  std::vector<v1::MetricDimension> breakdowns;
  double goal = 0;
  std::chrono::sys_days first_period;  // start of the first reported period
  std::chrono::sys_days end;           // start of the period after the last reported one
  std::chrono::sys_days read_from;     // start of the first period the SQL reports
};

// INVALID_ARGUMENT for an unknown metric or granularity, from >= to, more than
// kMaxMetricPeriods periods, more than two breakdowns, a repeated breakdown or one the
// metric does not support, or goal_attainment without a goal > 0.
absl::StatusOr<MetricPlan> PlanMetricQuery(const v1::MetricQueryRequest& request,
                                           const auth::RowScope& scope);

// The SQL, values bound, returning one row per period and breakdown values with data:
// period (Date), d1, d2 (String, '' for an unused breakdown), numerator, denominator.
absl::StatusOr<std::string> MetricSql(const MetricPlan& plan);

// One row of MetricSql's result.
struct MetricCell {
  std::chrono::sys_days period;
  std::vector<std::string> breakdown_values;  // one per breakdown
  double numerator = 0;
  double denominator = 0;
};

// The response from the SQL's rows: values, previous-period and year-ago values and changes.
v1::MetricQueryResponse AssembleMetricResponse(const MetricPlan& plan, const std::vector<MetricCell>& cells);

absl::StatusOr<v1::MetricQueryResponse> QueryMetric(clickhouse::ClickHouseClient& client,
                                                    const v1::MetricQueryRequest& request,
                                                    const auth::RowScope& scope);

}  // namespace custflow::reporting

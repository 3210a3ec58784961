// Findings (docs/METRICS.md, "Findings"): abnormal swings of watched metrics in one
// period, judged against thresholds and written as sentences in English or Chinese. Pure:
// the handler (reporting_service_findings.cc) queries the metrics and feeds these
// functions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/v1/findings.pb.h"
#include "custflow/v1/metrics.pb.h"

namespace custflow::reporting {

enum class FindingLanguage { kEnglish, kChinese };

// The thresholds and presentation of one findings request, defaults applied.
struct FindingRules {
  double relative_percent = 20;
  double points = 5;
  double minimum_base = 10;
  FindingLanguage language = FindingLanguage::kEnglish;
  size_t max_findings = 20;
};

// One watched metric's rows for the judged period.
struct WatchedMetric {
  v1::MetricDefinition metric;
  std::vector<v1::MetricRow> rows;
};

// Everything the findings are judged from.
struct FindingsInput {
  v1::MetricGranularity granularity = v1::METRIC_GRANULARITY_MONTH;
  std::chrono::sys_days period_start;
  // The breakdowns of every row, in the order of its breakdown_values.
  std::vector<v1::MetricDimension> breakdowns;
  std::vector<WatchedMetric> metrics;
};

// A validated FindingsRequest: what to query and how to judge it.
struct FindingsPlan {
  std::vector<std::string> metric_ids;
  v1::MetricGranularity granularity = v1::METRIC_GRANULARITY_MONTH;
  std::chrono::sys_days period_start;
  std::vector<v1::MetricDimension> breakdowns;  // none or one
  FindingRules rules;
};

// INVALID_ARGUMENT for an unknown metric id, goal_attainment, a breakdown a requested
// metric does not support, a threshold out of range or an unknown language. `now` picks
// the latest complete period when the request names none.
absl::StatusOr<FindingsPlan> PlanFindings(const v1::FindingsRequest& request,
                                          std::chrono::system_clock::time_point now);

// The QueryMetric request for one watched metric over the plan's period.
v1::MetricQueryRequest FindingsMetricRequest(const FindingsPlan& plan, const std::string& metric_id);

// The findings: every row's change against the previous period and the year-ago period
// past its threshold, most severe first, cut to rules.max_findings.
v1::FindingsResponse DetectFindings(const FindingsInput& input, const FindingRules& rules);

// The Chinese name of a catalog metric ("new_customers" -> "新客户数"); empty when there
// is none.
std::string ChineseMetricName(const std::string& metric_id);

}  // namespace custflow::reporting

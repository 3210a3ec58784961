// Report templates (docs/REPORTS.md, "Templates"): each template composes the metrics,
// distributions and analyses of one period into a Report of sections and tables, in
// English or Chinese, ending with the findings over the template's metrics. The numbers
// come through ReportQueries, so the composition is tested with canned answers; the
// handler (reporting_service_templates.cc) backs it with the ClickHouse queries.
#pragma once

#include <chrono>

#include "absl/status/statusor.h"
#include "custflow/v1/analysis.pb.h"
#include "custflow/v1/metrics.pb.h"
#include "custflow/v1/reporting.pb.h"
#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

// The queries a template reads: QueryMetric, QueryDistribution, Pareto and
// ComplaintAnalysis, with their semantics.
class ReportQueries {
 public:
  virtual ~ReportQueries() = default;
  virtual absl::StatusOr<v1::MetricQueryResponse> Metric(const v1::MetricQueryRequest& request) = 0;
  virtual absl::StatusOr<v1::DistributionResponse> Distribution(const v1::DistributionRequest& request) = 0;
  virtual absl::StatusOr<v1::ParetoResponse> Pareto(const v1::ParetoRequest& request) = 0;
  virtual absl::StatusOr<v1::ComplaintAnalysisResponse> Complaints(
      const v1::ComplaintAnalysisRequest& request) = 0;
};

// The tags that mark a customer at risk of churning in the health template.
inline constexpr const char* kChurnRiskTags[] = {"value-trend:downgraded", "lifecycle:lost"};

v1::ListTemplatesResponse ListTemplates();

// INVALID_ARGUMENT for an unknown template, and for what PlanFindings refuses (unknown
// language, bad thresholds, a breakdown a template's metric does not support). `now`
// picks the latest complete period when the request names none. Errors of the queries
// are returned as they are.
absl::StatusOr<v1::Report> RenderReport(ReportQueries& queries, const v1::RenderReportRequest& request,
                                        std::chrono::system_clock::time_point now);

}  // namespace custflow::reporting

#include "services/reporting/reports.h"

#include <chrono>
#include <iterator>
#include <string>
#include <utility>

#include "custflow/domain/pii.h"
#include "services/reporting/analysis.h"
#include "services/reporting/audit_log.h"
#include "services/reporting/distribution.h"
#include "services/reporting/findings.h"
#include "services/reporting/metrics.h"
#include "services/reporting/templates.h"

namespace custflow::reporting {
namespace {

using auth::Principal;
using auth::RowScope;

// The numbers a template reads, from ClickHouse, counting the rows of one scope.
class ClickHouseReportQueries final : public ReportQueries {
 public:
  ClickHouseReportQueries(clickhouse::ClickHouseClient& client, RowScope scope)
      : client_(client), scope_(std::move(scope)) {}

  absl::StatusOr<v1::MetricQueryResponse> Metric(const v1::MetricQueryRequest& request) override {
    return reporting::QueryMetric(client_, request, scope_);
  }
  absl::StatusOr<v1::DistributionResponse> Distribution(const v1::DistributionRequest& request) override {
    return QueryDistribution(client_, request, scope_);
  }
  absl::StatusOr<v1::ParetoResponse> Pareto(const v1::ParetoRequest& request) override {
    return reporting::Pareto(client_, request, scope_);
  }
  absl::StatusOr<v1::ComplaintAnalysisResponse> Complaints(
      const v1::ComplaintAnalysisRequest& request) override {
    return reporting::ComplaintAnalysis(client_, request, scope_);
  }

 private:
  clickhouse::ClickHouseClient& client_;
  const RowScope scope_;
};

}  // namespace

absl::StatusOr<v1::DistributionResponse> Reports::Distribution(const Principal& caller,
                                                               const v1::DistributionRequest& request) const {
  return QueryDistribution(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::ListMetricsResponse> Reports::ListMetrics(
    const Principal& /*caller*/, const v1::ListMetricsRequest& /*request*/) const {
  return reporting::ListMetrics();
}

absl::StatusOr<v1::MetricQueryResponse> Reports::QueryMetric(const Principal& caller,
                                                             const v1::MetricQueryRequest& request) const {
  return reporting::QueryMetric(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::FindingsResponse> Reports::Findings(const Principal& caller,
                                                       const v1::FindingsRequest& request) const {
  absl::StatusOr<FindingsPlan> plan = PlanFindings(request, std::chrono::system_clock::now());
  if (!plan.ok()) return plan.status();
  FindingsInput input;
  input.granularity = plan->granularity;
  input.period_start = plan->period_start;
  input.breakdowns = plan->breakdowns;
  const RowScope scope = RowScope::Of(caller);
  for (const std::string& metric_id : plan->metric_ids) {
    absl::StatusOr<v1::MetricQueryResponse> result =
        reporting::QueryMetric(client_, FindingsMetricRequest(*plan, metric_id), scope);
    if (!result.ok()) return result.status();
    input.metrics.push_back({std::move(*result->mutable_metric()),
                             {std::make_move_iterator(result->mutable_rows()->begin()),
                              std::make_move_iterator(result->mutable_rows()->end())}});
  }
  return DetectFindings(input, plan->rules);
}

absl::StatusOr<v1::DescribeResponse> Reports::Describe(const Principal& caller,
                                                       const v1::DescribeRequest& request) const {
  return reporting::Describe(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::CorrelateResponse> Reports::Correlate(const Principal& caller,
                                                         const v1::CorrelateRequest& request) const {
  return reporting::Correlate(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::ParetoResponse> Reports::Pareto(const Principal& caller,
                                                   const v1::ParetoRequest& request) const {
  return reporting::Pareto(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::SatisfactionExtremesResponse> Reports::SatisfactionExtremes(
    const Principal& caller, const v1::SatisfactionExtremesRequest& request) const {
  return reporting::SatisfactionExtremes(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::ComplaintAnalysisResponse> Reports::ComplaintAnalysis(
    const Principal& caller, const v1::ComplaintAnalysisRequest& request) const {
  return reporting::ComplaintAnalysis(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::RfmResponse> Reports::Rfm(const Principal& caller, const v1::RfmRequest& request) const {
  return reporting::Rfm(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::ClusterResponse> Reports::Cluster(const Principal& caller,
                                                     const v1::ClusterRequest& request) const {
  return reporting::Cluster(client_, request, RowScope::Of(caller));
}

absl::StatusOr<v1::ListTemplatesResponse> Reports::ListTemplates(
    const Principal& /*caller*/, const v1::ListTemplatesRequest& /*request*/) const {
  return reporting::ListTemplates();
}

absl::StatusOr<v1::Report> Reports::RenderReport(const Principal& caller,
                                                 const v1::RenderReportRequest& request) const {
  ClickHouseReportQueries queries(client_, RowScope::Of(caller));
  return reporting::RenderReport(queries, request, std::chrono::system_clock::now());
}

absl::StatusOr<v1::AuditLogResponse> Reports::AuditLog(const Principal& caller,
                                                       const v1::AuditLogRequest& request) const {
  absl::StatusOr<v1::AuditLogResponse> log = QueryAuditLog(client_, request, RowScope::Of(caller));
  if (!log.ok() || caller.pii) return log;
  for (v1::AuditEntry& entry : *log->mutable_entries()) {
    entry.set_old_value(domain::MaskFieldValue(entry.field(), entry.old_value()));
    entry.set_new_value(domain::MaskFieldValue(entry.field(), entry.new_value()));
  }
  return log;
}

}  // namespace custflow::reporting

// The reporting queries for a caller already known in-process: the gRPC handlers
// (reporting_service.h, once the caller may call the rpc), the HTTP routes (http_reports.h,
// behind runtime::RequireAuthentication) and the report scheduler. Every answer counts
// only the caller's rows (auth::RowScope): a manager's reports cover the customers of
// their department, a sales rep's the customers they own, bound into the SQL.
#pragma once

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/analysis.pb.h"
#include "custflow/v1/metrics.pb.h"
#include "custflow/v1/reporting.pb.h"
#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

class Reports {
 public:
  // `client` must outlive this object.
  explicit Reports(clickhouse::ClickHouseClient& client) : client_(client) {}

  absl::StatusOr<v1::DistributionResponse> Distribution(const auth::Principal& caller,
                                                        const v1::DistributionRequest& request) const;
  absl::StatusOr<v1::ListMetricsResponse> ListMetrics(const auth::Principal& caller,
                                                      const v1::ListMetricsRequest& request) const;
  absl::StatusOr<v1::MetricQueryResponse> QueryMetric(const auth::Principal& caller,
                                                      const v1::MetricQueryRequest& request) const;
  // Queries each watched metric for the judged period and hands the rows to the pure
  // DetectFindings (findings.h).
  absl::StatusOr<v1::FindingsResponse> Findings(const auth::Principal& caller,
                                                const v1::FindingsRequest& request) const;
  absl::StatusOr<v1::DescribeResponse> Describe(const auth::Principal& caller,
                                                const v1::DescribeRequest& request) const;
  absl::StatusOr<v1::CorrelateResponse> Correlate(const auth::Principal& caller,
                                                  const v1::CorrelateRequest& request) const;
  absl::StatusOr<v1::ParetoResponse> Pareto(const auth::Principal& caller,
                                            const v1::ParetoRequest& request) const;
  absl::StatusOr<v1::SatisfactionExtremesResponse> SatisfactionExtremes(
      const auth::Principal& caller, const v1::SatisfactionExtremesRequest& request) const;
  absl::StatusOr<v1::ComplaintAnalysisResponse> ComplaintAnalysis(
      const auth::Principal& caller, const v1::ComplaintAnalysisRequest& request) const;
  absl::StatusOr<v1::RfmResponse> Rfm(const auth::Principal& caller, const v1::RfmRequest& request) const;
  absl::StatusOr<v1::ClusterResponse> Cluster(const auth::Principal& caller,
                                              const v1::ClusterRequest& request) const;
  absl::StatusOr<v1::ListTemplatesResponse> ListTemplates(const auth::Principal& caller,
                                                          const v1::ListTemplatesRequest& request) const;
  // The templates of templates.h, reading their numbers through the queries above.
  absl::StatusOr<v1::Report> RenderReport(const auth::Principal& caller,
                                          const v1::RenderReportRequest& request) const;
  // Master-data changes, newest first (audit_log.h); the rpc is for administrators only.
  // Phones and e-mails are masked for a caller without PII rights.
  absl::StatusOr<v1::AuditLogResponse> AuditLog(const auth::Principal& caller,
                                                const v1::AuditLogRequest& request) const;

 private:
  clickhouse::ClickHouseClient& client_;
};

}  // namespace custflow::reporting

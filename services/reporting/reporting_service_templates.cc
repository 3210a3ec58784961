// ReportingService's ListTemplates and RenderReport handlers: the templates of
// templates.h read their numbers through the ClickHouse query functions.
#include <chrono>

#include "custflow/core/grpc_status.h"
#include "services/reporting/analysis.h"
#include "services/reporting/distribution.h"
#include "services/reporting/metrics.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/templates.h"

namespace custflow::reporting {
namespace {

class ClickHouseReportQueries final : public ReportQueries {
 public:
  explicit ClickHouseReportQueries(clickhouse::ClickHouseClient& client) : client_(client) {}

  absl::StatusOr<v1::MetricQueryResponse> Metric(const v1::MetricQueryRequest& request) override {
    return QueryMetric(client_, request);
  }
  absl::StatusOr<v1::DistributionResponse> Distribution(const v1::DistributionRequest& request) override {
    return QueryDistribution(client_, request);
  }
  absl::StatusOr<v1::ParetoResponse> Pareto(const v1::ParetoRequest& request) override {
    return reporting::Pareto(client_, request);
  }
  absl::StatusOr<v1::ComplaintAnalysisResponse> Complaints(
      const v1::ComplaintAnalysisRequest& request) override {
    return ComplaintAnalysis(client_, request);
  }

 private:
  clickhouse::ClickHouseClient& client_;
};

}  // namespace

grpc::Status ReportingService::ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest*,
                                             v1::ListTemplatesResponse* response) {
  if (grpc::Status allowed = Authorize(context, "ListTemplates"); !allowed.ok()) return allowed;
  *response = reporting::ListTemplates();
  return grpc::Status::OK;
}

grpc::Status ReportingService::RenderReport(grpc::ServerContext* context,
                                            const v1::RenderReportRequest* request, v1::Report* response) {
  if (grpc::Status allowed = Authorize(context, "RenderReport"); !allowed.ok()) return allowed;
  ClickHouseReportQueries queries(client_);
  absl::StatusOr<v1::Report> report =
      reporting::RenderReport(queries, *request, std::chrono::system_clock::now());
  if (!report.ok()) return core::ToGrpcStatus(report.status());
  *response = std::move(*report);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting

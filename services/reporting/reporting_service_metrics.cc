// ReportingService's metrics handlers: the catalog and one metric's values (metrics.h).
#include "custflow/core/grpc_status.h"
#include "services/reporting/metrics.h"
#include "services/reporting/reporting_service.h"

namespace custflow::reporting {

grpc::Status ReportingService::ListMetrics(grpc::ServerContext* context, const v1::ListMetricsRequest*,
                                           v1::ListMetricsResponse* response) {
  if (grpc::Status allowed = Authorize(context, "ListMetrics"); !allowed.ok()) return allowed;
  *response = reporting::ListMetrics();
  return grpc::Status::OK;
}

grpc::Status ReportingService::QueryMetric(grpc::ServerContext* context,
                                           const v1::MetricQueryRequest* request,
                                           v1::MetricQueryResponse* response) {
  if (grpc::Status allowed = Authorize(context, "QueryMetric"); !allowed.ok()) return allowed;
  absl::StatusOr<v1::MetricQueryResponse> result = reporting::QueryMetric(client_, *request);
  if (!result.ok()) return core::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting

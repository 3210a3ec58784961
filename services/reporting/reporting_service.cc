#include "services/reporting/reporting_service.h"

#include <string>
#include <utility>

#include "custflow/core/grpc_status.h"

namespace custflow::reporting {

template <typename Request, typename Response>
grpc::Status ReportingService::Serve(const grpc::ServerContext* context, std::string_view method,
                                     const Request& request, Response* response,
                                     absl::StatusOr<Response> (Reports::*answer)(const auth::Principal&,
                                                                                 const Request&) const) {
  const std::string full_method = "/custflow.v1.ReportingService/" + std::string(method);
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, full_method);
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  absl::StatusOr<Response> result = (reports_.*answer)(*caller, request);
  if (!result.ok()) return core::ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status ReportingService::Distribution(grpc::ServerContext* context,
                                            const v1::DistributionRequest* request,
                                            v1::DistributionResponse* response) {
  return Serve(context, "Distribution", *request, response, &Reports::Distribution);
}

grpc::Status ReportingService::ListMetrics(grpc::ServerContext* context,
                                           const v1::ListMetricsRequest* request,
                                           v1::ListMetricsResponse* response) {
  return Serve(context, "ListMetrics", *request, response, &Reports::ListMetrics);
}

grpc::Status ReportingService::QueryMetric(grpc::ServerContext* context,
                                           const v1::MetricQueryRequest* request,
                                           v1::MetricQueryResponse* response) {
  return Serve(context, "QueryMetric", *request, response, &Reports::QueryMetric);
}

grpc::Status ReportingService::Findings(grpc::ServerContext* context, const v1::FindingsRequest* request,
                                        v1::FindingsResponse* response) {
  return Serve(context, "Findings", *request, response, &Reports::Findings);
}

grpc::Status ReportingService::Describe(grpc::ServerContext* context, const v1::DescribeRequest* request,
                                        v1::DescribeResponse* response) {
  return Serve(context, "Describe", *request, response, &Reports::Describe);
}

grpc::Status ReportingService::Correlate(grpc::ServerContext* context, const v1::CorrelateRequest* request,
                                         v1::CorrelateResponse* response) {
  return Serve(context, "Correlate", *request, response, &Reports::Correlate);
}

grpc::Status ReportingService::Pareto(grpc::ServerContext* context, const v1::ParetoRequest* request,
                                      v1::ParetoResponse* response) {
  return Serve(context, "Pareto", *request, response, &Reports::Pareto);
}

grpc::Status ReportingService::SatisfactionExtremes(grpc::ServerContext* context,
                                                    const v1::SatisfactionExtremesRequest* request,
                                                    v1::SatisfactionExtremesResponse* response) {
  return Serve(context, "SatisfactionExtremes", *request, response, &Reports::SatisfactionExtremes);
}

grpc::Status ReportingService::ComplaintAnalysis(grpc::ServerContext* context,
                                                 const v1::ComplaintAnalysisRequest* request,
                                                 v1::ComplaintAnalysisResponse* response) {
  return Serve(context, "ComplaintAnalysis", *request, response, &Reports::ComplaintAnalysis);
}

grpc::Status ReportingService::Rfm(grpc::ServerContext* context, const v1::RfmRequest* request,
                                   v1::RfmResponse* response) {
  return Serve(context, "Rfm", *request, response, &Reports::Rfm);
}

grpc::Status ReportingService::Cluster(grpc::ServerContext* context, const v1::ClusterRequest* request,
                                       v1::ClusterResponse* response) {
  return Serve(context, "Cluster", *request, response, &Reports::Cluster);
}

grpc::Status ReportingService::ListTemplates(grpc::ServerContext* context,
                                             const v1::ListTemplatesRequest* request,
                                             v1::ListTemplatesResponse* response) {
  return Serve(context, "ListTemplates", *request, response, &Reports::ListTemplates);
}

grpc::Status ReportingService::RenderReport(grpc::ServerContext* context,
                                            const v1::RenderReportRequest* request, v1::Report* response) {
  return Serve(context, "RenderReport", *request, response, &Reports::RenderReport);
}

grpc::Status ReportingService::AuditLog(grpc::ServerContext* context, const v1::AuditLogRequest* request,
                                        v1::AuditLogResponse* response) {
  return Serve(context, "AuditLog", *request, response, &Reports::AuditLog);
}

}  // namespace custflow::reporting

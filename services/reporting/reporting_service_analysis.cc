// ReportingService's analysis handlers: descriptive statistics, correlation, Pareto,
// satisfaction extremes, complaint analysis, RFM and clustering (analysis.h).
#include "custflow/core/grpc_status.h"
#include "services/reporting/analysis.h"
#include "services/reporting/reporting_service.h"

namespace custflow::reporting {
namespace {

// Moves a result into `response`, or maps its error to a gRPC status.
template <typename Response>
grpc::Status Answer(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return core::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ReportingService::Describe(grpc::ServerContext* context, const v1::DescribeRequest* request,
                                        v1::DescribeResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Describe"); !allowed.ok()) return allowed;
  return Answer(reporting::Describe(client_, *request), response);
}

grpc::Status ReportingService::Correlate(grpc::ServerContext* context, const v1::CorrelateRequest* request,
                                         v1::CorrelateResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Correlate"); !allowed.ok()) return allowed;
  return Answer(reporting::Correlate(client_, *request), response);
}

grpc::Status ReportingService::Pareto(grpc::ServerContext* context, const v1::ParetoRequest* request,
                                      v1::ParetoResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Pareto"); !allowed.ok()) return allowed;
  return Answer(reporting::Pareto(client_, *request), response);
}

grpc::Status ReportingService::SatisfactionExtremes(grpc::ServerContext* context,
                                                    const v1::SatisfactionExtremesRequest* request,
                                                    v1::SatisfactionExtremesResponse* response) {
  if (grpc::Status allowed = Authorize(context, "SatisfactionExtremes"); !allowed.ok()) return allowed;
  return Answer(reporting::SatisfactionExtremes(client_, *request), response);
}

grpc::Status ReportingService::ComplaintAnalysis(grpc::ServerContext* context,
                                                 const v1::ComplaintAnalysisRequest* request,
                                                 v1::ComplaintAnalysisResponse* response) {
  if (grpc::Status allowed = Authorize(context, "ComplaintAnalysis"); !allowed.ok()) return allowed;
  return Answer(reporting::ComplaintAnalysis(client_, *request), response);
}

grpc::Status ReportingService::Rfm(grpc::ServerContext* context, const v1::RfmRequest* request,
                                   v1::RfmResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Rfm"); !allowed.ok()) return allowed;
  return Answer(reporting::Rfm(client_, *request), response);
}

grpc::Status ReportingService::Cluster(grpc::ServerContext* context, const v1::ClusterRequest* request,
                                       v1::ClusterResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Cluster"); !allowed.ok()) return allowed;
  return Answer(reporting::Cluster(client_, *request), response);
}

}  // namespace custflow::reporting

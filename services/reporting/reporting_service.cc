// ReportingService's caller check and its Distribution handler (distribution.h).
#include "services/reporting/reporting_service.h"

#include <string>

#include "custflow/core/grpc_status.h"
#include "services/reporting/distribution.h"

namespace custflow::reporting {

grpc::Status ReportingService::Authorize(const grpc::ServerContext* context, std::string_view method) const {
  const std::string full_method = "/custflow.v1.ReportingService/" + std::string(method);
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, full_method);
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  return grpc::Status::OK;
}

grpc::Status ReportingService::Distribution(grpc::ServerContext* context,
                                            const v1::DistributionRequest* request,
                                            v1::DistributionResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Distribution"); !allowed.ok()) return allowed;
  absl::StatusOr<v1::DistributionResponse> result = QueryDistribution(client_, *request);
  if (!result.ok()) return core::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting

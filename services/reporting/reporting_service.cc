#include "services/reporting/reporting_service.h"

#include "custflow/core/grpc_status.h"
#include "services/reporting/distribution.h"

namespace custflow::reporting {

grpc::Status ReportingService::Distribution(grpc::ServerContext*, const v1::DistributionRequest* request,
                                            v1::DistributionResponse* response) {
  absl::StatusOr<v1::DistributionResponse> result = QueryDistribution(client_, *request);
  if (!result.ok()) return core::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting

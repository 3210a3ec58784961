#include "services/reporting/reporting_service.h"

#include "services/reporting/distribution.h"

namespace custflow::reporting {

grpc::Status ReportingService::Distribution(grpc::ServerContext*, const v1::DistributionRequest* request,
                                            v1::DistributionResponse* response) {
  absl::StatusOr<v1::DistributionResponse> result = QueryDistribution(client_, *request);
  if (!result.ok()) {
    return grpc::Status(static_cast<grpc::StatusCode>(result.status().code()),
                        std::string(result.status().message()));
  }
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting

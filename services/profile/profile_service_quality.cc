// ProfileService::FindDuplicates and QualityReport (placeholders until they land).
#include "services/profile/profile_service.h"

namespace custflow::profile {

grpc::Status ProfileService::FindDuplicates(grpc::ServerContext*, const v1::FindDuplicatesRequest*,
                                            v1::FindDuplicatesResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "duplicates are not available yet");
}

grpc::Status ProfileService::QualityReport(grpc::ServerContext*, const v1::QualityReportRequest*,
                                           v1::QualityReportResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "the quality report is not available yet");
}

}  // namespace custflow::profile

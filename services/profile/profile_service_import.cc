// ProfileService::ImportCustomers (placeholder until the import lands).
#include "services/profile/profile_service.h"

namespace custflow::profile {

grpc::Status ProfileService::ImportCustomers(grpc::ServerContext*, grpc::ServerReader<v1::ImportCustomersRequest>*,
                                             v1::ImportReport*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "import is not available yet");
}

}  // namespace custflow::profile

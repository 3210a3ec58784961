// The one mapping from the absl::Status values the libraries return to the gRPC status a
// handler answers: absl's codes are gRPC's codes, and the message travels as it is.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace custflow::core {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace custflow::core

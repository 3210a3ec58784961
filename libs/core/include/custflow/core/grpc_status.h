// The one mapping between the absl::Status values the libraries return and the gRPC status
// a handler answers: absl's codes are gRPC's codes, and the message travels as it is.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace custflow::core {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

// A handler's answer back as a status, for callers of a service in the same process.
inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace custflow::core

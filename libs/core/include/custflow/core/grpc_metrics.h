// A gRPC server interceptor that counts every call of every service in
// custflow_grpc_requests_total{method,code} and observes its duration in
// custflow_grpc_request_seconds{method}; ServiceHost installs it on its server.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "custflow/core/metrics.h"
#include "custflow/core/request_metrics.h"

namespace custflow::core {

// The canonical name of a gRPC status code ("OK", "INVALID_ARGUMENT", ...).
std::string GrpcStatusCodeName(size_t code);

class GrpcMetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit GrpcMetricsInterceptorFactory(MetricsRegistry& registry);

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  // Shared with the interceptors, which a server may still run while it is torn down.
  std::shared_ptr<RequestMetrics> metrics_;
};

}  // namespace custflow::core

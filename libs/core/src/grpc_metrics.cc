#include "custflow/core/grpc_metrics.h"

#include <array>
#include <chrono>
#include <string_view>

namespace custflow::core {
namespace {

// Distinct method names with their own series: far more than the services define, so
// only names a client invents end up as "other".
constexpr size_t kMaxGrpcMethods = 256;
constexpr size_t kUnknownCode = 2;

class GrpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  GrpcMetricsInterceptor(std::shared_ptr<RequestMetrics> metrics, RequestMetrics::Endpoint& method)
      : metrics_(std::move(metrics)), method_(method), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      method_.Record(static_cast<size_t>(methods->GetSendStatus().error_code()), elapsed.count());
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<RequestMetrics> metrics_;
  RequestMetrics::Endpoint& method_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::string GrpcStatusCodeName(size_t code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  return std::string(code < kNames.size() ? kNames[code] : kNames[kUnknownCode]);
}

GrpcMetricsInterceptorFactory::GrpcMetricsInterceptorFactory(MetricsRegistry& registry)
    : metrics_(std::make_shared<RequestMetrics>(
          registry,
          RequestMetrics::Names{.requests_total = "custflow_grpc_requests_total",
                                .requests_help = "gRPC calls answered, by full method name and status code.",
                                .request_seconds = "custflow_grpc_request_seconds",
                                .request_seconds_help = "Time from a gRPC call's start to its status.",
                                .key_label = "method"},
          [](size_t code) { return GrpcStatusCodeName(code); }, kUnknownCode, kMaxGrpcMethods)) {}

grpc::experimental::Interceptor* GrpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Calls of methods no service registered have no name here.
  std::string_view method = info->method() != nullptr ? info->method() : "unknown";
  return new GrpcMetricsInterceptor(metrics_, metrics_->For(method));
}

}  // namespace custflow::core

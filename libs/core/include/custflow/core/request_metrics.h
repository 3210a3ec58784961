// Request counts and latencies of a service's endpoints (gRPC methods, HTTP routes): a
// `<prefix>_requests_total{<key>,code}` counter and a `<prefix>_request_seconds{<key>}`
// histogram per endpoint. Recording a request takes no lock: each thread keeps its own
// index of the endpoints it has seen, so the registry's lock is only taken the first time
// a thread meets an endpoint or an endpoint first answers a code.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "custflow/core/http_server.h"
#include "custflow/core/metrics.h"

namespace custflow::core {

class RequestMetrics {
 public:
  // Codes are 0 .. kMaxCodes-1 (gRPC status codes, HTTP statuses minus 100); larger ones
  // are recorded as `overflow_code`.
  static constexpr size_t kMaxCodes = 500;

  struct Names {
    std::string requests_total;
    std::string requests_help;
    std::string request_seconds;
    std::string request_seconds_help;
    std::string key_label;  // "method", "route"
  };

  // `code_name` gives a code's label text. At most `max_endpoints` keys get their own
  // series; later new keys share the key "other", so a client inventing names cannot
  // grow the exposition without bound.
  RequestMetrics(MetricsRegistry& registry, Names names, std::function<std::string(size_t)> code_name,
                 size_t overflow_code, size_t max_endpoints);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  class Endpoint {
   public:
    Endpoint(RequestMetrics& owner, std::string key);
    void Record(size_t code, double seconds);

   private:
    RequestMetrics& owner_;
    const std::string key_;
    Histogram& latency_;
    std::array<std::atomic<Counter*>, kMaxCodes> requests_{};
  };

  // The endpoint of `key`, created on first use.
  Endpoint& For(std::string_view key);

 private:
  Endpoint& ForSlow(std::string_view key);

  MetricsRegistry& registry_;
  const Names names_;
  const std::function<std::string(size_t)> code_name_;
  const size_t overflow_code_;
  const size_t max_endpoints_;
  const uint64_t id_;  // tells this instance's entries apart in the per-thread indexes
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Endpoint>, std::less<>> endpoints_;
};

// The route label of an HTTP path, bounded in cardinality: /healthz, /readyz and /metrics
// as they are, an API path by its version and resource ("/v1/reports/r-1/rows" ->
// "/v1/reports"), anything else "other".
std::string HttpRouteLabel(std::string_view path);

// Counts every request `next` answers in custflow_http_requests_total{route,code} and
// custflow_http_request_seconds{route} (from arrival to answer).
AsyncHttpHandler InstrumentHttpHandler(MetricsRegistry& registry, AsyncHttpHandler next);

}  // namespace custflow::core

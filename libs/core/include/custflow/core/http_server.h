// A small HTTP/1.1 server (Boost.Beast) for every service's admin port (/healthz,
// /readyz, /metrics) and for HTTP APIs. Handlers are plain functions from request to
// response; they run on the server's I/O threads, so they must not block for long.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/core/health.h"
#include "custflow/core/metrics.h"

namespace custflow::core {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // after '?', undecoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  // The header's value, or empty when absent. `name` in lower case.
  std::string_view Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  struct Options {
    std::string address = "0.0.0.0";
    int port = 0;  // 0 picks a free port; see port()
    int threads = 1;
    size_t max_body_bytes = 8 << 20;
  };

  // Binds, listens and starts serving; fails with the bind error (e.g. port in use).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting and closes every connection; idempotent.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Serves GET /healthz (200 while the process runs), /readyz (200 when every readiness
// check passes, else 503 with the failing checks) and /metrics (Prometheus text); every
// other request goes to `next`, or gets 404 when there is none.
HttpHandler AdminHandler(const Health& health, const MetricsRegistry& metrics, HttpHandler next = nullptr);

}  // namespace custflow::core

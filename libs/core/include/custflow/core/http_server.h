// A small HTTP/1.1 server (Boost.Beast) for every service's admin port (/healthz,
// /readyz, /metrics) and for HTTP APIs. A handler is either a plain function from request
// to response, run on the server's I/O threads (so it must not block for long), or an
// asynchronous one that gets an HttpResponder and answers later from any thread.
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
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // without the query string
  std::string query;                           // after '?', undecoded
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

// Sends the answer to one request. Move-only and answered at most once, from any thread;
// one destroyed (or overwritten) without answering answers 500, so a forgotten request
// never leaves its connection hanging.
class HttpResponder {
 public:
  // `send` delivers the response; the server builds one per request, tests and wrapping
  // handlers may build their own.
  explicit HttpResponder(std::function<void(HttpResponse)> send);
  HttpResponder(HttpResponder&& other) noexcept;
  HttpResponder& operator=(HttpResponder&& other) noexcept;
  ~HttpResponder();

  void Respond(HttpResponse response) &&;

 private:
  void AnswerIfPending() noexcept;

  std::function<void(HttpResponse)> send_;
};

// Gets the request by value and answers through the responder, now or later; it runs on
// an I/O thread, so anything slow belongs on another thread that keeps the responder.
using AsyncHttpHandler = std::function<void(HttpRequest, HttpResponder)>;

// Runs `handler` on the I/O thread and answers with its result; empty stays empty.
AsyncHttpHandler ToAsyncHandler(HttpHandler handler);

class HttpServer {
 public:
  struct Options {
    std::string address = "0.0.0.0";
    int port = 0;  // 0 picks a free port; see port()
    int threads = 1;
    size_t max_body_bytes = 8 << 20;
    // PEM certificate chain and private key: when both are set, every connection is
    // HTTPS (TLS 1.2 or later); plaintext when both are empty.
    std::string tls_cert_file{};
    std::string tls_key_file{};
  };

  // Binds, listens and starts serving; fails with the bind error (e.g. port in use), and
  // with INVALID_ARGUMENT for half a TLS pair or a certificate or key that does not load.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options, HttpHandler handler);
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options, AsyncHttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting and closes every connection, also those still waiting for an answer;
  // answers given after that are dropped. Idempotent.
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
// The same routes in front of an asynchronous `next`, so that an HTTP API answering from
// other threads shares the admin port.
AsyncHttpHandler AdminHandler(const Health& health, const MetricsRegistry& metrics, AsyncHttpHandler next);

}  // namespace custflow::core

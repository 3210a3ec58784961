// ReportingService over HTTP for the dashboard and for downloads, on the service's HTTP
// port next to the admin routes. Each route calls the same Reports method (reports.h) the
// gRPC API does, so both validate, scope and query alike.
//
//   POST /v1/reports/<Method>      the request in the protobuf JSON mapping of the rpc's
//                                  request message (an empty body is the empty request;
//                                  unknown fields are errors); the answer is the response
//                                  message as protobuf JSON, camelCase names, fields
//                                  without presence printed even when 0 or empty, absent
//                                  optional values left out.
//   POST /v1/reports/<Method>.csv  the same request, answered as a CSV download
//                                  (csv_export.h) with Content-Disposition: attachment;
//                                  filename="<Method>-<YYYY-MM-DD>.csv". Offered for
//                                  Distribution, QueryMetric, Findings,
//                                  SatisfactionExtremes and ComplaintAnalysis.
//   POST /v1/reports/<Method>.xlsx  the same request, answered as a file of
//        .../<Method>.pdf           export_documents.h, named alike: an XLSX workbook
//        .../<Method>.png           with native charts, a PDF document, or the answer's
//        .../<Method>.svg           chart as an image. Distribution and QueryMetric
//                                  offer all four (their answer as a one-table report),
//                                  RenderReport the workbook and the PDF.
//   OPTIONS on those paths         the CORS preflight: 204, or 403 for an origin not
//                                  allowed.
//
// Who may call the routes is checked in front of Handler(), by
// runtime::RequireAuthentication in the service's main (401 without a valid token, 403 for
// a role without the rpc), which also tells the routes the caller: each answer holds only
// the caller's rows.
//
// <Method> is an rpc name of custflow.v1.ReportingService, e.g. Distribution. Errors are
// JSON, {"error": {"code": "INVALID_ARGUMENT", "message": "..."}}, with the gRPC code's
// name and the HTTP status of HttpStatusOf: 400 for a body that is not the request message
// or a request the service refuses, 404 for an unknown method (or a download it does not
// offer), 405 for another verb (with Allow), 413 for a body over max_request_bytes, 503 with
// Retry-After when ClickHouse is unavailable or too many requests wait.
//
// Queries may take seconds, so they run on this object's own worker threads, never on the
// HTTP server's I/O threads (which also answer /healthz and /readyz).
//
// CORS: a request whose Origin is allowed gets Access-Control-Allow-Origin (the origin
// itself) and may read the answer, Content-Disposition and Retry-After included. A request
// from another origin is still answered, without CORS headers, so a browser does not let
// the page read it; requests change nothing, so there is nothing else to protect.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "custflow/auth/principal.h"
#include "custflow/core/cors.h"
#include "custflow/core/http_server.h"
#include "custflow/runtime/auth_setup.h"
#include "services/reporting/reports.h"

namespace custflow::reporting {

struct HttpReportsOptions {
  // Origins whose pages may read the answers, e.g. "https://dashboard.example.com"; "*"
  // allows every origin.
  std::vector<std::string> allowed_origins;
  // Larger bodies answer 413. The HTTP server's own limit must not be lower.
  size_t max_request_bytes = 64 << 10;
  // Requests run at the same time; each holds one ClickHouse query.
  int threads = 2;
  // Requests waiting for a thread; more answer 503.
  size_t max_waiting = 64;
  // Today's date in download file names.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// The HTTP status answering a gRPC / absl code.
int HttpStatusOf(absl::StatusCode code);

class HttpReports {
 public:
  // `reports` must outlive this object, and this object the server serving its handler.
  HttpReports(const Reports& reports, HttpReportsOptions options);
  // Answers requests still waiting with 503 and waits for the running ones.
  ~HttpReports();
  HttpReports(const HttpReports&) = delete;
  HttpReports& operator=(const HttpReports&) = delete;

  // Serves /v1/reports/... to the caller it is told of, and hands every other request to
  // `next` (404 when there is none). ServiceHost::SetHttpHandler puts the admin routes in
  // front of it.
  runtime::AuthorizedHttpHandler Handler(core::AsyncHttpHandler next = nullptr);
  // The routes' CORS policy, for the answers given in front of Handler().
  const core::CorsPolicy& cors() const { return cors_; }

  // The rpc names served as JSON, and the downloads each also offers by extension.
  static std::vector<std::string> JsonMethods();
  static std::map<std::string, std::vector<std::string>> Downloads();

 private:
  struct Job {
    auth::Principal caller;
    std::string method;
    std::string extension;  // empty for JSON
    std::string body;
    core::HttpResponse base;  // CORS headers
    core::HttpResponder responder;
  };

  void Handle(std::optional<auth::Principal> caller, core::HttpRequest request,
              core::HttpResponder responder);
  void Enqueue(Job job);
  void Work();
  core::HttpResponse Run(const Job& job) const;

  const Reports& reports_;
  HttpReportsOptions options_;
  core::CorsPolicy cors_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace custflow::reporting

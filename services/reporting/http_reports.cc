// /v1/reports/...: routing to the Reports methods, JSON and CSV answers, error
// mapping, CORS and the worker threads; the contract clients see is in the header.
#include "services/reporting/http_reports.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "custflow/core/grpc_status.h"
#include "nlohmann/json.hpp"
#include "services/reporting/csv_export.h"
#include "services/reporting/export_documents.h"

namespace custflow::reporting {
namespace {

using core::HttpRequest;
using core::HttpResponse;

constexpr std::string_view kPrefix = "/v1/reports/";
constexpr const char* kAllowedMethods = "POST, OPTIONS";

// A route's answer body: JSON (no extension), CSV text or an export file, or why there is
// none.
using Invoke = std::function<absl::StatusOr<std::string>(const Reports&, const auth::Principal& caller,
                                                         std::string_view body, std::string_view extension)>;

struct Route {
  Invoke invoke;
  // The downloads offered besides JSON, e.g. "csv", "pdf".
  std::vector<std::string> extensions;
};

template <typename Request, typename Response>
using ReportsMethod = absl::StatusOr<Response> (Reports::*)(const auth::Principal&, const Request&) const;
template <typename Request, typename Response>
using CsvWriter = CsvTable (*)(const Request&, const Response&);
// The answer as a report, for the XLSX, PDF and image downloads.
template <typename Request, typename Response>
using DocumentWriter = v1::Report (*)(const Request&, const Response&);

absl::Status ParseRequest(std::string_view body, google::protobuf::Message& request) {
  if (std::all_of(body.begin(), body.end(), [](char c) { return absl::ascii_isspace(c); }))
    return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &request, options);
  if (parsed.ok()) return absl::OkStatus();
  auto message = parsed.message();
  return absl::InvalidArgumentError(absl::StrCat("the body is not a valid ", request.GetTypeName(),
                                                 " in JSON: ", std::string(message.data(), message.size())));
}

absl::StatusOr<std::string> ResponseJson(const google::protobuf::Message& response) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(response, &json, options);
  if (!printed.ok()) {
    auto message = printed.message();
    return absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", std::string(message.data(), message.size())));
  }
  return json;
}

// `documents` lists the export formats (export_documents.h) written from `document_writer`.
template <typename Request, typename Response>
Route MakeRoute(ReportsMethod<Request, Response> method, CsvWriter<Request, Response> csv_writer = nullptr,
                DocumentWriter<Request, Response> document_writer = nullptr,
                std::vector<ExportFormat> documents = {}) {
  Invoke invoke = [method, csv_writer, document_writer](
                      const Reports& reports, const auth::Principal& caller, std::string_view body,
                      std::string_view extension) -> absl::StatusOr<std::string> {
    Request request;
    if (absl::Status parsed = ParseRequest(body, request); !parsed.ok()) return parsed;
    absl::StatusOr<Response> response = (reports.*method)(caller, request);
    if (!response.ok()) return response.status();
    if (extension.empty()) return ResponseJson(*response);
    if (extension == "csv") return ToCsv(csv_writer(request, *response));
    return ExportReport(document_writer(request, *response), *ExportFormatOf(extension));
  };
  Route route{.invoke = std::move(invoke), .extensions = {}};
  if (csv_writer != nullptr) route.extensions.emplace_back("csv");
  for (ExportFormat format : documents) route.extensions.emplace_back(ExtensionOf(format));
  return route;
}

v1::Report TheReport(const v1::RenderReportRequest&, const v1::Report& report) { return report; }

constexpr ExportFormat kEveryFormat[] = {ExportFormat::kXlsx, ExportFormat::kPdf, ExportFormat::kPng,
                                         ExportFormat::kSvg};

// Every rpc of custflow.v1.ReportingService by name; a test checks it against the service
// descriptor, so a new rpc cannot be left out.
const std::map<std::string, Route, std::less<>>& Routes() {
  using S = Reports;
  static const auto* routes = new std::map<std::string, Route, std::less<>>{
      {"Distribution", MakeRoute(&S::Distribution, &DistributionCsv, &DistributionDocument,
                                 {std::begin(kEveryFormat), std::end(kEveryFormat)})},
      {"ListMetrics", MakeRoute(&S::ListMetrics)},
      {"QueryMetric", MakeRoute(&S::QueryMetric, &MetricCsv, &MetricDocument,
                                {std::begin(kEveryFormat), std::end(kEveryFormat)})},
      {"Findings",
       MakeRoute<v1::FindingsRequest, v1::FindingsResponse>(
           &S::Findings, [](const v1::FindingsRequest&,
                            const v1::FindingsResponse& response) { return FindingsCsv(response); })},
      {"Describe", MakeRoute(&S::Describe)},
      {"Correlate", MakeRoute(&S::Correlate)},
      {"Pareto", MakeRoute(&S::Pareto)},
      {"SatisfactionExtremes",
       MakeRoute<v1::SatisfactionExtremesRequest, v1::SatisfactionExtremesResponse>(
           &S::SatisfactionExtremes,
           [](const v1::SatisfactionExtremesRequest&, const v1::SatisfactionExtremesResponse& response) {
             return SatisfactionExtremesCsv(response);
           })},
      {"ComplaintAnalysis", MakeRoute(&S::ComplaintAnalysis, &ComplaintAnalysisCsv)},
      {"Rfm", MakeRoute(&S::Rfm)},
      {"Cluster", MakeRoute(&S::Cluster)},
      {"ListTemplates", MakeRoute(&S::ListTemplates)},
      {"RenderReport", MakeRoute<v1::RenderReportRequest, v1::Report>(
                           &S::RenderReport, nullptr, &TheReport, {ExportFormat::kXlsx, ExportFormat::kPdf})},
      {"AuditLog", MakeRoute(&S::AuditLog)},
  };
  return *routes;
}

HttpResponse ErrorResponse(const absl::Status& status, HttpResponse base) {
  nlohmann::ordered_json body = {
      {"error",
       {{"code", absl::StatusCodeToString(status.code())}, {"message", std::string(status.message())}}}};
  base.status = HttpStatusOf(status.code());
  base.content_type = "application/json; charset=utf-8";
  // Parser messages may quote bytes that are not UTF-8.
  base.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (base.status == 503) base.headers.emplace_back("Retry-After", "1");
  return base;
}

// An error whose HTTP status is not the code's own (405 has no gRPC code).
HttpResponse ErrorResponse(int http_status, absl::StatusCode code, const std::string& message,
                           HttpResponse base) {
  HttpResponse response = ErrorResponse(absl::Status(code, message), std::move(base));
  response.status = http_status;
  return response;
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

HttpReports::HttpReports(const Reports& reports, HttpReportsOptions options)
    : reports_(reports),
      options_(std::move(options)),
      cors_(options_.allowed_origins, kAllowedMethods, "Content-Disposition, Retry-After") {
  for (int i = 0; i < std::max(1, options_.threads); ++i) workers_.emplace_back([this] { Work(); });
}

HttpReports::~HttpReports() {
  std::deque<Job> unanswered;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    unanswered.swap(waiting_);
  }
  wake_.notify_all();
  for (Job& job : unanswered) {
    std::move(job.responder)
        .Respond(ErrorResponse(absl::UnavailableError("the reporting service is shutting down"),
                               std::move(job.base)));
  }
  for (std::thread& worker : workers_) worker.join();
}

std::vector<std::string> HttpReports::JsonMethods() {
  std::vector<std::string> names;
  for (const auto& [name, route] : Routes()) names.push_back(name);
  return names;
}

std::map<std::string, std::vector<std::string>> HttpReports::Downloads() {
  std::map<std::string, std::vector<std::string>> downloads;
  for (const auto& [name, route] : Routes()) {
    if (!route.extensions.empty()) downloads[name] = route.extensions;
  }
  return downloads;
}

runtime::AuthorizedHttpHandler HttpReports::Handler(core::AsyncHttpHandler next) {
  return [this, next = std::move(next)](std::optional<auth::Principal> caller, HttpRequest request,
                                        core::HttpResponder responder) {
    if (std::string_view(request.path).starts_with(kPrefix))
      return Handle(std::move(caller), std::move(request), std::move(responder));
    if (next) return next(std::move(request), std::move(responder));
    std::move(responder).Respond(ErrorResponse(
        absl::NotFoundError(absl::StrCat("no route for ", request.method, " ", request.path)), {}));
  };
}

void HttpReports::Handle(std::optional<auth::Principal> caller, HttpRequest request,
                         core::HttpResponder responder) {
  HttpResponse cors = cors_.Base(request);
  std::string_view method = std::string_view(request.path).substr(kPrefix.size());
  std::string_view extension;
  if (size_t dot = method.rfind('.'); dot != std::string_view::npos) {
    extension = method.substr(dot + 1);
    method = method.substr(0, dot);
  }
  auto route = Routes().find(method);
  if (route == Routes().end()) {
    return std::move(responder).Respond(ErrorResponse(
        absl::NotFoundError(absl::StrCat("custflow.v1.ReportingService has no method ", std::string(method))),
        std::move(cors)));
  }
  const std::vector<std::string>& offered = route->second.extensions;
  if (!extension.empty() && std::find(offered.begin(), offered.end(), extension) == offered.end()) {
    std::string message =
        absl::StrCat(std::string(method), " has no .", std::string(extension), " download; ");
    absl::StrAppend(&message, offered.empty()
                                  ? "it answers JSON only"
                                  : absl::StrCat("it offers .", absl::StrJoin(offered, ", ."), " and JSON"));
    return std::move(responder).Respond(ErrorResponse(absl::NotFoundError(message), std::move(cors)));
  }
  if (request.method == "OPTIONS") {
    std::optional<HttpResponse> preflight = cors_.Preflight(request, cors);
    if (preflight) return std::move(responder).Respond(*std::move(preflight));
    return std::move(responder).Respond(
        ErrorResponse(absl::PermissionDeniedError(
                          absl::StrCat("origin ", std::string(request.Header("origin")), " is not allowed")),
                      std::move(cors)));
  }
  if (request.method != "POST") {
    cors.headers.emplace_back("Allow", kAllowedMethods);
    return std::move(responder).Respond(
        ErrorResponse(405, absl::StatusCode::kUnimplemented,
                      absl::StrCat("method ", request.method, " is not allowed; use POST"), std::move(cors)));
  }
  if (request.body.size() > options_.max_request_bytes) {
    return std::move(responder).Respond(
        ErrorResponse(413, absl::StatusCode::kResourceExhausted,
                      absl::StrCat("the body has ", request.body.size(), " bytes; at most ",
                                   options_.max_request_bytes, " are accepted"),
                      std::move(cors)));
  }
  if (!caller) {
    return std::move(responder).Respond(
        ErrorResponse(absl::UnauthenticatedError("the caller is unknown"), std::move(cors)));
  }
  Enqueue(Job{.caller = *std::move(caller),
              .method = std::string(method),
              .extension = std::string(extension),
              .body = std::move(request.body),
              .base = std::move(cors),
              .responder = std::move(responder)});
}

void HttpReports::Enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && waiting_.size() < options_.max_waiting) {
      waiting_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  std::move(job.responder)
      .Respond(ErrorResponse(absl::UnavailableError("too many report requests are waiting; retry shortly"),
                             std::move(job.base)));
}

void HttpReports::Work() {
  while (true) {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    HttpResponse response = Run(job);
    std::move(job.responder).Respond(std::move(response));
  }
}

HttpResponse HttpReports::Run(const Job& job) const {
  absl::StatusOr<std::string> body =
      Routes().find(job.method)->second.invoke(reports_, job.caller, job.body, job.extension);
  if (!body.ok()) return ErrorResponse(body.status(), job.base);
  HttpResponse response = job.base;
  response.body = std::move(*body);
  if (job.extension.empty()) {
    response.content_type = "application/json; charset=utf-8";
    return response;
  }
  response.content_type = job.extension == "csv" ? "text/csv; charset=utf-8; header=present"
                                                 : std::string(ContentTypeOf(*ExportFormatOf(job.extension)));
  response.headers.emplace_back(
      "Content-Disposition",
      absl::StrCat("attachment; filename=\"", DownloadFileName(job.method, options_.clock(), job.extension),
                   "\""));
  return response;
}

}  // namespace custflow::reporting

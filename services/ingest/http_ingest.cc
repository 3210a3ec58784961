// POST /v1/events: reading the body into events, submitting them, and the JSON answers;
// the contract clients see is described in the header.
#include "services/ingest/http_ingest.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "custflow/runtime/auth_setup.h"
#include "nlohmann/json.hpp"

namespace custflow::ingest {
namespace {

using core::HttpRequest;
using core::HttpResponse;
// Keys in the order written, so answers read index, event_id, ... first.
using json = nlohmann::ordered_json;

constexpr std::string_view kPath = "/v1/events";
constexpr const char* kAllowedMethods = "POST, OPTIONS";

// A rejection of the whole request.
struct RequestError {
  int status;
  std::string field;
  std::string description;
  // Retry-After of a 429 or 503; 1 s unless set.
  int64_t retry_after_seconds = 1;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsBlank(std::string_view text) { return Trim(text).empty(); }

// Returns the position of the first character of `stops` outside strings and nested
// brackets, starting at `pos` inside a container; npos when there is none or the
// brackets do not balance. Only strings and brackets are tracked: each event's own syntax
// is left to the protobuf parser, so that a broken event is reported with its index while
// the others still go through.
size_t FindAtTopLevel(std::string_view text, size_t pos, std::string_view stops) {
  int depth = 0;
  bool in_string = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (in_string) {
      if (c == '\\') {
        ++pos;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (depth == 0 && stops.find(c) != std::string_view::npos) return pos;
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth < 0) return std::string_view::npos;
  }
  return std::string_view::npos;
}

using EventTexts = std::vector<std::string_view>;

std::variant<EventTexts, RequestError> SplitArray(std::string_view text) {
  EventTexts events;
  size_t pos = 1;  // after '['
  if (Trim(text.substr(pos)) == "]") return events;
  while (true) {
    size_t end = FindAtTopLevel(text, pos, ",]");
    if (end == std::string_view::npos) {
      return RequestError{400, "body", "not a JSON array: unbalanced brackets or quotes"};
    }
    events.push_back(Trim(text.substr(pos, end - pos)));
    pos = end + 1;
    if (text[end] == ']') break;
  }
  if (!IsBlank(text.substr(pos))) return RequestError{400, "body", "unexpected text after the JSON array"};
  return events;
}

EventTexts SplitLines(std::string_view text) {
  EventTexts events;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    if (!line.empty()) events.push_back(line);
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return events;
}

// True when `text` (starting with '{') holds one object and nothing else; else it is read
// as NDJSON.
bool IsSingleObject(std::string_view text) {
  size_t close = FindAtTopLevel(text, 1, "}");
  return close != std::string_view::npos && IsBlank(text.substr(close + 1));
}

enum class BodyFormat { kJson, kNdjson, kDetect };

std::variant<EventTexts, RequestError> SplitEvents(std::string_view body, BodyFormat format) {
  std::string_view text = Trim(body);
  if (text.empty()) return RequestError{400, "body", "the body is empty: no events"};
  if (format == BodyFormat::kNdjson) return SplitLines(text);
  if (text.front() == '[') return SplitArray(text);
  if (text.front() != '{') return RequestError{400, "body", "the body is not a JSON object, array or NDJSON"};
  if (format == BodyFormat::kJson || IsSingleObject(text)) return EventTexts{text};
  return SplitLines(text);
}

// The charset parameter of a lower-case Content-Type, without quotes; empty when absent.
std::string_view CharsetOf(std::string_view content_type) {
  size_t semicolon = content_type.find(';');
  if (semicolon == std::string_view::npos) return {};
  std::string_view parameters = content_type.substr(semicolon + 1);
  size_t charset = parameters.find("charset=");
  if (charset == std::string_view::npos) return {};
  std::string_view name = parameters.substr(charset + 8);
  name = Trim(name.substr(0, name.find(';')));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return name;
}

// The format named by a Content-Type header, e.g. "text/plain;charset=UTF-8".
std::variant<BodyFormat, RequestError> FormatOf(std::string_view content_type) {
  std::string lowered = absl::AsciiStrToLower(std::string(content_type));
  std::string_view charset = CharsetOf(lowered);
  if (!charset.empty() && charset != "utf-8" && charset != "utf8") {
    return RequestError{415, "content-type",
                        absl::StrCat("charset ", std::string(charset), " is not supported; send UTF-8")};
  }
  std::string_view media_type = Trim(std::string_view(lowered).substr(0, lowered.find(';')));
  if (media_type == "application/json") return BodyFormat::kJson;
  if (media_type == "application/x-ndjson") return BodyFormat::kNdjson;
  if (media_type == "text/plain" || media_type.empty()) return BodyFormat::kDetect;
  return RequestError{
      415, "content-type",
      absl::StrCat("content type ", std::string(media_type),
                   " is not supported; use application/json, application/x-ndjson or text/plain")};
}

// The event id of an event the protobuf parser refused, when the JSON has one.
std::string EventIdOf(std::string_view text) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return "";
  for (const char* key : {"event_id", "eventId"}) {
    auto it = parsed.find(key);
    if (it != parsed.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::optional<v1::EventResult> ParseEvent(std::string_view text, size_t index, v1::Interaction& event) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &event, options);
  if (status.ok()) return std::nullopt;
  v1::EventResult result;
  result.set_event_id(EventIdOf(text));
  result.set_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
  result.set_message("not a valid custflow.v1.Interaction");
  v1::FieldViolation& violation = *result.add_violations();
  violation.set_field(absl::StrCat("events[", index, "]"));
  auto message = status.message();
  violation.set_description(std::string(message.data(), message.size()));
  return result;
}

// The submitter names fields "event.customer..."; the client knows the event by its
// position in the request.
void NameFieldsByPosition(v1::EventResult& result, size_t index) {
  constexpr std::string_view kPrefix = "event";
  for (v1::FieldViolation& violation : *result.mutable_violations()) {
    std::string_view field = violation.field();
    if (field.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view rest = field.substr(kPrefix.size());
    if (!rest.empty() && rest.front() != '.') continue;
    violation.set_field(absl::StrCat("events[", index, "]", std::string(rest)));
  }
}

// Puts the submitter's results, in submission order, at their events' positions in the
// request.
void PlaceSubmitted(std::vector<v1::EventResult> submitted, const std::vector<size_t>& positions,
                    std::vector<v1::EventResult>& results) {
  for (size_t j = 0; j < positions.size(); ++j) {
    v1::EventResult& result = results[positions[j]];
    if (j >= submitted.size()) {
      result.set_code(static_cast<int>(absl::StatusCode::kInternal));
      result.set_message("the ingest pipeline returned no result for this event");
      continue;
    }
    result = std::move(submitted[j]);
    NameFieldsByPosition(result, positions[j]);
  }
}

// How urgent an event's outcome is for the client; the answer takes the most urgent, so
// anything a resend fixes comes first.
int Urgency(int http_status) {
  constexpr int kLeastUrgentFirst[] = {200, 400, 500, 429, 503};
  return static_cast<int>(std::find(std::begin(kLeastUrgentFirst), std::end(kLeastUrgentFirst), http_status) -
                          std::begin(kLeastUrgentFirst));
}

int HttpStatusOf(int code) {
  switch (static_cast<absl::StatusCode>(code)) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

// The text of each event in the request, or why the whole request is refused.
std::variant<EventTexts, RequestError> ReadEvents(const HttpRequest& request,
                                                  const HttpIngestOptions& options) {
  if (request.body.size() > options.max_request_bytes) {
    return RequestError{413, "body",
                        absl::StrCat("the body has ", request.body.size(), " bytes; at most ",
                                     options.max_request_bytes, " are accepted")};
  }
  auto format = FormatOf(request.Header("content-type"));
  if (auto* error = std::get_if<RequestError>(&format)) return *error;
  auto split = SplitEvents(request.body, std::get<BodyFormat>(format));
  if (std::holds_alternative<RequestError>(split)) return split;
  const EventTexts& texts = std::get<EventTexts>(split);
  if (texts.empty()) return RequestError{400, "body", "the body holds no events"};
  if (texts.size() > options.max_events) {
    return RequestError{413, "body",
                        absl::StrCat("the body holds ", texts.size(), " events; at most ", options.max_events,
                                     " are accepted per request")};
  }
  return split;
}

json ResultJson(const v1::EventResult& result, size_t index) {
  json entry = {{"index", index}, {"event_id", result.event_id()}, {"stored", result.code() == 0}};
  if (result.code() == 0) {
    entry["customer_id"] = result.customer_id();
    entry["duplicate"] = result.duplicate();
    return entry;
  }
  entry["code"] = absl::StatusCodeToString(static_cast<absl::StatusCode>(result.code()));
  entry["message"] = result.message();
  return entry;
}

HttpResponse JsonResponse(int status, const json& body, HttpResponse base, int64_t retry_after_seconds = 1) {
  base.status = status;
  base.content_type = "application/json; charset=utf-8";
  // Parser messages may quote the bytes that were not UTF-8.
  base.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (status == 503 || status == 429) {
    base.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  }
  return base;
}

HttpResponse ErrorResponse(const RequestError& error, HttpResponse base) {
  json body = {{"errors", json::array({{{"field", error.field}, {"description", error.description}}})}};
  return JsonResponse(error.status, body, std::move(base), error.retry_after_seconds);
}

// One result per event in request order.
HttpResponse EventsResponse(const std::vector<v1::EventResult>& results, HttpResponse base) {
  json entries = json::array();
  json errors = json::array();
  int status = 200;
  for (size_t i = 0; i < results.size(); ++i) {
    const v1::EventResult& result = results[i];
    entries.push_back(ResultJson(result, i));
    for (const v1::FieldViolation& violation : result.violations()) {
      errors.push_back({{"index", i},
                        {"event_id", result.event_id()},
                        {"field", violation.field()},
                        {"description", violation.description()}});
    }
    int event_status = HttpStatusOf(result.code());
    if (Urgency(event_status) > Urgency(status)) status = event_status;
  }
  json body = {{"results", std::move(entries)}};
  if (!errors.empty()) body["errors"] = std::move(errors);
  return JsonResponse(status, body, std::move(base));
}

}  // namespace

HttpIngest::HttpIngest(EventSubmitter& submitter, const auth::RequestAuthenticator& auth,
                       HttpIngestOptions options)
    : submitter_(submitter),
      options_(std::move(options)),
      cors_(options_.allowed_origins, kAllowedMethods, "Retry-After"),
      authenticated_post_(runtime::RequireAuthentication(
          auth,
          [this](std::optional<auth::Principal> caller, HttpRequest request, core::HttpResponder responder) {
            HttpResponse cors = cors_.Base(request);
            // Only POST reaches here, and RequireAuthentication gives every POST its caller.
            Post(*caller, request, std::move(cors), std::move(responder));
          },
          &cors_)) {}

core::AsyncHttpHandler HttpIngest::Handler(core::AsyncHttpHandler next) const {
  return [this, next = std::move(next)](HttpRequest request, core::HttpResponder responder) {
    if (request.path == kPath) return Handle(std::move(request), std::move(responder));
    if (next) return next(std::move(request), std::move(responder));
    std::move(responder).Respond(
        ErrorResponse({404, "path", absl::StrCat("no route for ", request.method, " ", request.path)}, {}));
  };
}

void HttpIngest::Handle(HttpRequest request, core::HttpResponder responder) const {
  // Only POST is authenticated: preflights carry no credentials, and a wrong method is
  // answered 405 whoever asks.
  if (request.method == "POST") return authenticated_post_(std::move(request), std::move(responder));
  HttpResponse cors = cors_.Base(request);
  if (request.method == "OPTIONS") {
    std::optional<HttpResponse> preflight = cors_.Preflight(request, cors);
    if (preflight) return std::move(responder).Respond(*std::move(preflight));
    return std::move(responder).Respond(ErrorResponse(
        {403, "origin", absl::StrCat("origin ", std::string(request.Header("origin")), " is not allowed")},
        std::move(cors)));
  }
  cors.headers.emplace_back("Allow", kAllowedMethods);
  std::move(responder).Respond(
      ErrorResponse({405, "method", absl::StrCat("method ", request.method, " is not allowed; use POST")},
                    std::move(cors)));
}

void HttpIngest::Post(const auth::Principal& caller, const HttpRequest& request, HttpResponse cors,
                      core::HttpResponder responder) const {
  auto read = ReadEvents(request, options_);
  if (auto* error = std::get_if<RequestError>(&read)) {
    return std::move(responder).Respond(ErrorResponse(*error, std::move(cors)));
  }
  const EventTexts& texts = std::get<EventTexts>(read);
  if (options_.rate_limit != nullptr) {
    if (auto refusal = options_.rate_limit->Take(caller, texts.size())) {
      RequestError error = refusal->retry_after ? RequestError{429, "authorization", refusal->message,
                                                               RetryAfterSeconds(*refusal->retry_after)}
                                                : RequestError{413, "body", refusal->message};
      return std::move(responder).Respond(ErrorResponse(error, std::move(cors)));
    }
  }
  std::vector<v1::EventResult> results(texts.size());
  std::vector<v1::Interaction> events;
  std::vector<size_t> positions;  // of `events` in the request
  for (size_t i = 0; i < texts.size(); ++i) {
    v1::Interaction event;
    if (auto invalid = ParseEvent(texts[i], i, event)) {
      results[i] = std::move(*invalid);
      continue;
    }
    events.push_back(std::move(event));
    positions.push_back(i);
  }
  if (events.empty()) return std::move(responder).Respond(EventsResponse(results, std::move(cors)));

  submitter_.Submit(std::move(events), /*indexed_paths=*/false,
                    [results = std::move(results), positions = std::move(positions), cors = std::move(cors),
                     responder = std::move(responder)](std::vector<v1::EventResult> submitted) mutable {
                      PlaceSubmitted(std::move(submitted), positions, results);
                      std::move(responder).Respond(EventsResponse(results, std::move(cors)));
                    });
}

}  // namespace custflow::ingest

#include "tools/loadgen/http_answer.h"

#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/loadgen/run_stats.h"

namespace custflow::loadgen {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuotedBody = 300;

std::string StringField(const json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = object.find(key);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

// "INVALID_ARGUMENT" or 3; -1 when absent or unknown.
int CodeField(const json& entry) {
  auto it = entry.find("code");
  if (it == entry.end()) return -1;
  if (it->is_number_integer()) return it->get<int>();
  if (!it->is_string()) return -1;
  for (int code = 0; code <= 16; ++code) {
    if (CodeName(code) == it->get<std::string>()) return code;
  }
  return -1;
}

bool BoolField(const json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_boolean() && it->get<bool>();
}

// Field violations from "errors", by event id.
std::multimap<std::string, v1::FieldViolation> ViolationsByEvent(const json& body) {
  std::multimap<std::string, v1::FieldViolation> out;
  auto errors = body.find("errors");
  if (errors == body.end() || !errors->is_array()) return out;
  for (const json& error : *errors) {
    if (!error.is_object()) continue;
    v1::FieldViolation violation;
    violation.set_field(StringField(error, {"field"}));
    violation.set_description(StringField(error, {"description"}));
    out.emplace(StringField(error, {"event_id", "eventId"}), std::move(violation));
  }
  return out;
}

// The server's own words: its request-level errors, an "error" or "message" string, or
// the start of the body.
std::string ServerText(const json& body, std::string_view raw) {
  if (body.is_object()) {
    std::string text;
    for (const auto& [event_id, violation] : ViolationsByEvent(body)) {
      if (!event_id.empty()) continue;
      absl::StrAppend(&text, text.empty() ? "" : "; ", violation.field(), ": ", violation.description());
    }
    if (text.empty()) text = StringField(body, {"error", "message"});
    if (!text.empty()) return text;
  }
  std::string text(raw.substr(0, kMaxQuotedBody));
  absl::StripAsciiWhitespace(&text);
  if (raw.size() > kMaxQuotedBody) text += "...";
  return text;
}

v1::EventResult ResultOf(const json& entry, int request_code,
                         const std::multimap<std::string, v1::FieldViolation>& violations) {
  v1::EventResult result;
  result.set_event_id(StringField(entry, {"event_id", "eventId"}));
  int code = CodeField(entry);
  bool stored = entry.contains("stored") ? BoolField(entry, "stored") : code <= 0;
  if (stored) {
    result.set_duplicate(BoolField(entry, "duplicate"));
    return result;
  }
  // Not stored without a known code: the request's status says why.
  result.set_code(code > 0 ? code : (request_code > 0 ? request_code : 2));
  result.set_message(StringField(entry, {"message"}));
  auto [first, last] = violations.equal_range(result.event_id());
  for (auto it = first; it != last; ++it) *result.add_violations() = it->second;
  return result;
}

}  // namespace

int GrpcCodeForHttpStatus(long http_status) {
  switch (http_status) {
    case 400:
      return 3;  // INVALID_ARGUMENT
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
    case 405:
    case 501:
      return 12;  // UNIMPLEMENTED
    case 408:
    case 504:
      return 4;  // DEADLINE_EXCEEDED
    case 409:
      return 10;  // ABORTED
    case 413:
    case 429:
      return 8;  // RESOURCE_EXHAUSTED
    case 502:
    case 503:
      return 14;  // UNAVAILABLE
    default:
      return http_status >= 200 && http_status < 300 ? 0 : 2;  // UNKNOWN
  }
}

HttpAnswer ParseHttpAnswer(long http_status, std::string_view body) {
  HttpAnswer answer;
  answer.code = GrpcCodeForHttpStatus(http_status);
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (answer.code != 0) answer.message = absl::StrCat("HTTP ", http_status, ": ", ServerText(parsed, body));
  const json* results = nullptr;
  if (parsed.is_array()) results = &parsed;
  if (parsed.is_object() && parsed.contains("results") && parsed["results"].is_array()) {
    results = &parsed["results"];
  }
  if (results == nullptr) return answer;
  auto violations =
      parsed.is_object() ? ViolationsByEvent(parsed) : std::multimap<std::string, v1::FieldViolation>{};
  for (const json& entry : *results) {
    if (entry.is_object()) *answer.results.Add() = ResultOf(entry, answer.code, violations);
  }
  return answer;
}

}  // namespace custflow::loadgen

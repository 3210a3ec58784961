// Fuzz target: the body of POST /v1/events through HttpIngest's handler, in process (no
// socket), with a submitter that validates and normalizes each event as the pipeline
// does and stores it at once. The first input byte picks the Content-Type, the rest is
// the body. Checks: every request is answered exactly once, with a status the handler
// documents and a JSON body; every event that passed validation serializes and parses
// back to itself.
#include <google/protobuf/util/message_differencer.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "custflow/auth/request_authenticator.h"
#include "nlohmann/json.hpp"
#include "services/ingest/event_validation.h"
#include "services/ingest/http_ingest.h"

namespace custflow::ingest {
namespace {

// Validates like IngestPipeline::Submit and answers synchronously; an event that passes
// is "stored".
class ValidatingSubmitter : public EventSubmitter {
 public:
  void Submit(std::vector<v1::Interaction> events, bool indexed_paths, Done done) override {
    ValidationOptions options;
    options.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'795'428'000));
    std::vector<v1::EventResult> results;
    for (size_t i = 0; i < events.size(); ++i) {
      v1::Interaction& event = events[i];
      v1::EventResult& result = results.emplace_back();
      result.set_event_id(event.event_id());
      std::vector<v1::FieldViolation> violations =
          ValidateAndNormalize(event, options, indexed_paths ? "events[" + std::to_string(i) + "]" : "event");
      if (violations.empty()) {
        CheckRoundTrip(event);
        result.set_customer_id("cu_fuzz");
        continue;
      }
      result.set_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
      result.set_message("invalid event");
      for (v1::FieldViolation& violation : violations) *result.add_violations() = std::move(violation);
    }
    std::move(done)(std::move(results));
  }

 private:
  // A normalized event goes to Kafka serialized; the consumers must read the same event.
  static void CheckRoundTrip(const v1::Interaction& event) {
    std::string bytes;
    if (!event.SerializeToString(&bytes)) std::abort();
    v1::Interaction decoded;
    if (!decoded.ParseFromString(bytes) ||
        !google::protobuf::util::MessageDifferencer::Equals(decoded, event)) {
      std::abort();
    }
  }
};

constexpr const char* kContentTypes[] = {
    "application/json",
    "application/x-ndjson",
    "text/plain;charset=UTF-8",
    "",
    "application/json; charset=utf-8",
};

bool IsDocumentedStatus(int status) {
  return status == 200 || status == 400 || status == 413 || status == 415;
}

}  // namespace
}  // namespace custflow::ingest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace custflow;
  static ingest::ValidatingSubmitter* submitter = new ingest::ValidatingSubmitter();
  static auth::RequestAuthenticator* authenticator =
      new auth::RequestAuthenticator(auth::RequestAuthenticator::Open());
  static ingest::HttpIngest* http = new ingest::HttpIngest(*submitter, *authenticator, {.max_events = 100});
  static core::AsyncHttpHandler* handler = new core::AsyncHttpHandler(http->Handler());
  if (size == 0) return 0;

  core::HttpRequest request;
  request.method = "POST";
  request.path = "/v1/events";
  const char* content_type = ingest::kContentTypes[data[0] % std::size(ingest::kContentTypes)];
  if (*content_type != '\0') request.headers["content-type"] = content_type;
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);

  int answers = 0;
  std::optional<core::HttpResponse> response;
  (*handler)(std::move(request), core::HttpResponder([&](core::HttpResponse answer) {
               ++answers;
               response = std::move(answer);
             }));
  if (answers != 1 || !ingest::IsDocumentedStatus(response->status)) std::abort();
  if (!nlohmann::json::accept(response->body)) std::abort();
  return 0;
}

// HTTP mode: each worker POSTs its batches as JSON arrays (protobuf JSON mapping) to the
// ingest endpoint over one kept-alive libcurl connection, one request in flight.
#include <curl/curl.h>

#include "absl/strings/str_cat.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/event_encoding.h"
#include "tools/loadgen/http_answer.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

absl::StatusOr<std::string> JsonArray(const std::vector<v1::Interaction>& events) {
  std::string body = "[";
  for (const v1::Interaction& event : events) {
    if (body.size() > 1) body.push_back(',');
    if (absl::Status status = AppendJson(event, body); !status.ok()) return status;
  }
  body.push_back(']');
  return body;
}

// One libcurl handle: reused for every request, so the connection stays open.
class HttpClient {
 public:
  HttpClient(const std::string& url, std::chrono::duration<double> timeout)
      : curl_(curl_easy_init()), headers_(curl_slist_append(nullptr, "Content-Type: application/json")) {
    if (std::string authorization = tools::BearerAuthorization(); !authorization.empty()) {
      headers_ = curl_slist_append(headers_, ("Authorization: " + authorization).c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response_);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(
        curl_, CURLOPT_TIMEOUT_MS,
        static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~HttpClient() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The HTTP status and body, or the transfer error.
  absl::StatusOr<std::pair<long, std::string>> Post(const std::string& body) {
    response_.clear();
    error_[0] = '\0';
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    CURLcode code = curl_easy_perform(curl_);
    if (code != CURLE_OK) {
      std::string detail = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
      return code == CURLE_OPERATION_TIMEDOUT ? absl::DeadlineExceededError(detail)
                                              : absl::UnavailableError(detail);
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return std::pair{status, std::move(response_)};
  }

 private:
  CURL* curl_;
  curl_slist* headers_;
  std::string response_;
  char error_[CURL_ERROR_SIZE];
};

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(const LoadContext& context) : context_(context) {}

  absl::Status RunWorker(int, RunStats& stats) override {
    HttpClient client(context_.options.url, context_.options.timeout);
    while (std::optional<PreparedBatch> batch = NextBatch(context_)) {
      if (absl::Status status = Post(client, *batch, stats); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Post(HttpClient& client, const PreparedBatch& batch, RunStats& stats) {
    absl::StatusOr<std::string> body = JsonArray(batch.events);
    if (!body.ok()) return body.status();
    std::unordered_set<std::string> awaiting;
    for (const v1::Interaction& event : batch.events) awaiting.insert(event.event_id());
    Clock::time_point sent_at = Clock::now();
    stats.RecordSend(sent_at, awaiting.size());
    context_.live.sent.fetch_add(awaiting.size(), std::memory_order_relaxed);
    auto answer = client.Post(*body);
    Clock::time_point now = Clock::now();
    if (!answer.ok()) {
      RejectAll(awaiting, sent_at, now, static_cast<int>(answer.status().code()),
                std::string(answer.status().message()), stats, context_.live);
      return absl::OkStatus();
    }
    auto [http_status, text] = std::move(*answer);
    HttpAnswer parsed = ParseHttpAnswer(http_status, text);
    RecordResults(parsed.results, sent_at, now, awaiting, stats, context_.live);
    if (parsed.code == 0 && parsed.results.empty()) {
      // A success without per-event results acknowledges the whole request.
      for (const std::string& event_id : awaiting) {
        stats.RecordResult(sent_at, now, 0, false, "");
        LogResult(context_.live, event_id, 0);
      }
      context_.live.acked.fetch_add(awaiting.size(), std::memory_order_relaxed);
      awaiting.clear();
    }
    if (parsed.code == 0) {
      stats.unanswered += awaiting.size();
      return absl::OkStatus();
    }
    RejectAll(awaiting, sent_at, now, parsed.code, parsed.message, stats, context_.live);
    if (parsed.code != 12) return absl::OkStatus();  // UNIMPLEMENTED: no such endpoint
    context_.schedule.Stop();
    return absl::UnimplementedError(
        absl::StrCat("the server has no POST ", context_.options.url, " (", parsed.message, ")"));
  }

  const LoadContext& context_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> MakeHttpTransport(const LoadContext& context) {
  return std::make_unique<HttpTransport>(context);
}

}  // namespace custflow::loadgen

// HttpClickHouseClient: requests over libcurl easy handles, which a small pool keeps
// between requests so their keep-alive connections are reused.
#include "custflow/clickhouse/http_clickhouse_client.h"

#include <curl/curl.h>

#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl_view.h"
#include "custflow/clickhouse/server_error.h"
#include "custflow/clickhouse/sql.h"

namespace custflow::clickhouse {
namespace {

struct Request {
  std::string url;
  std::string_view body;  // posted as it is; an empty body with post=false is a GET
  bool post = true;
};

struct Response {
  long http_status = 0;
  std::string body;
};

size_t AppendToString(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::string PercentEncode(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size() * 3);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0xf]);
    }
  }
  return encoded;
}

absl::StatusCode CodeForCurlError(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::StatusCode::kDeadlineExceeded;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return absl::StatusCode::kUnavailable;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kInternal;
  }
}

std::string TrimTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

class HttpClickHouseClient::Transport {
 public:
  explicit Transport(const HttpClickHouseOptions& options)
      : options_(options), base_url_(TrimTrailingSlash(options.url)) {
    static std::once_flag curl_initialized;
    std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  ~Transport() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  // `path_and_query` starts with '/'.
  std::string Url(std::string_view path_and_query) const {
    return absl::StrCat(base_url_, AbslView(path_and_query));
  }

  absl::StatusOr<Response> Send(const Request& request) {
    CURL* handle = Acquire();
    if (handle == nullptr) return absl::InternalError("curl_easy_init failed");
    Response response;
    char error_text[CURL_ERROR_SIZE] = {};
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    Configure(handle, request, response, error_text, headers);
    const CURLcode code = curl_easy_perform(handle);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.http_status);
    // Drops the handle's pointers to this call's locals; its connection stays open.
    curl_easy_reset(handle);
    curl_slist_free_all(headers);
    Release(handle);
    if (code != CURLE_OK) return TransportError(code, error_text);
    return response;
  }

 private:
  void Configure(CURL* handle, const Request& request, Response& response, char* error_text,
                 curl_slist* headers) const {
    // Reset keeps the handle's live connection, so keep-alive survives between requests.
    curl_easy_reset(handle);
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &AppendToString);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
    // No "Expect: 100-continue" round trip before large bodies.
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    if (!options_.user.empty()) {
      curl_easy_setopt(handle, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(handle, CURLOPT_USERNAME, options_.user.c_str());
      curl_easy_setopt(handle, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (!request.post) {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
      return;
    }
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    // Points at the caller's bytes: nothing is copied. Never null, or curl reads stdin.
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  absl::Status TransportError(CURLcode code, const char* error_text) const {
    const absl::StatusCode status_code = CodeForCurlError(code);
    std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    if (status_code == absl::StatusCode::kDeadlineExceeded) {
      return absl::DeadlineExceededError(absl::StrCat(
          "ClickHouse at ", base_url_, " did not answer within ", options_.request_timeout.count(),
          " ms (connect timeout ", options_.connect_timeout.count(), " ms): ", detail));
    }
    if (status_code == absl::StatusCode::kUnavailable) {
      return absl::UnavailableError(absl::StrCat("ClickHouse at ", base_url_, " is unreachable: ", detail));
    }
    return absl::Status(status_code,
                        absl::StrCat("request to ClickHouse at ", base_url_, " failed: ", detail));
  }

  CURL* Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    {
      std::lock_guard lock(mutex_);
      if (idle_.size() < options_.pool_size) {
        idle_.push_back(handle);
        return;
      }
    }
    curl_easy_cleanup(handle);
  }

  const HttpClickHouseOptions& options_;
  const std::string base_url_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

HttpClickHouseClient::HttpClickHouseClient(HttpClickHouseOptions options)
    : options_(std::move(options)), transport_(std::make_unique<Transport>(options_)) {}

HttpClickHouseClient::~HttpClickHouseClient() = default;

namespace {

// "/?database=...&" followed by `params`, each already "name=encoded-value".
std::string PathWithParams(const HttpClickHouseOptions& options, std::initializer_list<std::string> params) {
  std::vector<std::string> all(params);
  if (!options.database.empty()) all.push_back("database=" + PercentEncode(options.database));
  return absl::StrCat("/?", absl::StrJoin(all, "&"));
}

absl::StatusOr<Response> Checked(absl::StatusOr<Response> response) {
  if (!response.ok()) return response;
  if (response->http_status / 100 != 2) {
    return StatusFromServerError(response->http_status, response->body);
  }
  return response;
}

}  // namespace

absl::Status HttpClickHouseClient::Execute(std::string_view sql) {
  Request request{transport_->Url(PathWithParams(options_, {"wait_end_of_query=1"})), sql};
  return Checked(transport_->Send(request)).status();
}

absl::StatusOr<QueryResult> HttpClickHouseClient::Query(std::string_view sql) {
  Request request{transport_->Url(PathWithParams(
                      options_, {"default_format=TabSeparatedWithNamesAndTypes", "wait_end_of_query=1"})),
                  sql};
  absl::StatusOr<Response> response = Checked(transport_->Send(request));
  if (!response.ok()) return response.status();
  return QueryResult::ParseTabSeparatedWithNamesAndTypes(response->body);
}

absl::Status HttpClickHouseClient::Insert(std::string_view table, absl::Span<const std::string> columns,
                                          const RowBinaryWriter& rows) {
  absl::StatusOr<std::string> quoted_table = QuoteTableName(table);
  if (!quoted_table.ok()) return quoted_table.status();
  if (columns.empty()) return absl::InvalidArgumentError("insert needs at least one column");
  std::vector<std::string> quoted_columns;
  quoted_columns.reserve(columns.size());
  for (const std::string& column : columns) {
    absl::StatusOr<std::string> quoted = QuoteIdentifier(column);
    if (!quoted.ok()) return quoted.status();
    quoted_columns.push_back(*std::move(quoted));
  }
  if (rows.has_unfinished_row()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "insert into ", AbslView(table), ": the RowBinaryWriter has an unfinished row (call EndRow)"));
  }
  if (rows.row_count() == 0) return absl::OkStatus();
  const std::string statement = absl::StrCat("INSERT INTO ", *quoted_table, " (",
                                             absl::StrJoin(quoted_columns, ", "), ") FORMAT RowBinary");
  Request request{transport_->Url(PathWithParams(options_, {"query=" + PercentEncode(statement)})),
                  rows.data()};
  return Checked(transport_->Send(request)).status();
}

absl::Status HttpClickHouseClient::Ping() {
  Request request{transport_->Url("/ping"), {}, /*post=*/false};
  return Checked(transport_->Send(request)).status();
}

}  // namespace custflow::clickhouse

// A libcurl client for the /v1/reports tests: any verb, request headers, and the answer's
// status, headers and body.
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "nlohmann/json.hpp"

namespace custflow::reporting::testing {

struct Reply {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false); }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline size_t AppendReplyBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

inline size_t KeepReplyHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    (*static_cast<std::map<std::string, std::string>*>(out))[name] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * count;
}

// `headers` as "Name: value". A POST sends `body`.
inline Reply Send(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::vector<std::string>& headers = {}) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_slist* header_list = curl_slist_append(nullptr, "Expect:");
  for (const std::string& header : headers) header_list = curl_slist_append(header_list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendReplyBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, KeepReplyHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace custflow::reporting::testing

#include "custflow/core/cors.h"

#include <algorithm>
#include <utility>

namespace custflow::core {

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins, std::string methods,
                       std::string exposed_headers)
    : allowed_origins_(std::move(allowed_origins)),
      methods_(std::move(methods)),
      exposed_headers_(std::move(exposed_headers)) {}

bool CorsPolicy::Allows(std::string_view origin) const {
  return std::find(allowed_origins_.begin(), allowed_origins_.end(), "*") != allowed_origins_.end() ||
         std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) != allowed_origins_.end();
}

HttpResponse CorsPolicy::Base(const HttpRequest& request) const {
  HttpResponse response;
  response.headers.emplace_back("Vary", "Origin");
  std::string_view origin = request.Header("origin");
  if (origin.empty() || !Allows(origin)) return response;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response.headers.emplace_back("Access-Control-Expose-Headers", exposed_headers_);
  return response;
}

std::optional<HttpResponse> CorsPolicy::Preflight(const HttpRequest& request, HttpResponse base) const {
  std::string_view origin = request.Header("origin");
  if (!origin.empty() && !Allows(origin)) return std::nullopt;
  HttpResponse response = std::move(base);
  response.status = 204;
  response.headers.emplace_back("Allow", methods_);
  if (!origin.empty()) {
    response.headers.emplace_back("Access-Control-Allow-Methods", methods_);
    // Authorization carries the bearer token (docs/SECURITY.md).
    response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    response.headers.emplace_back("Access-Control-Max-Age", "600");
  }
  return response;
}

}  // namespace custflow::core

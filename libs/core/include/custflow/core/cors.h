// CORS for the services' HTTP APIs (browser beacons to ingest, the dashboard to
// reporting): which origins may call, the headers every answer carries, and the answer to
// a preflight. Each service answers a refused origin in its own error format.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/core/http_server.h"

namespace custflow::core {

class CorsPolicy {
 public:
  // `allowed_origins` may hold "*" for any origin; `methods` is the Allow list
  // ("POST, OPTIONS"); `exposed_headers` the response headers scripts may read.
  CorsPolicy(std::vector<std::string> allowed_origins, std::string methods, std::string exposed_headers);

  bool Allows(std::string_view origin) const;

  // The headers every answer to `request` carries: Vary: Origin and, for an allowed
  // origin, Access-Control-Allow-Origin and -Expose-Headers.
  HttpResponse Base(const HttpRequest& request) const;

  // The 204 answer to an OPTIONS preflight, built on `base`; nullopt when the request's
  // origin is not allowed.
  std::optional<HttpResponse> Preflight(const HttpRequest& request, HttpResponse base) const;

  const std::string& methods() const { return methods_; }

 private:
  std::vector<std::string> allowed_origins_;
  std::string methods_;
  std::string exposed_headers_;
};

}  // namespace custflow::core

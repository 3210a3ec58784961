// Authentication as every service's main sets it up: the AUTH_TOKENS_FILE setting, the
// request authenticator it yields, and the HTTP routes behind it (docs/SECURITY.md).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/core/config.h"
#include "custflow/core/cors.h"
#include "custflow/core/http_server.h"

namespace custflow::runtime {

class AuthSetup {
 public:
  // Declares AUTH_TOKENS_FILE on `config`.
  explicit AuthSetup(core::Config& config);

  // The token file's principals; without AUTH_TOKENS_FILE authentication is off (every
  // caller an administrator), which is logged as a warning. A bad file is an error
  // naming every problem.
  absl::StatusOr<auth::RequestAuthenticator> Load() const;

 private:
  std::string tokens_file_;
};

// An HTTP handler told who calls: the principal allowed the route, or nullopt for a CORS
// preflight (OPTIONS), which carries no credentials.
using AuthorizedHttpHandler =
    std::function<void(std::optional<auth::Principal> caller, core::HttpRequest, core::HttpResponder)>;

// Serves `next` only to callers `authenticator` lets call the route: 401 with
// WWW-Authenticate: Bearer without a valid token, 403 when the role may not; both with a
// JSON error body like the other routes'. CORS preflights pass, without a caller. With
// `cors`, the 401 and 403 answers carry its headers for the request's origin, so a page
// may read why it was refused. `authenticator` and `cors` must outlive the handler.
core::AsyncHttpHandler RequireAuthentication(const auth::RequestAuthenticator& authenticator,
                                             AuthorizedHttpHandler next,
                                             const core::CorsPolicy* cors = nullptr);

}  // namespace custflow::runtime

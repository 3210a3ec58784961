// Authentication as every service's main sets it up: the AUTH_TOKENS_FILE setting, the
// request authenticator it yields (kept current with the file), and the HTTP routes
// behind it (docs/SECURITY.md).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/core/config.h"
#include "custflow/core/cors.h"
#include "custflow/core/http_server.h"

namespace custflow::runtime {

class AuthSetup {
 public:
  // Declares AUTH_TOKENS_FILE and AUTH_TOKENS_RELOAD on `config`.
  explicit AuthSetup(core::Config& config);

  // The token file's principals; without AUTH_TOKENS_FILE authentication is off (every
  // caller an administrator), which is logged as a warning. A bad file is an error
  // naming every problem.
  // From then on the file is read again every AUTH_TOKENS_RELOAD, until this object is
  // destroyed: a changed file that parses replaces the principals of the authenticator
  // and of all its copies (so a token is added or revoked without a restart, e.g. when
  // Kubernetes updates a mounted Secret); one that does not is logged and ignored.
  absl::StatusOr<auth::RequestAuthenticator> Load();

 private:
  std::string tokens_file_;
  std::chrono::milliseconds reload_interval_;
  std::jthread watcher_;
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

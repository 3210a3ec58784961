// The AUTH_TOKENS_FILE setting every service declares, the authenticator it yields, and
// the guard in front of a service's own HTTP routes (docs/SECURITY.md).
#include "custflow/runtime/auth_setup.h"

#include <memory>
#include <utility>

#include "custflow/auth/token_store.h"
#include "custflow/core/log.h"
#include "nlohmann/json.hpp"

namespace custflow::runtime {
namespace {

// The same JSON error body the services' HTTP APIs answer with.
core::HttpResponse AuthErrorResponse(const absl::Status& status, core::HttpResponse response) {
  const bool unauthenticated = status.code() == absl::StatusCode::kUnauthenticated;
  nlohmann::ordered_json body = {
      {"error",
       {{"code", absl::StatusCodeToString(status.code())}, {"message", std::string(status.message())}}}};
  response.status = unauthenticated ? 401 : 403;
  response.content_type = "application/json; charset=utf-8";
  // RFC 6750 §3: a 401 names the scheme the client should use.
  if (unauthenticated) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

}  // namespace

AuthSetup::AuthSetup(core::Config& config)
    : tokens_file_(config.String("AUTH_TOKENS_FILE", "",
                                 "YAML file of the principals and their token digests (docs/SECURITY.md); "
                                 "empty turns authentication off")) {}

absl::StatusOr<auth::RequestAuthenticator> AuthSetup::Load() const {
  if (tokens_file_.empty()) {
    core::LogWarn("authentication is off: every caller is an administrator; set AUTH_TOKENS_FILE");
    return auth::RequestAuthenticator::Open();
  }
  absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Load(tokens_file_);
  if (!tokens.ok()) return tokens.status();
  core::LogInfo("authentication is on", {{"tokens_file", tokens_file_},
                                         {"principals", tokens->principal_count()},
                                         {"jwt", tokens->accepts_jwt()}});
  return auth::RequestAuthenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
}

core::AsyncHttpHandler RequireAuthentication(const auth::RequestAuthenticator& authenticator,
                                             AuthorizedHttpHandler next, const core::CorsPolicy* cors) {
  return [&authenticator, next = std::move(next), cors](core::HttpRequest request,
                                                        core::HttpResponder responder) {
    if (request.method == "OPTIONS") return next(std::nullopt, std::move(request), std::move(responder));
    absl::StatusOr<auth::Principal> caller =
        authenticator.AuthorizeHttp(request.method, request.path, request.Header("authorization"));
    if (!caller.ok()) {
      std::move(responder).Respond(
          AuthErrorResponse(caller.status(), cors ? cors->Base(request) : core::HttpResponse()));
      return;
    }
    next(*std::move(caller), std::move(request), std::move(responder));
  };
}

}  // namespace custflow::runtime

// The AUTH_TOKENS_FILE setting every service declares, the authenticator it yields, and
// the guard in front of a service's own HTTP routes (docs/SECURITY.md).
#include "custflow/runtime/auth_setup.h"

#include <condition_variable>
#include <memory>
#include <mutex>
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

// Reads `path` every `interval` until stopped; a text that differs from the last one
// seen and parses replaces the tokens of `authenticator`.
void WatchTokenFile(const std::stop_token& stop, const std::string& path, std::chrono::milliseconds interval,
                    std::string seen, auth::RequestAuthenticator authenticator) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  while (true) {
    wake.wait_for(lock, stop, interval, [] { return false; });
    if (stop.stop_requested()) return;
    // Unreadable (mid-replacement, say) counts as unchanged.
    absl::StatusOr<std::string> text = auth::ReadFile(path);
    if (!text.ok() || *text == seen) continue;
    seen = *std::move(text);
    absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(seen, path);
    if (!tokens.ok()) {
      core::LogError("token file changed but cannot be used; the previous principals stay in force",
                     {{"error", tokens.status().ToString()}});
      continue;
    }
    core::LogInfo(
        "token file reloaded",
        {{"tokens_file", path}, {"principals", tokens->principal_count()}, {"jwt", tokens->accepts_jwt()}});
    authenticator.ReplaceTokens(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
  }
}

}  // namespace

AuthSetup::AuthSetup(core::Config& config)
    : tokens_file_(config.String("AUTH_TOKENS_FILE", "",
                                 "YAML file of the principals and their token digests (docs/SECURITY.md); "
                                 "empty turns authentication off")),
      reload_interval_(config.Duration(
          "AUTH_TOKENS_RELOAD", std::chrono::seconds(10),
          "How often AUTH_TOKENS_FILE is read again: a changed file that parses takes effect without a "
          "restart, one with errors is logged and ignored. 0 reads it at start only.")) {}

absl::StatusOr<auth::RequestAuthenticator> AuthSetup::Load() {
  if (tokens_file_.empty()) {
    core::LogWarn("authentication is off: every caller is an administrator; set AUTH_TOKENS_FILE");
    return auth::RequestAuthenticator::Open();
  }
  absl::StatusOr<std::string> text = auth::ReadFile(tokens_file_);
  if (!text.ok()) return text.status();
  absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(*text, tokens_file_);
  if (!tokens.ok()) return tokens.status();
  core::LogInfo("authentication is on", {{"tokens_file", tokens_file_},
                                         {"principals", tokens->principal_count()},
                                         {"jwt", tokens->accepts_jwt()}});
  auth::RequestAuthenticator authenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
  if (reload_interval_.count() > 0) {
    watcher_ = std::jthread(WatchTokenFile, tokens_file_, reload_interval_, *std::move(text), authenticator);
  }
  return authenticator;
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

// Who is calling a service, and may they: the check every gRPC handler and HTTP route
// makes before it reads or changes anything. gRPC C++ offers no server hook that can
// refuse a call before its handler runs (interceptors cannot, and AuthMetadataProcessor
// needs TLS credentials), so each handler asks Authorize first; a test per service calls
// every rpc without a token and expects UNAUTHENTICATED, so none is forgotten.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/auth/token_store.h"

namespace grpc {
class ServerContextBase;
}

namespace custflow::auth {

class RequestAuthenticator {
 public:
  // Authentication off: every caller is the administrator "anonymous". For local use and
  // tests; a service without AUTH_TOKENS_FILE runs so and says it at start.
  static RequestAuthenticator Open();
  explicit RequestAuthenticator(std::shared_ptr<const TokenStore> tokens);

  bool open() const { return tokens_ == nullptr; }

  // Swaps in a new token set (a reloaded token file) for every copy of this authenticator;
  // calls already authenticated keep their principal. No effect when authentication is off.
  void ReplaceTokens(std::shared_ptr<const TokenStore> tokens);

  // The caller of `full_method` ("/custflow.v1.ProfileService/GetProfile") from the call's
  // "authorization" metadata ("Bearer <token>"): UNAUTHENTICATED without a valid token,
  // PERMISSION_DENIED when its role may not call the method. A null context is a call
  // made inside the process by code that authorized its own caller (the HTTP routes, the
  // report scheduler): it runs as the administrator "in-process".
  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase* context,
                                      std::string_view full_method) const;

  // The same for an HTTP request (permissions.h maps routes to rpcs).
  absl::StatusOr<Principal> AuthorizeHttp(std::string_view http_method, std::string_view path,
                                          std::string_view authorization_header) const;

 private:
  absl::StatusOr<Principal> Authenticate(std::string_view authorization_header) const;

  // Shared by the copies (services keep their own), so a replacement reaches them all.
  struct CurrentTokens {
    std::atomic<std::shared_ptr<const TokenStore>> store;
  };
  std::shared_ptr<CurrentTokens> tokens_;
};

}  // namespace custflow::auth

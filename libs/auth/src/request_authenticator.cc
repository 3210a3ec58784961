// Authentication by the token store, then the permission of the method for the role.
#include "custflow/auth/request_authenticator.h"

#include <grpcpp/server_context.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "custflow/auth/permissions.h"

namespace custflow::auth {
namespace {

Principal Administrator(std::string name) {
  Principal principal;
  principal.name = std::move(name);
  principal.role = Role::kAdmin;
  principal.pii = true;
  return principal;
}

absl::Status Denied(const Principal& principal, std::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(principal.name, " (role ",
                                                  std::string(RoleName(principal.role)), ") may not call ",
                                                  std::string(what)));
}

}  // namespace

RequestAuthenticator RequestAuthenticator::Open() { return RequestAuthenticator(nullptr); }

RequestAuthenticator::RequestAuthenticator(std::shared_ptr<const TokenStore> tokens) {
  if (tokens == nullptr) return;
  tokens_ = std::make_shared<CurrentTokens>();
  tokens_->store.store(std::move(tokens));
}

void RequestAuthenticator::ReplaceTokens(std::shared_ptr<const TokenStore> tokens) {
  if (open() || tokens == nullptr) return;
  tokens_->store.store(std::move(tokens));
}

absl::StatusOr<Principal> RequestAuthenticator::Authenticate(std::string_view authorization_header) const {
  if (open()) return Administrator("anonymous");
  return tokens_->store.load()->Authenticate(authorization_header);
}

absl::StatusOr<Principal> RequestAuthenticator::Authorize(const grpc::ServerContextBase* context,
                                                          std::string_view full_method) const {
  if (context == nullptr) return Administrator("in-process");
  std::string_view header;
  const auto& metadata = context->client_metadata();
  if (auto found = metadata.find("authorization"); found != metadata.end()) {
    header = std::string_view(found->second.data(), found->second.size());
  }
  absl::StatusOr<Principal> principal = Authenticate(header);
  if (!principal.ok()) return principal.status();
  if (!Allows(*principal, full_method)) return Denied(*principal, full_method);
  return principal;
}

absl::StatusOr<Principal> RequestAuthenticator::AuthorizeHttp(std::string_view http_method,
                                                              std::string_view path,
                                                              std::string_view authorization_header) const {
  absl::StatusOr<Principal> principal = Authenticate(authorization_header);
  if (!principal.ok()) return principal.status();
  if (!AllowsHttpRoute(*principal, http_method, path)) {
    return Denied(*principal, absl::StrCat(std::string(http_method), " ", std::string(path)));
  }
  return principal;
}

}  // namespace custflow::auth

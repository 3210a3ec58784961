// The principals allowed to call custflow, loaded from a YAML token file (tokens stored as
// SHA-256 digests only) with optional JWT settings, and the check of an Authorization
// header against them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/auth/jwt_verifier.h"
#include "custflow/auth/principal.h"
#include "custflow/auth/token_digest.h"

namespace custflow::auth {

// The whole text of a file (a token file, a key file it names); NOT_FOUND when unreadable.
absl::StatusOr<std::string> ReadFile(const std::string& path);

class TokenStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Reads and parses a token file; `clock` (the system clock when empty) dates JWTs.
  static absl::StatusOr<TokenStore> Load(const std::string& path, Clock clock = {});
  // Parses the text of a token file named `file_name`. A file with any error is refused
  // whole (INVALID_ARGUMENT) listing every error as "file:line:column: reason". Key files
  // named in `jwt` are read here.
  static absl::StatusOr<TokenStore> Parse(std::string_view text, std::string_view file_name,
                                          Clock clock = {});

  // The principal behind "Bearer <token>": an opaque token is hashed and compared with
  // every stored digest; a token with two dots is verified as a JWT. Failures are
  // UNAUTHENTICATED with a reason that never repeats the token.
  absl::StatusOr<Principal> Authenticate(std::string_view authorization_header) const;

  size_t principal_count() const { return principals_.size(); }
  bool accepts_jwt() const { return jwt_.has_value(); }

 private:
  TokenStore(std::vector<Principal> principals, std::vector<TokenDigest> digests,
             std::optional<JwtVerifier> jwt, Clock clock)
      : principals_(std::move(principals)),
        digests_(std::move(digests)),
        jwt_(std::move(jwt)),
        clock_(std::move(clock)) {}

  // Parallel: digests_[i] is the token of principals_[i].
  std::vector<Principal> principals_;
  std::vector<TokenDigest> digests_;
  std::optional<JwtVerifier> jwt_;
  Clock clock_;
};

}  // namespace custflow::auth

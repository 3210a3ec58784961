// Verification of JSON Web Tokens (RFC 7519) signed with HS256 or RS256: the algorithm
// named in the token must be one configured (never "none"), the signature must hold, then
// the issuer, expiry and not-before claims are checked and the claims become a Principal.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"

namespace custflow::auth {

struct JwtSettings {
  // The exact `iss` every token must carry.
  std::string issuer{};
  // The HMAC key for HS256 (at least 32 bytes); empty when HS256 is not accepted.
  std::string hs256_secret{};
  // The RSA public key for RS256 in PEM; empty when RS256 is not accepted.
  std::string rs256_public_key_pem{};
  // The clock difference tolerated on `exp` and `nbf`.
  std::chrono::seconds leeway{30};
};

class JwtVerifier {
 public:
  // Refuses settings without an issuer or a key, short HMAC keys and unusable RSA keys.
  static absl::StatusOr<JwtVerifier> Create(JwtSettings settings);

  // The principal a token names, or UNAUTHENTICATED with a reason that does not repeat
  // the token.
  absl::StatusOr<Principal> Verify(std::string_view token, std::chrono::system_clock::time_point now) const;

 private:
  struct PublicKey;

  JwtVerifier(JwtSettings settings, std::shared_ptr<const PublicKey> rs256_key)
      : settings_(std::move(settings)), rs256_key_(std::move(rs256_key)) {}

  std::string AcceptedAlgorithms() const;
  bool VerifySignature(std::string_view algorithm, std::string_view signed_part,
                       std::string_view signature) const;

  JwtSettings settings_;
  std::shared_ptr<const PublicKey> rs256_key_;
};

}  // namespace custflow::auth

#include "custflow/auth/jwt_verifier.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "custflow/auth/token_digest.h"

namespace custflow::auth {
namespace {

using Json = nlohmann::json;

constexpr size_t kMinHs256SecretBytes = 32;
constexpr int kMinRsaBits = 2048;

absl::Status Refused(std::string_view reason) {
  return absl::UnauthenticatedError("JWT refused: " + std::string(reason));
}

// A JSON object from a base64url part, or nullopt.
std::optional<Json> DecodeObject(std::string_view part) {
  std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  Json object = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) return std::nullopt;
  return object;
}

// A string claim: absent is empty; another type is an error.
absl::StatusOr<std::string> StringClaim(const Json& claims, const char* name) {
  auto found = claims.find(name);
  if (found == claims.end() || found->is_null()) return std::string();
  if (!found->is_string()) return Refused(std::string("claim '") + name + "' must be a string");
  return found->get<std::string>();
}

// A NumericDate claim (seconds since the epoch), or nullopt when absent.
absl::StatusOr<std::optional<double>> TimeClaim(const Json& claims, const char* name) {
  auto found = claims.find(name);
  if (found == claims.end()) return std::optional<double>();
  if (!found->is_number() || !std::isfinite(found->get<double>())) {
    return Refused(std::string("claim '") + name + "' must be a number of seconds");
  }
  return std::optional<double>(found->get<double>());
}

absl::Status CheckTimes(const Json& claims, std::chrono::system_clock::time_point now,
                        std::chrono::seconds leeway) {
  double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  double slack = static_cast<double>(leeway.count());
  absl::StatusOr<std::optional<double>> expiry = TimeClaim(claims, "exp");
  if (!expiry.ok()) return expiry.status();
  if (!expiry->has_value()) return Refused("it has no 'exp'");
  if (now_seconds >= **expiry + slack) return Refused("it has expired");
  absl::StatusOr<std::optional<double>> not_before = TimeClaim(claims, "nbf");
  if (!not_before.ok()) return not_before.status();
  if (not_before->has_value() && now_seconds + slack < **not_before) return Refused("it is not valid yet");
  return absl::OkStatus();
}

absl::StatusOr<Principal> PrincipalOf(const Json& claims) {
  Principal principal;
  absl::StatusOr<std::string> name = StringClaim(claims, "sub");
  absl::StatusOr<std::string> role = StringClaim(claims, "role");
  absl::StatusOr<std::string> department = StringClaim(claims, "department");
  absl::StatusOr<std::string> owner = StringClaim(claims, "owner");
  for (const auto* claim : {&name, &role, &department, &owner}) {
    if (!claim->ok()) return claim->status();
  }
  std::optional<Role> parsed_role = ParseRole(*role);
  if (!parsed_role) return Refused("claim 'role' must be admin, manager, sales, service or ingest");
  principal.name = *std::move(name);
  principal.role = *parsed_role;
  principal.department = *std::move(department);
  principal.owner = *std::move(owner);
  principal.pii = PiiByDefault(principal.role);
  if (auto pii = claims.find("pii"); pii != claims.end()) {
    if (!pii->is_boolean()) return Refused("claim 'pii' must be true or false");
    principal.pii = pii->get<bool>();
  }
  if (absl::Status valid = ValidatePrincipal(principal); !valid.ok())
    return Refused(std::string(valid.message()));
  return principal;
}

}  // namespace

struct JwtVerifier::PublicKey {
  explicit PublicKey(EVP_PKEY* key) : key(key) {}
  ~PublicKey() { EVP_PKEY_free(key); }
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  EVP_PKEY* key;
};

absl::StatusOr<JwtVerifier> JwtVerifier::Create(JwtSettings settings) {
  if (settings.issuer.empty()) return absl::InvalidArgumentError("jwt needs an issuer");
  if (settings.hs256_secret.empty() && settings.rs256_public_key_pem.empty()) {
    return absl::InvalidArgumentError("jwt needs an HS256 secret, an RS256 public key or both");
  }
  if (!settings.hs256_secret.empty() && settings.hs256_secret.size() < kMinHs256SecretBytes) {
    return absl::InvalidArgumentError("the HS256 secret must have at least 32 bytes");
  }
  if (settings.leeway.count() < 0) return absl::InvalidArgumentError("the leeway must not be negative");
  std::shared_ptr<const PublicKey> rs256_key;
  if (!settings.rs256_public_key_pem.empty()) {
    const std::string& pem = settings.rs256_public_key_pem;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) return absl::ResourceExhaustedError("cannot read the RS256 public key");
    auto key = std::make_shared<const PublicKey>(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    if (key->key == nullptr)
      return absl::InvalidArgumentError("the RS256 public key is not a PEM public key");
    if (EVP_PKEY_get_base_id(key->key) != EVP_PKEY_RSA) {
      return absl::InvalidArgumentError("the RS256 public key is not an RSA key");
    }
    if (EVP_PKEY_get_bits(key->key) < kMinRsaBits) {
      return absl::InvalidArgumentError("the RS256 public key must have at least 2048 bits");
    }
    rs256_key = std::move(key);
  }
  return JwtVerifier(std::move(settings), std::move(rs256_key));
}

std::string JwtVerifier::AcceptedAlgorithms() const {
  std::string names = settings_.hs256_secret.empty() ? "" : "HS256";
  if (rs256_key_ != nullptr) names += names.empty() ? "RS256" : ", RS256";
  return names;
}

bool JwtVerifier::VerifySignature(std::string_view algorithm, std::string_view signed_part,
                                  std::string_view signature) const {
  const auto* data = reinterpret_cast<const unsigned char*>(signed_part.data());
  const auto* expected = reinterpret_cast<const unsigned char*>(signature.data());
  if (algorithm == "HS256") {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    const std::string& secret = settings_.hs256_secret;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), data, signed_part.size(), mac,
             &mac_size) == nullptr) {
      return false;
    }
    return signature.size() == mac_size && CRYPTO_memcmp(mac, expected, mac_size) == 0;
  }
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr) return false;
  bool valid = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, rs256_key_->key) == 1 &&
               EVP_DigestVerify(context, expected, signature.size(), data, signed_part.size()) == 1;
  EVP_MD_CTX_free(context);
  return valid;
}

absl::StatusOr<Principal> JwtVerifier::Verify(std::string_view token,
                                              std::chrono::system_clock::time_point now) const {
  size_t first_dot = token.find('.');
  size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return Refused("it does not have three parts");
  }
  std::optional<Json> header = DecodeObject(token.substr(0, first_dot));
  if (!header) return Refused("the header is not base64url JSON");
  auto algorithm_field = header->find("alg");
  if (algorithm_field == header->end() || !algorithm_field->is_string())
    return Refused("the header has no 'alg'");
  std::string algorithm = algorithm_field->get<std::string>();
  bool configured = (algorithm == "HS256" && !settings_.hs256_secret.empty()) ||
                    (algorithm == "RS256" && rs256_key_ != nullptr);
  if (!configured) return Refused("its algorithm is not one accepted here (" + AcceptedAlgorithms() + ")");
  // Extensions marked critical must be understood, and none are.
  if (header->contains("crit")) return Refused("the header lists critical extensions");
  std::optional<std::string> signature = Base64UrlDecode(token.substr(second_dot + 1));
  if (!signature) return Refused("the signature is not base64url");
  if (!VerifySignature(algorithm, token.substr(0, second_dot), *signature)) {
    return Refused("the signature does not match");
  }
  std::optional<Json> claims = DecodeObject(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!claims) return Refused("the payload is not base64url JSON");
  auto issuer = claims->find("iss");
  if (issuer == claims->end() || !issuer->is_string() || issuer->get<std::string>() != settings_.issuer) {
    return Refused("the issuer is not the one configured");
  }
  if (absl::Status times = CheckTimes(*claims, now, settings_.leeway); !times.ok()) return times;
  return PrincipalOf(*claims);
}

}  // namespace custflow::auth

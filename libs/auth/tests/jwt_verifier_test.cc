// JWT verification: signatures (HS256, RS256 with a key generated here), algorithm
// confusion, issuer, expiry, not-before and the role rules on the claims.
#include "custflow/auth/jwt_verifier.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <functional>

#include "custflow/auth/token_digest.h"
#include "jwt_test_support.h"

namespace custflow::auth {
namespace {

using nlohmann::json;
using testing_support::SignHs256;
using testing_support::TestRsaKey;

constexpr int64_t kNow = 1'800'000'000;
const std::string kSecret = "an HS256 secret of at least thirty-two bytes";
const std::string kIssuer = "https://sso.example.com";

std::chrono::system_clock::time_point Now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
}

const TestRsaKey& RsaKey() {
  static const TestRsaKey key;
  return key;
}

json SalesClaims() {
  return {{"iss", kIssuer},           {"sub", "li.na"},  {"role", "sales"},
          {"department", "销售一部"}, {"owner", "李娜"}, {"exp", kNow + 600}};
}

json With(json claims, const std::string& name, json value) {
  claims[name] = std::move(value);
  return claims;
}

json Without(json claims, const std::string& name) {
  claims.erase(name);
  return claims;
}

// Replaces the middle part of `token` with that of `other`.
std::string SwapPayload(const std::string& token, const std::string& other) {
  size_t first = token.find('.'), second = token.rfind('.');
  size_t other_first = other.find('.'), other_second = other.rfind('.');
  return token.substr(0, first) + other.substr(other_first, other_second - other_first) +
         token.substr(second);
}

enum class Keys { kBoth, kHs256Only, kRs256Only };

JwtVerifier Verifier(Keys keys) {
  JwtSettings settings{.issuer = kIssuer, .leeway = std::chrono::seconds(30)};
  if (keys != Keys::kRs256Only) settings.hs256_secret = kSecret;
  if (keys != Keys::kHs256Only) settings.rs256_public_key_pem = RsaKey().PublicPem();
  absl::StatusOr<JwtVerifier> verifier = JwtVerifier::Create(settings);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return *std::move(verifier);
}

struct VerifyCase {
  std::string label;
  Keys keys;
  std::function<std::string()> token;
  std::string error;  // a part of the reason; empty when the token is good
};

void PrintTo(const VerifyCase& c, std::ostream* out) { *out << c.label; }

class JwtVerifyTest : public testing::TestWithParam<VerifyCase> {};

TEST_P(JwtVerifyTest, AcceptsOnlyGoodTokens) {
  const VerifyCase& c = GetParam();
  std::string token = c.token();
  absl::StatusOr<Principal> principal = Verifier(c.keys).Verify(token, Now());
  if (c.error.empty()) {
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_EQ(principal->name, "li.na");
    return;
  }
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
  std::string message(principal.status().message());
  EXPECT_NE(message.find(c.error), std::string::npos) << message;
  std::string signature = token.substr(token.rfind('.') + 1, 8);
  if (!signature.empty()) {
    EXPECT_EQ(message.find(signature), std::string::npos) << "echoes the token";
  }
}

std::string Good() { return SignHs256(SalesClaims(), kSecret); }

INSTANTIATE_TEST_SUITE_P(
    Cases, JwtVerifyTest,
    testing::Values(
        VerifyCase{"hs256_good", Keys::kBoth, Good, ""},
        VerifyCase{"rs256_good", Keys::kBoth, [] { return RsaKey().Sign(SalesClaims()); }, ""},
        VerifyCase{"rs256_only_good", Keys::kRs256Only, [] { return RsaKey().Sign(SalesClaims()); }, ""},
        VerifyCase{"expired", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "exp", kNow - 31), kSecret); }, "expired"},
        VerifyCase{"expired_within_leeway", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "exp", kNow - 10), kSecret); }, ""},
        VerifyCase{"without_expiry", Keys::kBoth,
                   [] { return SignHs256(Without(SalesClaims(), "exp"), kSecret); }, "no 'exp'"},
        VerifyCase{"expiry_as_text", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "exp", "tomorrow"), kSecret); },
                   "'exp' must be"},
        VerifyCase{"not_yet_valid", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "nbf", kNow + 60), kSecret); }, "not valid yet"},
        VerifyCase{"not_before_within_leeway", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "nbf", kNow + 10), kSecret); }, ""},
        VerifyCase{"wrong_issuer", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "iss", "https://evil.example.com"), kSecret); },
                   "issuer"},
        VerifyCase{"without_issuer", Keys::kBoth,
                   [] { return SignHs256(Without(SalesClaims(), "iss"), kSecret); }, "issuer"},
        VerifyCase{"tampered_payload", Keys::kBoth,
                   [] { return SwapPayload(Good(), SignHs256(With(SalesClaims(), "role", "admin"), "x")); },
                   "signature does not match"},
        VerifyCase{"tampered_rs256_payload", Keys::kBoth,
                   [] {
                     return SwapPayload(RsaKey().Sign(SalesClaims()),
                                        SignHs256(With(SalesClaims(), "role", "admin"), "x"));
                   },
                   "signature does not match"},
        VerifyCase{"tampered_signature", Keys::kBoth,
                   [] {
                     std::string token = Good();
                     char& c = token[token.rfind('.') + 1];
                     c = c == 'A' ? 'B' : 'A';
                     return token;
                   },
                   "signature does not match"},
        VerifyCase{"signed_with_another_secret", Keys::kBoth,
                   [] { return SignHs256(SalesClaims(), "another secret of at least thirty-two bytes"); },
                   "signature does not match"},
        VerifyCase{"alg_none", Keys::kBoth,
                   [] {
                     return testing_support::SigningInput({{"alg", "none"}}, SalesClaims()) + ".";
                   },
                   "algorithm is not one accepted"},
        VerifyCase{"alg_missing", Keys::kBoth,
                   [] {
                     return SignHs256(SalesClaims(), kSecret, {{"typ", "JWT"}});
                   },
                   "no 'alg'"},
        VerifyCase{"alg_hs512", Keys::kBoth,
                   [] {
                     return SignHs256(SalesClaims(), kSecret, {{"alg", "HS512"}});
                   },
                   "algorithm is not one accepted"},
        VerifyCase{"rs256_not_configured", Keys::kHs256Only, [] { return RsaKey().Sign(SalesClaims()); },
                   "algorithm is not one accepted here (HS256)"},
        // The public key used as an HMAC secret must not pass for an RS256 token.
        VerifyCase{"hs256_with_public_key_as_secret", Keys::kRs256Only,
                   [] { return SignHs256(SalesClaims(), RsaKey().PublicPem()); },
                   "algorithm is not one accepted here (RS256)"},
        VerifyCase{"critical_extension", Keys::kBoth,
                   [] {
                     return SignHs256(SalesClaims(), kSecret, {{"alg", "HS256"}, {"crit", {"exp"}}});
                   },
                   "critical"},
        VerifyCase{"unknown_role", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "role", "root"), kSecret); }, "claim 'role'"},
        VerifyCase{"sales_without_owner", Keys::kBoth,
                   [] { return SignHs256(Without(SalesClaims(), "owner"), kSecret); }, "needs an owner"},
        VerifyCase{
            "manager_without_department", Keys::kBoth,
            [] { return SignHs256(Without(With(SalesClaims(), "role", "manager"), "department"), kSecret); },
            "manager needs a department"},
        VerifyCase{"without_subject", Keys::kBoth,
                   [] { return SignHs256(Without(SalesClaims(), "sub"), kSecret); }, "needs a name"},
        VerifyCase{"pii_as_text", Keys::kBoth,
                   [] { return SignHs256(With(SalesClaims(), "pii", "yes"), kSecret); }, "'pii'"},
        VerifyCase{"four_parts", Keys::kBoth, [] { return Good() + ".x"; }, "three parts"},
        VerifyCase{"header_not_json", Keys::kBoth,
                   [] { return Base64UrlEncode("{alg") + Good().substr(Good().find('.')); }, "header"},
        VerifyCase{"signature_not_base64url", Keys::kBoth, [] { return Good() + "="; }, "not base64url"}),
    [](const testing::TestParamInfo<VerifyCase>& param) { return param.param.label; });

TEST(JwtVerifierTest, ClaimsBecomeThePrincipal) {
  json claims = {{"iss", kIssuer},           {"sub", "wang.fang"}, {"role", "manager"},
                 {"department", "销售二部"}, {"pii", true},        {"exp", kNow + 60}};
  absl::StatusOr<Principal> principal = Verifier(Keys::kBoth).Verify(RsaKey().Sign(claims), Now());
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->name, "wang.fang");
  EXPECT_EQ(principal->role, Role::kManager);
  EXPECT_EQ(principal->department, "销售二部");
  EXPECT_TRUE(principal->pii);
}

TEST(JwtVerifierTest, PiiDefaultsByRole) {
  json admin = {{"iss", kIssuer}, {"sub", "root"}, {"role", "admin"}, {"exp", kNow + 60}};
  EXPECT_TRUE(Verifier(Keys::kBoth).Verify(SignHs256(admin, kSecret), Now())->pii);
  EXPECT_FALSE(Verifier(Keys::kBoth).Verify(Good(), Now())->pii);
}

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(JwtVerifierTest, RefusesUnusableSettings) {
  struct Case {
    std::string label;
    JwtSettings settings;
    std::string error;
  };
  const Case cases[] = {
      {"no_issuer", {.hs256_secret = kSecret}, "issuer"},
      {"no_key", {.issuer = kIssuer}, "needs an HS256 secret, an RS256 public key or both"},
      {"short_secret", {.issuer = kIssuer, .hs256_secret = "short"}, "at least 32 bytes"},
      {"not_pem", {.issuer = kIssuer, .rs256_public_key_pem = "not a key"}, "not a PEM public key"},
      {"ec_key", {.issuer = kIssuer, .rs256_public_key_pem = PemOf(EVP_EC_gen("P-256"))}, "not an RSA key"},
      {"small_rsa_key",
       {.issuer = kIssuer, .rs256_public_key_pem = TestRsaKey(1024).PublicPem()},
       "2048 bits"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<JwtVerifier> verifier = JwtVerifier::Create(c.settings);
    ASSERT_FALSE(verifier.ok()) << c.label;
    EXPECT_NE(std::string(verifier.status().message()).find(c.error), std::string::npos)
        << c.label << ": " << verifier.status();
  }
}

}  // namespace
}  // namespace custflow::auth

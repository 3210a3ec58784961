// Builds signed JWTs for the tests: HS256 with a given secret, RS256 with an RSA key
// generated in the process, and unsigned ones.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace custflow::auth::testing_support {

// "<header>.<claims>" in base64url, the part a signature covers.
std::string SigningInput(const nlohmann::json& header, const nlohmann::json& claims);

std::string SignHs256(const nlohmann::json& claims, std::string_view secret,
                      const nlohmann::json& header = {{"alg", "HS256"}, {"typ", "JWT"}});

class TestRsaKey {
 public:
  // A fresh key pair from OpenSSL's key generator.
  explicit TestRsaKey(int bits = 2048);

  std::string PublicPem() const;
  std::string Sign(const nlohmann::json& claims,
                   const nlohmann::json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace custflow::auth::testing_support

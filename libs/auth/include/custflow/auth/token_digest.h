// Opaque bearer tokens: minting, SHA-256 digests (the only form a token is stored in), the
// constant-time search of a token among the stored digests, and base64url.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace custflow::auth {

using TokenDigest = std::array<uint8_t, 32>;

TokenDigest DigestToken(std::string_view token);
// 64 lowercase hex digits.
std::string DigestToHex(const TokenDigest& digest);
// 64 hex digits, either case.
std::optional<TokenDigest> ParseDigestHex(std::string_view hex);

// A fresh token: 32 random bytes from the OpenSSL generator, base64url without padding.
absl::StatusOr<std::string> NewToken();

// The index of `candidate` in `digests`. Every digest is compared in full with
// CRYPTO_memcmp and the loop never stops early, so the time taken does not tell how
// close a guess came or where the match is.
std::optional<size_t> FindDigest(std::span<const TokenDigest> digests, const TokenDigest& candidate);

// base64url (RFC 4648 §5) without padding, as JWTs use it.
std::string Base64UrlEncode(std::string_view bytes);
// Refuses padding, characters outside the alphabet and impossible lengths.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace custflow::auth

// Token digests, minting, the constant-time digest search and base64url.
#include "custflow/auth/token_digest.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace custflow::auth {
namespace {

TEST(TokenDigestTest, DigestIsSha256InLowercaseHex) {
  EXPECT_EQ(DigestToHex(DigestToken("password")),
            "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
  EXPECT_EQ(DigestToHex(DigestToken("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TokenDigestTest, HexParsesInEitherCaseAndRefusesOtherText) {
  TokenDigest digest = DigestToken("password");
  EXPECT_EQ(ParseDigestHex("5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8"), digest);
  EXPECT_EQ(ParseDigestHex(DigestToHex(digest)), digest);
  EXPECT_EQ(ParseDigestHex("5e88"), std::nullopt);
  EXPECT_EQ(ParseDigestHex(std::string(64, 'g')), std::nullopt);
  EXPECT_EQ(ParseDigestHex(DigestToHex(digest) + "0"), std::nullopt);
}

TEST(TokenDigestTest, NewTokensAreLongRandomAndBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<std::string> token = NewToken();
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(token->size(), 43u);  // 32 bytes
    EXPECT_EQ(Base64UrlDecode(*token)->size(), 32u);
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(FindDigestTest, ComparesEveryDigestAndFindsAnyPosition) {
  std::vector<TokenDigest> digests;
  for (int i = 0; i < 50; ++i) digests.push_back(DigestToken("token-" + std::to_string(i)));
  EXPECT_EQ(FindDigest(digests, DigestToken("token-0")), 0u);
  EXPECT_EQ(FindDigest(digests, DigestToken("token-25")), 25u);
  EXPECT_EQ(FindDigest(digests, DigestToken("token-49")), 49u);
  EXPECT_EQ(FindDigest(digests, DigestToken("token-50")), std::nullopt);
  // A digest differing only in its last byte is no match.
  TokenDigest near = digests[7];
  near.back() ^= 1;
  EXPECT_EQ(FindDigest(digests, near), std::nullopt);
  EXPECT_EQ(FindDigest({}, near), std::nullopt);
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << i;
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RefusesPaddingForeignCharactersAndImpossibleLengths) {
  EXPECT_EQ(Base64UrlDecode("YQ=="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("a+b/"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("YWJjZ"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("YR"), std::nullopt);  // non-zero unused bits
  EXPECT_EQ(Base64UrlDecode("YQ"), "a");
}

}  // namespace
}  // namespace custflow::auth

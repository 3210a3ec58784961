// The token file (every error refused with its position) and the authentication of
// Authorization headers with opaque tokens and JWTs.
#include "custflow/auth/token_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "custflow/auth/token_digest.h"
#include "jwt_test_support.h"

namespace custflow::auth {
namespace {

using nlohmann::json;

std::string Digest(std::string_view token) { return DigestToHex(DigestToken(token)); }

const std::string kGoodFile = R"(# who may call custflow
principals:
  - name: root
    role: admin
    token_sha256: )" + Digest("token-root") +
                              R"(
  - name: wang.fang
    role: manager
    department: 销售一部
    token_sha256: )" + Digest("token-wang") +
                              R"(
  - name: li.na
    role: sales            # sees only her customers
    department: 销售一部
    owner: 李娜
    pii: true
    token_sha256: )" + Digest("token-li") +
                              R"(
  - name: tagging
    role: service
    token_sha256: )" + Digest("token-tagging") +
                              R"(
  - name: pos
    role: ingest
    token_sha256: )" + Digest("token-pos") +
                              "\n";

TokenStore GoodStore() {
  absl::StatusOr<TokenStore> store = TokenStore::Parse(kGoodFile, "tokens.yaml");
  EXPECT_TRUE(store.ok()) << store.status();
  return *std::move(store);
}

TEST(TokenStoreTest, LoadsEveryPrincipalWithItsRole) {
  TokenStore store = GoodStore();
  EXPECT_EQ(store.principal_count(), 5u);
  EXPECT_FALSE(store.accepts_jwt());
  absl::StatusOr<Principal> li = store.Authenticate("Bearer token-li");
  ASSERT_TRUE(li.ok()) << li.status();
  EXPECT_EQ(li->name, "li.na");
  EXPECT_EQ(li->role, Role::kSales);
  EXPECT_EQ(li->department, "销售一部");
  EXPECT_EQ(li->owner, "李娜");
  EXPECT_TRUE(li->pii);
  EXPECT_FALSE(store.Authenticate("Bearer token-wang")->pii);
  EXPECT_TRUE(store.Authenticate("Bearer token-root")->pii);  // admins see PII unless told otherwise
}

TEST(TokenStoreTest, EveryPositionInTheListAuthenticates) {
  // Each lookup goes through the full constant-time comparison over all digests.
  TokenStore store = GoodStore();
  const std::pair<std::string, std::string> tokens[] = {{"token-root", "root"},
                                                        {"token-wang", "wang.fang"},
                                                        {"token-li", "li.na"},
                                                        {"token-tagging", "tagging"},
                                                        {"token-pos", "pos"}};
  for (const auto& [token, name] : tokens) {
    absl::StatusOr<Principal> principal = store.Authenticate("Bearer " + token);
    ASSERT_TRUE(principal.ok()) << token << ": " << principal.status();
    EXPECT_EQ(principal->name, name);
  }
}

struct HeaderCase {
  std::string label;
  std::string header;
  std::string name;   // the principal, or empty when refused
  std::string error;  // a part of the reason when refused
};

void PrintTo(const HeaderCase& c, std::ostream* out) { *out << c.label; }

class AuthenticateTest : public testing::TestWithParam<HeaderCase> {};

TEST_P(AuthenticateTest, MapsTheHeaderToAPrincipalOrAReason) {
  const HeaderCase& c = GetParam();
  absl::StatusOr<Principal> principal = GoodStore().Authenticate(c.header);
  if (!c.name.empty()) {
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_EQ(principal->name, c.name);
    return;
  }
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
  std::string message(principal.status().message());
  EXPECT_NE(message.find(c.error), std::string::npos) << message;
  EXPECT_EQ(message.find("guess"), std::string::npos) << "echoes the token: " << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AuthenticateTest,
    testing::Values(HeaderCase{"good", "Bearer token-li", "li.na", ""},
                    HeaderCase{"scheme_in_any_case", "bEARER token-li", "li.na", ""},
                    HeaderCase{"surrounding_spaces", "  Bearer   token-li \r\n", "li.na", ""},
                    HeaderCase{"missing", "", "", "no authorization"},
                    HeaderCase{"blank", "   ", "", "no authorization"},
                    HeaderCase{"basic_scheme", "Basic guess", "", "not 'Bearer <token>'"},
                    HeaderCase{"scheme_only", "Bearer", "", "not 'Bearer <token>'"},
                    HeaderCase{"no_space", "Bearerguess", "", "not 'Bearer <token>'"},
                    HeaderCase{"two_tokens", "Bearer guess guess", "", "malformed"},
                    HeaderCase{"control_character", std::string("Bearer gue\0ss", 13), "", "malformed"},
                    HeaderCase{"non_ascii", "Bearer guess令牌", "", "malformed"},
                    HeaderCase{"overlong", "Bearer " + std::string(8193, 'g'), "", "too long"},
                    HeaderCase{"wrong_token", "Bearer guess-token", "", "not known"},
                    HeaderCase{"digest_instead_of_token", "Bearer " + Digest("token-li"), "", "not known"},
                    HeaderCase{"prefix_of_a_token", "Bearer token-l", "", "not known"},
                    HeaderCase{"jwt_without_jwt_settings", "Bearer guess.guess.guess", "",
                               "JWTs are not accepted"}),
    [](const testing::TestParamInfo<HeaderCase>& param) { return param.param.label; });

struct FileCase {
  std::string label;
  std::string text;
  std::string error;  // "line:column: reason" part expected in the refusal
};

void PrintTo(const FileCase& c, std::ostream* out) { *out << c.label; }

class TokenFileErrorTest : public testing::TestWithParam<FileCase> {};

TEST_P(TokenFileErrorTest, RefusesTheWholeFileWithThePosition) {
  absl::StatusOr<TokenStore> store = TokenStore::Parse(GetParam().text, "tokens.yaml");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(store.status().message());
  EXPECT_NE(message.find("tokens.yaml:" + GetParam().error), std::string::npos) << message;
}

const std::string kDigest = Digest("a");

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TokenFileErrorTest,
    testing::Values(
        FileCase{"unknown_top_key", "principals: []\nusers: []\n",
                 "2:1: unknown key 'users' in the token file"},
        FileCase{
            "unknown_principal_key",
            "principals:\n  - name: a\n    role: admin\n    token: x\n    token_sha256: " + kDigest + "\n",
            "4:5: unknown key 'token' in a principal"},
        FileCase{"unknown_role",
                 "principals:\n  - name: a\n    role: root\n    token_sha256: " + kDigest + "\n",
                 "3:11: principal 'a': role 'root' is not admin"},
        FileCase{"missing_role", "principals:\n  - name: a\n    token_sha256: " + kDigest + "\n",
                 "2:5: principal 'a': role '' is not admin"},
        FileCase{"manager_without_department",
                 "principals:\n  - name: m\n    role: manager\n    token_sha256: " + kDigest + "\n",
                 "2:5: principal 'm': a manager needs a department"},
        FileCase{"sales_without_owner",
                 "principals:\n  - name: s\n    role: sales\n    department: d\n    token_sha256: " +
                     kDigest + "\n",
                 "2:5: principal 's': a sales principal needs an owner"},
        FileCase{"nameless", "principals:\n  - role: admin\n    token_sha256: " + kDigest + "\n",
                 "2:5: principal '': a principal needs a name"},
        FileCase{"short_digest", "principals:\n  - name: a\n    role: admin\n    token_sha256: 5e88\n",
                 "4:19: principal 'a': token_sha256 must be 64 hex digits"},
        FileCase{
            "digest_not_hex",
            "principals:\n  - name: a\n    role: admin\n    token_sha256: " + std::string(64, 'z') + "\n",
            "4:19: principal 'a': token_sha256 must be 64 hex digits"},
        FileCase{"missing_digest", "principals:\n  - name: a\n    role: admin\n",
                 "2:5: principal 'a': token_sha256 must be 64 hex digits"},
        FileCase{"duplicate_name",
                 "principals:\n  - name: a\n    role: admin\n    token_sha256: " + kDigest +
                     "\n  - name: a\n    role: admin\n    token_sha256: " + Digest("b") + "\n",
                 "5:11: principal 'a' is listed twice"},
        FileCase{"duplicate_digest",
                 "principals:\n  - name: a\n    role: admin\n    token_sha256: " + kDigest +
                     "\n  - name: b\n    role: ingest\n    token_sha256: " + kDigest + "\n",
                 "7:19: principal 'b' has the token of another principal"},
        FileCase{"duplicate_digest_in_other_case",
                 "principals:\n  - name: a\n    role: admin\n    token_sha256: " + kDigest +
                     "\n  - name: b\n    role: ingest\n    token_sha256: " + Upper(kDigest) + "\n",
                 "7:19: principal 'b' has the token of another principal"},
        FileCase{
            "pii_not_boolean",
            "principals:\n  - name: a\n    role: admin\n    pii: yes\n    token_sha256: " + kDigest + "\n",
            "4:10: 'pii' must be true or false"},
        FileCase{"principals_not_a_list", "principals:\n  name: a\n", "2:3: 'principals' must be a list"},
        FileCase{"syntax_error", "principals:\n  - name: [a\n", "3:1: "},
        FileCase{"not_a_mapping", "- a\n", "1:1: the token file must be a mapping"},
        FileCase{"jwt_unknown_key", "jwt:\n  issuer: x\n  secret: y\n", "3:3: unknown key 'secret' in jwt"},
        FileCase{"jwt_without_issuer", "jwt:\n  leeway: 5s\n", "2:3: jwt needs an issuer"},
        FileCase{"jwt_without_key", "jwt:\n  issuer: https://sso\n",
                 "2:3: jwt needs an HS256 secret, an RS256 public key or both"},
        FileCase{"jwt_missing_secret_file",
                 "jwt:\n  issuer: https://sso\n  hs256_secret_file: /nonexistent/custflow/jwt.key\n",
                 "3:22: 'hs256_secret_file': cannot read /nonexistent/custflow/jwt.key"},
        FileCase{"jwt_bad_leeway", "jwt:\n  issuer: https://sso\n  leeway: soon\n",
                 "3:11: 'leeway' must be a duration such as 30s"}),
    [](const testing::TestParamInfo<FileCase>& param) { return param.param.label; });

TEST(TokenStoreTest, ReportsEveryErrorOfTheFile) {
  absl::StatusOr<TokenStore> store =
      TokenStore::Parse("principals:\n  - name: a\n    role: root\n    token_sha256: " + kDigest +
                            "\n  - name: b\n    role: admin\n    token_sha256: 12\n",
                        "tokens.yaml");
  ASSERT_FALSE(store.ok());
  std::string message(store.status().message());
  EXPECT_NE(message.find("tokens.yaml:3:11:"), std::string::npos) << message;
  EXPECT_NE(message.find("tokens.yaml:7:19:"), std::string::npos) << message;
}

TEST(TokenStoreTest, AnEmptyFileAcceptsNobody) {
  absl::StatusOr<TokenStore> store = TokenStore::Parse("# nobody yet\n", "tokens.yaml");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->Authenticate("Bearer anything").status().code(), absl::StatusCode::kUnauthenticated);
}

class TokenFileOnDiskTest : public testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(testing::TempDir()) /
                 ("auth_test_" + std::to_string(::getpid()) + "_" +
                  testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string Write(const std::string& name, const std::string& contents) {
    std::string path = (directory_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::filesystem::path directory_;
};

TEST_F(TokenFileOnDiskTest, LoadsAFileAndVerifiesJwtsWithTheInjectedClock) {
  const std::string secret = "a secret of at least thirty-two bytes for HS256";
  testing_support::TestRsaKey rsa;
  std::string secret_path = Write("jwt.key", secret + "\n");
  std::string pem_path = Write("jwt.pem", rsa.PublicPem());
  std::string path = Write("tokens.yaml", kGoodFile + "jwt:\n  issuer: https://sso.example.com\n" +
                                              "  hs256_secret_file: " + secret_path + "\n" +
                                              "  rs256_public_key_file: " + pem_path + "\n  leeway: 10s\n");
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  absl::StatusOr<TokenStore> store = TokenStore::Load(path, [&now] { return now; });
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(store->accepts_jwt());
  EXPECT_EQ(store->Authenticate("Bearer token-pos")->name, "pos");

  json claims = {
      {"iss", "https://sso.example.com"}, {"sub", "zhang.wei"}, {"role", "service"}, {"exp", 1'800'000'060}};
  std::string hs256 = testing_support::SignHs256(claims, secret);
  std::string rs256 = rsa.Sign(claims);
  for (const std::string& token : {hs256, rs256}) {
    absl::StatusOr<Principal> principal = store->Authenticate("Bearer " + token);
    ASSERT_TRUE(principal.ok()) << principal.status();
    EXPECT_EQ(principal->name, "zhang.wei");
    EXPECT_EQ(principal->role, Role::kService);
  }
  now += std::chrono::seconds(69);  // within the leeway
  EXPECT_TRUE(store->Authenticate("Bearer " + hs256).ok());
  now += std::chrono::seconds(1);
  absl::StatusOr<Principal> expired = store->Authenticate("Bearer " + rs256);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(std::string(expired.status().message()).find("expired"), std::string::npos) << expired.status();
}

TEST_F(TokenFileOnDiskTest, AShortSecretIsRefusedAtTheJwtSection) {
  std::string secret_path = Write("jwt.key", "short\n");
  std::string path = Write("tokens.yaml", "jwt:\n  issuer: x\n  hs256_secret_file: " + secret_path + "\n");
  absl::StatusOr<TokenStore> store = TokenStore::Load(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(std::string(store.status().message()).find(":2:3: the HS256 secret must have at least 32 bytes"),
            std::string::npos)
      << store.status();
}

TEST(TokenStoreTest, AMissingFileIsNotFound) {
  EXPECT_EQ(TokenStore::Load("/nonexistent/custflow/tokens.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace custflow::auth

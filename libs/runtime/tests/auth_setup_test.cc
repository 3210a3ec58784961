// AUTH_TOKENS_FILE (off, a bad file, a good one, one changed while running) and the guard in front of HTTP
// routes: 401 with a Bearer challenge, 403 for a role without the route, preflights and permitted callers
// passed through.
#include "custflow/runtime/auth_setup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "nlohmann/json.hpp"

namespace custflow::runtime {
namespace {

std::string Digest(std::string_view token) { return auth::DigestToHex(auth::DigestToken(token)); }

const std::string kTokens =
    "principals:\n"
    "  - name: root\n"
    "    role: admin\n"
    "    token_sha256: " +
    Digest("token-root") +
    "\n"
    "  - name: pos\n"
    "    role: ingest\n"
    "    token_sha256: " +
    Digest("token-pos") + "\n";

// A file in the test's temporary directory, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("auth_setup_test_" + std::to_string(::getpid()) +
                                                        "_" + std::to_string(counter_++) + ".yaml")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

absl::StatusOr<auth::RequestAuthenticator> LoadWith(std::map<std::string, std::string> environment) {
  core::Config config("test", [environment](const char* name) -> const char* {
    auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
  });
  AuthSetup setup(config);
  EXPECT_TRUE(config.status().ok()) << config.status();
  return setup.Load();
}

TEST(AuthSetupTest, WithoutATokenFileAuthenticationIsOff) {
  absl::StatusOr<auth::RequestAuthenticator> authenticator = LoadWith({});
  ASSERT_TRUE(authenticator.ok()) << authenticator.status();
  EXPECT_TRUE(authenticator->open());
  EXPECT_TRUE(authenticator->AuthorizeHttp("POST", "/v1/events", "").ok());
}

TEST(AuthSetupTest, DeclaresTheSetting) {
  core::Config config("test", [](const char*) -> const char* { return nullptr; });
  AuthSetup setup(config);
  bool declared = false;
  for (const core::SettingInfo& setting : config.settings()) {
    declared = declared || setting.env_name == "CUSTFLOW_TEST_AUTH_TOKENS_FILE";
  }
  EXPECT_TRUE(declared);
}

TEST(AuthSetupTest, AGoodTokenFileTurnsAuthenticationOn) {
  TempFile file(kTokens);
  absl::StatusOr<auth::RequestAuthenticator> authenticator =
      LoadWith({{"CUSTFLOW_AUTH_TOKENS_FILE", file.path()}});
  ASSERT_TRUE(authenticator.ok()) << authenticator.status();
  EXPECT_FALSE(authenticator->open());
  EXPECT_TRUE(authenticator->AuthorizeHttp("POST", "/v1/events", "Bearer token-pos").ok());
  EXPECT_EQ(authenticator->AuthorizeHttp("POST", "/v1/events", "").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AuthSetupTest, ABadTokenFileIsAnErrorNamingTheProblem) {
  TempFile file("principals:\n  - name: x\n    role: emperor\n    token_sha256: 12\n");
  absl::StatusOr<auth::RequestAuthenticator> authenticator =
      LoadWith({{"CUSTFLOW_TEST_AUTH_TOKENS_FILE", file.path()}});
  ASSERT_FALSE(authenticator.ok());
  EXPECT_NE(authenticator.status().message().find(file.path()), absl::string_view::npos)
      << authenticator.status();
}

// Polls `ok` for up to 10 s (the watcher reads the file every 20 ms here).
bool Eventually(const std::function<bool()>& ok) {
  for (int i = 0; i < 1000 && !ok(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return ok();
}

TEST(AuthSetupTest, AChangedTokenFileTakesEffectInEveryCopyAndABrokenOneIsIgnored) {
  TempFile file(kTokens);
  std::map<std::string, std::string> environment = {{"CUSTFLOW_AUTH_TOKENS_FILE", file.path()},
                                                    {"CUSTFLOW_AUTH_TOKENS_RELOAD", "20ms"}};
  core::Config config("test", [&environment](const char* name) -> const char* {
    auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
  });
  AuthSetup setup(config);
  ASSERT_TRUE(config.status().ok()) << config.status();
  absl::StatusOr<auth::RequestAuthenticator> loaded = setup.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // Services keep copies; each must see the new principals.
  const auth::RequestAuthenticator copy = *loaded;
  auto allows = [&](const std::string& token) {
    return copy.AuthorizeHttp("POST", "/v1/events", "Bearer " + token).ok();
  };
  ASSERT_TRUE(allows("token-pos"));

  // pos's token is revoked and a new one issued.
  std::ofstream(file.path()) << "principals:\n  - name: pos-2\n    role: ingest\n    token_sha256: " +
                                    Digest("token-pos-2") + "\n";
  EXPECT_TRUE(Eventually([&] { return allows("token-pos-2") && !allows("token-pos"); }));
  EXPECT_FALSE(allows("token-root"));

  // A broken file keeps the principals in force.
  std::ofstream(file.path()) << "principals:\n  - name: x\n    role: emperor\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(allows("token-pos-2"));
  EXPECT_TRUE(loaded->AuthorizeHttp("POST", "/v1/events", "Bearer token-pos-2").ok());
}

TEST(AuthSetupTest, AMissingTokenFileIsAnError) {
  EXPECT_FALSE(LoadWith({{"CUSTFLOW_AUTH_TOKENS_FILE", "/nonexistent/tokens.yaml"}}).ok());
}

struct GuardCase {
  std::string name;
  std::string method;
  std::string path;
  std::string authorization;
  int status;               // 200 when the request reaches the route
  std::string caller = "";  // whom the route is told calls; empty for none
};

class RequireAuthenticationTest : public ::testing::TestWithParam<GuardCase> {};

TEST_P(RequireAuthenticationTest, AnswersOrPassesOn) {
  const GuardCase& guard_case = GetParam();
  absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(kTokens, "tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  auth::RequestAuthenticator authenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
  bool reached = false;
  std::optional<auth::Principal> told;
  core::AsyncHttpHandler handler = RequireAuthentication(
      authenticator, [&reached, &told](std::optional<auth::Principal> caller, core::HttpRequest,
                                       core::HttpResponder responder) {
        reached = true;
        told = std::move(caller);
        std::move(responder).Respond(core::HttpResponse());
      });

  core::HttpRequest request;
  request.method = guard_case.method;
  request.path = guard_case.path;
  if (!guard_case.authorization.empty()) request.headers["authorization"] = guard_case.authorization;
  std::optional<core::HttpResponse> answer;
  handler(request,
          core::HttpResponder([&answer](core::HttpResponse response) { answer = std::move(response); }));

  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, guard_case.status);
  EXPECT_EQ(reached, guard_case.status == 200);
  EXPECT_EQ(told ? told->name : "", guard_case.caller);
  if (guard_case.status == 200) return;
  nlohmann::json body = nlohmann::json::parse(answer->body);
  EXPECT_EQ(body["error"]["code"], guard_case.status == 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED");
  EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
  EXPECT_EQ(answer->content_type, "application/json; charset=utf-8");
  bool challenges = false;
  for (const auto& [name, value] : answer->headers)
    challenges = challenges || (name == "WWW-Authenticate" && value == "Bearer");
  EXPECT_EQ(challenges, guard_case.status == 401);
}

// A page may read why it was refused: the 401 and 403 carry the route's CORS headers.
TEST(RequireAuthentication, RefusalsCarryTheCorsHeadersOfTheRoute) {
  absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(kTokens, "tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  auth::RequestAuthenticator authenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
  const core::CorsPolicy cors({"https://app.example"}, "POST, OPTIONS", "Retry-After");
  core::AsyncHttpHandler handler = RequireAuthentication(
      authenticator,
      [](std::optional<auth::Principal>, core::HttpRequest, core::HttpResponder responder) {
        std::move(responder).Respond(core::HttpResponse());
      },
      &cors);
  for (const auto& [authorization, status] :
       std::vector<std::pair<std::string, int>>{{"", 401}, {"Bearer token-pos", 403}}) {
    core::HttpRequest request;
    request.method = "POST";
    request.path = "/v1/reports/Distribution";
    request.headers["origin"] = "https://app.example";
    if (!authorization.empty()) request.headers["authorization"] = authorization;
    std::optional<core::HttpResponse> answer;
    handler(request,
            core::HttpResponder([&answer](core::HttpResponse response) { answer = std::move(response); }));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, status);
    std::string allowed_origin;
    for (const auto& [name, value] : answer->headers) {
      if (name == "Access-Control-Allow-Origin") allowed_origin = value;
    }
    EXPECT_EQ(allowed_origin, "https://app.example") << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Routes, RequireAuthenticationTest,
    ::testing::Values(
        GuardCase{"NoToken", "POST", "/v1/events", "", 401},
        GuardCase{"UnknownToken", "POST", "/v1/events", "Bearer nobody", 401},
        GuardCase{"NotBearer", "POST", "/v1/events", "Basic cm9vdDpyb290", 401},
        GuardCase{"RoleWithoutTheRoute", "POST", "/v1/reports/Distribution", "Bearer token-pos", 403},
        GuardCase{"RoleWithTheRoute", "POST", "/v1/events", "Bearer token-pos", 200, "pos"},
        GuardCase{"Admin", "POST", "/v1/reports/Distribution.csv", "Bearer token-root", 200, "root"},
        GuardCase{"PreflightWithoutToken", "OPTIONS", "/v1/events", "", 200}),
    [](const ::testing::TestParamInfo<GuardCase>& param) { return param.param.name; });

}  // namespace
}  // namespace custflow::runtime

// Who may call the TaggingService: every rpc, called over a real gRPC server with a real
// Redis behind it, answers UNAUTHENTICATED without a valid token and PERMISSION_DENIED to
// a role the permission table (custflow/auth/permissions.h) does not let call it. The
// expectations are read from that table, so it stays the only place that says who may.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/in_memory_producer.h"
#include "custflow/redis/hiredis_client.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tagger.h"
#include "services/tagging/tagging_service.h"
#include "tests/support/every_rpc.h"
#include "tests/support/redis_server.h"

namespace custflow::tagging {
namespace {

constexpr const char* kService = "custflow.v1.TaggingService";

struct Caller {
  std::string token;
  auth::Principal principal;
  std::string yaml;  // its entry in the token file, without the digest
};

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> callers = {
      {"admin-token", {.name = "root", .role = auth::Role::kAdmin}, "name: root\n    role: admin"},
      {"sales-token",
       {.name = "li.na", .role = auth::Role::kSales, .department = "east", .owner = "li.na"},
       "name: li.na\n    role: sales\n    department: east\n    owner: li.na"},
      {"ingest-token", {.name = "pos", .role = auth::Role::kIngest}, "name: pos\n    role: ingest"},
  };
  return callers;
}

std::string TokenFile() {
  std::string text = "principals:\n";
  for (const Caller& caller : Callers()) {
    absl::StrAppend(&text, "  - ", caller.yaml,
                    "\n    token_sha256: ", auth::DigestToHex(auth::DigestToken(caller.token)), "\n");
  }
  return text;
}

// The service over the built-in rules, an empty profile store in a real Redis and no
// ClickHouse (TagHistory answers UNAVAILABLE to those who may call it).
class TaggingAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<custflow::testing::LocalRedisServer> redis_server = custflow::testing::StartRedisServer();
    ASSERT_TRUE(redis_server.ok()) << redis_server.status();
    redis_server_.emplace(*std::move(redis_server));
    redis::HiredisOptions redis_options;
    redis_options.port = redis_server_->port();
    absl::StatusOr<std::unique_ptr<redis::RedisClient>> redis = redis::HiredisClient::Create(redis_options);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    store_.emplace(*redis_);
    ASSERT_TRUE(rules_.Reload().ok());
    tagger_.emplace(rules_, producer_, metrics_, domain::kCommandsTopic);

    absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(TokenFile(), "test-tokens.yaml");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    auth_.emplace(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
    service_.emplace(rules_, *tagger_, *store_, nullptr, *auth_, [this] { ++rules_changed_; });
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&*service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    target_ = absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& authorization) {
    std::map<std::string, grpc::StatusCode> answers =
        custflow::testing::CallEveryRpc(target_, kService, authorization);
    EXPECT_EQ(answers.size(), 7u) << "ListRules, ReloadRules, ValidateRules, Explain, SegmentMembers, "
                                     "TagHistory and Sweep";
    return answers;
  }

  std::optional<custflow::testing::LocalRedisServer> redis_server_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::optional<profile::ProfileStore> store_;
  RuleBook rules_{""};
  kafka::InMemoryProducer producer_;
  core::MetricsRegistry metrics_;
  std::optional<Tagger> tagger_;
  std::optional<auth::RequestAuthenticator> auth_;
  int rules_changed_ = 0;
  std::optional<TaggingService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

TEST_F(TaggingAuthTest, EveryRpcRefusesCallersWithoutAValidToken) {
  for (const std::string authorization : {"", "Bearer not-a-known-token", "Basic YWRtaW46YWRtaW4="}) {
    for (const auto& [method, code] : CallEveryRpc(authorization)) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED) << method << " with '" << authorization << "'";
    }
  }
}

TEST_F(TaggingAuthTest, EveryRpcServesExactlyTheRolesAllowedToCallIt) {
  for (const Caller& caller : Callers()) {
    for (const auto& [method, code] : CallEveryRpc("Bearer " + caller.token)) {
      std::string full_method = absl::StrCat("/", kService, "/", method);
      SCOPED_TRACE(full_method + " as " + caller.principal.name);
      EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED);
      if (auth::Allows(caller.principal, full_method)) {
        EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED);
      } else {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);
      }
    }
  }
}

TEST_F(TaggingAuthTest, OnlyAnAdministratorMayReloadTheRules) {
  ASSERT_FALSE(auth::Allows(Callers()[1].principal, "/custflow.v1.TaggingService/ReloadRules"));
  EXPECT_EQ(CallEveryRpc("Bearer sales-token")["ReloadRules"], grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallEveryRpc("Bearer ingest-token")["ReloadRules"], grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallEveryRpc("Bearer admin-token")["ReloadRules"], grpc::StatusCode::OK);
}

}  // namespace
}  // namespace custflow::tagging

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

#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/in_memory_producer.h"
#include "custflow/redis/hiredis_client.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tagger.h"
#include "services/tagging/tagging_service.h"
#include "services/tagging/tests/profile_store_test.h"
#include "tests/support/every_rpc.h"
#include "tests/support/test_callers.h"

namespace custflow::tagging {
namespace {

constexpr const char* kService = "custflow.v1.TaggingService";

// The service over the built-in rules, an empty profile store in a real Redis and no
// ClickHouse (TagHistory answers UNAVAILABLE to those who may call it).
class TaggingAuthTest : public ProfileStoreTest {
 protected:
  void SetUp() override {
    ProfileStoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(rules_.Reload().ok());
    tagger_.emplace(rules_, producer_, metrics_, domain::kCommandsTopic);

    service_.emplace(rules_, *tagger_, *store_, nullptr, auth_, [this] { ++rules_changed_; });
    served_ = custflow::testing::ServeOnLoopback({&*service_});
  }

  void TearDown() override {
    if (served_.server) served_.server->Shutdown();
  }

  std::map<std::string, grpc::StatusCode> CallEveryRpc(const custflow::testing::TestCaller& caller) {
    return custflow::testing::CallEveryRpc(served_.target, kService, custflow::testing::Bearer(caller));
  }

  RuleBook rules_{""};
  kafka::InMemoryProducer producer_;
  core::MetricsRegistry metrics_;
  std::optional<Tagger> tagger_;
  const auth::RequestAuthenticator auth_ = custflow::testing::TestAuthenticator();
  int rules_changed_ = 0;
  std::optional<TaggingService> service_;
  custflow::testing::LoopbackServer served_;
};

// ListRules, ReloadRules, ValidateRules, Explain, SegmentMembers, TagHistory and Sweep.
constexpr size_t kRpcs = 7;

TEST_F(TaggingAuthTest, EveryRpcRefusesCallersWithoutAValidToken) {
  EXPECT_EQ(custflow::testing::ExpectEveryRpcRefusesCallersWithoutAValidToken(served_.target, kService),
            kRpcs);
}

TEST_F(TaggingAuthTest, EveryRpcServesExactlyTheRolesAllowedToCallIt) {
  for (const custflow::testing::TestCaller& caller : custflow::testing::CallersOfEveryRole()) {
    EXPECT_EQ(
        custflow::testing::ExpectAnswersFollowThePermissionTable(served_.target, kService, caller).size(),
        kRpcs);
  }
}

TEST_F(TaggingAuthTest, OnlyAnAdministratorMayReloadTheRules) {
  using custflow::testing::CallerOf;
  ASSERT_FALSE(
      auth::Allows(CallerOf(auth::Role::kSales).principal, "/custflow.v1.TaggingService/ReloadRules"));
  EXPECT_EQ(CallEveryRpc(CallerOf(auth::Role::kSales))["ReloadRules"], grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallEveryRpc(CallerOf(auth::Role::kIngest))["ReloadRules"], grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallEveryRpc(CallerOf(auth::Role::kAdmin))["ReloadRules"], grpc::StatusCode::OK);
}

}  // namespace
}  // namespace custflow::tagging

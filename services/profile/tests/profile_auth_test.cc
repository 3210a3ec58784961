// Who may call the ProfileService: every rpc, called over a real gRPC server with a real
// Redis behind it, answers UNAUTHENTICATED without a valid token and PERMISSION_DENIED to
// a role the permission table (custflow/auth/permissions.h) does not let call it. The
// expectations are read from that table, so it stays the only place that says who may.
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custflow/auth/permissions.h"
#include "custflow/auth/principal.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"
#include "tests/support/every_rpc.h"
#include "tests/support/test_callers.h"

namespace custflow::profile::test {
namespace {

using custflow::testing::CallerOf;
using custflow::testing::TestCaller;

const std::string kService(v1::ProfileService::service_full_name());

std::string FullMethod(const std::string& method) { return custflow::testing::FullMethod(kService, method); }

const google::protobuf::ServiceDescriptor& ProfileServiceDescriptor() {
  return *google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      std::string(v1::ProfileService::service_full_name()));
}

class ProfileAuthTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    service_.emplace(*store_, producer_, authenticator_,
                     ProfileServiceOptions{.commands_topic = kTopics.commands,
                                           .interactions_topic = kTopics.interactions});
    served_ = custflow::testing::ServeOnLoopback({&*service_});
  }

  void TearDown() override {
    if (served_.server) served_.server->Shutdown();
  }

  const auth::RequestAuthenticator authenticator_ = custflow::testing::TestAuthenticator();
  std::optional<ProfileService> service_;
  custflow::testing::LoopbackServer served_;
};

TEST_F(ProfileAuthTest, EveryRpcIsCalled) {
  std::map<std::string, grpc::StatusCode> answers =
      custflow::testing::CallEveryRpc(served_.target, kService, "");
  const google::protobuf::ServiceDescriptor& service = ProfileServiceDescriptor();
  ASSERT_EQ(answers.size(), static_cast<size_t>(service.method_count()));
  for (int i = 0; i < service.method_count(); ++i) {
    EXPECT_TRUE(answers.contains(service.method(i)->name())) << service.method(i)->name();
  }
}

TEST_F(ProfileAuthTest, EachRpcAnswersOnlyCallersItsPermissionAllows) {
  EXPECT_GT(custflow::testing::ExpectEveryRpcRefusesCallersWithoutAValidToken(served_.target, kService), 0u);
  for (const TestCaller& caller : custflow::testing::CallersOfEveryRole()) {
    // Empty requests: a handler may still refuse them, but not for who called.
    EXPECT_FALSE(
        custflow::testing::ExpectAnswersFollowThePermissionTable(served_.target, kService, caller).empty());
  }
}

TEST_F(ProfileAuthTest, AdministratorMayCallEveryRpcAndIngestNone) {
  // The table itself, spelled out for this service: nothing above holds vacuously.
  const google::protobuf::ServiceDescriptor& service = ProfileServiceDescriptor();
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string full_method = FullMethod(service.method(i)->name());
    EXPECT_TRUE(auth::Allows(CallerOf(auth::Role::kAdmin).principal, full_method)) << full_method;
    EXPECT_FALSE(auth::Allows(CallerOf(auth::Role::kIngest).principal, full_method)) << full_method;
  }
  EXPECT_FALSE(auth::Allows(CallerOf(auth::Role::kSales).principal, FullMethod("MergeCustomers")));
  EXPECT_TRUE(auth::Allows(CallerOf(auth::Role::kSales).principal, FullMethod("GetProfile")));
}

}  // namespace
}  // namespace custflow::profile::test

// Every IngestService rpc on a real gRPC server refuses callers without a valid token
// (UNAUTHENTICATED) and callers whose role may not publish (PERMISSION_DENIED) before a
// single event reaches the pipeline; permitted callers get through. The expectations come
// from auth::Allows, so the role table stays in one place.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "services/ingest/ingest_service.h"
#include "services/ingest/tests/counting_submitter.h"
#include "tests/support/every_rpc.h"
#include "tests/support/test_callers.h"

namespace custflow::ingest {
namespace {

constexpr const char* kService = "custflow.v1.IngestService";

using testing::CallerOf;
using testing::CallersOfEveryRole;
using testing::TestCaller;

class IngestAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { served_ = testing::ServeOnLoopback({&service_}); }
  void TearDown() override { served_.server->Shutdown(); }

  CountingSubmitter submitter_;
  const auth::RequestAuthenticator auth_ = testing::TestAuthenticator();
  IngestService service_{submitter_, auth_, IngestServiceOptions{}};
  testing::LoopbackServer served_;
};

TEST_F(IngestAuthTest, EveryRpcRefusesCallersWithoutAValidToken) {
  EXPECT_EQ(testing::ExpectEveryRpcRefusesCallersWithoutAValidToken(served_.target, kService), 3u)
      << "Publish, PublishBatch and StreamEvents";
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(IngestAuthTest, EveryRpcServesExactlyTheRolesAllowedToCallIt) {
  for (const TestCaller& caller : CallersOfEveryRole()) {
    EXPECT_EQ(testing::ExpectAnswersFollowThePermissionTable(served_.target, kService, caller).size(), 3u);
  }
}

TEST_F(IngestAuthTest, RefusedCallsNeverReachThePipeline) {
  const TestCaller& sales = CallerOf(auth::Role::kSales);
  ASSERT_FALSE(auth::Allows(sales.principal, "/custflow.v1.IngestService/Publish"));
  testing::CallEveryRpc(served_.target, kService, testing::Bearer(sales));
  EXPECT_EQ(submitter_.submitted(), 0u);
  testing::CallEveryRpc(served_.target, kService, testing::Bearer(CallerOf(auth::Role::kIngest)));
  EXPECT_GT(submitter_.submitted(), 0u) << "Publish with an empty event still reaches the pipeline";
}

}  // namespace
}  // namespace custflow::ingest

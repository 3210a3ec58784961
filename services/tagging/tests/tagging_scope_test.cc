// Which customers each role sees through the TaggingService: customers across two
// departments and three owners, committed to a real Redis through the profile store's
// write path, read over a real gRPC server with a token per role. Explain, SegmentMembers
// and TagHistory answer each role with the customers of its row scope only, and an
// out-of-scope customer exactly as a missing one (docs/SECURITY.md, "Row scopes").
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "custflow/auth/permissions.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/in_memory_producer.h"
#include "custflow/redis/hiredis_client.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "services/profile/profile_store.h"
#include "services/tagging/tagger.h"
#include "services/tagging/tagging_service.h"
#include "services/tagging/tests/profile_store_test.h"
#include "tests/support/test_callers.h"

namespace custflow::tagging {
namespace {

using Ids = std::set<std::string>;

// The seeded customers. Owner "x" has customers in both departments: a sales rep's scope
// is their owner id, not their department. Every customer is tagged "vip"; only c2 and
// c6 are tagged "churn".
struct Seed {
  std::string id;
  std::string department;
  std::string owner;
  std::vector<std::string> tags;
};
const std::vector<Seed> kSeeds = {
    {.id = "c1", .department = "east", .owner = "x", .tags = {"vip"}},
    {.id = "c2", .department = "east", .owner = "x", .tags = {"churn", "vip"}},
    {.id = "c3", .department = "east", .owner = "x", .tags = {"vip"}},
    {.id = "c4", .department = "east", .owner = "y", .tags = {"vip"}},
    {.id = "c5", .department = "west", .owner = "z", .tags = {"vip"}},
    {.id = "c6", .department = "west", .owner = "z", .tags = {"churn", "vip"}},
    {.id = "c7", .department = "west", .owner = "x", .tags = {"vip"}},
};
const Ids kEveryone = {"c1", "c2", "c3", "c4", "c5", "c6", "c7"};
const Ids kChurned = {"c2", "c6"};
constexpr const char* kMissingId = "c404";

struct Role {
  std::string label;
  auth::Principal principal;
  std::string token;
  Ids visible;
};

// Names the role in test output instead of dumping its bytes.
void PrintTo(const Role& role, std::ostream* out) { *out << role.label; }

// The test caller of `role` (test_callers.h: the manager of "east", the rep owning "x").
Role Of(std::string label, auth::Role role, Ids visible) {
  const custflow::testing::TestCaller& caller = custflow::testing::CallerOf(role);
  return {.label = std::move(label),
          .principal = caller.principal,
          .token = caller.token,
          .visible = std::move(visible)};
}

const std::vector<Role>& Roles() {
  static const std::vector<Role> roles = {
      Of("admin", auth::Role::kAdmin, kEveryone),
      Of("manager", auth::Role::kManager, {"c1", "c2", "c3", "c4"}),
      Of("sales", auth::Role::kSales, {"c1", "c2", "c3", "c7"}),
      Of("service", auth::Role::kService, kEveryone),
      Of("ingest", auth::Role::kIngest, {}),
  };
  return roles;
}

bool MayCall(const Role& role, const std::string& method) {
  return auth::Allows(role.principal, "/custflow.v1.TaggingService/" + method);
}

// Tag history with no rows that remembers how often it was asked: a history query must
// not run for a customer out of the caller's scope.
class EmptyHistory : public clickhouse::ClickHouseClient {
 public:
  absl::Status Execute(std::string_view) override { return absl::OkStatus(); }
  absl::StatusOr<clickhouse::QueryResult> Query(std::string_view) override {
    ++queries;
    return clickhouse::QueryResult();
  }
  absl::Status Insert(std::string_view, absl::Span<const std::string>,
                      const clickhouse::RowBinaryWriter&) override {
    return absl::OkStatus();
  }
  absl::Status Ping() override { return absl::OkStatus(); }

  int queries = 0;
};

class TaggingScopeTest : public ProfileStoreTest {
 protected:
  void SetUp() override {
    ProfileStoreTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(SeedCustomers());
    ASSERT_TRUE(rules_.Reload().ok());
    tagger_.emplace(rules_, producer_, metrics_, domain::kCommandsTopic);

    service_.emplace(rules_, *tagger_, *store_, &history_, auth_);
    served_ = custflow::testing::ServeOnLoopback({&*service_});
    stub_ =
        v1::TaggingService::NewStub(grpc::CreateChannel(served_.target, grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (served_.server) served_.server->Shutdown();
  }

  // Commits every seed in one write, as the profile service's applier would, so the search
  // index holds the department, owner and tag terms the profile service keeps.
  void SeedCustomers() {
    std::vector<v1::Profile> profiles;
    std::vector<std::string> bytes;
    profiles.reserve(kSeeds.size());
    bytes.reserve(kSeeds.size());
    for (const Seed& seed : kSeeds) {
      v1::Profile& profile = profiles.emplace_back();
      profile.set_customer_id(seed.id);
      profile.set_version(1);
      profile.mutable_customer()->set_customer_id(seed.id);
      profile.mutable_customer()->set_department(seed.department);
      profile.mutable_customer()->set_owner(seed.owner);
      for (const std::string& tag : seed.tags) profile.add_tags(tag);
      bytes.push_back(profile.SerializeAsString());
    }
    std::vector<profile::ProfileStore::ProfileWrite> writes;
    for (size_t i = 0; i < profiles.size(); ++i) {
      writes.push_back({.profile = &profiles[i], .loaded = nullptr, .bytes = bytes[i]});
    }
    absl::StatusOr<bool> committed = store_->Commit("commands", 0, std::nullopt, 0, writes);
    ASSERT_TRUE(committed.ok()) << committed.status();
    ASSERT_TRUE(*committed);
  }

  std::unique_ptr<grpc::ClientContext> ContextFor(const Role& role) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + role.token);
    return context;
  }

  grpc::Status Explain(const Role& role, const std::string& customer_id) {
    v1::ExplainRequest request;
    request.set_customer_id(customer_id);
    v1::ExplainResponse response;
    return stub_->Explain(ContextFor(role).get(), request, &response);
  }

  grpc::Status TagHistory(const Role& role, const std::string& customer_id) {
    v1::TagHistoryRequest request;
    request.set_customer_id(customer_id);
    v1::TagHistoryResponse response;
    return stub_->TagHistory(ContextFor(role).get(), request, &response);
  }

  // Every member of `expression`, `page_size` at a time, following the tokens. Each page
  // but the last must be full: the scope is applied during the walk, not to its pages.
  Ids Members(const Role& role, const std::string& expression, uint32_t page_size) {
    Ids members;
    std::string token;
    for (int pages = 0; pages < 100; ++pages) {
      v1::SegmentMembersRequest request;
      request.set_expression(expression);
      request.set_page_size(page_size);
      request.set_page_token(token);
      v1::SegmentMembersResponse response;
      grpc::Status status = stub_->SegmentMembers(ContextFor(role).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      members.insert(response.customer_ids().begin(), response.customer_ids().end());
      token = response.next_page_token();
      if (token.empty()) return members;
      EXPECT_EQ(response.customer_ids_size(), static_cast<int>(page_size))
          << "a page before the last is short";
    }
    ADD_FAILURE() << "the pages never end";
    return members;
  }

  RuleBook rules_{""};
  kafka::InMemoryProducer producer_;
  core::MetricsRegistry metrics_;
  std::optional<Tagger> tagger_;
  EmptyHistory history_;
  const auth::RequestAuthenticator auth_ = custflow::testing::TestAuthenticator();
  std::optional<TaggingService> service_;
  custflow::testing::LoopbackServer served_;
  std::unique_ptr<v1::TaggingService::Stub> stub_;
};

class TaggingScopeByRoleTest : public TaggingScopeTest, public ::testing::WithParamInterface<Role> {};

TEST_P(TaggingScopeByRoleTest, ExplainAnswersAnOutOfScopeCustomerAsAMissingOne) {
  const Role& role = GetParam();
  if (!MayCall(role, "Explain")) {
    EXPECT_EQ(Explain(role, "c1").error_code(), grpc::StatusCode::PERMISSION_DENIED);
    return;
  }
  grpc::Status missing = Explain(role, kMissingId);
  ASSERT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  for (const std::string& id : kEveryone) {
    grpc::Status status = Explain(role, id);
    if (role.visible.contains(id)) {
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << id;
      EXPECT_EQ(status.error_message(), "no customer " + id)
          << "the message of " << kMissingId << ": " << missing.error_message();
    }
  }
}

TEST_P(TaggingScopeByRoleTest, SegmentMembersPagesThroughTheScopeOnly) {
  const Role& role = GetParam();
  if (!MayCall(role, "SegmentMembers")) {
    v1::SegmentMembersRequest request;
    request.set_expression("vip");
    v1::SegmentMembersResponse response;
    EXPECT_EQ(stub_->SegmentMembers(ContextFor(role).get(), request, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    return;
  }
  Ids retained, churned;
  std::set_difference(role.visible.begin(), role.visible.end(), kChurned.begin(), kChurned.end(),
                      std::inserter(retained, retained.end()));
  std::set_intersection(role.visible.begin(), role.visible.end(), kChurned.begin(), kChurned.end(),
                        std::inserter(churned, churned.end()));
  for (uint32_t page_size : {1u, 2u, 100u}) {
    SCOPED_TRACE(absl::StrCat("page size ", page_size));
    // tag=vip holds everyone, so the scope's index set (if any) is the one walked.
    EXPECT_EQ(Members(role, "vip", page_size), role.visible);
    EXPECT_EQ(Members(role, "not churn", page_size), retained);
    // tag=churn is smaller than any scope's set: the walk proposes out-of-scope
    // candidates, and the scope check on each profile must drop them.
    EXPECT_EQ(Members(role, "churn", page_size), churned);
  }
}

TEST_P(TaggingScopeByRoleTest, TagHistoryIsNotReadForAnOutOfScopeCustomer) {
  const Role& role = GetParam();
  if (!MayCall(role, "TagHistory")) {
    EXPECT_EQ(TagHistory(role, "c1").error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(history_.queries, 0);
    return;
  }
  for (const std::string& id : kEveryone) {
    const int queries_before = history_.queries;
    grpc::Status status = TagHistory(role, id);
    if (role.visible.contains(id)) {
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
      EXPECT_EQ(history_.queries, queries_before + 1) << id;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << id;
      EXPECT_EQ(status.error_message(), "no customer " + id);
      EXPECT_EQ(history_.queries, queries_before) << id << ": its history must not be read";
    }
  }
  // A scoped caller cannot tell a missing id from another's customer; an unscoped one may
  // read the history of a customer gone from the profiles.
  const bool scoped = role.visible != kEveryone;
  EXPECT_EQ(TagHistory(role, kMissingId).error_code(),
            scoped ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK);
}

INSTANTIATE_TEST_SUITE_P(EveryRole, TaggingScopeByRoleTest, ::testing::ValuesIn(Roles()),
                         [](const ::testing::TestParamInfo<Role>& role) { return role.param.label; });

}  // namespace
}  // namespace custflow::tagging

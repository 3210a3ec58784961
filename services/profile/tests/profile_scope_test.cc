// Which customers each role sees and may change: customers across two departments and
// three owners, stored by the applier in a real Redis, read and written over a real gRPC
// server with a token per role. Every read rpc answers each role with exactly the rows of
// its row scope (docs/SECURITY.md, "Row scopes"); writes may neither touch nor leave a
// customer outside it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "custflow/auth/permissions.h"
#include "custflow/auth/principal.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"
#include "tests/support/test_callers.h"

namespace custflow::profile::test {
namespace {

using Ids = std::set<std::string>;

// The seeded customers: id, department, owner, industry. Owner "x" has customers in both
// departments: a sales rep's scope is their owner id, not their department.
struct Seed {
  std::string id;
  std::string department;
  std::string owner;
  std::string industry;
};
const std::vector<Seed> kSeeds = {
    {.id = "c1", .department = "east", .owner = "x", .industry = "retail"},
    {.id = "c2", .department = "east", .owner = "x", .industry = "industry"},
    {.id = "c3", .department = "east", .owner = "x", .industry = "industry"},
    {.id = "c4", .department = "east", .owner = "y", .industry = "retail"},
    {.id = "c5", .department = "west", .owner = "z", .industry = "retail"},
    {.id = "c6", .department = "west", .owner = "z", .industry = "industry"},
    {.id = "c7", .department = "west", .owner = "x", .industry = "industry"},
};

const Ids kEveryone = {"c1", "c2", "c3", "c4", "c5", "c6", "c7"};

std::string FullMethod(const std::string& method) {
  return "/" + std::string(v1::ProfileService::service_full_name()) + "/" + method;
}

// A role of the table: its test caller (test_callers.h: the manager of "east", the rep
// owning "x") and the customers its scope holds.
struct Role {
  std::string label;
  auth::Principal principal;
  std::string token;
  Ids visible;
};

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

const Role& RoleNamed(const std::string& label) {
  for (const Role& role : Roles()) {
    if (role.label == label) return role;
  }
  ADD_FAILURE() << "no role " << label;
  return Roles().front();
}

Ids Intersect(const Ids& a, const Ids& b) {
  Ids both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(both, both.end()));
  return both;
}

Ids Except(const Ids& a, const Ids& b) {
  Ids rest;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(rest, rest.end()));
  return rest;
}

class ProfileScopeTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    Batch batch;
    int64_t offset = 0;
    for (const Seed& seed : kSeeds) {
      v1::Customer customer;
      customer.set_customer_id(seed.id);
      customer.set_name("customer " + seed.id);
      customer.set_department(seed.department);
      customer.set_owner(seed.owner);
      customer.set_industry(seed.industry);
      batch.Add(kTopics.commands, 0, offset, Upsert(seed.id, customer, kT0 + offset));
      ++offset;
    }
    {
      Broker broker(producer_);  // confirms the profile snapshots the applier publishes
      absl::Status applied = applier_->Apply(batch.messages());
      ASSERT_TRUE(applied.ok()) << applied;
    }

    service_.emplace(*store_, producer_, authenticator_,
                     ProfileServiceOptions{.commands_topic = kTopics.commands,
                                           .interactions_topic = kTopics.interactions});
    served_ = custflow::testing::ServeOnLoopback({&*service_});
    stub_ =
        v1::ProfileService::NewStub(grpc::CreateChannel(served_.target, grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (served_.server) served_.server->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> As(const Role& role) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + role.token);
    return context;
  }

  // Every page of a search, page_size 2; the ids in the order returned. Fails the test on
  // an error or a page larger than asked for.
  std::vector<std::string> SearchAll(const Role& role, const v1::CustomerFilter& filter) {
    std::vector<std::string> ids;
    v1::SearchCustomersRequest request;
    *request.mutable_filter() = filter;
    request.set_page_size(2);
    for (int pages = 0; pages < 20; ++pages) {
      v1::SearchCustomersResponse response;
      grpc::Status status = stub_->SearchCustomers(As(role).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_LE(response.profiles_size(), 2);
      for (const v1::Profile& profile : response.profiles()) ids.push_back(profile.customer_id());
      if (!status.ok() || response.next_page_token().empty()) return ids;
      request.set_page_token(response.next_page_token());
    }
    ADD_FAILURE() << "the search did not end";
    return ids;
  }

  grpc::Status UpsertAs(const Role& role, v1::Customer customer, std::vector<std::string> mask = {}) {
    v1::UpsertCustomerRequest request;
    *request.mutable_customer() = std::move(customer);
    for (std::string& path : mask) request.mutable_update_mask()->add_paths(std::move(path));
    v1::UpsertCustomerResponse response;
    return stub_->UpsertCustomer(As(role).get(), request, &response);
  }

  grpc::Status FollowUpAs(const Role& role, const std::string& customer_id) {
    v1::AddFollowUpRequest request;
    request.set_customer_id(customer_id);
    request.set_agent(role.principal.name);
    request.mutable_follow_up()->set_content("called about the renewal");
    v1::AddFollowUpResponse response;
    return stub_->AddFollowUp(As(role).get(), request, &response);
  }

  const auth::RequestAuthenticator authenticator_ = custflow::testing::TestAuthenticator();
  std::optional<ProfileService> service_;
  custflow::testing::LoopbackServer served_;
  std::unique_ptr<v1::ProfileService::Stub> stub_;
};

// Each role sees exactly its rows through every read rpc; roles the permission table keeps
// from an rpc are refused it outright.
TEST_F(ProfileScopeTest, EachRoleReadsExactlyItsRows) {
  for (const Role& role : Roles()) {
    SCOPED_TRACE(role.label);

    // GetProfile: in scope, the profile; out of scope, the same NOT_FOUND as a missing id.
    const bool may_read = auth::Allows(role.principal, FullMethod("GetProfile"));
    Ids asked = kEveryone;
    asked.insert("c404");
    for (const std::string& id : asked) {
      SCOPED_TRACE(id);
      v1::GetProfileRequest request;
      request.set_customer_id(id);
      v1::GetProfileResponse response;
      grpc::Status status = stub_->GetProfile(As(role).get(), request, &response);
      if (!may_read) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      } else if (role.visible.contains(id)) {
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(response.profile().customer_id(), id);
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
        EXPECT_EQ(status.error_message(), "no customer " + id);
      }
    }

    // BatchGetProfiles: out-of-scope ids are among the missing ones.
    {
      v1::BatchGetProfilesRequest request;
      for (const std::string& id : kEveryone) request.add_customer_ids(id);
      request.add_customer_ids("c404");
      v1::BatchGetProfilesResponse response;
      grpc::Status status = stub_->BatchGetProfiles(As(role).get(), request, &response);
      if (!auth::Allows(role.principal, FullMethod("BatchGetProfiles"))) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      } else {
        ASSERT_TRUE(status.ok()) << status.error_message();
        Ids found;
        for (const v1::Profile& profile : response.profiles()) found.insert(profile.customer_id());
        EXPECT_EQ(found, role.visible);
        Ids missing(response.missing_ids().begin(), response.missing_ids().end());
        Ids expected_missing = Except(kEveryone, role.visible);
        expected_missing.insert("c404");
        EXPECT_EQ(missing, expected_missing);
      }
    }

    // SearchCustomers, paged two at a time, without and with filters.
    if (!auth::Allows(role.principal, FullMethod("SearchCustomers"))) {
      v1::SearchCustomersRequest request;
      v1::SearchCustomersResponse response;
      EXPECT_EQ(stub_->SearchCustomers(As(role).get(), request, &response).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    } else {
      struct Search {
        std::string label;
        v1::CustomerFilter filter;
        Ids matching;  // before the scope
      };
      std::vector<Search> searches(5);
      searches[0] = {.label = "everything", .filter = {}, .matching = kEveryone};
      searches[1] = {.label = "industry retail", .filter = {}, .matching = {"c1", "c4", "c5"}};
      searches[1].filter.set_industry("retail");
      searches[2] = {.label = "owner z", .filter = {}, .matching = {"c5", "c6"}};
      searches[2].filter.set_owner("z");
      searches[3] = {.label = "department west", .filter = {}, .matching = {"c5", "c6", "c7"}};
      searches[3].filter.set_department("west");
      searches[4] = {.label = "owner x, industry", .filter = {}, .matching = {"c2", "c3", "c7"}};
      searches[4].filter.set_owner("x");
      searches[4].filter.set_industry("industry");
      for (const Search& search : searches) {
        SCOPED_TRACE(search.label);
        std::vector<std::string> ids = SearchAll(role, search.filter);
        Ids expected = Intersect(search.matching, role.visible);
        EXPECT_EQ(ids, std::vector<std::string>(expected.begin(), expected.end()));
      }
    }

    // FindDuplicates and QualityReport examine the scope's customers only.
    {
      v1::FindDuplicatesRequest request;
      request.set_rule(v1::DUPLICATE_RULE_NAME);
      v1::FindDuplicatesResponse response;
      grpc::Status status = stub_->FindDuplicates(As(role).get(), request, &response);
      if (!auth::Allows(role.principal, FullMethod("FindDuplicates"))) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      } else {
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(response.customers_examined(), role.visible.size());
      }
    }
    {
      v1::QualityReportRequest request;
      v1::QualityReportResponse response;
      grpc::Status status = stub_->QualityReport(As(role).get(), request, &response);
      if (!auth::Allows(role.principal, FullMethod("QualityReport"))) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
      } else {
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(response.customers(), role.visible.size());
        Ids owners;
        for (const v1::OwnerMissing& owner : response.missing_by_owner()) owners.insert(owner.owner());
        for (const std::string& owner : owners) {
          bool in_scope = false;
          for (const Seed& seed : kSeeds) {
            in_scope |= seed.owner == owner && role.visible.contains(seed.id);
          }
          EXPECT_TRUE(in_scope) << owner;
        }
      }
    }
  }
}

// The write rule: a caller may change only customers in its scope, may create only
// customers in it, and may not move a customer out of it. Refused writes publish nothing.
// Phones and e-mails reach only callers with PII rights (the admin's by default); the
// others see them masked in every read (docs/SECURITY.md, "Privacy").
TEST_F(ProfileScopeTest, PhonesAndEmailsReachOnlyCallersWithPiiRights) {
  v1::Customer contact;
  contact.set_customer_id("c1");
  contact.set_contact_phone("+8613800138000");
  contact.set_email("li@example.com");
  Batch batch;
  batch.Add(kTopics.commands, 0, 100, Upsert("c1", contact, kT0 + 100));
  {
    Broker broker(producer_);
    ASSERT_TRUE(applier_->Apply(batch.messages()).ok());
  }
  for (const std::string label : {"admin", "manager", "sales", "service"}) {
    SCOPED_TRACE(label);
    const Role& role = RoleNamed(label);
    const bool pii = role.principal.pii;
    EXPECT_EQ(pii, label == "admin");
    const std::string phone = pii ? "+8613800138000" : "+86138****8000";
    const std::string email = pii ? "li@example.com" : "l***@example.com";

    v1::GetProfileRequest get;
    get.set_customer_id("c1");
    v1::GetProfileResponse got;
    ASSERT_TRUE(stub_->GetProfile(As(role).get(), get, &got).ok());
    EXPECT_EQ(got.profile().customer().contact_phone(), phone);
    EXPECT_EQ(got.profile().customer().email(), email);

    v1::BatchGetProfilesRequest batch_get;
    batch_get.add_customer_ids("c1");
    v1::BatchGetProfilesResponse batch_got;
    ASSERT_TRUE(stub_->BatchGetProfiles(As(role).get(), batch_get, &batch_got).ok());
    ASSERT_EQ(batch_got.profiles_size(), 1);
    EXPECT_EQ(batch_got.profiles(0).customer().contact_phone(), phone);

    v1::SearchCustomersRequest search;
    search.set_page_size(100);
    v1::SearchCustomersResponse found;
    ASSERT_TRUE(stub_->SearchCustomers(As(role).get(), search, &found).ok());
    for (const v1::Profile& profile : found.profiles()) {
      if (profile.customer_id() == "c1") {
        EXPECT_EQ(profile.customer().email(), email);
      }
    }
    // The last change's values too.
    for (const v1::FieldChange& change : got.profile().master_change().fields()) {
      if (change.field() == "contact_phone") {
        EXPECT_EQ(change.new_value(), "\"" + phone + "\"");
      }
    }
  }
}

TEST_F(ProfileScopeTest, WritesKeepCustomersWithinTheCallersScope) {
  Broker broker(producer_);
  auto customer = [](const std::string& id, const std::string& department, const std::string& owner) {
    v1::Customer c;
    c.set_customer_id(id);
    c.set_name("customer " + id);
    c.set_department(department);
    c.set_owner(owner);
    return c;
  };
  auto renamed = [](const std::string& id) {
    v1::Customer c;
    c.set_customer_id(id);
    c.set_name("renamed " + id);
    return c;
  };
  struct Write {
    std::string label;
    std::string role;
    v1::Customer customer;
    std::vector<std::string> mask;
    grpc::StatusCode expected;
  };
  const std::vector<Write> writes = {
      {"sales creates their own", "sales", customer("n1", "east", "x"), {}, grpc::StatusCode::OK},
      {"sales creates another's",
       "sales",
       customer("n2", "east", "y"),
       {},
       grpc::StatusCode::PERMISSION_DENIED},
      {"sales creates without owner",
       "sales",
       customer("n3", "east", ""),
       {},
       grpc::StatusCode::PERMISSION_DENIED},
      {"sales renames their own", "sales", renamed("c7"), {"name"}, grpc::StatusCode::OK},
      {"sales renames another's", "sales", renamed("c4"), {"name"}, grpc::StatusCode::PERMISSION_DENIED},
      {"sales gives theirs away",
       "sales",
       customer("c1", "east", "y"),
       {"owner"},
       grpc::StatusCode::PERMISSION_DENIED},
      {"sales takes another's",
       "sales",
       customer("c5", "west", "x"),
       {"owner"},
       grpc::StatusCode::PERMISSION_DENIED},
      {"manager creates in department", "manager", customer("n4", "east", "y"), {}, grpc::StatusCode::OK},
      {"manager creates elsewhere",
       "manager",
       customer("n5", "west", "y"),
       {},
       grpc::StatusCode::PERMISSION_DENIED},
      {"manager reassigns in department",
       "manager",
       customer("c1", "east", "y"),
       {"owner"},
       grpc::StatusCode::OK},
      {"manager renames elsewhere", "manager", renamed("c5"), {"name"}, grpc::StatusCode::PERMISSION_DENIED},
      {"manager moves one out",
       "manager",
       customer("c2", "west", "x"),
       {"department"},
       grpc::StatusCode::PERMISSION_DENIED},
      {"admin changes any", "admin", customer("c5", "east", "y"), {}, grpc::StatusCode::OK},
  };
  for (const Write& write : writes) {
    SCOPED_TRACE(write.label);
    const size_t published = DeliveredTo(kTopics.commands).size();
    grpc::Status status = UpsertAs(RoleNamed(write.role), write.customer, write.mask);
    EXPECT_EQ(status.error_code(), write.expected) << status.error_message();
    EXPECT_EQ(DeliveredTo(kTopics.commands).size(), published + (status.ok() ? 1 : 0));
    if (status.ok()) {
      // The audit log's actor is the token's principal.
      v1::Command command;
      ASSERT_TRUE(command.ParseFromString(DeliveredTo(kTopics.commands).back().value));
      EXPECT_EQ(command.actor(), RoleNamed(write.role).principal.name);
      EXPECT_EQ(command.origin(), "UpsertCustomer");
    }
  }

  // Follow-ups: a customer outside the scope answers as a missing one, as reads do.
  struct FollowUp {
    std::string role;
    std::string customer_id;
    grpc::StatusCode expected;
  };
  const std::vector<FollowUp> follow_ups = {
      {"sales", "c2", grpc::StatusCode::OK},
      {"sales", "c4", grpc::StatusCode::NOT_FOUND},
      {"sales", "c6", grpc::StatusCode::NOT_FOUND},
      {"manager", "c4", grpc::StatusCode::OK},
      {"manager", "c6", grpc::StatusCode::NOT_FOUND},
      {"admin", "c6", grpc::StatusCode::OK},
      {"service", "c6", grpc::StatusCode::PERMISSION_DENIED},
  };
  for (const FollowUp& follow_up : follow_ups) {
    SCOPED_TRACE(follow_up.role + " on " + follow_up.customer_id);
    const size_t published = DeliveredTo(kTopics.interactions).size();
    grpc::Status status = FollowUpAs(RoleNamed(follow_up.role), follow_up.customer_id);
    EXPECT_EQ(status.error_code(), follow_up.expected) << status.error_message();
    EXPECT_EQ(DeliveredTo(kTopics.interactions).size(), published + (status.ok() ? 1 : 0));
  }
}

// An import obeys the upsert rule row by row: rows outside the scope are rejected with
// the reason, the others are imported.
TEST_F(ProfileScopeTest, ImportRejectsRowsOutsideTheCallersScope) {
  Broker broker(producer_);
  std::vector<v1::ImportCustomersRequest> requests(1);
  v1::ImportHeader& header = *requests[0].mutable_header();
  for (const char* column :
       {"客户编号", "客户名称", "联系人", "联系电话", "行业", "客户类型", "负责人", "部门"}) {
    header.add_columns(column);
  }
  header.set_file_name("scoped.csv");
  struct Row {
    std::string id;
    std::string phone;
    std::string owner;
  };
  // n1 is the rep's own; n2 another owner's; c4 exists under another owner.
  const std::vector<Row> rows = {
      {"n1", "13800000001", "x"}, {"n2", "13800000002", "y"}, {"c4", "13800000004", "x"}};
  for (size_t i = 0; i < rows.size(); ++i) {
    v1::ImportRow& row = *requests.emplace_back().mutable_row();
    row.set_row_number(i + 2);
    for (const std::string& cell :
         {rows[i].id, "公司 " + rows[i].id, std::string("张三"), rows[i].phone, std::string("制造业"),
          std::string("潜在客户"), rows[i].owner, std::string("east")}) {
      row.add_cells(cell);
    }
  }
  v1::ImportReport report;
  auto context = As(RoleNamed("sales"));
  auto writer = stub_->ImportCustomers(context.get(), &report);
  for (const v1::ImportCustomersRequest& request : requests) ASSERT_TRUE(writer->Write(request));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.imported(), 1u);
  EXPECT_EQ(report.updated(), 0u);
  EXPECT_EQ(report.rejected(), 2u);
  std::set<uint64_t> rejected_rows;
  for (const v1::RowError& error : report.errors()) {
    rejected_rows.insert(error.row_number());
    EXPECT_NE(error.reason().find("row scope"), std::string::npos) << error.reason();
  }
  EXPECT_EQ(rejected_rows, (std::set<uint64_t>{3, 4}));
  ASSERT_EQ(DeliveredTo(kTopics.commands).size(), 1u);
  EXPECT_EQ(DeliveredTo(kTopics.commands)[0].key, "n1");
  v1::Command command;
  ASSERT_TRUE(command.ParseFromString(DeliveredTo(kTopics.commands)[0].value));
  EXPECT_EQ(command.actor(), RoleNamed("sales").principal.name);
  EXPECT_EQ(command.origin(), "ImportCustomers:scoped.csv");
}

}  // namespace
}  // namespace custflow::profile::test

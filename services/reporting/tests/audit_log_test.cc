// AuditLog against a real clickhouse-server 18.16, over master-data changes the sink stored
// and the reporting schema's view copied into audit_log; then the request checks and the
// SQL of AuditLogSql without a server.
#include "services/reporting/audit_log.h"

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/reports.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "services/reporting/tests/unreachable_clickhouse.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kMay2024 = 1'714'521'600;

struct Field {
  std::string field;
  std::string old_value;
  std::string new_value;
};

// `profile` carrying the master-data change made by its version `change_version`,
// `seconds` after 2024-05-01 00:00 UTC, by `actor` through `origin` as command `command_id`.
v1::Profile WithMasterChange(v1::Profile profile, uint64_t change_version, int64_t seconds,
                             const std::string& actor, const std::string& origin,
                             const std::string& command_id, const std::vector<Field>& fields) {
  v1::MasterDataChange& change = *profile.mutable_master_change();
  change.set_version(change_version);
  change.mutable_changed_at()->set_seconds(kMay2024 + seconds);
  change.set_actor(actor);
  change.set_origin(origin);
  change.set_command_id(command_id);
  for (const Field& field : fields) {
    v1::FieldChange& changed = *change.add_fields();
    changed.set_field(field.field);
    changed.set_old_value(field.old_value);
    changed.set_new_value(field.new_value);
  }
  return profile;
}

// "@<seconds> <customer> v<version> <actor> <origin> <command> <field>: <old> -> <new>".
std::string Describe(const v1::AuditEntry& entry) {
  return "@" + std::to_string(entry.changed_at().seconds() - kMay2024) + " " + entry.customer_id() + " v" +
         std::to_string(entry.version()) + " " + entry.actor() + " " + entry.origin() + " " +
         entry.command_id() + " " + entry.field() + ": " + entry.old_value() + " -> " + entry.new_value();
}

std::vector<std::string> Describe(const v1::AuditLogResponse& response) {
  std::vector<std::string> entries;
  for (const v1::AuditEntry& entry : response.entries()) entries.push_back(Describe(entry));
  return entries;
}

const std::string kC1Department = "@300 c-1 v3 bob ImportCustomers cmd-3 department:  -> 销售部";
const std::string kC3MergedInto = "@200 c-3 v1 carol MergeCustomers cmd-m merged_into:  -> c-1";
const std::string kC2Name = "@200 c-2 v1 alice UpsertCustomer cmd-c2 name:  -> Beta";
const std::string kC2City = "@200 c-2 v1 alice UpsertCustomer cmd-c2 city:  -> 广州市";
const std::string kC1Name = "@100 c-1 v1 alice UpsertCustomer cmd-1 name:  -> Acme";
const std::string kC1Owner = "@100 c-1 v1 alice UpsertCustomer cmd-1 owner:  -> u-1";

class AuditLogTest : public MigratedDatabaseTest {
 protected:
  // c-1 is created by alice (v1), gains an interaction that repeats that change (v2), then
  // bob's import sets its department (v3); c-2 is created by alice at the same second as
  // c-3 is merged by carol; c-2's v2 carries no master change at all.
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    const v1::Profile c1_v1 =
        WithMasterChange(MakeProfile("c-1", 1, "广东省", 0), 1, 100, "alice", "UpsertCustomer", "cmd-1",
                         {{"name", "", "Acme"}, {"owner", "", "u-1"}});
    v1::Profile c1_v2 = c1_v1;
    c1_v2.set_version(2);
    MessageBatch batch;
    batch.AddProfile(0, 0, c1_v1)
        .AddProfile(0, 1, c1_v2)
        .AddProfile(0, 2,
                    WithMasterChange(MakeProfile("c-1", 3, "广东省", 1), 3, 300, "bob", "ImportCustomers",
                                     "cmd-3", {{"department", "", "销售部"}}))
        .AddProfile(1, 0,
                    WithMasterChange(MakeProfile("c-2", 1, "广东省", 0), 1, 200, "alice", "UpsertCustomer",
                                     "cmd-c2", {{"name", "", "Beta"}, {"city", "", "广州市"}}))
        .AddProfile(1, 1, MakeProfile("c-2", 2, "广东省", 1))
        .AddProfile(2, 0,
                    WithMasterChange(MakeProfile("c-3", 1, "广东省", 0), 1, 200, "carol", "MergeCustomers",
                                     "cmd-m", {{"merged_into", "", "c-1"}}));
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  absl::StatusOr<v1::AuditLogResponse> Query(const v1::AuditLogRequest& request) {
    return QueryAuditLog(client(), request, auth::RowScope::Everything());
  }
};

TEST_F(AuditLogTest, SinkStoresEachChangeOnceFromTheVersionThatMadeIt) {
  EXPECT_EQ(Count("SELECT count() FROM profile_versions"), 6u);
  EXPECT_EQ(Count("SELECT count() FROM audit_log"), 6u);
  EXPECT_EQ(Count("SELECT count() FROM audit_log WHERE customer_id = 'c-1' AND version = 2"), 0u);
}

TEST_F(AuditLogTest, ReturnsEveryEntryNewestFirstWithTheFieldsOfAChangeInOrder) {
  absl::StatusOr<v1::AuditLogResponse> log = Query({});

  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(Describe(*log), ElementsAre(kC1Department, kC3MergedInto, kC2Name, kC2City, kC1Name, kC1Owner));
  EXPECT_EQ(log->next_page_token(), "");
}

TEST_F(AuditLogTest, CustomerFilterKeepsOnlyThatCustomer) {
  v1::AuditLogRequest request;
  request.set_customer_id("c-2");

  absl::StatusOr<v1::AuditLogResponse> log = Query(request);

  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(Describe(*log), ElementsAre(kC2Name, kC2City));
}

TEST_F(AuditLogTest, ActorFilterKeepsOnlyThatActor) {
  v1::AuditLogRequest request;
  request.set_actor("alice");

  absl::StatusOr<v1::AuditLogResponse> log = Query(request);

  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(Describe(*log), ElementsAre(kC2Name, kC2City, kC1Name, kC1Owner));
}

TEST_F(AuditLogTest, FromIsInclusiveAndToExclusive) {
  v1::AuditLogRequest from;
  from.mutable_from()->set_seconds(kMay2024 + 200);
  v1::AuditLogRequest to;
  to.mutable_to()->set_seconds(kMay2024 + 200);
  v1::AuditLogRequest between;
  between.mutable_from()->set_seconds(kMay2024 + 101);
  between.mutable_to()->set_seconds(kMay2024 + 300);

  absl::StatusOr<v1::AuditLogResponse> from_log = Query(from);
  absl::StatusOr<v1::AuditLogResponse> to_log = Query(to);
  absl::StatusOr<v1::AuditLogResponse> between_log = Query(between);

  ASSERT_TRUE(from_log.ok()) << from_log.status();
  ASSERT_TRUE(to_log.ok()) << to_log.status();
  ASSERT_TRUE(between_log.ok()) << between_log.status();
  EXPECT_THAT(Describe(*from_log), ElementsAre(kC1Department, kC3MergedInto, kC2Name, kC2City));
  EXPECT_THAT(Describe(*to_log), ElementsAre(kC1Name, kC1Owner));
  EXPECT_THAT(Describe(*between_log), ElementsAre(kC3MergedInto, kC2Name, kC2City));
}

TEST_F(AuditLogTest, PagesOfTwoWalkEveryEntryExactlyOnce) {
  v1::AuditLogRequest request;
  request.set_page_size(2);
  std::vector<std::vector<std::string>> pages;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::AuditLogResponse> log = Query(request);
    ASSERT_TRUE(log.ok()) << log.status();
    pages.push_back(Describe(*log));
    if (log->next_page_token().empty()) break;
    request.set_page_token(log->next_page_token());
  }

  EXPECT_THAT(pages, ElementsAre(ElementsAre(kC1Department, kC3MergedInto), ElementsAre(kC2Name, kC2City),
                                 ElementsAre(kC1Name, kC1Owner)));
}

TEST_F(AuditLogTest, PagingKeepsTheFilters) {
  v1::AuditLogRequest request;
  request.set_actor("alice");
  request.set_page_size(3);

  absl::StatusOr<v1::AuditLogResponse> first = Query(request);
  ASSERT_TRUE(first.ok()) << first.status();
  request.set_page_token(first->next_page_token());
  absl::StatusOr<v1::AuditLogResponse> second = Query(request);

  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Describe(*first), ElementsAre(kC2Name, kC2City, kC1Name));
  EXPECT_THAT(Describe(*second), ElementsAre(kC1Owner));
  EXPECT_EQ(second->next_page_token(), "");
}

TEST_F(AuditLogTest, InjectionAttemptsMatchLiterally) {
  const std::vector<std::string> attempts = {"c-1'", "c-1\\", "' OR 1=1 --", std::string("c-1\0", 4),
                                             "alice' OR '1' = '1"};
  for (const std::string& attempt : attempts) {
    SCOPED_TRACE(attempt);
    v1::AuditLogRequest by_customer;
    by_customer.set_customer_id(attempt);
    v1::AuditLogRequest by_actor;
    by_actor.set_actor(attempt);

    absl::StatusOr<v1::AuditLogResponse> customer_log = Query(by_customer);
    absl::StatusOr<v1::AuditLogResponse> actor_log = Query(by_actor);

    ASSERT_TRUE(customer_log.ok()) << customer_log.status();
    ASSERT_TRUE(actor_log.ok()) << actor_log.status();
    EXPECT_EQ(customer_log->entries_size(), 0);
    EXPECT_EQ(actor_log->entries_size(), 0);
  }
}

// Phones and e-mails reach only callers with PII rights (docs/SECURITY.md, "Privacy").
TEST_F(AuditLogTest, PhonesAndEmailsAreMaskedForACallerWithoutPiiRights) {
  MessageBatch batch;
  batch.AddProfile(
      3, 0,
      WithMasterChange(MakeProfile("c-4", 1, "广东省", 0), 1, 400, "alice", "UpsertCustomer", "cmd-4",
                       {{"contact_phone", R"("+8613900139000")", R"("+8613800138000")"},
                        {"email", "", R"("li@example.com")"},
                        {"name", "", R"("Delta")"}}));
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  ASSERT_TRUE(sink.Write(batch.all()).ok());
  v1::AuditLogRequest request;
  request.set_customer_id("c-4");
  const Reports reports(client());
  auth::Principal administrator{.name = "root", .role = auth::Role::kAdmin, .pii = true};
  absl::StatusOr<v1::AuditLogResponse> full = reports.AuditLog(administrator, request);
  administrator.pii = false;
  absl::StatusOr<v1::AuditLogResponse> masked = reports.AuditLog(administrator, request);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_TRUE(masked.ok()) << masked.status();
  const std::string prefix = "@400 c-4 v1 alice UpsertCustomer cmd-4 ";
  EXPECT_THAT(Describe(*full),
              ElementsAre(prefix + R"(contact_phone: "+8613900139000" -> "+8613800138000")",
                          prefix + R"(email:  -> "li@example.com")", prefix + R"(name:  -> "Delta")"));
  EXPECT_THAT(Describe(*masked),
              ElementsAre(prefix + R"(contact_phone: "+86139****9000" -> "+86138****8000")",
                          prefix + R"(email:  -> "l***@example.com")", prefix + R"(name:  -> "Delta")"));
}

TEST_F(AuditLogTest, ScopedCallerSeesOnlyCustomersOfTheirScope) {
  // Only administrators may call AuditLog today; the scope still holds should that change.
  auth::Principal manager;
  manager.name = "manager";
  manager.role = auth::Role::kManager;
  manager.department = "nobody's";

  absl::StatusOr<v1::AuditLogResponse> log = QueryAuditLog(client(), {}, auth::RowScope::Of(manager));

  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->entries_size(), 0);
}

struct InvalidRequestCase {
  std::string name;
  v1::AuditLogRequest request;
  std::string field;
};

v1::AuditLogRequest Request(uint32_t page_size, const std::string& page_token, int64_t from, int64_t to) {
  v1::AuditLogRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  if (from != 0) request.mutable_from()->set_seconds(from);
  if (to != 0) request.mutable_to()->set_seconds(to);
  return request;
}

class AuditLogValidationTest : public ::testing::TestWithParam<InvalidRequestCase> {};

TEST_P(AuditLogValidationTest, InvalidRequestIsRefusedNamingTheFieldBeforeAnySql) {
  UnreachableClickHouse client;

  absl::StatusOr<v1::AuditLogResponse> log =
      QueryAuditLog(client, GetParam().request, auth::RowScope::Everything());

  EXPECT_TRUE(absl::IsInvalidArgument(log.status())) << log.status();
  EXPECT_THAT(log.status().message(), HasSubstr(GetParam().field));
  EXPECT_FALSE(client.reached);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AuditLogValidationTest,
    ::testing::Values(InvalidRequestCase{"PageSizePastAThousand", Request(1001, "", 0, 0), "page_size"},
                      InvalidRequestCase{"TokenNotBase64", Request(0, "not a token!", 0, 0), "page_token"},
                      InvalidRequestCase{"TokenWithoutKey", Request(0, "Z2FyYmFnZQ", 0, 0), "page_token"},
                      InvalidRequestCase{"FromEqualsTo", Request(0, "", kMay2024, kMay2024), "from"},
                      InvalidRequestCase{"FromAfterTo", Request(0, "", kMay2024 + 1, kMay2024), "from"},
                      InvalidRequestCase{"ToPastDateTime", Request(0, "", 0, int64_t{1} << 40), "to"}),
    [](const ::testing::TestParamInfo<InvalidRequestCase>& tested) { return tested.param.name; });

TEST(AuditLogSqlTest, BindsEveryValueAndFetchesOneRowMoreThanThePage) {
  v1::AuditLogRequest request;
  request.set_customer_id("c-1' OR 1=1 --");
  request.set_actor("a\\b");
  request.set_page_size(2);

  absl::StatusOr<std::string> sql = AuditLogSql(request, auth::RowScope::Everything());

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("customer_id = 'c-1\\' OR 1=1 --'"));
  EXPECT_THAT(*sql, HasSubstr("actor = 'a\\\\b'"));
  EXPECT_THAT(*sql, HasSubstr("LIMIT 3"));
  EXPECT_THAT(*sql, Not(HasSubstr("profile_versions")));
}

TEST(AuditLogSqlTest, DefaultPageIsAHundredAndAScopedCallerIsBound) {
  auth::Principal rep;
  rep.name = "rep";
  rep.role = auth::Role::kSales;
  rep.department = "Sales";
  rep.owner = "u-'7";

  absl::StatusOr<std::string> sql = AuditLogSql({}, auth::RowScope::Of(rep));

  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_THAT(*sql, HasSubstr("LIMIT 101"));
  EXPECT_THAT(*sql, HasSubstr("owner = 'u-\\'7'"));
}

}  // namespace
}  // namespace custflow::reporting

// QueryTagHistory against a real clickhouse-server 18.16, over tag changes the sink stored
// and the reporting schema's view copied into tag_history.
#include "services/tagging/tag_history.h"

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kMay2024 = 1'714'521'600;

std::string At(int64_t seconds) { return "@" + std::to_string(kMay2024 + seconds); }

// "<customer> <tag> <action> v<profile version> <rule> <rules version> @<seconds>" per entry.
std::vector<std::string> Describe(const v1::TagHistoryResponse& response) {
  std::vector<std::string> entries;
  for (const v1::TagHistoryEntry& entry : response.entries()) {
    entries.push_back(entry.customer_id() + " " + entry.tag() + " " + entry.action() + " v" +
                      std::to_string(entry.profile_version()) + " " + entry.rule() + " " +
                      entry.rules_version() + " @" + std::to_string(entry.changed_at().seconds()));
  }
  return entries;
}

class TagHistoryTest : public MigratedDatabaseTest {
 protected:
  // c-1 gains value:low (v1), trades it for value:high and vip (v2), keeps them through an
  // interaction (v3), then loses vip (v4); c-2 gains vip once.
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    v1::Profile v3 =
        WithTagChange(MakeProfile("c-1", 3, "广东省", 1), 2, {"value:high", "vip"}, {"value:low"}, 200);
    MessageBatch batch;
    batch.AddProfile(0, 0, WithTagChange(MakeProfile("c-1", 1, "广东省", 0), 1, {"value:low"}, {}, 100))
        .AddProfile(
            0, 1,
            WithTagChange(MakeProfile("c-1", 2, "广东省", 0), 2, {"value:high", "vip"}, {"value:low"}, 200))
        .AddProfile(0, 2, v3)
        .AddProfile(0, 3, WithTagChange(MakeProfile("c-1", 4, "广东省", 1), 4, {}, {"vip"}, 300))
        .AddProfile(1, 0, WithTagChange(MakeProfile("c-2", 1, "广东省", 0), 1, {"vip"}, {}, 150));
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  absl::StatusOr<v1::TagHistoryResponse> Query(const std::string& customer_id, const std::string& tag = "",
                                               uint32_t limit = 0) {
    v1::TagHistoryRequest request;
    request.set_customer_id(customer_id);
    request.set_tag(tag);
    request.set_limit(limit);
    return tagging::QueryTagHistory(client(), request);
  }
};

TEST_F(TagHistoryTest, ReturnsEveryChangeOfTheCustomerMostRecentFirst) {
  absl::StatusOr<v1::TagHistoryResponse> history = Query("c-1");

  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_THAT(Describe(*history), ElementsAre("c-1 vip removed v4 vip@1 rules-1 " + At(300),
                                              "c-1 value:high added v2 value:high@1 rules-1 " + At(200),
                                              "c-1 vip added v2 vip@1 rules-1 " + At(200),
                                              "c-1 value:low removed v2 value:low@1 rules-1 " + At(200),
                                              "c-1 value:low added v1 value:low@1 rules-1 " + At(100)));
}

TEST_F(TagHistoryTest, TagFilterKeepsOnlyThatTag) {
  absl::StatusOr<v1::TagHistoryResponse> history = Query("c-1", "vip");

  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_THAT(Describe(*history), ElementsAre("c-1 vip removed v4 vip@1 rules-1 " + At(300),
                                              "c-1 vip added v2 vip@1 rules-1 " + At(200)));
}

TEST_F(TagHistoryTest, LimitKeepsTheMostRecent) {
  absl::StatusOr<v1::TagHistoryResponse> history = Query("c-1", "", 2);

  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_THAT(Describe(*history), ElementsAre("c-1 vip removed v4 vip@1 rules-1 " + At(300),
                                              "c-1 value:high added v2 value:high@1 rules-1 " + At(200)));
}

TEST_F(TagHistoryTest, ValuesAreBoundNotPastedIntoTheSql) {
  absl::StatusOr<v1::TagHistoryResponse> history = Query("c-1' OR '1' = '1", "vip' OR tag != '");

  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->entries_size(), 0);
}

// Answers every call with an error, so a request refused before any SQL passes.
class UnreachableClient final : public clickhouse::ClickHouseClient {
 public:
  absl::Status Execute(std::string_view) override { return absl::UnavailableError("test: unreachable"); }
  absl::StatusOr<clickhouse::QueryResult> Query(std::string_view) override {
    return absl::UnavailableError("test: unreachable");
  }
  absl::Status Insert(std::string_view, absl::Span<const std::string>,
                      const clickhouse::RowBinaryWriter&) override {
    return absl::UnavailableError("test: unreachable");
  }
  absl::Status Ping() override { return absl::UnavailableError("test: unreachable"); }
};

struct InvalidRequestCase {
  std::string name;
  std::string customer_id;
  uint32_t limit;
  std::string field;
};

class TagHistoryValidationTest : public ::testing::TestWithParam<InvalidRequestCase> {};

TEST_P(TagHistoryValidationTest, InvalidRequestIsRefusedNamingTheField) {
  v1::TagHistoryRequest request;
  request.set_customer_id(GetParam().customer_id);
  request.set_limit(GetParam().limit);
  UnreachableClient client;

  absl::StatusOr<v1::TagHistoryResponse> history = tagging::QueryTagHistory(client, request);

  EXPECT_TRUE(absl::IsInvalidArgument(history.status())) << history.status();
  EXPECT_THAT(history.status().message(), HasSubstr(GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TagHistoryValidationTest,
    ::testing::Values(InvalidRequestCase{"NoCustomer", "", 10, "customer_id"},
                      InvalidRequestCase{"LimitPastTenThousand", "c-1", 10'001, "limit"}),
    [](const ::testing::TestParamInfo<InvalidRequestCase>& tested) { return tested.param.name; });

}  // namespace
}  // namespace custflow::reporting

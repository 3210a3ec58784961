// The tagging loop end to end with real servers: orders go through the profile applier
// (real Redis), their snapshots through the tagger with the default rules, its set-tags
// commands back through the applier; the snapshots through the real reporting sink into a
// real clickhouse-server. The tag appears in GetProfile, in the distribution report and in
// the tag history; time passing (the tagger's injected clock) and a sweep take it away.
// The Kafka topics are the in-memory producer's, played by the test support's broker.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "services/profile/tests/profile_clickhouse_test.h"
#include "services/reporting/distribution.h"
#include "services/tagging/tag_history.h"
#include "services/tagging/tagger.h"
#include "services/tagging/tagging_service.h"

namespace custflow::tagging {
namespace {

using profile::test::Batch;
using profile::test::kT0;
using profile::test::kTopics;

constexpr int64_t kDay = 86400;

class TaggingFlowTest : public profile::test::ProfileClickHouseTest {
 protected:
  void SetUp() override {
    ProfileClickHouseTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(rules_.Reload().ok());
    tagger_.emplace(rules_, producer_, metrics_, kTopics.commands, [this] { return now_.load(); });
  }

  // Plays the tagging service's consumer: the snapshots published since the last call.
  void TagNewSnapshots() {
    std::vector<kafka::InMemoryProducer::Record> snapshots = DeliveredTo(kTopics.profiles);
    std::vector<kafka::Message> batch;
    for (size_t i = snapshots_seen_; i < snapshots.size(); ++i)
      batch.push_back(profile::test::ToMessage(snapshots[i]));
    snapshots_seen_ = snapshots.size();
    absl::Status handled = tagger_->Handle(batch);
    ASSERT_TRUE(handled.ok()) << handled;
  }

  // Waits until the stored profile has `tags`.
  void ExpectTagsSoon(const std::string& customer_id, const std::vector<std::string>& tags) {
    std::vector<std::string> stored;
    for (int attempt = 0; attempt < 500; ++attempt) {
      v1::Profile profile = Stored(customer_id);
      stored.assign(profile.tags().begin(), profile.tags().end());
      if (stored == tags) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(stored, tags);
  }

  uint64_t TagCustomers(const std::string& tag) {
    v1::DistributionRequest request;
    request.set_dimension(v1::DIMENSION_TAG);
    absl::StatusOr<v1::DistributionResponse> distribution =
        reporting::QueryDistribution(*client_, request, auth::RowScope::Everything());
    EXPECT_TRUE(distribution.ok()) << distribution.status();
    if (!distribution.ok()) return 0;
    for (const v1::DistributionRow& row : distribution->rows()) {
      if (row.value() == tag) return row.customers();
    }
    return 0;
  }

  std::vector<std::string> History(const std::string& customer_id, const std::string& tag) {
    v1::TagHistoryRequest request;
    request.set_customer_id(customer_id);
    request.set_tag(tag);
    absl::StatusOr<v1::TagHistoryResponse> history = QueryTagHistory(*client_, request);
    EXPECT_TRUE(history.ok()) << history.status();
    std::vector<std::string> entries;
    if (!history.ok()) return entries;
    for (const v1::TagHistoryEntry& entry : history->entries()) {
      entries.push_back(entry.action() + " " + entry.tag() + " by " + entry.rule() + " (" +
                        entry.rules_version() + ")");
    }
    return entries;
  }

  RuleBook rules_{""};
  std::atomic<int64_t> now_{kT0 + kDay};
  std::optional<Tagger> tagger_;
  size_t snapshots_seen_ = 0;
};

TEST_F(TaggingFlowTest, OrdersMakeACustomerHighValueUntilNinetyDaysPassWithoutOne) {
  profile::test::Broker broker(producer_);
  profile::test::DeliveredApplier commands(producer_, *applier_, {kTopics.commands});
  profile::ProfileService profiles(
      *store_, producer_, open_auth_,
      {.commands_topic = kTopics.commands, .interactions_topic = kTopics.interactions});
  profile::test::Served served(profiles);

  // 60,000 yuan: medium value. Then 50,000 more: 110,000, high value.
  Batch first;
  first.Add(kTopics.interactions, 0, 0, profile::test::Order("alice", kT0, 6'000'000));
  ASSERT_TRUE(applier_->Apply(first.messages()).ok());
  TagNewSnapshots();
  ExpectTagsSoon("alice", {"credit:B", "follow-up:low", "grade:B", "lifecycle:marginal", "repurchase:low",
                           "rfm-f:1", "rfm-m:3", "rfm-r:5", "value:medium"});
  Batch second;
  second.Add(kTopics.interactions, 0, 1, profile::test::Order("alice", kT0 + 60, 5'000'000));
  ASSERT_TRUE(applier_->Apply(second.messages()).ok());
  TagNewSnapshots();
  ExpectTagsSoon("alice", {"credit:B", "follow-up:low", "grade:B", "lifecycle:marginal", "repurchase:low",
                           "rfm-f:2", "rfm-m:4", "rfm-r:5", "value:high"});

  // GetProfile shows it, as any client sees it.
  v1::GetProfileRequest request;
  request.set_customer_id("alice");
  v1::GetProfileResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(served.stub().GetProfile(&context, request, &response).ok());
  EXPECT_EQ(response.profile().grade(), "B");
  EXPECT_TRUE(std::count(response.profile().tags().begin(), response.profile().tags().end(), "value:high"));

  // The snapshots the tags produced need no further change: the loop has settled.
  uint64_t commands_before = DeliveredTo(kTopics.commands).size();
  TagNewSnapshots();
  EXPECT_EQ(DeliveredTo(kTopics.commands).size(), commands_before);

  SinkSnapshots();
  EXPECT_EQ(TagCustomers("value:high"), 1u);
  EXPECT_EQ(TagCustomers("value:medium"), 0u);
  EXPECT_EQ(History("alice", "value:high"),
            std::vector<std::string>{"added value:high by value-high@1 (2026.11-1)"});

  // 91 days later without an order, a sweep drops alice to medium value.
  now_ = kT0 + 60 + 91 * kDay;
  absl::StatusOr<SweepStatus> swept = tagger_->Sweep(*store_);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->evaluated, 1u);
  EXPECT_EQ(swept->changed, 1u);
  ExpectTagsSoon("alice", {"credit:B", "follow-up:low", "grade:B", "lifecycle:marginal", "repurchase:low",
                           "rfm-f:2", "rfm-m:4", "rfm-r:3", "value-trend:downgraded", "value:medium"});
  SinkSnapshots();
  EXPECT_EQ(TagCustomers("value:high"), 0u);
  EXPECT_EQ(TagCustomers("value:medium"), 1u);
  EXPECT_EQ(History("alice", "value:high"),
            (std::vector<std::string>{"removed value:high by value-high@1 (2026.11-1)",
                                      "added value:high by value-high@1 (2026.11-1)"}));

  // Sweeping again at the same time changes nothing.
  commands_before = DeliveredTo(kTopics.commands).size();
  TagNewSnapshots();
  swept = tagger_->Sweep(*store_);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->changed, 0u);
  EXPECT_EQ(DeliveredTo(kTopics.commands).size(), commands_before);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST_F(TaggingFlowTest, ServiceReloadsGoodFilesKeepsRulesOnBadOnesAndDryRunsOverProfiles) {
  profile::test::Broker broker(producer_);
  Batch orders;
  orders.Add(kTopics.interactions, 0, 0, profile::test::Order("alice", kT0, 12'000'000))
      .Add(kTopics.interactions, 0, 1, profile::test::Order("bob", kT0, 100));
  ASSERT_TRUE(applier_->Apply(orders.messages()).ok());

  std::string path = ::testing::TempDir() + "/tagging_rules.yaml";
  WriteFile(path, R"(version: "v1"
rules:
  - id: big
    tag: spend:big
    when: cumulative_amount >= 100000
)");
  RuleBook book(path);
  ASSERT_TRUE(book.Reload().ok());
  Tagger tagger(book, producer_, metrics_, kTopics.commands, [this] { return now_.load(); });
  int sweeps_requested = 0;
  TaggingService service(book, tagger, *store_, &*client_, open_auth_, [&] { ++sweeps_requested; });
  grpc::ServerContext context;

  // A broken file is refused with file, line and reason; the rules in force stay.
  WriteFile(path,
            "version: \"v2\"\nrules:\n  - id: big\n    tag: spend:big\n    when: cumulative_amount >= \n");
  v1::ReloadRulesResponse reloaded;
  grpc::Status refused = service.ReloadRules(&context, nullptr, &reloaded);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(
      refused.error_message().find(path + ":5:11: in 'when': column 21: expected a value before the end"),
      std::string::npos)
      << refused.error_message();
  v1::ListRulesResponse listed;
  ASSERT_TRUE(service.ListRules(&context, nullptr, &listed).ok());
  EXPECT_EQ(listed.version(), "v1");
  EXPECT_EQ(listed.source(), path);
  EXPECT_EQ(sweeps_requested, 0);

  // A dry run of the default rules over alice and bob.
  v1::ValidateRulesRequest validate;
  validate.set_content(std::string(DefaultRuleFileText()));
  validate.set_dry_run(true);
  v1::ValidateRulesResponse impact;
  ASSERT_TRUE(service.ValidateRules(&context, &validate, &impact).ok());
  EXPECT_EQ(impact.errors_size(), 0);
  EXPECT_EQ(impact.profiles_evaluated(), 2u);
  EXPECT_EQ(impact.customers_changed(), 2u);
  std::map<std::string, std::string> by_tag;
  for (const v1::TagImpact& tag : impact.impacts()) {
    by_tag[tag.tag()] = std::to_string(tag.customers_now()) + "->" + std::to_string(tag.customers_after()) +
                        " +" + std::to_string(tag.gained()) + " -" + std::to_string(tag.lost());
  }
  EXPECT_EQ(by_tag["value:high"], "0->1 +1 -0");
  EXPECT_EQ(by_tag["value:low"], "0->1 +1 -0");

  // A file with errors is reported, not evaluated.
  validate.set_content("version: x\nrules:\n  - id: a\n    tag: a\n    when: 'true'\n");
  validate.set_file_name("mine.yaml");
  v1::ValidateRulesResponse invalid;
  ASSERT_TRUE(service.ValidateRules(&context, &validate, &invalid).ok());
  ASSERT_EQ(invalid.errors_size(), 1);
  EXPECT_EQ(invalid.errors(0).file(), "mine.yaml");
  EXPECT_EQ(invalid.errors(0).line(), 4u);
  EXPECT_EQ(invalid.profiles_evaluated(), 0u);

  // A good file goes in force and asks for a sweep.
  WriteFile(
      path,
      "version: \"v2\"\nrules:\n  - id: big\n    tag: spend:big\n    when: cumulative_amount >= 1000\n");
  ASSERT_TRUE(service.ReloadRules(&context, nullptr, &reloaded).ok());
  EXPECT_TRUE(reloaded.changed());
  EXPECT_EQ(reloaded.version(), "v2");
  EXPECT_EQ(sweeps_requested, 1);
  ASSERT_TRUE(service.ReloadRules(&context, nullptr, &reloaded).ok());
  EXPECT_FALSE(reloaded.changed());
  EXPECT_EQ(sweeps_requested, 1);

  // Explain says why alice has the tag; an unknown customer is NOT_FOUND.
  v1::ExplainRequest explain;
  explain.set_customer_id("alice");
  v1::ExplainResponse explained;
  ASSERT_TRUE(service.Explain(&context, &explain, &explained).ok());
  ASSERT_EQ(explained.rules_size(), 1);
  EXPECT_TRUE(explained.rules(0).applied());
  EXPECT_EQ(explained.rules(0).inputs(0).value(), "120000");
  EXPECT_EQ(std::vector<std::string>(explained.tags().begin(), explained.tags().end()),
            std::vector<std::string>{"spend:big"});
  explain.set_customer_id("nobody");
  EXPECT_EQ(service.Explain(&context, &explain, &explained).error_code(), grpc::StatusCode::NOT_FOUND);
  std::remove(path.c_str());
}

TEST_F(TaggingFlowTest, OneReplicaTakesTheSweepTurnUntilItsHoldRunsOut) {
  absl::StatusOr<bool> first = TakeSweepTurn(*redis_, std::chrono::milliseconds(300));
  absl::StatusOr<bool> second = TakeSweepTurn(*redis_, std::chrono::milliseconds(300));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);  // another replica skips this round
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  absl::StatusOr<bool> next_round = TakeSweepTurn(*redis_, std::chrono::milliseconds(300));
  ASSERT_TRUE(next_round.ok()) << next_round.status();
  EXPECT_TRUE(*next_round);
}

}  // namespace
}  // namespace custflow::tagging

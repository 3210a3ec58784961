// Redis lost, profiles back: the applier's snapshots go through the real reporting sink
// into a real clickhouse-server, Redis is wiped, and both the transparent restore on read
// and the full rebuild bring back exactly what was there.
#include "services/profile/profile_rebuild.h"

#include <gtest/gtest.h>

#include <memory>

#include "services/profile/tests/profile_clickhouse_test.h"

namespace custflow::profile::test {
namespace {

class ProfileRebuildTest : public ProfileClickHouseTest {
 protected:
  void SetUp() override {
    ProfileClickHouseTest::SetUp();
    if (HasFatalFailure()) return;
    archive_.emplace(*client_, 2);  // small pages, so paging is exercised
    archived_store_.emplace(*redis_, &*archive_);
  }

  // Alice and bob on interactions/0 and commands/0, carol on interactions/1: master data,
  // orders, calls and a follow-up, so identities, search terms, counters and the applied
  // offsets of three partitions are all in Redis.
  void ApplyHistory() {
    Broker broker(producer_);
    v1::Customer alice;
    alice.set_name("华南贸易有限公司");
    alice.set_contact_phone("+8613800138000");
    alice.set_owner("王芳");
    alice.mutable_region()->set_province("广东省");
    v1::Customer bob;
    bob.set_name("北方机械");
    bob.set_email("bob@example.com");
    bob.set_owner("张伟");
    Batch commands;
    commands.Add(kTopics.commands, 0, 0, Upsert("alice", alice, kT0))
        .Add(kTopics.commands, 0, 1, Upsert("bob", bob, kT0));
    ASSERT_TRUE(applier_->Apply(commands.messages()).ok());
    v1::Interaction follow_up = Event("bob", v1::INTERACTION_TYPE_FOLLOW_UP, kT0 + 30);
    follow_up.mutable_follow_up()->set_stage("需求确认");
    Batch interactions;
    interactions.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
        .Add(kTopics.interactions, 0, 1, Event("bob", v1::INTERACTION_TYPE_CALL_MISSED, kT0 + 20))
        .Add(kTopics.interactions, 0, 2, follow_up)
        .Add(kTopics.interactions, 1, 5, Order("carol", kT0 + 40, 2500));
    ASSERT_TRUE(applier_->Apply(interactions.messages()).ok());
  }

  void WipeRedis() { ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok()); }

  std::optional<ClickHouseProfileArchive> archive_;
  std::optional<ProfileStore> archived_store_;
};

TEST_F(ProfileRebuildTest, AWipedRedisIsRebuiltWithIdenticalProfilesIndexesAndOffsets) {
  ApplyHistory();
  SinkSnapshots();
  const std::map<std::string, std::string> before = RedisContents();
  ASSERT_EQ(before.count("cf:ix:owner=王芳"), 1u);
  ASSERT_EQ(before.count("cf:identity:email:bob@example.com"), 1u);
  WipeRedis();

  absl::StatusOr<RebuildReport> report = RebuildFromArchive(*archived_store_, *archive_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->restored, 3u);
  EXPECT_EQ(report->present, 0u);
  EXPECT_EQ(report->applied_offsets, (std::map<std::string, int64_t>{
                                         {"commands/0", 1}, {"interactions/0", 2}, {"interactions/1", 5}}));
  std::map<std::string, std::string> expected = before;
  expected["cf:complete"] = "1";  // a rebuilt Redis holds every profile again
  EXPECT_EQ(RedisContents(), expected);

  // A second rebuild finds everything present and changes nothing.
  absl::StatusOr<RebuildReport> again = RebuildFromArchive(*archived_store_, *archive_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->present, 3u);
  EXPECT_EQ(RedisContents(), expected);
}

TEST_F(ProfileRebuildTest, AProfileMissingFromRedisIsRestoredOnReadTransparently) {
  ApplyHistory();
  SinkSnapshots();
  const v1::Profile alice = Stored("alice");
  WipeRedis();

  absl::StatusOr<std::optional<v1::Profile>> read = archived_store_->Get("alice");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->DebugString(), alice.DebugString());
  // Restored with its identity and search terms, so ingest and search find it again.
  std::map<std::string, std::string> contents = RedisContents();
  EXPECT_EQ(contents["cf:identity:phone:+8613800138000"], "alice");
  EXPECT_EQ(contents["cf:ix:owner=王芳"], "alice");

  absl::StatusOr<std::optional<v1::Profile>> unknown = archived_store_->Get("nobody");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(ProfileRebuildTest, TheApplierFoldsOntoTheArchivedProfileWhenRedisLostIt) {
  ApplyHistory();
  SinkSnapshots();
  WipeRedis();
  ProfileApplier applier(*archived_store_, producer_, metrics_, kTopics);
  Broker broker(producer_);
  Batch later;
  later.Add(kTopics.interactions, 0, 3, Order("alice", kT0 + 50, 500));
  ASSERT_TRUE(applier.Apply(later.messages()).ok());
  v1::Profile alice = Stored("alice");
  EXPECT_EQ(alice.order_count(), 2u);
  EXPECT_EQ(alice.cumulative_amount().amount_minor(), 1500);
  EXPECT_EQ(alice.customer().name(), "华南贸易有限公司");
}

TEST_F(ProfileRebuildTest, AMissIsANewCustomerOnlyWhileRedisIsComplete) {
  clickhouse::HttpClickHouseOptions unreachable;
  unreachable.url = "http://127.0.0.1:1";
  clickhouse::HttpClickHouseClient down(unreachable);
  ClickHouseProfileArchive archive(down);
  ProfileStore store(*redis_, &archive);

  // A wiped Redis with the archive down: the miss cannot be told from a lost customer.
  absl::StatusOr<std::optional<v1::Profile>> unknown = store.Get("nobody");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnavailable) << unknown.status();
  EXPECT_EQ(store.EnsureComplete().status().code(), absl::StatusCode::kUnavailable);

  // An empty archive (a fresh deployment) marks Redis complete; then misses are new
  // customers, answered without asking the archive.
  ProfileStore fresh(*redis_, &*archive_);
  absl::StatusOr<bool> complete = fresh.EnsureComplete();
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_TRUE(*complete);
  unknown = store.Get("nobody");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(ProfileRebuildTest, ANonEmptyArchiveLeavesAWipedRedisIncomplete) {
  ApplyHistory();
  SinkSnapshots();
  WipeRedis();
  absl::StatusOr<bool> complete = archived_store_->EnsureComplete();
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_FALSE(*complete);
  EXPECT_EQ(RedisContents().count("cf:complete"), 0u);
}

}  // namespace
}  // namespace custflow::profile::test

// The profile applier against a real Redis: folding, replays, dead letters, positioning,
// concurrent writers and outages.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "custflow/v1/deadletter.pb.h"
#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

using std::chrono::steady_clock;

TEST_F(ProfileTest, ApplyingABatchFoldsEveryEventIntoTheProfiles) {
  Broker broker(producer_);
  v1::Interaction follow_up = Event("bob", v1::INTERACTION_TYPE_FOLLOW_UP, kT0 + 50);
  follow_up.mutable_follow_up()->set_stage("needs-confirmed");
  v1::Interaction complaint = Event("carol", v1::INTERACTION_TYPE_COMPLAINT_OPENED, kT0 + 60);
  complaint.set_satisfaction(2);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
      .Add(kTopics.interactions, 0, 1, Event("bob", v1::INTERACTION_TYPE_WEB_PAGE_VIEW, kT0 + 20))
      .Add(kTopics.interactions, 0, 2, Order("alice", kT0 + 30, 2500))
      .Add(kTopics.interactions, 0, 3, Order("alice", kT0 + 40, 500, v1::INTERACTION_TYPE_ORDER_REFUNDED))
      .Add(kTopics.interactions, 0, 4, follow_up)
      .Add(kTopics.interactions, 1, 7, complaint);

  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  v1::Profile alice = Stored("alice");
  EXPECT_EQ(alice.version(), 3u);
  EXPECT_EQ(alice.order_count(), 2u);
  EXPECT_EQ(alice.cumulative_amount().amount_minor(), 3000);
  EXPECT_EQ(alice.cumulative_amount().currency(), "CNY");
  EXPECT_EQ(alice.interaction_counts().at("INTERACTION_TYPE_ORDER_PLACED"), 2u);
  EXPECT_EQ(alice.interaction_counts().at("INTERACTION_TYPE_ORDER_REFUNDED"), 1u);
  EXPECT_EQ(alice.first_order_at().seconds(), kT0 + 10);
  EXPECT_EQ(alice.last_order_at().seconds(), kT0 + 30);
  EXPECT_EQ(alice.updated_at().seconds(), kT0 + 40);
  EXPECT_EQ(alice.customer().customer_id(), "alice");
  EXPECT_EQ(alice.customer().type(), v1::CUSTOMER_TYPE_CLOSED);

  v1::Profile bob = Stored("bob");
  EXPECT_EQ(bob.version(), 2u);
  EXPECT_EQ(bob.follow_up_count(), 1u);
  EXPECT_EQ(bob.last_follow_up_at().seconds(), kT0 + 50);
  EXPECT_EQ(bob.customer().follow_up_stage(), "needs-confirmed");
  EXPECT_EQ(bob.customer().type(), v1::CUSTOMER_TYPE_POTENTIAL);
  EXPECT_EQ(bob.customer().first_contact_at().seconds(), kT0 + 20);

  v1::Profile carol = Stored("carol");
  EXPECT_EQ(carol.version(), 1u);
  EXPECT_EQ(carol.complaint_count(), 1u);
  EXPECT_EQ(carol.satisfaction_count(), 1u);
  EXPECT_EQ(carol.satisfaction_sum(), 2u);

  EXPECT_EQ(Applied(kTopics.interactions, 0), 4);
  EXPECT_EQ(Applied(kTopics.interactions, 1), 7);
  EXPECT_EQ(CounterValue("custflow_profile_applied_total"), 6u);

  // One full snapshot per changed customer, keyed by its id, equal to what was stored.
  EXPECT_EQ(DeliveredTo(kTopics.profiles).size(), 3u);
  std::map<std::string, v1::Profile> snapshots = Snapshots();
  ASSERT_EQ(snapshots.size(), 3u);
  EXPECT_EQ(snapshots["alice"].DebugString(), alice.DebugString());
  EXPECT_EQ(snapshots["bob"].DebugString(), bob.DebugString());
  EXPECT_EQ(snapshots["carol"].DebugString(), carol.DebugString());
}

// A poll may hand over a partition, another one, then more of the first (p0, p1, p0):
// all of it applies in one go, in each partition's order.
TEST_F(ProfileTest, APartitionComingBackLaterInTheBatchAppliesWithTheRest) {
  Broker broker(producer_);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
      .Add(kTopics.interactions, 1, 0, Event("bob", v1::INTERACTION_TYPE_WEB_PAGE_VIEW, kT0 + 20))
      .Add(kTopics.interactions, 0, 1, Event("carol", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 30))
      .Add(kTopics.interactions, 0, 2, Event("dave", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 40));
  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(Applied(kTopics.interactions, 0), 2);
  EXPECT_EQ(Applied(kTopics.interactions, 1), 0);
  EXPECT_EQ(Stored("alice").order_count(), 1u);
  EXPECT_EQ(Stored("carol").interaction_counts().at("INTERACTION_TYPE_CALL_INBOUND"), 1u);
  EXPECT_EQ(Stored("dave").interaction_counts().at("INTERACTION_TYPE_CALL_INBOUND"), 1u);
  EXPECT_EQ(Stored("bob").interaction_counts().at("INTERACTION_TYPE_WEB_PAGE_VIEW"), 1u);
}

TEST_F(ProfileTest, ReplayingAPartitionChangesNothing) {
  Broker broker(producer_);
  v1::Interaction bob_view = Event("bob", v1::INTERACTION_TYPE_WEB_PAGE_VIEW, kT0 + 20);
  v1::Interaction bob_follow_up = Event("bob", v1::INTERACTION_TYPE_FOLLOW_UP, kT0 + 40);
  Batch first;
  first.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
      .Add(kTopics.interactions, 0, 1, Order("alice", kT0 + 15, 200))
      .Add(kTopics.interactions, 0, 2, bob_view)
      .Add(kTopics.interactions, 0, 3, bob_follow_up);
  absl::Status applied = applier_->Apply(first.messages());
  ASSERT_TRUE(applied.ok()) << applied;
  const std::map<std::string, std::string> before = RedisContents();
  const size_t snapshots_before = DeliveredTo(kTopics.profiles).size();
  ASSERT_EQ(snapshots_before, 2u);

  absl::Status replayed = applier_->Apply(first.messages());
  ASSERT_TRUE(replayed.ok()) << replayed;
  EXPECT_EQ(RedisContents(), before);
  EXPECT_EQ(DeliveredTo(kTopics.profiles).size(), snapshots_before);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 3);

  // Offsets 2 and 3 were applied already; only 4 and 5 are new.
  Batch overlapping;
  overlapping.Add(kTopics.interactions, 0, 2, bob_view)
      .Add(kTopics.interactions, 0, 3, bob_follow_up)
      .Add(kTopics.interactions, 0, 4, Event("dave", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 50))
      .Add(kTopics.interactions, 0, 5, Order("alice", kT0 + 60, 300, v1::INTERACTION_TYPE_ORDER_REFUNDED));
  absl::Status overlapped = applier_->Apply(overlapping.messages());
  ASSERT_TRUE(overlapped.ok()) << overlapped;

  const std::map<std::string, std::string> after = RedisContents();
  std::set<std::string> changed_profiles;
  std::vector<std::string> changed_other;
  for (const auto& [key, value] : after) {
    auto old = before.find(key);
    if (old != before.end() && old->second == value) continue;
    v1::Profile profile;
    if (profile.ParseFromString(value) && !profile.customer_id().empty()) {
      changed_profiles.insert(profile.customer_id());
    } else {
      changed_other.push_back(value);
    }
  }
  EXPECT_EQ(after.size(), before.size() + 1);  // dave's profile
  EXPECT_EQ(changed_profiles, (std::set<std::string>{"alice", "dave"}));
  // The applied offset, and dave in the search index sets of all customers and of
  // potential ones (alice has bought: closed).
  EXPECT_EQ(changed_other, (std::vector<std::string>{"5", "alice bob dave", "bob dave"}));
  EXPECT_EQ(Stored("bob").version(), 2u);
  EXPECT_EQ(Stored("alice").version(), 3u);
  EXPECT_EQ(Stored("alice").cumulative_amount().amount_minor(), 900);

  std::vector<kafka::InMemoryProducer::Record> snapshots = DeliveredTo(kTopics.profiles);
  ASSERT_EQ(snapshots.size(), snapshots_before + 2);
  std::set<std::string> new_keys = {snapshots[snapshots_before].key, snapshots[snapshots_before + 1].key};
  EXPECT_EQ(new_keys, (std::set<std::string>{"alice", "dave"}));
}

TEST_F(ProfileTest, AProfileRestoredFromAnOlderCopyCatchesUpExactlyOnReplay) {
  Broker broker(producer_);
  Batch first;
  first.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
      .Add(kTopics.interactions, 0, 1, Event("alice", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 20));
  ASSERT_TRUE(applier_->Apply(first.messages()).ok());
  const v1::Profile older = Stored("alice");
  Batch second;
  second.Add(kTopics.interactions, 0, 2, Order("alice", kT0 + 30, 500))
      .Add(kTopics.interactions, 0, 3, Event("alice", v1::INTERACTION_TYPE_CALL_CALLBACK, kT0 + 40));
  ASSERT_TRUE(applier_->Apply(second.messages()).ok());
  const v1::Profile current = Stored("alice");
  EXPECT_EQ(current.applied_offsets().at("interactions/0"), 3);

  // Redis loses everything; the older copy of the profile comes back (as from ClickHouse)
  // and the whole partition is replayed: only offsets 2 and 3 are folded again.
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  std::string version = std::to_string(older.version());
  std::string bytes = older.SerializeAsString();
  ASSERT_TRUE(redis_->Command({"HSET", "cf:profile:alice", "v", version, "p", bytes}).ok());
  Batch replay;
  replay.Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 10, 1000))
      .Add(kTopics.interactions, 0, 1, Event("alice", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 20))
      .Add(kTopics.interactions, 0, 2, Order("alice", kT0 + 30, 500))
      .Add(kTopics.interactions, 0, 3, Event("alice", v1::INTERACTION_TYPE_CALL_CALLBACK, kT0 + 40));
  ASSERT_TRUE(applier_->Apply(replay.messages()).ok());
  EXPECT_EQ(Stored("alice").DebugString(), current.DebugString());
  EXPECT_EQ(Stored("alice").response_count(), 1u);
}

TEST_F(ProfileTest, ContactPhoneAndEmailOfMasterDataAreIndexedForIngest) {
  Broker broker(producer_);
  v1::Customer master;
  master.set_contact_phone("+86 138 0013 8000");
  master.set_email("Alice@Example.com");
  Batch batch;
  batch.Add(kTopics.commands, 0, 0, Upsert("alice", master, kT0));
  ASSERT_TRUE(applier_->Apply(batch.messages()).ok());

  std::map<std::string, std::string> contents = RedisContents();
  EXPECT_EQ(contents["cf:identity:phone:+8613800138000"], "alice");
  EXPECT_EQ(contents["cf:identity:email:alice@example.com"], "alice");
}

TEST_F(ProfileTest, IdentitiesOnEventsLeadToTheirCustomerAndLeaveWhenDropped) {
  Broker broker(producer_);
  v1::Interaction login = Event("alice", v1::INTERACTION_TYPE_WEB_IDENTIFY, kT0);
  login.mutable_customer()->set_visitor_id("v-42");
  login.mutable_customer()->set_login_id("u-7");
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, login);
  ASSERT_TRUE(applier_->Apply(batch.messages()).ok());
  std::map<std::string, std::string> contents = RedisContents();
  EXPECT_EQ(contents["cf:identity:visitor:v-42"], "alice");
  EXPECT_EQ(contents["cf:identity:login:u-7"], "alice");

  // 20 newer visitor ids push v-42 and u-7 out of the profile, and out of the index.
  Batch views;
  for (int i = 0; i < 20; ++i) {
    v1::Interaction view = Event("alice", v1::INTERACTION_TYPE_WEB_PAGE_VIEW, kT0 + 1 + i);
    view.mutable_customer()->set_visitor_id("device-" + std::to_string(i));
    views.Add(kTopics.interactions, 0, 1 + i, view);
  }
  ASSERT_TRUE(applier_->Apply(views.messages()).ok());
  contents = RedisContents();
  EXPECT_EQ(contents.count("cf:identity:visitor:v-42"), 0u);
  EXPECT_EQ(contents.count("cf:identity:login:u-7"), 0u);
  EXPECT_EQ(contents["cf:identity:visitor:device-19"], "alice");
}

TEST_F(ProfileTest, CommandsAndInteractionsOnDifferentTopicsBothApply) {
  Broker broker(producer_);
  v1::Customer master;
  master.set_name("Alice Trading Co.");
  master.set_owner("li.wei");
  master.mutable_region()->set_province("广东省");
  master.mutable_region()->set_city("深圳市");
  master.mutable_region()->set_district("南山区");
  Batch batch;
  batch.Add(kTopics.commands, 2, 0, Upsert("alice", master, kT0))
      .Add(kTopics.interactions, 0, 0, Order("alice", kT0 + 5, 1000));

  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  v1::Profile alice = Stored("alice");
  EXPECT_EQ(alice.version(), 2u);
  EXPECT_EQ(alice.customer().customer_id(), "alice");
  EXPECT_EQ(alice.customer().name(), "Alice Trading Co.");
  EXPECT_EQ(alice.customer().owner(), "li.wei");
  EXPECT_EQ(alice.customer().region().province(), "广东省");
  EXPECT_EQ(alice.customer().region().city(), "深圳市");
  EXPECT_EQ(alice.customer().region().district(), "南山区");
  EXPECT_EQ(alice.order_count(), 1u);
  EXPECT_EQ(alice.customer().type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(Applied(kTopics.commands, 2), 0);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 0);
  EXPECT_EQ(Snapshots()["alice"].DebugString(), alice.DebugString());
}

TEST_F(ProfileTest, UnreadableMessageIsDeadLetteredWithTheReasonAndSkipped) {
  Broker broker(producer_);
  const std::string garbage = "this is not protobuf";
  v1::Interaction unresolved = Event("", v1::INTERACTION_TYPE_CALL_INBOUND, kT0 + 2);
  unresolved.mutable_customer()->set_phone("+8613800138000");
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 1, "mystery", garbage)
      .Add(kTopics.interactions, 0, 2, "", unresolved.SerializeAsString())
      .Add(kTopics.interactions, 0, 3, Event("bob", v1::INTERACTION_TYPE_GRUMBLE, kT0 + 3))
      .Add(kTopics.commands, 1, 0, "alice", garbage);

  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  struct Expected {
    std::string topic;
    int32_t partition;
    int64_t offset;
    std::string key;
    std::string value;
    std::string reason;
  };
  const std::vector<Expected> expected = {
      {kTopics.interactions, 0, 1, "mystery", garbage, "not a custflow.v1.Interaction"},
      {kTopics.interactions, 0, 2, "", unresolved.SerializeAsString(), "not a custflow.v1.Interaction"},
      {kTopics.commands, 1, 0, "alice", garbage, "not a custflow.v1.Command"},
  };
  std::vector<kafka::InMemoryProducer::Record> letters = DeliveredTo(kTopics.dead_letter);
  ASSERT_EQ(letters.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].topic + "@" + std::to_string(expected[i].offset));
    v1::DeadLetter letter;
    ASSERT_TRUE(letter.ParseFromString(letters[i].value));
    EXPECT_EQ(letters[i].key, expected[i].key);
    EXPECT_EQ(letter.service(), "profile");
    EXPECT_NE(letter.reason().find(expected[i].reason), std::string::npos) << letter.reason();
    EXPECT_EQ(letter.topic(), expected[i].topic);
    EXPECT_EQ(letter.partition(), expected[i].partition);
    EXPECT_EQ(letter.offset(), expected[i].offset);
    EXPECT_EQ(letter.key(), expected[i].key);
    EXPECT_EQ(letter.value(), expected[i].value);
    EXPECT_GT(letter.failed_at().seconds(), 0);
  }
  EXPECT_EQ(CounterValue("custflow_profile_dead_lettered_total"), 3u);

  EXPECT_EQ(Stored("alice").version(), 1u);
  EXPECT_EQ(Stored("bob").grumble_count(), 1u);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 3);
  EXPECT_EQ(Applied(kTopics.commands, 1), 0);

  // A replay does not dead-letter the same messages again.
  absl::Status replayed = applier_->Apply(batch.messages());
  ASSERT_TRUE(replayed.ok()) << replayed;
  EXPECT_EQ(DeliveredTo(kTopics.dead_letter).size(), expected.size());
}

TEST_F(ProfileTest, StartAfterAppliedSeeksPastStoredOffsets) {
  Broker broker(producer_);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 3, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 4, Order("alice", kT0 + 1, 1000))
      .Add(kTopics.commands, 1, 9, Upsert("bob", v1::Customer(), kT0));
  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  std::vector<kafka::TopicPartitionOffset> partitions = {
      {kTopics.interactions, 0, std::nullopt},
      {kTopics.interactions, 1, std::nullopt},
      {kTopics.commands, 1, std::nullopt},
  };
  absl::Status started = applier_->StartAfterApplied(partitions);
  ASSERT_TRUE(started.ok()) << started;

  // A partition with nothing applied is left to the group's committed offset.
  const std::vector<kafka::TopicPartitionOffset> expected = {
      {kTopics.interactions, 0, 5},
      {kTopics.interactions, 1, std::nullopt},
      {kTopics.commands, 1, 10},
  };
  EXPECT_EQ(partitions, expected);
}

TEST_F(ProfileTest, ConcurrentWriterIsDetected) {
  v1::Profile mine;
  mine.set_customer_id("alice");
  mine.set_version(1);
  v1::Profile stale = mine;
  stale.set_version(99);
  absl::StatusOr<bool> first =
      store_->Commit(kTopics.interactions, 0, std::nullopt, 4, {{&mine, nullptr, mine.SerializeAsString()}});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(*first);
  const std::map<std::string, std::string> before = RedisContents();

  for (std::optional<int64_t> expected : {std::optional<int64_t>(), std::optional<int64_t>(3)}) {
    SCOPED_TRACE(expected ? std::to_string(*expected) : "none");
    absl::StatusOr<bool> late =
        store_->Commit(kTopics.interactions, 0, expected, 9, {{&stale, &mine, stale.SerializeAsString()}});
    ASSERT_TRUE(late.ok()) << late.status();
    EXPECT_FALSE(*late);
    EXPECT_EQ(RedisContents(), before);
  }
  EXPECT_EQ(Stored("alice").version(), 1u);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 4);
}

TEST_F(ProfileTest, ApplierAbortsWhenAnotherInstanceCommittedFirst) {
  v1::Profile theirs;
  theirs.set_customer_id("alice");
  theirs.set_version(40);
  // The other instance commits while this one waits for its snapshots to be confirmed,
  // that is after this one loaded the partition and before it commits.
  Broker broker(producer_, [&] {
    absl::StatusOr<bool> committed = store_->Commit(kTopics.interactions, 0, std::nullopt, 0,
                                                    {{&theirs, nullptr, theirs.SerializeAsString()}});
    EXPECT_TRUE(committed.ok() && *committed) << committed.status();
  });
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 1, Order("alice", kT0 + 1, 1000));

  absl::Status lost = applier_->Apply(batch.messages());
  EXPECT_EQ(lost.code(), absl::StatusCode::kAborted) << lost;
  EXPECT_NE(lost.message().find("interactions/0"), std::string::npos) << lost;
  EXPECT_EQ(Stored("alice").version(), 40u);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 0);

  // Retrying reloads: only offset 1 is new on top of the other instance's profile.
  absl::Status retried = applier_->Apply(batch.messages());
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(Stored("alice").version(), 41u);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 1);
}

TEST_F(ProfileTest, ApplierOnAnotherTopicCannotOverwriteAConcurrentProfileChange) {
  // An instance owning commands/0 changes alice after this one (owning interactions/0)
  // loaded her: the version check makes this one reload instead of losing that change.
  v1::Profile renamed;
  renamed.set_customer_id("alice");
  renamed.set_version(7);
  renamed.mutable_customer()->set_name("renamed by a command");
  Broker broker(producer_, [&] {
    absl::StatusOr<bool> committed = store_->Commit(kTopics.commands, 0, std::nullopt, 0,
                                                    {{&renamed, nullptr, renamed.SerializeAsString()}});
    EXPECT_TRUE(committed.ok() && *committed) << committed.status();
  });
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000));

  absl::Status lost = applier_->Apply(batch.messages());
  EXPECT_EQ(lost.code(), absl::StatusCode::kAborted) << lost;
  EXPECT_EQ(Stored("alice").customer().name(), "renamed by a command");

  absl::Status retried = applier_->Apply(batch.messages());
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(Stored("alice").customer().name(), "renamed by a command");
  EXPECT_EQ(Stored("alice").order_count(), 1u);
  EXPECT_EQ(Stored("alice").version(), 8u);
}

TEST_F(ProfileTest, RedisDownMakesApplyFailAndARetryAfterRestartSucceeds) {
  Broker broker(producer_);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 1, Event("bob", v1::INTERACTION_TYPE_STORE_VISIT, kT0 + 1));
  server_->Stop();

  const steady_clock::time_point start = steady_clock::now();
  absl::Status down = applier_->Apply(batch.messages());
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_FALSE(down.message().empty());
  std::vector<kafka::TopicPartitionOffset> partitions = {{kTopics.interactions, 0, std::nullopt}};
  EXPECT_FALSE(applier_->StartAfterApplied(partitions).ok());
  // Nothing stored, so nothing announced either.
  EXPECT_TRUE(DeliveredTo(kTopics.profiles).empty());

  absl::Status restarted = server_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  absl::Status retried = applier_->Apply(batch.messages());
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(Stored("alice").order_count(), 1u);
  EXPECT_EQ(Stored("bob").last_store_visit_at().seconds(), kT0 + 1);
  EXPECT_EQ(Applied(kTopics.interactions, 0), 1);
  EXPECT_EQ(DeliveredTo(kTopics.profiles).size(), 2u);
}

}  // namespace
}  // namespace custflow::profile::test

// ClickHouseSink against a real clickhouse-server 18.16: every message stored exactly once
// across replays, restarts, crashes between inserts and failed inserts.
#include "services/reporting/clickhouse_sink.h"

#include <algorithm>
#include <optional>

#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr const char* kInteractions = domain::kInteractionsTopic;
constexpr const char* kProfiles = domain::kProfilesTopic;

// Offsets 0 .. offsets-1, in the order a consumer polls them: at each offset an
// interaction on partitions 0 and 1 and a profile (of its own customer, whose version
// added a tag) on partition 0.
// slice(OffsetRange(a, b)) is the part of the stream with offsets a .. b-1.
constexpr size_t kMessagesPerOffset = 3;

MessageBatch Stream(int64_t offsets) {
  MessageBatch stream;
  for (int64_t offset = 0; offset < offsets; ++offset) {
    const std::string n = std::to_string(offset);
    stream.AddInteraction(0, offset, MakeInteraction("e-0-" + n, "c-" + std::to_string(offset % 3)));
    stream.AddInteraction(1, offset, MakeInteraction("e-1-" + n, "c-" + std::to_string(offset % 4)));
    stream.AddProfile(0, offset,
                      WithTagChange(MakeProfile("p-" + n, 1, "广东省", 1), 1, {"new"}, {}, offset));
  }
  return stream;
}

std::span<const kafka::Message> Offsets(const MessageBatch& stream, int64_t first, int64_t end) {
  return stream.slice(static_cast<size_t>(first) * kMessagesPerOffset,
                      static_cast<size_t>(end - first) * kMessagesPerOffset);
}

// The (partition, offset) of every message of `topic` in `messages`, sorted.
std::vector<StoredOffset> OffsetsOf(std::span<const kafka::Message> messages, std::string_view topic) {
  std::vector<StoredOffset> offsets;
  for (const kafka::Message& message : messages) {
    if (message.topic == topic) offsets.emplace_back(message.partition, message.offset);
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

// Fails the first insert into one table the way a broken connection does: before the
// server got the rows, or after it stored them but before its answer arrived.
class FailFirstInsertClient final : public clickhouse::ClickHouseClient {
 public:
  FailFirstInsertClient(clickhouse::ClickHouseClient& real, std::string table, bool stored)
      : real_(real), table_(std::move(table)), stored_(stored) {}

  absl::Status Execute(std::string_view sql) override { return real_.Execute(sql); }
  absl::StatusOr<clickhouse::QueryResult> Query(std::string_view sql) override { return real_.Query(sql); }
  absl::Status Ping() override { return real_.Ping(); }

  absl::Status Insert(std::string_view table, absl::Span<const std::string> columns,
                      const clickhouse::RowBinaryWriter& rows) override {
    if (failed_ || table != table_) return real_.Insert(table, columns, rows);
    failed_ = true;
    if (stored_) {
      if (absl::Status inserted = real_.Insert(table, columns, rows); !inserted.ok()) return inserted;
    }
    return absl::UnavailableError("test: connection broke while inserting into " + table_);
  }

 private:
  clickhouse::ClickHouseClient& real_;
  std::string table_;
  bool stored_;
  bool failed_ = false;
};

class ClickHouseSinkTest : public MigratedDatabaseTest {
 protected:
  ClickHouseSink NewSink(clickhouse::ClickHouseClient& client) {
    return ClickHouseSink(client, metrics_, {kInteractions, kProfiles});
  }
  ClickHouseSink NewSink() { return NewSink(client()); }

  // Each message of `messages` stored exactly once, in the table of its topic, and the tag
  // change of each profile once in tag_history.
  void ExpectStoredOnce(std::span<const kafka::Message> messages) {
    EXPECT_THAT(StoredOffsets("interactions"), ElementsAreArray(OffsetsOf(messages, kInteractions)));
    EXPECT_THAT(StoredOffsets("profile_versions"), ElementsAreArray(OffsetsOf(messages, kProfiles)));
    EXPECT_EQ(Count("SELECT count() FROM tag_history"), OffsetsOf(messages, kProfiles).size());
    EXPECT_EQ(Count("SELECT uniqExact(customer_id) FROM tag_history"), OffsetsOf(messages, kProfiles).size());
  }

  // A sink whose data inserts succeed and whose process dies before it records the offsets.
  void WriteThenCrashBeforeRecordingOffsets(std::span<const kafka::Message> batch) {
    FailFirstInsertClient crashing(client(), "sink_offsets", /*stored=*/false);
    ClickHouseSink doomed = NewSink(crashing);
    ASSERT_FALSE(doomed.Write(batch).ok());
  }

  // A new owner's start positions for partitions 0 and 1 of both topics.
  std::vector<kafka::TopicPartitionOffset> StartNewOwner(ClickHouseSink& sink) {
    std::vector<kafka::TopicPartitionOffset> partitions = {{kInteractions, 0, std::nullopt},
                                                           {kInteractions, 1, std::nullopt},
                                                           {kProfiles, 0, std::nullopt},
                                                           {kProfiles, 1, std::nullopt}};
    absl::Status started = sink.StartAfterRecorded(partitions);
    EXPECT_TRUE(started.ok()) << started;
    return partitions;
  }

  core::MetricsRegistry metrics_;
};

TEST_F(ClickHouseSinkTest, SinkWritesInteractionsAndProfileVersionsWithTheirOffsets) {
  MessageBatch stream = Stream(5);
  ClickHouseSink sink = NewSink();

  absl::Status written = sink.Write(stream.all());

  ASSERT_TRUE(written.ok()) << written;
  ExpectStoredOnce(stream.all());
  EXPECT_THAT(Rows("SELECT event_id, customer_id, channel, type, toUnixTimestamp(occurred_at), "
                   "department, duration_seconds FROM interactions "
                   "WHERE kafka_partition = 1 AND kafka_offset = 2"),
              ElementsAre("e-1-2 | c-2 | CHANNEL_PHONE | INTERACTION_TYPE_CALL_INBOUND | "
                          "1714521600 | 售后 | 120"));
  EXPECT_THAT(Rows("SELECT customer_id, version, customer_type, province, interaction_count "
                   "FROM profile_versions WHERE kafka_offset = 3"),
              ElementsAre("p-3 | 1 | potential | 广东省 | 1"));
  EXPECT_THAT(Rows("SELECT topic, kafka_partition, kafka_offset FROM sink_offsets "
                   "ORDER BY topic, kafka_partition"),
              ElementsAre("custflow.interactions.v1 | 0 | 4", "custflow.interactions.v1 | 1 | 4",
                          "custflow.profiles.v1 | 0 | 4"));
}

TEST_F(ClickHouseSinkTest, UnreadableMessageIsSkippedButItsOffsetIsRecorded) {
  MessageBatch batch;
  batch.AddInteraction(0, 0, MakeInteraction("e-0", "c-0")).AddGarbage(kInteractions, 0, 1);
  ClickHouseSink sink = NewSink();

  absl::Status written = sink.Write(batch.all());

  ASSERT_TRUE(written.ok()) << written;
  EXPECT_THAT(StoredOffsets("interactions"), ElementsAre(StoredOffset{0, 0}));
  EXPECT_THAT(Rows("SELECT max(kafka_offset) FROM sink_offsets"), ElementsAre("1"));
}

TEST_F(ClickHouseSinkTest, ReplayedBatchIsNotStoredTwice) {
  MessageBatch stream = Stream(4);
  ClickHouseSink first_owner = NewSink();
  ASSERT_TRUE(first_owner.Write(stream.all()).ok());

  ClickHouseSink restarted = NewSink();
  std::vector<kafka::TopicPartitionOffset> starts = StartNewOwner(restarted);
  absl::Status replayed = restarted.Write(stream.all());

  EXPECT_THAT(starts, ElementsAre(Field(&kafka::TopicPartitionOffset::offset, Optional(4)),
                                  Field(&kafka::TopicPartitionOffset::offset, Optional(4)),
                                  Field(&kafka::TopicPartitionOffset::offset, Optional(4)),
                                  Field(&kafka::TopicPartitionOffset::offset, std::nullopt)));
  ASSERT_TRUE(replayed.ok()) << replayed;
  ExpectStoredOnce(stream.all());
}

TEST_F(ClickHouseSinkTest, RowsStoredWithoutAnOffsetRecordAreSkippedAfterRestart) {
  MessageBatch stream = Stream(10);
  ClickHouseSink first_owner = NewSink();
  ASSERT_TRUE(first_owner.Write(Offsets(stream, 0, 5)).ok());
  WriteThenCrashBeforeRecordingOffsets(Offsets(stream, 5, 10));

  ClickHouseSink restarted = NewSink();
  std::vector<kafka::TopicPartitionOffset> starts = StartNewOwner(restarted);
  absl::Status replayed = restarted.Write(Offsets(stream, 5, 10));

  EXPECT_THAT(starts[0].offset, Optional(5));
  ASSERT_TRUE(replayed.ok()) << replayed;
  ExpectStoredOnce(stream.all());
}

// The consumer after a restart need not poll the same batches as before the crash.
TEST_F(ClickHouseSinkTest, ReplayInSmallerBatchesSkipsEveryRowStoredBeforeTheCrash) {
  MessageBatch stream = Stream(10);
  WriteThenCrashBeforeRecordingOffsets(stream.all());

  ClickHouseSink restarted = NewSink();
  StartNewOwner(restarted);
  for (int64_t first = 0; first < 10; first += 3) {
    absl::Status replayed = restarted.Write(Offsets(stream, first, std::min<int64_t>(first + 3, 10)));
    ASSERT_TRUE(replayed.ok()) << replayed;
  }

  ExpectStoredOnce(stream.all());
}

TEST_F(ClickHouseSinkTest, TagChangeIsStoredWithTheVersionThatMadeItAndFillsTagHistoryOnce) {
  v1::Profile changed =
      WithTagChange(MakeProfile("p-1", 2, "广东省", 1), 2, {"value:high", "vip"}, {"value:low"}, 60);
  changed.mutable_tag_change()->mutable_rules()->erase("vip");  // a tag without a known rule
  // The next version (an interaction) still carries version 2's change.
  v1::Profile later = changed;
  later.set_version(3);
  MessageBatch batch;
  batch.AddProfile(0, 0, changed).AddProfile(0, 1, later);
  ClickHouseSink sink = NewSink();
  ASSERT_TRUE(sink.Write(batch.all()).ok());
  ClickHouseSink restarted = NewSink();
  StartNewOwner(restarted);

  absl::Status replayed = restarted.Write(batch.all());

  ASSERT_TRUE(replayed.ok()) << replayed;
  EXPECT_THAT(Rows("SELECT version, toUnixTimestamp(tag_changed_at), tags_added, tags_removed, tag_rules, "
                   "tag_rules_version FROM profile_versions ORDER BY version"),
              ElementsAre("2 | 1714521660 | ['value:high','vip'] | ['value:low'] | "
                          "['value:high@1','','value:low@1'] | rules-1",
                          "3 | 0 | [] | [] | [] | "));
  EXPECT_THAT(Rows("SELECT customer_id, tag, action, toUnixTimestamp(changed_at), profile_version, rule, "
                   "rules_version FROM tag_history ORDER BY action, tag"),
              ElementsAre("p-1 | value:high | added | 1714521660 | 2 | value:high@1 | rules-1",
                          "p-1 | vip | added | 1714521660 | 2 |  | rules-1",
                          "p-1 | value:low | removed | 1714521660 | 2 | value:low@1 | rules-1"));
}

struct FailedInsertCase {
  std::string name;
  std::string table;
  bool stored;  // the server stored the rows before the connection broke
};

class FailedInsertTest : public ClickHouseSinkTest, public ::testing::WithParamInterface<FailedInsertCase> {};

TEST_P(FailedInsertTest, FailedInsertIsRetriedWithoutDoubles) {
  MessageBatch stream = Stream(6);
  FailFirstInsertClient faulty(client(), GetParam().table, GetParam().stored);
  ClickHouseSink sink = NewSink(faulty);

  absl::Status failed = sink.Write(stream.all());
  absl::Status retried = sink.Write(stream.all());

  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_THAT(failed.message(), HasSubstr(GetParam().table));
  ASSERT_TRUE(retried.ok()) << retried;
  ExpectStoredOnce(stream.all());
  EXPECT_THAT(Rows("SELECT topic, kafka_partition, max(kafka_offset) FROM sink_offsets "
                   "GROUP BY topic, kafka_partition ORDER BY topic, kafka_partition"),
              ElementsAre("custflow.interactions.v1 | 0 | 5", "custflow.interactions.v1 | 1 | 5",
                          "custflow.profiles.v1 | 0 | 5"));
}

INSTANTIATE_TEST_SUITE_P(
    EachInsert, FailedInsertTest,
    ::testing::Values(FailedInsertCase{"InteractionsLost", "interactions", false},
                      FailedInsertCase{"InteractionsStoredAnswerLost", "interactions", true},
                      FailedInsertCase{"ProfileVersionsLost", "profile_versions", false},
                      FailedInsertCase{"ProfileVersionsStoredAnswerLost", "profile_versions", true},
                      FailedInsertCase{"SinkOffsetsLost", "sink_offsets", false},
                      FailedInsertCase{"SinkOffsetsStoredAnswerLost", "sink_offsets", true}),
    [](const ::testing::TestParamInfo<FailedInsertCase>& tested) { return tested.param.name; });

}  // namespace
}  // namespace custflow::reporting

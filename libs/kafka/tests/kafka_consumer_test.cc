// KafkaConsumer against the real local broker: group reads, manual commits, and the
// assign/revoke hooks. The mock broker waits 3 s before a group's first rebalance, so
// each group join costs that much.
#include "custflow/kafka/kafka_consumer.h"

#include <chrono>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "custflow/kafka/kafka_producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/kafka_broker.h"

namespace custflow::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kTopic[] = "custflow.interactions.v1";
constexpr auto kJoinTimeout = std::chrono::seconds(15);

class KafkaConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<custflow::testing::LocalKafkaBroker> broker = custflow::testing::StartKafkaBroker();
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_.emplace(*std::move(broker));
  }

  // Short sessions keep rebalances quick, as DESIGN.md asks of tests. The mock broker
  // drops members whose session is shorter than its 3 s first-join delay (JoinGroup
  // then never completes), so 4 s is about as short as it gets.
  ConsumerOptions Options(const std::string& group) const {
    return {.bootstrap_servers = broker_->bootstrap_servers(),
            .group_id = group,
            .topics = {kTopic},
            .session_timeout = milliseconds(4000),
            .max_poll_interval = milliseconds(10'000)};
  }

  std::unique_ptr<KafkaConsumer> NewConsumer(ConsumerOptions options) {
    absl::StatusOr<std::unique_ptr<KafkaConsumer>> consumer = KafkaConsumer::Create(std::move(options));
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? *std::move(consumer) : nullptr;
  }

  // Produces key/value pairs in order and returns where each landed.
  std::vector<DeliveryReport> Produce(const std::vector<std::pair<std::string, std::string>>& messages) {
    auto producer = KafkaProducer::Create({.bootstrap_servers = broker_->bootstrap_servers()});
    EXPECT_TRUE(producer.ok()) << producer.status();
    if (!producer.ok()) return {};
    std::vector<std::future<absl::StatusOr<DeliveryReport>>> futures;
    for (const auto& [key, value] : messages) {
      futures.push_back((*producer)->SendAsync(kTopic, key, value));
    }
    std::vector<DeliveryReport> reports;
    for (auto& future : futures) {
      absl::StatusOr<DeliveryReport> report = future.get();
      EXPECT_TRUE(report.ok()) << report.status();
      if (report.ok()) reports.push_back(*report);
    }
    return reports;
  }

  std::optional<custflow::testing::LocalKafkaBroker> broker_;
};

// Polls until `count` messages arrived or `timeout` passed.
std::vector<Message> PollFor(Consumer& consumer, size_t count, Clock::duration timeout) {
  std::vector<Message> messages;
  Clock::time_point deadline = Clock::now() + timeout;
  while (messages.size() < count && Clock::now() < deadline) {
    absl::StatusOr<std::vector<Message>> batch = consumer.Poll(count - messages.size(), milliseconds(200));
    if (!batch.ok()) {
      ADD_FAILURE() << batch.status();
      break;
    }
    for (Message& message : *batch) messages.push_back(std::move(message));
  }
  return messages;
}

std::set<std::pair<int32_t, int64_t>> Positions(const std::vector<Message>& messages) {
  std::set<std::pair<int32_t, int64_t>> positions;
  for (const Message& message : messages) positions.emplace(message.partition, message.offset);
  return positions;
}

std::vector<std::pair<std::string, std::string>> Numbered(int count, int keys) {
  std::vector<std::pair<std::string, std::string>> messages;
  for (int i = 0; i < count; ++i) {
    messages.emplace_back("customer-" + std::to_string(i % keys), std::to_string(i / keys));
  }
  return messages;
}

TEST_F(KafkaConsumerTest, ReadsEveryProducedMessageWithItsKeyAndInOrderPerKey) {
  constexpr int kKeys = 24, kPerKey = 50;
  ASSERT_THAT(Produce(Numbered(kKeys * kPerKey, kKeys)), SizeIs(kKeys * kPerKey));
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(Options("order"));
  ASSERT_NE(consumer, nullptr);

  std::vector<Message> messages = PollFor(*consumer, kKeys * kPerKey, kJoinTimeout);
  ASSERT_THAT(messages, SizeIs(kKeys * kPerKey));
  std::map<std::string, std::vector<int>> sequence_per_key;
  std::map<std::string, std::set<int32_t>> partitions_per_key;
  for (const Message& message : messages) {
    EXPECT_EQ(message.topic, kTopic);
    EXPECT_GT(message.timestamp.time_since_epoch().count(), 0);
    sequence_per_key[std::string(message.key)].push_back(std::stoi(std::string(message.value)));
    partitions_per_key[std::string(message.key)].insert(message.partition);
  }
  ASSERT_THAT(sequence_per_key, SizeIs(kKeys));
  std::vector<int> expected(kPerKey);
  std::iota(expected.begin(), expected.end(), 0);
  for (const auto& [key, sequence] : sequence_per_key) {
    EXPECT_EQ(sequence, expected) << key;
    EXPECT_THAT(partitions_per_key[key], SizeIs(1)) << key;
  }
  EXPECT_THAT(PollFor(*consumer, 1, milliseconds(500)), IsEmpty());
}

TEST_F(KafkaConsumerTest, SecondMemberResumesAfterTheCommittedOffsets) {
  std::vector<DeliveryReport> produced = Produce(Numbered(100, 20));
  ASSERT_THAT(produced, SizeIs(100));

  // The first member commits 30 messages from its loop and 60 in its revoke hook.
  std::vector<Message> first_read;
  std::vector<TopicPartition> revoked;
  KafkaConsumer* first_consumer = nullptr;
  ConsumerOptions first_options = Options("resume");
  first_options.on_revoke = [&](const std::vector<TopicPartition>& partitions) {
    revoked = partitions;
    EXPECT_TRUE(first_consumer->Commit(NextOffsets(first_read)).ok());
  };
  std::unique_ptr<KafkaConsumer> first = NewConsumer(std::move(first_options));
  ASSERT_NE(first, nullptr);
  first_consumer = first.get();
  first_read = PollFor(*first, 30, kJoinTimeout);
  ASSERT_THAT(first_read, SizeIs(30));
  ASSERT_TRUE(first->Commit(NextOffsets(first_read)).ok());
  for (Message& message : PollFor(*first, 30, kJoinTimeout)) {
    first_read.push_back(std::move(message));
  }
  ASSERT_THAT(first_read, SizeIs(60));
  ASSERT_TRUE(first->Close().ok());
  EXPECT_THAT(revoked, SizeIs(6));

  // The second member's hook leaves every offset unset: it starts at the committed ones.
  std::vector<TopicPartitionOffset> assigned;
  ConsumerOptions second_options = Options("resume");
  second_options.on_assign = [&](std::vector<TopicPartitionOffset>& partitions) {
    assigned = partitions;
    return absl::OkStatus();
  };
  std::unique_ptr<KafkaConsumer> second = NewConsumer(std::move(second_options));
  ASSERT_NE(second, nullptr);
  std::vector<Message> second_read = PollFor(*second, 40, kJoinTimeout);
  EXPECT_THAT(PollFor(*second, 1, milliseconds(1000)), IsEmpty());
  EXPECT_THAT(assigned, SizeIs(6));

  std::set<std::pair<int32_t, int64_t>> first_positions = Positions(first_read);
  std::set<std::pair<int32_t, int64_t>> second_positions = Positions(second_read);
  std::set<std::pair<int32_t, int64_t>> all;
  for (const DeliveryReport& report : produced) all.emplace(report.partition, report.offset);
  std::vector<std::pair<int32_t, int64_t>> reread;
  std::set_intersection(first_positions.begin(), first_positions.end(), second_positions.begin(),
                        second_positions.end(), std::back_inserter(reread));
  EXPECT_THAT(reread, IsEmpty()) << "messages read twice";
  first_positions.insert(second_positions.begin(), second_positions.end());
  EXPECT_EQ(first_positions, all) << "messages skipped";
}

TEST_F(KafkaConsumerTest, AssignHookStartsAPartitionAtTheChosenOffset) {
  std::vector<DeliveryReport> produced = Produce(Numbered(10, 1));
  ASSERT_THAT(produced, SizeIs(10));
  const int32_t partition = produced.front().partition;
  ConsumerOptions options = Options("seek");
  options.on_assign = [&](std::vector<TopicPartitionOffset>& partitions) {
    for (TopicPartitionOffset& assigned : partitions) {
      if (assigned.partition == partition) assigned.offset = 7;
    }
    return absl::OkStatus();
  };
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(std::move(options));
  ASSERT_NE(consumer, nullptr);

  std::vector<Message> messages = PollFor(*consumer, 3, kJoinTimeout);
  EXPECT_EQ(Positions(messages),
            (std::set<std::pair<int32_t, int64_t>>{{partition, 7}, {partition, 8}, {partition, 9}}));

  // Poll returns as soon as a message is there, not when its timeout passes.
  std::future<absl::StatusOr<DeliveryReport>> sent;
  auto producer = KafkaProducer::Create({.bootstrap_servers = broker_->bootstrap_servers()});
  ASSERT_TRUE(producer.ok()) << producer.status();
  sent = (*producer)->SendAsync(kTopic, "customer-0", "10");
  Clock::time_point start = Clock::now();
  absl::StatusOr<std::vector<Message>> next = consumer->Poll(100, std::chrono::seconds(10));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_THAT(*next, SizeIs(1));
  EXPECT_EQ((*next)[0].offset, 10);
  EXPECT_EQ((*next)[0].value, "10");
  EXPECT_TRUE(sent.get().ok());
}

TEST_F(KafkaConsumerTest, FailingAssignHookStopsTheConsumerWithItsError) {
  ConsumerOptions options = Options("broken-hook");
  options.on_assign = [](std::vector<TopicPartitionOffset>&) {
    return absl::UnavailableError("redis is down");
  };
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(std::move(options));
  ASSERT_NE(consumer, nullptr);

  absl::Status error;
  Clock::time_point deadline = Clock::now() + kJoinTimeout;
  while (error.ok() && Clock::now() < deadline) {
    error = consumer->Poll(10, milliseconds(200)).status();
  }
  EXPECT_EQ(error.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(error.message(), HasSubstr("on_assign hook failed: redis is down"));
  EXPECT_EQ(consumer->Poll(10, milliseconds(10)).status(), error);
}

TEST_F(KafkaConsumerTest, PollReturnsAnEmptyBatchWhenTheTimeoutPasses) {
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(Options("idle"));
  ASSERT_NE(consumer, nullptr);
  Clock::time_point start = Clock::now();
  absl::StatusOr<std::vector<Message>> batch = consumer->Poll(100, milliseconds(300));
  Clock::duration elapsed = Clock::now() - start;
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(*batch, IsEmpty());
  EXPECT_GE(elapsed, milliseconds(290));
  EXPECT_LT(elapsed, milliseconds(1500));
}

TEST_F(KafkaConsumerTest, CommitNeedsAnOffsetForEveryPartition) {
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(Options("commit"));
  ASSERT_NE(consumer, nullptr);
  absl::Status committed = consumer->Commit({{kTopic, 2, std::nullopt}});
  EXPECT_EQ(committed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(committed.message(), HasSubstr("Commit needs an offset for custflow.interactions.v1[2]"));
}

TEST_F(KafkaConsumerTest, ClosedConsumerRefusesToPoll) {
  std::unique_ptr<KafkaConsumer> consumer = NewConsumer(Options("closed"));
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->Close().ok());
  EXPECT_TRUE(consumer->Close().ok());
  EXPECT_EQ(consumer->Poll(1, milliseconds(10)).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace custflow::kafka

// KafkaConsumer::Lag against the real local broker: everything produced counts as lag
// until Poll returns it, and a member that lost its partitions reports none.
#include <chrono>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "gtest/gtest.h"
#include "tests/support/kafka_broker.h"

namespace custflow::kafka {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kTopic[] = "custflow.interactions.v1";
constexpr int kPartitions = 3;
constexpr int64_t kProduced = 7;

int64_t TotalLag(const std::vector<PartitionLag>& lags) {
  return std::accumulate(lags.begin(), lags.end(), int64_t{0},
                         [](int64_t sum, const PartitionLag& lag) { return sum + lag.messages; });
}

// Waits until the consumer reports every partition with `expected` messages of lag in
// all, or 10 s passed; returns the last total (-1 while some partition is unreported).
int64_t WaitForTotalLag(KafkaConsumer& consumer, int64_t expected) {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (true) {
    std::vector<PartitionLag> lags = consumer.Lag();
    int64_t total = lags.size() == kPartitions ? TotalLag(lags) : -1;
    if (total == expected || Clock::now() >= deadline) return total;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

ConsumerOptions LagTestOptions(const std::string& bootstrap_servers, bool& assigned) {
  return {.bootstrap_servers = bootstrap_servers,
          .group_id = "lag-test",
          .topics = {kTopic},
          .session_timeout = milliseconds(4000),
          .max_poll_interval = milliseconds(10'000),
          .on_assign = [&assigned](std::vector<TopicPartitionOffset>&) {
            assigned = true;
            return absl::OkStatus();
          }};
}

// Joins the group with polls that do not wait, so (almost) nothing is read yet; returns
// how many messages were read meanwhile.
int64_t JoinWithoutReading(KafkaConsumer& consumer, const bool& assigned) {
  int64_t read = 0;
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(15);
  while (!assigned && Clock::now() < deadline) {
    absl::StatusOr<std::vector<Message>> batch = consumer.Poll(1, milliseconds(0));
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (batch.ok()) read += static_cast<int64_t>(batch->size());
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(assigned);
  return read;
}

TEST(KafkaConsumerLag, CountsUnreadMessagesUntilPolledAndNoneAfterRevoke) {
  absl::StatusOr<custflow::testing::LocalKafkaBroker> broker =
      custflow::testing::StartKafkaBroker(kPartitions);
  ASSERT_TRUE(broker.ok()) << broker.status();
  {
    auto producer = KafkaProducer::Create({.bootstrap_servers = broker->bootstrap_servers()});
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int64_t i = 0; i < kProduced; ++i) {
      absl::StatusOr<DeliveryReport> sent =
          (*producer)->SendAsync(kTopic, "customer-" + std::to_string(i), "v").get();
      ASSERT_TRUE(sent.ok()) << sent.status();
    }
  }
  bool assigned = false;
  auto consumer = KafkaConsumer::Create(LagTestOptions(broker->bootstrap_servers(), assigned));
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_EQ(consumer.value()->group(), "lag-test");
  int64_t read = JoinWithoutReading(**consumer, assigned);
  ASSERT_LT(read, kProduced);
  EXPECT_EQ(WaitForTotalLag(**consumer, kProduced - read), kProduced - read);
  for (const PartitionLag& lag : (*consumer)->Lag()) EXPECT_EQ(lag.topic, kTopic);

  Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (read < kProduced && Clock::now() < deadline) {
    absl::StatusOr<std::vector<Message>> batch = (*consumer)->Poll(100, milliseconds(200));
    ASSERT_TRUE(batch.ok()) << batch.status();
    read += static_cast<int64_t>(batch->size());
  }
  ASSERT_EQ(read, kProduced);
  EXPECT_EQ(WaitForTotalLag(**consumer, 0), 0) << "caught-up partitions report 0, not nothing";

  ASSERT_TRUE((*consumer)->Close().ok());
  EXPECT_TRUE((*consumer)->Lag().empty());
}

TEST(KafkaConsumerLag, StartsFromTheCommittedOffsetBeforeReadingAnything) {
  absl::StatusOr<custflow::testing::LocalKafkaBroker> broker =
      custflow::testing::StartKafkaBroker(kPartitions);
  ASSERT_TRUE(broker.ok()) << broker.status();
  std::vector<TopicPartitionOffset> ends;
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    ends.push_back({.topic = kTopic, .partition = partition, .offset = 0});
  }
  {
    auto producer = KafkaProducer::Create({.bootstrap_servers = broker->bootstrap_servers()});
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int32_t partition = 0; partition < kPartitions; ++partition) {
      absl::StatusOr<DeliveryReport> sent = (*producer)->SendAsync(kTopic, "customer", "v").get();
      ASSERT_TRUE(sent.ok()) << sent.status();
      ends[static_cast<size_t>(sent->partition)].offset = sent->offset + 1;
    }
  }
  bool assigned = false;
  {
    auto first = KafkaConsumer::Create(LagTestOptions(broker->bootstrap_servers(), assigned));
    ASSERT_TRUE(first.ok()) << first.status();
    JoinWithoutReading(**first, assigned);
    // Commits the end of every partition, as a member that processed everything would.
    ASSERT_TRUE((*first)->Commit(ends).ok());
    ASSERT_TRUE((*first)->Close().ok());
  }
  // An idle partition gives a new member no message to learn its position from.
  assigned = false;
  auto second = KafkaConsumer::Create(LagTestOptions(broker->bootstrap_servers(), assigned));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(JoinWithoutReading(**second, assigned), 0);
  EXPECT_EQ(WaitForTotalLag(**second, 0), 0);
}

}  // namespace
}  // namespace custflow::kafka

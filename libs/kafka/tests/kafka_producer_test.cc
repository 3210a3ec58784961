// KafkaProducer against the real local broker (custflow-kafka-broker) and against an
// address where nothing listens.
#include "custflow/kafka/kafka_producer.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/kafka_broker.h"
#include "tests/support/local_process.h"

namespace custflow::kafka {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr char kTopic[] = "custflow.interactions.v1";

// Collects delivery outcomes from the producer's thread.
class Outcomes {
 public:
  DeliveryCallback Callback() {
    return [this](absl::StatusOr<DeliveryReport> outcome) {
      std::lock_guard lock(mu_);
      outcomes_.push_back(std::move(outcome));
    };
  }
  std::vector<absl::StatusOr<DeliveryReport>> Get() {
    std::lock_guard lock(mu_);
    return outcomes_;
  }

 private:
  std::mutex mu_;
  std::vector<absl::StatusOr<DeliveryReport>> outcomes_;
};

std::string UnreachableBootstrap() {
  return "127.0.0.1:" + std::to_string(custflow::testing::FreeLoopbackPort());
}

TEST(KafkaProducerTest, DeliveryReportsPartitionAndConsecutiveOffsetsAfterTheBrokerConfirmed) {
  absl::StatusOr<custflow::testing::LocalKafkaBroker> broker = custflow::testing::StartKafkaBroker();
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto producer = KafkaProducer::Create({.bootstrap_servers = broker->bootstrap_servers()});
  ASSERT_TRUE(producer.ok()) << producer.status();

  Outcomes outcomes;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*producer)->Send(kTopic, "customer-7", "event", outcomes.Callback()).ok());
  }
  ASSERT_TRUE((*producer)->Flush(std::chrono::seconds(10)).ok());

  std::vector<absl::StatusOr<DeliveryReport>> reports = outcomes.Get();
  ASSERT_EQ(reports.size(), 10u);
  ASSERT_TRUE(reports[0].ok()) << reports[0].status();
  EXPECT_GE(reports[0]->partition, 0);
  EXPECT_LT(reports[0]->partition, 6);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(reports[i].ok()) << reports[i].status();
    EXPECT_EQ(reports[i]->partition, reports[0]->partition);
    EXPECT_EQ(reports[i]->offset, i);  // A fresh broker: the key's partition starts at 0.
  }

  absl::StatusOr<DeliveryReport> next = (*producer)->SendAndWait(kTopic, "customer-7", "event");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->partition, reports[0]->partition);
  EXPECT_EQ(next->offset, 10);
}

TEST(KafkaProducerTest, UnreachableBrokerFailsWithinTheDeliveryTimeoutAndNeverReportsSuccess) {
  auto producer = KafkaProducer::Create(
      {.bootstrap_servers = UnreachableBootstrap(), .delivery_timeout = std::chrono::milliseconds(1500)});
  ASSERT_TRUE(producer.ok()) << producer.status();
  Outcomes outcomes;
  Clock::time_point start = Clock::now();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*producer)->Send(kTopic, "k", "v", outcomes.Callback()).ok());
  }
  ASSERT_TRUE((*producer)->Flush(std::chrono::seconds(10)).ok());
  // librdkafka scans for expired messages once a second.
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1500 + 1500));

  std::vector<absl::StatusOr<DeliveryReport>> reports = outcomes.Get();
  ASSERT_EQ(reports.size(), 5u);
  for (const absl::StatusOr<DeliveryReport>& report : reports) {
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_THAT(report.status().message(),
                AllOf(HasSubstr("delivery to Kafka topic custflow.interactions.v1 not confirmed "
                                "within 1500 ms: Local: Message timed out"),
                      HasSubstr("Connection refused")));
  }
}

TEST(KafkaProducerTest, FullLocalQueueAnswersResourceExhaustedAtOnce) {
  Outcomes outcomes;
  {
    auto producer = KafkaProducer::Create({.bootstrap_servers = UnreachableBootstrap(),
                                           .delivery_timeout = std::chrono::seconds(30),
                                           .max_queued_messages = 5,
                                           .close_timeout = std::chrono::milliseconds(100)});
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE((*producer)->Send(kTopic, "k", "v", outcomes.Callback()).ok());
    }
    Clock::time_point start = Clock::now();
    bool called = false;
    absl::Status rejected = (*producer)->Send(kTopic, "k", "v", [&](auto) { called = true; });
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(100));
    EXPECT_EQ(rejected.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(rejected.message(), HasSubstr("local producer queue is full (5 messages"));
    (*producer).reset();
    EXPECT_FALSE(called);
  }
  EXPECT_EQ(outcomes.Get().size(), 5u);
}

TEST(KafkaProducerTest, DestructionReportsUndeliveredMessagesAsCancelledExactlyOnce) {
  Outcomes outcomes;
  auto producer = KafkaProducer::Create({.bootstrap_servers = UnreachableBootstrap(),
                                         .delivery_timeout = std::chrono::seconds(60),
                                         .close_timeout = std::chrono::milliseconds(200)});
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*producer)->Send(kTopic, "k", "v", outcomes.Callback()).ok());
  }
  Clock::time_point start = Clock::now();
  (*producer).reset();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));

  std::vector<absl::StatusOr<DeliveryReport>> reports = outcomes.Get();
  ASSERT_EQ(reports.size(), 3u);
  for (const absl::StatusOr<DeliveryReport>& report : reports) {
    EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
    EXPECT_THAT(report.status().message(), HasSubstr("producer shut down before the broker"));
  }
}

TEST(KafkaProducerTest, FlushTimesOutWithTheNumberOfPendingMessages) {
  auto producer = KafkaProducer::Create(
      {.bootstrap_servers = UnreachableBootstrap(), .close_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(producer.ok()) << producer.status();
  ASSERT_TRUE((*producer)->Send(kTopic, "k", "v", [](auto) {}).ok());
  absl::Status flushed = (*producer)->Flush(std::chrono::milliseconds(200));
  EXPECT_EQ(flushed.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(flushed.message(), HasSubstr("1 messages still await delivery after 200 ms"));
}

TEST(KafkaProducerTest, SendRejectsAnEmptyTopicWithoutCallingBack) {
  auto producer = KafkaProducer::Create(
      {.bootstrap_servers = UnreachableBootstrap(), .close_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(producer.ok()) << producer.status();
  bool called = false;
  absl::Status sent = (*producer)->Send("", "k", "v", [&](auto) { called = true; });
  EXPECT_EQ(sent.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sent.message(), HasSubstr("topic name is empty"));
  (*producer).reset();
  EXPECT_FALSE(called);
}

TEST(KafkaProducerTest, CreateRejectsAnUnknownPropertyWithLibrdkafkasReason) {
  auto producer =
      KafkaProducer::Create({.bootstrap_servers = "127.0.0.1:1", .properties = {{"no.such.property", "x"}}});
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("No such configuration property"));
}

}  // namespace
}  // namespace custflow::kafka

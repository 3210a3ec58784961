// InMemoryProducer behaves like a producer whose broker answers when the test says so.
#include "custflow/kafka/in_memory_producer.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::kafka {
namespace {

using ::testing::HasSubstr;

TEST(InMemoryProducerTest, ReportsNothingUntilDelivered) {
  InMemoryProducer producer;
  int calls = 0;
  ASSERT_TRUE(producer.Send("t", "k", "v", [&](absl::StatusOr<DeliveryReport>) { ++calls; }).ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(producer.pending_count(), 1u);
  EXPECT_TRUE(producer.delivered().empty());
}

TEST(InMemoryProducerTest, DeliveryGivesConsecutiveOffsetsPerPartition) {
  InMemoryProducer producer(3);
  std::vector<DeliveryReport> reports;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(producer
                    .Send("t", "customer-1", "v",
                          [&](absl::StatusOr<DeliveryReport> report) {
                            ASSERT_TRUE(report.ok());
                            reports.push_back(*report);
                          })
                    .ok());
  }
  producer.DeliverPending();
  ASSERT_EQ(reports.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reports[i].partition, reports[0].partition);
    EXPECT_EQ(reports[i].offset, i);
  }
  ASSERT_EQ(producer.delivered().size(), 3u);
  EXPECT_EQ(producer.delivered()[2].key, "customer-1");
  EXPECT_EQ(producer.pending_count(), 0u);
}

TEST(InMemoryProducerTest, FailedDeliveryReportsTheErrorAndStoresNothing) {
  InMemoryProducer producer;
  absl::Status outcome;
  ASSERT_TRUE(
      producer.Send("t", "k", "v", [&](absl::StatusOr<DeliveryReport> report) { outcome = report.status(); })
          .ok());
  producer.DeliverPending(absl::UnavailableError("broker down"));
  EXPECT_EQ(outcome.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(producer.delivered().empty());
}

TEST(InMemoryProducerTest, FailNextSendRejectsOneMessageWithoutCallingBack) {
  InMemoryProducer producer;
  producer.FailNextSend(absl::ResourceExhaustedError("queue full"));
  bool called = false;
  absl::Status first = producer.Send("t", "k", "v", [&](auto) { called = true; });
  EXPECT_EQ(first.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(producer.Send("t", "k", "v", [](auto) {}).ok());
  producer.DeliverPending();
  EXPECT_FALSE(called);
  EXPECT_EQ(producer.delivered().size(), 1u);
}

TEST(InMemoryProducerTest, FlushDeliversPendingMessages) {
  InMemoryProducer producer;
  std::future<absl::StatusOr<DeliveryReport>> report = producer.SendAsync("t", "k", "v");
  EXPECT_EQ(report.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  ASSERT_TRUE(producer.Flush(std::chrono::seconds(1)).ok());
  ASSERT_TRUE(report.get().ok());
}

TEST(InMemoryProducerTest, SendAsyncOfARejectedMessageIsReadyWithTheError) {
  InMemoryProducer producer;
  producer.FailNextSend(absl::InvalidArgumentError("too large"));
  absl::StatusOr<DeliveryReport> report = producer.SendAsync("t", "k", "v").get();
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("too large"));
}

}  // namespace
}  // namespace custflow::kafka

// The consume loop ServeWithConsumer runs: a batch that cannot be stored is retried after
// a backoff that doubles up to a cap, never committed before it is stored, never skipped.
#include <chrono>
#include <vector>

#include "custflow/kafka/consume_loop.h"
#include "fake_consumer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::runtime {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;

TEST(ConsumeRetryTest, FailedBatchIsRetriedWithCappedExponentialBackoffAndCommittedOnlyOnceStored) {
  FakeClock clock;
  FakeConsumer consumer(clock);
  consumer.Script(0, 0, 10);
  kafka::ConsumeLoopOptions options;  // the defaults the services run with
  int failures_left = 8;
  std::vector<size_t> handled_sizes;
  std::vector<milliseconds> backoffs;
  int retries_heard = 0;
  absl::Status ended = kafka::RunConsumeLoop(
      consumer, options,
      [&](std::span<const kafka::Message> batch) {
        handled_sizes.push_back(batch.size());
        EXPECT_TRUE(consumer.commits.empty()) << "committed before the batch was stored";
        if (failures_left-- > 0) return absl::UnavailableError("ClickHouse is down");
        return absl::OkStatus();
      },
      [&](milliseconds wait) {
        if (wait > milliseconds(0)) backoffs.push_back(wait);
        // Stop once the batch is stored and committed.
        return !consumer.commits.empty();
      },
      [&](const absl::Status&) { ++retries_heard; });
  ASSERT_TRUE(ended.ok()) << ended;
  EXPECT_THAT(backoffs,
              ElementsAre(milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(800),
                          milliseconds(1600), milliseconds(3200), milliseconds(5000), milliseconds(5000)));
  EXPECT_EQ(retries_heard, 8);
  EXPECT_EQ(handled_sizes, std::vector<size_t>(9, 10u));
  ASSERT_EQ(consumer.commits.size(), 1u);
  ASSERT_EQ(consumer.commits[0].size(), 1u);
  EXPECT_EQ(consumer.commits[0][0].offset, 10);
}

TEST(ConsumeRetryTest, StopDuringRetriesLeavesTheBatchUncommitted) {
  FakeClock clock;
  FakeConsumer consumer(clock);
  consumer.Script(0, 0, 10);
  int backoffs = 0;
  absl::Status ended = kafka::RunConsumeLoop(
      consumer, kafka::ConsumeLoopOptions{},
      [](std::span<const kafka::Message>) { return absl::UnavailableError("ClickHouse is down"); },
      [&](milliseconds wait) { return wait > milliseconds(0) && ++backoffs == 3; },
      [](const absl::Status&) {});
  ASSERT_TRUE(ended.ok()) << ended;
  EXPECT_TRUE(consumer.commits.empty());
}

}  // namespace
}  // namespace custflow::runtime

// BatchingConsumer: a batch ends when it holds max_messages or max_wait passed since its
// first message, whichever comes first, and revoked partitions leave the batch.
#include "custflow/runtime/batching_consumer.h"

#include "fake_consumer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::runtime {
namespace {

using std::chrono::milliseconds;

class BatchingConsumerTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  FakeConsumer inner_{clock_};
  BatchingConsumer batching_{inner_, milliseconds(1000), [this] { return clock_.now; }};
};

TEST_F(BatchingConsumerTest, PollReturnsEmptyWhenNothingArrivesWithinTheTimeout) {
  auto batch = batching_.Poll(100, milliseconds(200));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_TRUE(batch->empty());
  ASSERT_EQ(inner_.polls.size(), 1u);
  EXPECT_EQ(inner_.polls[0].timeout, milliseconds(200));
}

TEST_F(BatchingConsumerTest, BatchEndsWhenItReachesMaxMessages) {
  inner_.Script(0, 0, 40);
  inner_.Script(1, 0, 40, milliseconds(10));
  inner_.Script(2, 0, 40, milliseconds(10));
  inner_.Script(3, 0, 40, milliseconds(10));
  auto batch = batching_.Poll(100, milliseconds(200));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size(), 100u);
  ASSERT_EQ(inner_.polls.size(), 3u);
  EXPECT_EQ(inner_.polls[1].max_messages, 60u);
  EXPECT_EQ(inner_.polls[2].max_messages, 20u);
}

TEST_F(BatchingConsumerTest, BatchEndsWhenMaxWaitPassedSinceItsFirstMessage) {
  inner_.Script(0, 0, 5, milliseconds(150));
  inner_.Script(0, 5, 5, milliseconds(600));
  inner_.Script(0, 10, 5, milliseconds(600));  // arrives 1200 ms after the first: next batch
  auto start = clock_.now;
  auto batch = batching_.Poll(100, milliseconds(200));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size(), 10u);
  EXPECT_EQ(clock_.now - start, milliseconds(150 + 1000));
  EXPECT_EQ(inner_.polls.back().timeout, milliseconds(400));

  auto next = batching_.Poll(100, milliseconds(200));
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->size(), 5u);
  EXPECT_EQ(next->front().offset, 10);
}

TEST_F(BatchingConsumerTest, ForgetDropsGatheredMessagesOfRevokedPartitions) {
  inner_.Script(0, 0, 3);
  inner_.Script(1, 0, 3);
  // A revoke runs inside the inner Poll, after the first messages were gathered.
  class RevokingConsumer final : public kafka::Consumer {
   public:
    RevokingConsumer(FakeConsumer& inner, BatchingConsumer*& outer) : inner_(inner), outer_(outer) {}
    absl::StatusOr<std::vector<kafka::Message>> Poll(size_t max, milliseconds timeout) override {
      if (++polls_ == 2) outer_->Forget({{"custflow.interactions.v1", 0}});
      return inner_.Poll(max, timeout);
    }
    absl::Status Commit(const std::vector<kafka::TopicPartitionOffset>& offsets) override {
      return inner_.Commit(offsets);
    }
    absl::Status Close() override { return inner_.Close(); }

   private:
    FakeConsumer& inner_;
    BatchingConsumer*& outer_;
    int polls_ = 0;
  };
  BatchingConsumer* outer = nullptr;
  RevokingConsumer revoking(inner_, outer);
  BatchingConsumer batching(revoking, milliseconds(1000), [this] { return clock_.now; });
  outer = &batching;
  auto batch = batching.Poll(100, milliseconds(200));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->size(), 3u);
  for (const kafka::Message& message : *batch) EXPECT_EQ(message.partition, 1);
}

}  // namespace
}  // namespace custflow::runtime

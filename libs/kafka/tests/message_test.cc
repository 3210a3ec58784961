// NextOffsets, the helper that turns a processed batch into offsets to commit, and the
// ownership rules of Message.
#include "custflow/kafka/message.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Message At(std::string_view topic, int32_t partition, int64_t offset) {
  Message message;
  message.topic = topic;
  message.partition = partition;
  message.offset = offset;
  return message;
}

TEST(NextOffsetsTest, EmptyBatchCommitsNothing) { EXPECT_THAT(NextOffsets({}), IsEmpty()); }

TEST(NextOffsetsTest, CommitsOnePastTheHighestOffsetPerPartitionInFirstSeenOrder) {
  std::vector<Message> batch;
  batch.push_back(At("a", 2, 10));
  batch.push_back(At("a", 0, 4));
  batch.push_back(At("a", 2, 11));
  batch.push_back(At("b", 2, 7));
  batch.push_back(At("a", 0, 5));
  EXPECT_THAT(NextOffsets(batch),
              ElementsAre(TopicPartitionOffset{"a", 2, 12}, TopicPartitionOffset{"a", 0, 6},
                          TopicPartitionOffset{"b", 2, 8}));
}

TEST(NextOffsetsTest, KeepsTheHighestOffsetWhenABatchIsOutOfOrder) {
  std::vector<Message> batch;
  batch.push_back(At("a", 1, 9));
  batch.push_back(At("a", 1, 3));
  EXPECT_THAT(NextOffsets(batch), ElementsAre(TopicPartitionOffset{"a", 1, 10}));
}

int released = 0;
void CountRelease(void* /*storage*/, void* /*context*/) { ++released; }

TEST(MessageTest, StorageIsReleasedOnceWhenTheLastOwnerGoesAway) {
  released = 0;
  static int buffer = 0;
  {
    Message message;
    message.storage = std::unique_ptr<void, MessageStorageReleaser>(
        &buffer, MessageStorageReleaser{&CountRelease, nullptr});
    std::vector<Message> batch;
    batch.push_back(std::move(message));
    Message moved = std::move(batch.front());
    batch.clear();
    EXPECT_EQ(released, 0);
  }
  EXPECT_EQ(released, 1);
}

}  // namespace
}  // namespace custflow::kafka

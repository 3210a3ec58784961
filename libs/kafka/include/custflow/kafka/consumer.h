// The interface services use to read a Kafka consumer group with manual commits.
// KafkaConsumer (kafka_consumer.h) is the real one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/kafka/message.h"

namespace custflow::kafka {

// How far a group member is behind in one partition it owns.
struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  // Messages between the partition's end and the member's position.
  int64_t messages = 0;

  friend bool operator==(const PartitionLag&, const PartitionLag&) = default;
};

// Not thread-safe: Poll, Commit and Close belong to one thread (Lag excepted).
class Consumer {
 public:
  virtual ~Consumer() = default;

  // The group the member belongs to, for labelling what it reports.
  virtual std::string group() const { return ""; }

  // The lag of each partition assigned now whose end is known yet; safe to call from
  // any thread, without a broker round trip in the steady state. A consumer that cannot
  // tell (a test double) reports none.
  virtual std::vector<PartitionLag> Lag() { return {}; }

  // Returns as soon as at least one message is there (with up to `max_messages` of those
  // already fetched) or an empty batch when `timeout` passes. Reaching the end of a
  // partition is not an error; an error status means the consumer cannot go on.
  virtual absl::StatusOr<std::vector<Message>> Poll(size_t max_messages,
                                                    std::chrono::milliseconds timeout) = 0;

  // Commits, synchronously, the next offset to read for each topic-partition (the last
  // processed offset plus one; see NextOffsets). ABORTED when the group rebalanced and
  // the partitions belong to another member now.
  virtual absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets) = 0;

  // Leaves the group (running the revoke hook first). Later calls do nothing.
  virtual absl::Status Close() = 0;
};

}  // namespace custflow::kafka

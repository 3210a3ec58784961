// Kafka records as the custflow consumers see them, and the topic-partition-offset
// triples used to position and commit a consumer group.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace custflow::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  // The next offset to read. When a consumer's on_assign hook leaves it unset, the
  // group's committed offset is used (or auto_offset_reset when there is none).
  std::optional<int64_t> offset;

  friend bool operator==(const TopicPartitionOffset&, const TopicPartitionOffset&) = default;
};

// Releases the buffer a consumed message points into. Plain pointers keep Message free
// of client-library types and of a per-message allocation.
struct MessageStorageReleaser {
  void (*release)(void* storage, void* context) = nullptr;
  void* context = nullptr;
  void operator()(void* storage) const { release(storage, context); }
};

// One consumed record. The views point into `storage` (the client's fetch buffer), so
// they stay valid while this Message lives, moves included, and no bytes are copied.
// A Message may outlive the consumer that returned it. Messages built by tests may
// leave `storage` empty and point at memory they own.
struct Message {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  // The record's timestamp; the epoch when the broker sent none.
  std::chrono::system_clock::time_point timestamp;
  std::unique_ptr<void, MessageStorageReleaser> storage;
};

// The offsets to commit after `messages` were processed: for each topic-partition, the
// highest offset seen plus one, in the order the partitions first appear.
std::vector<TopicPartitionOffset> NextOffsets(std::span<const Message> messages);

}  // namespace custflow::kafka

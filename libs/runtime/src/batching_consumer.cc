#include "custflow/runtime/batching_consumer.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace custflow::runtime {

BatchingConsumer::BatchingConsumer(kafka::Consumer& inner, std::chrono::milliseconds max_wait,
                                   std::function<Clock::time_point()> now)
    : inner_(inner), max_wait_(max_wait), now_(std::move(now)) {}

absl::StatusOr<std::vector<kafka::Message>> BatchingConsumer::Poll(size_t max_messages,
                                                                   std::chrono::milliseconds timeout) {
  batch_.clear();
  absl::StatusOr<std::vector<kafka::Message>> first = inner_.Poll(max_messages, timeout);
  if (!first.ok() || first->empty()) return first;
  batch_ = std::move(*first);
  const Clock::time_point deadline = now_() + max_wait_;
  while (batch_.size() < max_messages) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now_());
    if (left <= std::chrono::milliseconds(0)) break;
    absl::StatusOr<std::vector<kafka::Message>> more = inner_.Poll(max_messages - batch_.size(), left);
    if (!more.ok()) return more.status();
    std::move(more->begin(), more->end(), std::back_inserter(batch_));
  }
  return std::move(batch_);
}

absl::Status BatchingConsumer::Commit(const std::vector<kafka::TopicPartitionOffset>& offsets) {
  return inner_.Commit(offsets);
}

absl::Status BatchingConsumer::Close() { return inner_.Close(); }

void BatchingConsumer::Forget(const std::vector<kafka::TopicPartition>& revoked) {
  std::erase_if(batch_, [&](const kafka::Message& message) {
    return std::any_of(revoked.begin(), revoked.end(), [&](const kafka::TopicPartition& partition) {
      return partition.partition == message.partition && partition.topic == message.topic;
    });
  });
}

}  // namespace custflow::runtime

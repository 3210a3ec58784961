// A scripted kafka::Consumer for the runtime's unit tests: each Poll answers with the next
// scripted batch (an empty one lets the fake clock run for the whole timeout), and the
// calls are recorded.
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "custflow/kafka/consumer.h"

namespace custflow::runtime {

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
};

class FakeConsumer final : public kafka::Consumer {
 public:
  explicit FakeConsumer(FakeClock& clock) : clock_(clock) {}

  // Queues a batch of `count` messages of `topic`[`partition`] from `first_offset` on that
  // arrives `after` into the Poll that returns it.
  void Script(int32_t partition, int64_t first_offset, size_t count,
              std::chrono::milliseconds after = std::chrono::milliseconds(0)) {
    scripted_.push_back({partition, first_offset, count, after});
  }

  absl::StatusOr<std::vector<kafka::Message>> Poll(size_t max_messages,
                                                   std::chrono::milliseconds timeout) override {
    polls.push_back({max_messages, timeout});
    std::vector<kafka::Message> batch;
    if (scripted_.empty() || scripted_.front().after > timeout) {
      clock_.now += timeout;
      if (!scripted_.empty()) scripted_.front().after -= timeout;
      return batch;
    }
    Scripted next = scripted_.front();
    scripted_.pop_front();
    clock_.now += next.after;
    for (size_t i = 0; i < next.count && batch.size() < max_messages; ++i) {
      kafka::Message message;
      message.topic = topic_;
      message.partition = next.partition;
      message.offset = next.first_offset + static_cast<int64_t>(i);
      batch.push_back(std::move(message));
    }
    return batch;
  }

  absl::Status Commit(const std::vector<kafka::TopicPartitionOffset>& offsets) override {
    commits.push_back(offsets);
    return absl::OkStatus();
  }

  absl::Status Close() override { return absl::OkStatus(); }

  struct PollCall {
    size_t max_messages;
    std::chrono::milliseconds timeout;
  };
  std::vector<PollCall> polls;
  std::vector<std::vector<kafka::TopicPartitionOffset>> commits;

 private:
  struct Scripted {
    int32_t partition;
    int64_t first_offset;
    size_t count;
    std::chrono::milliseconds after;
  };
  FakeClock& clock_;
  const std::string topic_ = "custflow.interactions.v1";
  std::deque<Scripted> scripted_;
};

}  // namespace custflow::runtime

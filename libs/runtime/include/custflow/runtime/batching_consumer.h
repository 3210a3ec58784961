// A Consumer decorator that gathers batches by size and time: Poll waits for a first
// message, then keeps polling until `max_messages` are there or `max_wait` passed since
// that first message. The plain consumer returns as soon as anything is fetched, which
// under a trickle of events would turn each message into its own ClickHouse insert.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "custflow/kafka/consumer.h"

namespace custflow::runtime {

class BatchingConsumer final : public kafka::Consumer {
 public:
  using Clock = std::chrono::steady_clock;

  // `now` is the clock the wait is measured on (tests pass a fake one).
  BatchingConsumer(kafka::Consumer& inner, std::chrono::milliseconds max_wait,
                   std::function<Clock::time_point()> now = Clock::now);

  // `timeout` bounds the wait for the first message only.
  absl::StatusOr<std::vector<kafka::Message>> Poll(size_t max_messages,
                                                   std::chrono::milliseconds timeout) override;
  absl::Status Commit(const std::vector<kafka::TopicPartitionOffset>& offsets) override;
  absl::Status Close() override;
  std::string group() const override { return inner_.group(); }
  std::vector<kafka::PartitionLag> Lag() override { return inner_.Lag(); }

  // For the consumer's on_revoke hook (it runs inside the inner Poll, on the polling
  // thread): drops gathered messages of partitions this member no longer owns, so their
  // next owner alone stores them.
  void Forget(const std::vector<kafka::TopicPartition>& revoked);

 private:
  kafka::Consumer& inner_;
  const std::chrono::milliseconds max_wait_;
  const std::function<Clock::time_point()> now_;
  std::vector<kafka::Message> batch_;  // the batch Poll is gathering
};

}  // namespace custflow::runtime

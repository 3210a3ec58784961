// A Producer that keeps messages in memory, for unit tests of service logic. Nothing is
// delivered until the test says so, which lets it check what happens before and after
// the broker confirms or rejects a message.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "custflow/kafka/producer.h"

namespace custflow::kafka {

class InMemoryProducer final : public Producer {
 public:
  struct Record {
    std::string topic;
    std::string key;
    std::string value;
    int32_t partition = 0;
    int64_t offset = 0;
  };

  // Keys map to one of `partitions` partitions per topic (not Kafka's own hash).
  explicit InMemoryProducer(int partitions = 6);

  // Queues the message, or returns the error given to FailNextSend.
  absl::Status Send(std::string_view topic, std::string_view key, std::string_view value,
                    DeliveryCallback on_delivery) override;

  // Delivers everything pending successfully.
  absl::Status Flush(std::chrono::milliseconds timeout) override;

  // Runs the callbacks of all pending messages: with OK the messages are stored and get
  // consecutive offsets per topic-partition; with an error they are dropped.
  void DeliverPending(const absl::Status& outcome = absl::OkStatus());

  // Makes the next Send return `error` without queuing (e.g. RESOURCE_EXHAUSTED).
  void FailNextSend(absl::Status error);

  // The messages delivered with OK, in delivery order.
  std::vector<Record> delivered() const;
  size_t pending_count() const;

 private:
  struct Pending {
    Record record;
    DeliveryCallback on_delivery;
  };

  const int partitions_;
  mutable std::mutex mu_;
  absl::Status next_send_error_;
  std::vector<Pending> pending_;
  std::vector<Record> delivered_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets_;
};

}  // namespace custflow::kafka

// The interface services use to publish to Kafka. KafkaProducer (kafka_producer.h) is the
// real one; InMemoryProducer (in_memory_producer.h) lets service logic be unit-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace custflow::kafka {

// Where the broker stored a message.
struct DeliveryReport {
  int32_t partition = 0;
  int64_t offset = 0;
};

// Runs once per queued message with its outcome; it must be quick and must not throw,
// and it must not wait for other deliveries of the same producer (it runs on the thread
// that reports them).
using DeliveryCallback = absl::AnyInvocable<void(absl::StatusOr<DeliveryReport>) &&>;

class Producer {
 public:
  virtual ~Producer() = default;

  // Queues `value` for `topic`; the partition follows from `key` (an empty key picks
  // any partition). Key and value are copied before Send returns. When OK is returned, `on_delivery` later
  // runs exactly once: with the partition and offset only after the broker confirmed the message (acks=all),
  // or with the error that ended its delivery, e.g. DEADLINE_EXCEEDED when the delivery timeout passed,
  // UNAVAILABLE, or CANCELLED when the producer shut down first. Any other return means the message was not
  // queued and `on_delivery` never runs: RESOURCE_EXHAUSTED at once, without blocking, when the local queue
  // is full; INVALID_ARGUMENT for a bad topic or an oversized message.
  virtual absl::Status Send(std::string_view topic, std::string_view key, std::string_view value,
                            DeliveryCallback on_delivery) = 0;

  // Waits until every message queued so far had its delivery callback run.
  // DEADLINE_EXCEEDED, with the count still pending, when `timeout` passes first.
  virtual absl::Status Flush(std::chrono::milliseconds timeout) = 0;

  // Send() for callers that want a future instead of a callback; a message that was not
  // queued gives a future that is ready with the error.
  std::future<absl::StatusOr<DeliveryReport>> SendAsync(std::string_view topic, std::string_view key,
                                                        std::string_view value);

  // Send() and wait for the outcome; never call it from a delivery callback.
  absl::StatusOr<DeliveryReport> SendAndWait(std::string_view topic, std::string_view key,
                                             std::string_view value);
};

}  // namespace custflow::kafka

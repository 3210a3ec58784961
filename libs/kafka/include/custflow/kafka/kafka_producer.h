// The Kafka producer every custflow service uses (librdkafka underneath). It always
// runs with acks=all and idempotence on, so a delivery report of OK means the message is
// stored on every in-sync replica exactly once, in order per key.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "custflow/kafka/producer.h"

namespace custflow::kafka {

// Every member has an initializer ({} at least), so designated initializers may leave
// any out without -Wmissing-field-initializers.
struct ProducerOptions {
  // Comma-separated host:port list.
  std::string bootstrap_servers{};
  std::string client_id = "custflow";
  // How long a message may wait for others to share its batch.
  std::chrono::milliseconds linger{5};
  // How long the producer keeps trying before the message fails with DEADLINE_EXCEEDED.
  std::chrono::milliseconds delivery_timeout{30'000};
  // Bounds of the local queue; beyond them Send answers RESOURCE_EXHAUSTED.
  int max_queued_messages = 100'000;
  int max_queued_kbytes = 128 * 1024;
  // How long destruction waits for outstanding deliveries before cancelling them.
  std::chrono::milliseconds close_timeout{10'000};
  // Further librdkafka properties (https://github.com/confluentinc/librdkafka/blob/v2.0.2/
  // CONFIGURATION.md); they override the settings above. acks and enable.idempotence
  // are fixed: setting them to anything else is an error.
  std::map<std::string, std::string> properties{};
};

class KafkaProducer final : public Producer {
 public:
  // Fails with INVALID_ARGUMENT on bad options (librdkafka's text included). Connecting
  // happens in the background: an unreachable cluster shows up as failed deliveries.
  static absl::StatusOr<std::unique_ptr<KafkaProducer>> Create(ProducerOptions options);

  // Waits up to close_timeout for outstanding deliveries, reports the rest as
  // CANCELLED, and stops the delivery thread.
  ~KafkaProducer() override;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Thread-safe; callbacks run on the producer's own delivery thread.
  absl::Status Send(std::string_view topic, std::string_view key, std::string_view value,
                    DeliveryCallback on_delivery) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

 private:
  class Impl;
  explicit KafkaProducer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace custflow::kafka

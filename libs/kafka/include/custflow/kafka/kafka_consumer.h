// The Kafka consumer-group member every custflow service uses (librdkafka underneath).
// Offsets are never committed behind the caller's back: a service commits after its
// effects are stored, or keeps offsets next to its effects and seeks in on_assign.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/kafka/consumer.h"
#include "custflow/kafka/message.h"

namespace custflow::kafka {

// Where a member starts in a partition that has no committed offset.
enum class OffsetReset { kEarliest, kLatest, kError };

// Every member has an initializer ({} at least), so designated initializers may leave
// any out without -Wmissing-field-initializers.
struct ConsumerOptions {
  // Comma-separated host:port list.
  std::string bootstrap_servers{};
  std::string group_id{};
  std::string client_id = "custflow";
  std::vector<std::string> topics{};
  OffsetReset auto_offset_reset = OffsetReset::kEarliest;
  // A member that stops heartbeating for this long loses its partitions.
  std::chrono::milliseconds session_timeout{10'000};
  // A member that does not call Poll for this long leaves the group.
  std::chrono::milliseconds max_poll_interval{300'000};
  // Further librdkafka properties (https://github.com/confluentinc/librdkafka/blob/v2.0.2/
  // CONFIGURATION.md); they override the settings above. enable.auto.commit and
  // enable.auto.offset.store are fixed to false: setting them to true is an error.
  std::map<std::string, std::string> properties{};

  // The hooks run inside Poll or Close, on the caller's thread.
  // Called with newly assigned partitions before any of their messages are returned; it
  // may set each partition's start offset (e.g. from offsets stored with the effects).
  // An error stops the consumer: this and every later Poll returns it.
  std::function<absl::Status(std::vector<TopicPartitionOffset>& partitions)> on_assign{};
  // Called before partitions are taken away, so the caller can finish and Commit.
  // Messages of these partitions not yet returned by Poll are dropped; the next owner
  // reads them from the committed offset.
  std::function<void(const std::vector<TopicPartition>& partitions)> on_revoke{};
  // Errors the client recovers from by itself (e.g. a broker connection dropped).
  std::function<void(const absl::Status& error)> on_error{};
};

class KafkaConsumer final : public Consumer {
 public:
  // Creates the member and subscribes to the topics; joining the group happens in
  // Poll. Fails with INVALID_ARGUMENT on bad options (librdkafka's text included).
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> Create(ConsumerOptions options);

  // Closes the consumer if Close was not called.
  ~KafkaConsumer() override;
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  absl::StatusOr<std::vector<Message>> Poll(size_t max_messages, std::chrono::milliseconds timeout) override;
  absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets) override;
  absl::Status Close() override;
  std::string group() const override;
  // The end is the high watermark of the last fetch; the position is the offset after
  // the last message Poll returned or, before the first, the start on_assign chose, the
  // committed offset (asked once per assignment) or the reset point.
  std::vector<PartitionLag> Lag() override;

 private:
  class Impl;
  explicit KafkaConsumer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace custflow::kafka

// Applies interactions and commands to live profiles: the profile service's consumer.
// For each partition of a polled batch it loads the touched profiles and the partition's
// applied offset, folds the new messages in order and publishes the full snapshots to the
// profiles topic; once the broker confirmed them, it stores profiles and offset
// atomically. Messages at or below the applied offset are skipped, so replays change
// nothing.
#pragma once

#include <future>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/message.h"
#include "custflow/kafka/producer.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/interaction.pb.h"
#include "services/profile/profile_store.h"

namespace custflow::profile {

struct ApplierTopics {
  std::string interactions;
  std::string commands;
  std::string profiles;
  std::string dead_letter;
};

class ProfileApplier {
 public:
  ProfileApplier(ProfileStore& store, kafka::Producer& producer, core::MetricsRegistry& metrics,
                 ApplierTopics topics);

  // Applies a polled batch. An error means nothing of the failing partition was stored;
  // calling again with the same batch is safe.
  absl::Status Apply(std::span<const kafka::Message> batch);

  // For the consumer's on_assign hook: each partition starts after its applied offset.
  absl::Status StartAfterApplied(std::vector<kafka::TopicPartitionOffset>& partitions);

 private:
  struct Change {
    int64_t offset;
    std::string customer_id;
    std::variant<v1::Interaction, v1::Command> body;
  };
  // One partition's messages of a batch, parsed.
  struct Parsed {
    int64_t last_offset = 0;
    std::string topic;
    int32_t partition = 0;
    std::vector<Change> changes;
    std::vector<std::string> ids;         // customers touched, in first-seen order
    std::map<std::string, size_t> index;  // customer id -> position in ids
    std::vector<const kafka::Message*> unreadable;
  };
  // One partition folded, its snapshots on their way to the broker.
  struct Prepared {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> expected;  // the applied offset it was loaded at
    int64_t last_offset = 0;
    size_t folded = 0;
    bool store = false;  // false: everything was applied before
    std::vector<std::optional<v1::Profile>> loaded;
    std::vector<v1::Profile> profiles;
    std::vector<std::string> bytes;  // the serialized profiles that changed; empty: unchanged
    std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>> published;
  };

  // `messages`: one partition's, in offset order.
  Parsed Parse(const std::vector<const kafka::Message*>& messages) const;
  // Loads, dead-letters the unreadable, folds and publishes the snapshots.
  absl::StatusOr<Prepared> Prepare(Parsed parsed);
  // Waits for the broker, then stores the partition's profiles and offset.
  absl::Status Finish(Prepared& prepared);
  absl::Status DeadLetter(const kafka::Message& message, const std::string& reason);

  ProfileStore& store_;
  kafka::Producer& producer_;
  ApplierTopics topics_;
  core::Counter& applied_;
  core::Counter& dead_lettered_;
};

}  // namespace custflow::profile

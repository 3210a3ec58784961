// Applies interactions and commands to live profiles: the profile service's consumer.
// For each partition of a polled batch it loads the touched profiles and the partition's
// applied offset, folds the new messages in order, publishes the full snapshots to the
// profiles topic, then stores profiles and offset atomically. Messages at or below the
// applied offset are skipped, so replays change nothing.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/message.h"
#include "custflow/kafka/producer.h"
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
  absl::Status ApplyPartition(std::span<const kafka::Message> messages);
  absl::Status DeadLetter(const kafka::Message& message, const std::string& reason);

  ProfileStore& store_;
  kafka::Producer& producer_;
  ApplierTopics topics_;
  core::Counter& applied_;
  core::Counter& dead_lettered_;
};

}  // namespace custflow::profile

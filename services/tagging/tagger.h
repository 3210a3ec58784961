// The tagging service's engine. It holds the rule set in force (a rule file, or the
// built-in default rules), evaluates it on each profile snapshot from the profiles topic
// and in sweeps over every profile in the store, and publishes one set-tags command for a
// customer whose tags or grade differ from what the rules give. Identical input gives
// no command, so the loop through the profile service settles after one round; the
// sweep is what downgrades a customer when time passes without new events.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/message.h"
#include "custflow/kafka/producer.h"
#include "custflow/redis/redis_client.h"
#include "custflow/tagging/rule_file.h"
#include "custflow/tagging/rule_set.h"
#include "custflow/v1/tagging.pb.h"
#include "services/profile/profile_store.h"

namespace custflow::tagging {

// Unix seconds now; tests inject their own.
using Clock = std::function<int64_t()>;
int64_t SystemClock();

// The rules in force and where they came from. Readers take a snapshot and keep using it
// while a reload swaps in a new set.
class RuleBook {
 public:
  // `path` empty means the built-in default rules.
  explicit RuleBook(std::string path);

  // Loads the rule file. On errors the rules in force stay and the errors are returned
  // (FAILED_PRECONDITION naming file, line and reason); otherwise tells whether anything
  // changed.
  absl::StatusOr<bool> Reload();

  std::shared_ptr<const RuleSet> Current() const;
  const std::string& source() const { return path_; }
  // The text of the rule file in force.
  std::string text() const;
  google::protobuf::Timestamp loaded_at() const;

 private:
  std::string path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const RuleSet> rules_;
  std::string text_;
  google::protobuf::Timestamp loaded_at_;
};

// What a sweep has done so far.
struct SweepStatus {
  uint64_t evaluated = 0;
  uint64_t changed = 0;
  double seconds = 0;
  std::string rules_version;
};

// Several replicas share the scheduled sweeps: the first to take the turn (a Redis key
// that expires after `hold`) sweeps that round and the others skip it. False when
// another replica holds the turn.
absl::StatusOr<bool> TakeSweepTurn(redis::RedisClient& redis, std::chrono::milliseconds hold);

class Tagger {
 public:
  Tagger(RuleBook& rules, kafka::Producer& producer, core::MetricsRegistry& metrics,
         std::string commands_topic, Clock clock = SystemClock);

  // Handles a batch of profile snapshots; returns once every command is durable.
  absl::Status Handle(std::span<const kafka::Message> batch);

  // Evaluates every profile in `store` and publishes the changes; `progress` is called
  // after each page. One sweep runs at a time: a second caller waits for the running one
  // and then sweeps again, so what it asked for reflects the rules and time it called at.
  absl::StatusOr<SweepStatus> Sweep(profile::ProfileStore& store,
                                    const std::function<void(const SweepStatus&)>& progress = {});

  int64_t Now() const { return clock_(); }

 private:
  // Appends a set-tags command for `profile` to `sent` when the rules give it other tags.
  bool PublishIfChanged(const RuleSet& rules, const v1::Profile& profile, Evaluation& evaluation,
                        std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>>& sent);
  absl::Status AwaitDeliveries(std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>>& sent);

  RuleBook& rules_;
  kafka::Producer& producer_;
  std::string commands_topic_;
  Clock clock_;
  std::mutex sweep_mutex_;
  core::Counter& evaluated_;
  core::Counter& commands_;
  core::Counter& swept_;
};

}  // namespace custflow::tagging

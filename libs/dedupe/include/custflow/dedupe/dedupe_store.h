// Recognizes retried event ids so that a client retrying the same event within the
// dedupe window is counted once. An id is claimed while its first delivery is under way,
// confirmed with its customer id once durable, and released when the delivery failed so
// that a retry can go through.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/redis/redis_client.h"

namespace custflow::dedupe {

class DedupeStore {
 public:
  enum class ClaimState {
    kClaimed,     // first time seen: publish it
    kDuplicate,   // already durable: answer with the first event's customer id
    kInProgress,  // another request is publishing it right now
  };
  struct Claim {
    ClaimState state = ClaimState::kClaimed;
    std::string customer_id;  // for kDuplicate
  };

  virtual ~DedupeStore() = default;
  // Claims every id not seen before, for `claim_timeout`; one result per id.
  virtual absl::StatusOr<std::vector<Claim>> ClaimIds(const std::vector<std::string>& event_ids,
                                                      std::chrono::milliseconds claim_timeout) = 0;
  // Marks (event id, customer id) pairs durable for `window`.
  virtual absl::Status Confirm(const std::vector<std::pair<std::string, std::string>>& events,
                               std::chrono::milliseconds window) = 0;
  // Gives up claims whose delivery failed.
  virtual absl::Status Release(const std::vector<std::string>& event_ids) = 0;
};

// Keys "cf:event:<event id>": empty while claimed, the customer id once confirmed.
class RedisDedupeStore final : public DedupeStore {
 public:
  explicit RedisDedupeStore(redis::RedisClient& redis) : redis_(redis) {}

  absl::StatusOr<std::vector<Claim>> ClaimIds(const std::vector<std::string>& event_ids,
                                              std::chrono::milliseconds claim_timeout) override;
  absl::Status Confirm(const std::vector<std::pair<std::string, std::string>>& events,
                       std::chrono::milliseconds window) override;
  absl::Status Release(const std::vector<std::string>& event_ids) override;

 private:
  redis::RedisClient& redis_;
};

}  // namespace custflow::dedupe

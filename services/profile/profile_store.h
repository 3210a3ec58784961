// Live profiles in Redis. Each profile is one key holding the serialized Profile; the
// last applied offset of every input partition is kept beside them and written in the
// same Lua script as the profiles it produced, so a replayed partition changes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/redis/redis_client.h"
#include "custflow/redis/script.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::profile {

class ProfileStore {
 public:
  explicit ProfileStore(redis::RedisClient& redis);

  // The profile, or nullopt when Redis has none.
  absl::StatusOr<std::optional<v1::Profile>> Get(const std::string& customer_id);

  // The profiles of `customer_ids` (nullopt where missing) and the applied offset of
  // `topic`/`partition` (nullopt when nothing was applied yet), in one round trip.
  struct Snapshot {
    std::vector<std::optional<v1::Profile>> profiles;
    std::optional<int64_t> applied_offset;
  };
  absl::StatusOr<Snapshot> Load(const std::vector<std::string>& customer_ids, const std::string& topic,
                                int32_t partition);

  absl::StatusOr<std::optional<int64_t>> AppliedOffset(const std::string& topic, int32_t partition);

  // Writes `profiles` and sets the applied offset of the partition to `offset`, all at
  // once, but only if the stored offset still equals `expected` (nullopt: none stored).
  // Returns false when it did not (another writer got there first).
  absl::StatusOr<bool> Commit(const std::string& topic, int32_t partition, std::optional<int64_t> expected,
                              int64_t offset, const std::vector<const v1::Profile*>& profiles);

 private:
  redis::RedisClient& redis_;
  redis::Script commit_script_;
};

}  // namespace custflow::profile

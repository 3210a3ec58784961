// Live profiles in Redis. Each profile is one hash: `p` holds the serialized Profile and
// `v` its version. The last applied offset of every input partition is kept beside them
// and written in the same Lua script as the profiles it produced, so a replayed partition
// changes nothing; the script also checks every profile is still at the version it was
// read at, so two appliers (one on interactions/N, one on commands/N, say) cannot
// overwrite each other's changes. The same script keeps the identity index: the contact
// phone and e-mail of every written profile point to its customer id, so ingest resolves
// a caller id to the customer that has it.
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

  struct ProfileWrite {
    const v1::Profile* profile;
    // The version the profile had when it was loaded; 0 when it did not exist.
    uint64_t loaded_version;
  };

  // Writes `profiles` and sets the applied offset of the partition to `offset`, all at
  // once, but only if the stored offset still equals `expected` (nullopt: none stored)
  // and every profile is still at its loaded version. Returns false when not (another
  // writer got there first); then nothing was written.
  absl::StatusOr<bool> Commit(const std::string& topic, int32_t partition, std::optional<int64_t> expected,
                              int64_t offset, const std::vector<ProfileWrite>& profiles);

 private:
  redis::RedisClient& redis_;
  redis::Script commit_script_;
};

}  // namespace custflow::profile

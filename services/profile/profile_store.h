// Live profiles in Redis. Each profile is one hash: `p` holds the serialized Profile and
// `v` its version. The last applied offset of every input partition is kept beside them
// and written in the same Lua script as the profiles it produced, so a replayed partition
// changes nothing; the script also checks every profile is still at the version it was
// read at, so two appliers (one on interactions/N, one on commands/N, say) cannot
// overwrite each other's changes. The same script keeps the identity index: the contact
// phone and e-mail of every written profile point to its customer id, so ingest resolves
// a caller id to the customer that has it, and the search index: one sorted set per
// search term ("owner=王芳", "tag=vip"; see custflow/domain/search_terms.h) holding the ids
// of the customers that have it, plus "all" with every live (not merged-away) customer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/core/metrics.h"
#include "custflow/dedupe/dedupe_store.h"
#include "custflow/domain/identity.h"
#include "custflow/redis/redis_client.h"
#include "custflow/redis/script.h"
#include "custflow/v1/customer.pb.h"
#include "services/profile/profile_archive.h"

namespace custflow::profile {

// Redis is "complete" while it holds every profile there is: the key cf:complete says so.
// EnsureComplete sets it on a fresh deployment (nothing archived yet), a rebuild sets it
// when done, and a wipe removes it with everything else. While it is set, a profile
// missing from Redis is a new customer. While it is not, every read that misses a profile
// asks the archive and restores what it has into Redis first (profile, identities and
// search terms, unless a writer got there meanwhile), so callers never notice the wiped
// cache; the marker is read in the same round trip as the profiles.
class ProfileStore {
 public:
  // With `metrics`, every profile Get and BatchGet read is counted in
  // custflow_profile_reads_total{source=redis|archive|missing} (the cache hit rate);
  // the applier's reads (Load), where a miss is a new customer, are not.
  explicit ProfileStore(redis::RedisClient& redis, ProfileArchive* archive = nullptr,
                        core::MetricsRegistry* metrics = nullptr);

  // The profile, or nullopt when neither Redis nor the archive has it.
  absl::StatusOr<std::optional<v1::Profile>> Get(const std::string& customer_id);

  // Sets cf:complete when Redis holds every profile: it is set already, there is no
  // archive, or the archive is empty. Returns whether Redis is complete.
  absl::StatusOr<bool> EnsureComplete();
  // Sets cf:complete (after a rebuild).
  absl::Status MarkComplete();

  // The profiles of `customer_ids`, in order (nullopt where missing), in one round trip
  // to Redis (and one to the archive for those missing there).
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> BatchGet(
      const std::vector<std::string>& customer_ids);

  // The customer id each identity points to (nullopt where none), in one round trip.
  absl::StatusOr<std::vector<std::optional<std::string>>> Resolve(
      const std::vector<domain::Identity>& identities);

  // Up to `limit` ids of customers having search term `term`, in id order, after
  // `after_id` ("" for the start).
  absl::StatusOr<std::vector<std::string>> Members(const std::string& term, const std::string& after_id,
                                                   size_t limit);
  // How many customers have each of `terms`, in one round trip.
  absl::StatusOr<std::vector<uint64_t>> MemberCounts(const std::vector<std::string>& terms);

  // Calls `visit` with every live customer's profile, in id order, `page` at a time. Stops
  // at, and returns, the first error of Redis or of `visit`.
  absl::Status ForEachProfile(const std::function<absl::Status(const v1::Profile&)>& visit,
                              size_t page = 500);
  // As ForEachProfile, for the live customers having search term `term` ("department=A").
  absl::Status ForEachProfileWithTerm(const std::string& term,
                                      const std::function<absl::Status(const v1::Profile&)>& visit,
                                      size_t page = 500);

  // The profiles of `customer_ids` (nullopt where missing) and the applied offset of
  // `topic`/`partition` (nullopt when nothing was applied yet), in one round trip.
  struct Snapshot {
    std::vector<std::optional<v1::Profile>> profiles;
    std::optional<int64_t> applied_offset;
  };
  absl::StatusOr<Snapshot> Load(const std::vector<std::string>& customer_ids, const std::string& topic,
                                int32_t partition);

  // The event ids ingest has seen (its dedupe records): AddFollowUp claims its event id
  // there too, so a follow-up retried through either door counts once.
  dedupe::DedupeStore& event_ids() { return event_ids_; }

  absl::StatusOr<std::optional<int64_t>> AppliedOffset(const std::string& topic, int32_t partition);

  struct ProfileWrite {
    const v1::Profile* profile;
    // The profile as it was loaded; nullptr when it did not exist. Its identities and
    // search terms that `profile` no longer has are removed.
    const v1::Profile* loaded;
    // `profile` serialized (the applier publishes the same bytes).
    std::string_view bytes;
  };

  // Writes `profile` with its identities and search terms unless Redis has the customer
  // already; returns whether it did.
  absl::StatusOr<bool> Restore(const v1::Profile& profile);

  // Raises the applied offset of `topic`/`partition` to `offset` (nothing when it is
  // that far already).
  absl::Status RaiseAppliedOffset(const std::string& topic, int32_t partition, int64_t offset);

  // Writes `profiles` and sets the applied offset of the partition to `offset`, all at
  // once, but only if the stored offset still equals `expected` (nullopt: none stored)
  // and every profile is still at its loaded version. Returns false when not (another
  // writer got there first); then nothing was written.
  absl::StatusOr<bool> Commit(const std::string& topic, int32_t partition, std::optional<int64_t> expected,
                              int64_t offset, const std::vector<ProfileWrite>& profiles);

 private:
  // Reads `customer_ids` (and the cf:complete marker when there is an archive) in one
  // pipeline after `before` (whose replies come first in the result), then restores from
  // the archive the profiles missing while Redis is not complete.
  struct Read {
    std::vector<redis::Reply> before;
    std::vector<std::optional<v1::Profile>> profiles;
    size_t restored = 0;  // how many of `profiles` came from the archive
  };
  absl::StatusOr<Read> ReadProfiles(std::vector<redis::CommandArgs> before,
                                    const std::vector<std::string>& customer_ids);

  void CountReads(const Read& read);

  // Where read profiles came from; null without a metrics registry.
  struct ReadCounters {
    core::Counter* redis = nullptr;
    core::Counter* archive = nullptr;
    core::Counter* missing = nullptr;
  };

  redis::RedisClient& redis_;
  ProfileArchive* archive_;
  ReadCounters reads_;
  redis::Script commit_script_;
  redis::Script restore_script_;
  redis::Script raise_offset_script_;
  dedupe::RedisDedupeStore event_ids_;
};

}  // namespace custflow::profile

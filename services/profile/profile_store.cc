#include "services/profile/profile_store.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "custflow/domain/identity.h"
#include "custflow/domain/search_terms.h"

namespace custflow::profile {
namespace {

// Index operations, shared by the scripts: KEYS[k..] each with two ARGV values from
// ARGV[first], its code and its value. Codes: S sets the key to the value; D deletes the
// key if it holds the value; A adds the value to the sorted set; R removes it.
constexpr const char* kOperationsLua = R"lua(
local function apply_operations(k, first)
  for key = k, #KEYS do
    local code, value = ARGV[first], ARGV[first + 1]
    first = first + 2
    if code == 'S' then
      redis.call('SET', KEYS[key], value)
    elseif code == 'D' then
      if redis.call('GET', KEYS[key]) == value then redis.call('DEL', KEYS[key]) end
    elseif code == 'A' then
      redis.call('ZADD', KEYS[key], 0, value)
    else
      redis.call('ZREM', KEYS[key], value)
    end
  end
end
)lua";

// KEYS[1]: the applied-offset key; KEYS[2 .. n+1]: profile keys; then the index
// operations' keys. ARGV[1]: expected stored offset ("" for none); ARGV[2]: new offset;
// ARGV[3]: n; then for each profile three values: loaded version ("0" when absent), new
// version, profile bytes; then the index operations' values.
constexpr const char* kCommitLua = R"lua(
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
for i = 1, n do
  if (redis.call('HGET', KEYS[i + 1], 'v') or '0') ~= ARGV[3 * i + 1] then return 0 end
end
for i = 1, n do
  redis.call('HSET', KEYS[i + 1], 'v', ARGV[3 * i + 2], 'p', ARGV[3 * i + 3])
end
apply_operations(n + 2, 3 * n + 4)
redis.call('SET', KEYS[1], ARGV[2])
return 1
)lua";

// KEYS[1]: the profile key; then the index operations' keys. ARGV[1]: version; ARGV[2]:
// profile bytes; then the index operations' values.
constexpr const char* kRestoreLua = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2])
apply_operations(2, 3)
return 1
)lua";

// KEYS[1]: the applied-offset key; ARGV[1]: the offset it should reach at least.
constexpr const char* kRaiseOffsetLua = R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
)lua";

// Appends the index operations that take Redis from `loaded` (nullptr: nothing) to
// `profile`: identities pointing at it (or, once merged away, at its survivor) and its
// search terms.
void AppendIndexOperations(const v1::Profile& profile, const v1::Profile* loaded,
                           std::vector<std::string>& keys, std::vector<std::string>& args);

// Set while Redis holds every profile there is (see profile_store.h).
constexpr const char* kCompleteKey = "cf:complete";

std::string ProfileKey(const std::string& customer_id) { return "cf:profile:" + customer_id; }

std::string IndexKey(const std::string& term) { return "cf:ix:" + term; }

std::string OffsetKey(const std::string& topic, int32_t partition) {
  return "cf:applied:" + topic + ":" + std::to_string(partition);
}

absl::Status Failed(const redis::Reply& reply) {
  return absl::InternalError("Redis answered an error: " + reply.str());
}

absl::StatusOr<std::optional<v1::Profile>> ParseProfile(const redis::Reply& reply) {
  if (reply.is_nil()) return std::nullopt;
  if (reply.is_error()) return Failed(reply);
  v1::Profile profile;
  if (!profile.ParseFromString(reply.str())) return absl::DataLossError("stored profile does not parse");
  return profile;
}

absl::StatusOr<std::optional<int64_t>> ParseOffset(const redis::Reply& reply) {
  if (reply.is_nil()) return std::nullopt;
  if (reply.is_error()) return Failed(reply);
  int64_t offset = 0;
  if (!absl::SimpleAtoi(reply.str(), &offset)) return absl::DataLossError("stored offset is not a number");
  return offset;
}

std::vector<std::string> ProfileKeys(const std::vector<std::string>& customer_ids) {
  std::vector<std::string> keys;
  keys.reserve(customer_ids.size());
  for (const std::string& id : customer_ids) keys.push_back(ProfileKey(id));
  return keys;
}

absl::StatusOr<std::vector<std::optional<v1::Profile>>> ParseProfiles(
    absl::Span<const redis::Reply> replies) {
  std::vector<std::optional<v1::Profile>> profiles;
  profiles.reserve(replies.size());
  for (const redis::Reply& reply : replies) {
    absl::StatusOr<std::optional<v1::Profile>> profile = ParseProfile(reply);
    if (!profile.ok()) return profile.status();
    profiles.push_back(std::move(*profile));
  }
  return profiles;
}

void AppendIndexOperations(const v1::Profile& profile, const v1::Profile* loaded,
                           std::vector<std::string>& keys, std::vector<std::string>& args) {
  auto operation = [&](std::string key, const char* code, const std::string& value) {
    keys.push_back(std::move(key));
    args.emplace_back(code);
    args.push_back(value);
  };
  const std::string& id = profile.customer_id();
  // A merged-away customer's identities lead to its survivor.
  const std::string& owner = profile.merged_into().empty() ? id : profile.merged_into();
  const std::vector<std::string> now_keys = domain::ProfileIdentityIndexKeys(profile);
  std::vector<std::string> terms = domain::SearchTerms(profile);
  // Only what changed since `loaded` is written: most changes are interactions, which
  // leave identities and terms as they were.
  std::set<std::string> kept_keys;
  std::vector<std::string> loaded_terms;
  if (loaded != nullptr) {
    const std::string& loaded_owner = loaded->merged_into().empty() ? id : loaded->merged_into();
    for (std::string& key : domain::ProfileIdentityIndexKeys(*loaded)) {
      if (!std::binary_search(now_keys.begin(), now_keys.end(), key)) {
        operation(std::move(key), "D", id);
      } else if (loaded_owner == owner) {
        kept_keys.insert(std::move(key));
      }
    }
    loaded_terms = domain::SearchTerms(*loaded);
    for (const std::string& term : loaded_terms) {
      if (!std::binary_search(terms.begin(), terms.end(), term)) operation(IndexKey(term), "R", id);
    }
  }
  for (const std::string& key : now_keys) {
    if (!kept_keys.contains(key)) operation(key, "S", owner);
  }
  for (const std::string& term : terms) {
    if (!std::binary_search(loaded_terms.begin(), loaded_terms.end(), term))
      operation(IndexKey(term), "A", id);
  }
}

core::Counter& ReadsCounter(core::MetricsRegistry& metrics, const std::string& source) {
  return metrics.GetCounter("custflow_profile_reads_total",
                            "Profiles read, by where they were found: redis, archive (restored from the "
                            "ClickHouse archive) or missing (neither).",
                            {{"source", source}});
}

}  // namespace

ProfileStore::ProfileStore(redis::RedisClient& redis, ProfileArchive* archive, core::MetricsRegistry* metrics)
    : redis_(redis),
      archive_(archive),
      reads_(metrics == nullptr ? ReadCounters{}
                                : ReadCounters{.redis = &ReadsCounter(*metrics, "redis"),
                                               .archive = &ReadsCounter(*metrics, "archive"),
                                               .missing = &ReadsCounter(*metrics, "missing")}),
      commit_script_(std::string(kOperationsLua) + kCommitLua),
      restore_script_(std::string(kOperationsLua) + kRestoreLua),
      raise_offset_script_(kRaiseOffsetLua),
      event_ids_(redis) {}

absl::StatusOr<std::optional<v1::Profile>> ProfileStore::Get(const std::string& customer_id) {
  absl::StatusOr<Read> read = ReadProfiles({}, {customer_id});
  if (!read.ok()) return read.status();
  CountReads(*read);
  return std::move(read->profiles[0]);
}

absl::StatusOr<bool> ProfileStore::EnsureComplete() {
  absl::StatusOr<redis::Reply> marker = redis_.Command({"GET", kCompleteKey});
  if (!marker.ok()) return marker.status();
  if (marker->is_error()) return Failed(*marker);
  if (!marker->is_nil()) return true;
  if (archive_ != nullptr) {
    absl::StatusOr<bool> empty = archive_->Empty();
    if (!empty.ok()) return empty.status();
    if (!*empty) return false;
  }
  if (absl::Status marked = MarkComplete(); !marked.ok()) return marked;
  return true;
}

absl::Status ProfileStore::MarkComplete() {
  absl::StatusOr<redis::Reply> reply = redis_.Command({"SET", kCompleteKey, "1"});
  if (!reply.ok()) return reply.status();
  return reply->is_error() ? Failed(*reply) : absl::OkStatus();
}

absl::StatusOr<ProfileStore::Read> ProfileStore::ReadProfiles(std::vector<redis::CommandArgs> before,
                                                              const std::vector<std::string>& customer_ids) {
  const size_t first = before.size();
  std::vector<std::string> keys = ProfileKeys(customer_ids);
  std::vector<redis::CommandArgs> commands = std::move(before);
  for (const std::string& key : keys) commands.push_back({"HGET", key, "p"});
  if (archive_ != nullptr) commands.push_back({"GET", kCompleteKey});
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();

  Read read;
  read.before.assign(std::make_move_iterator(replies->begin()),
                     std::make_move_iterator(replies->begin() + static_cast<std::ptrdiff_t>(first)));
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles =
      ParseProfiles(absl::MakeConstSpan(*replies).subspan(first, keys.size()));
  if (!profiles.ok()) return profiles.status();
  read.profiles = std::move(*profiles);
  if (archive_ == nullptr || !replies->back().is_nil()) return read;  // complete: misses are new customers

  std::vector<size_t> missing;
  std::vector<std::string> missing_ids;
  for (size_t i = 0; i < read.profiles.size(); ++i) {
    if (read.profiles[i]) continue;
    missing.push_back(i);
    missing_ids.push_back(customer_ids[i]);
  }
  if (missing.empty()) return read;
  absl::StatusOr<std::vector<std::optional<v1::Profile>>> archived = archive_->Latest(missing_ids);
  if (!archived.ok()) return archived.status();
  for (size_t j = 0; j < missing.size(); ++j) {
    std::optional<v1::Profile>& profile = (*archived)[j];
    if (!profile) continue;
    absl::StatusOr<bool> restored = Restore(*profile);
    if (!restored.ok()) return restored.status();
    if (!*restored) {
      // A writer stored the customer meanwhile: that copy is the newer one.
      absl::StatusOr<redis::Reply> reply = redis_.Command({"HGET", keys[missing[j]], "p"});
      if (!reply.ok()) return reply.status();
      absl::StatusOr<std::optional<v1::Profile>> current = ParseProfile(*reply);
      if (!current.ok()) return current.status();
      profile = std::move(*current);
    }
    read.profiles[missing[j]] = std::move(profile);
    if (read.profiles[missing[j]]) ++read.restored;
  }
  return read;
}

void ProfileStore::CountReads(const Read& read) {
  if (reads_.redis == nullptr) return;
  size_t found = 0;
  for (const std::optional<v1::Profile>& profile : read.profiles) found += profile ? 1 : 0;
  reads_.redis->Increment(found - read.restored);
  reads_.archive->Increment(read.restored);
  reads_.missing->Increment(read.profiles.size() - found);
}

absl::StatusOr<bool> ProfileStore::Restore(const v1::Profile& profile) {
  std::vector<std::string> keys = {ProfileKey(profile.customer_id())};
  std::vector<std::string> args = {std::to_string(profile.version()), profile.SerializeAsString()};
  AppendIndexOperations(profile, nullptr, keys, args);
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::vector<std::string_view> arg_views(args.begin(), args.end());
  absl::StatusOr<redis::Reply> reply = redis_.Eval(restore_script_, key_views, arg_views);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply);
  return reply->integer() == 1;
}

absl::Status ProfileStore::RaiseAppliedOffset(const std::string& topic, int32_t partition, int64_t offset) {
  std::string key = OffsetKey(topic, partition);
  std::string value = std::to_string(offset);
  std::vector<std::string_view> keys = {key};
  std::vector<std::string_view> args = {value};
  absl::StatusOr<redis::Reply> reply = redis_.Eval(raise_offset_script_, keys, args);
  if (!reply.ok()) return reply.status();
  return reply->is_error() ? Failed(*reply) : absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> ProfileStore::AppliedOffset(const std::string& topic,
                                                                   int32_t partition) {
  std::string key = OffsetKey(topic, partition);
  absl::StatusOr<redis::Reply> reply = redis_.Command({"GET", key});
  if (!reply.ok()) return reply.status();
  return ParseOffset(*reply);
}

absl::StatusOr<std::vector<std::optional<v1::Profile>>> ProfileStore::BatchGet(
    const std::vector<std::string>& customer_ids) {
  absl::StatusOr<Read> read = ReadProfiles({}, customer_ids);
  if (!read.ok()) return read.status();
  CountReads(*read);
  return std::move(read->profiles);
}

absl::StatusOr<std::vector<std::optional<std::string>>> ProfileStore::Resolve(
    const std::vector<domain::Identity>& identities) {
  std::vector<std::string> keys;
  keys.reserve(identities.size());
  for (const domain::Identity& identity : identities) keys.push_back(domain::IdentityIndexKey(identity));
  std::vector<redis::CommandArgs> commands;
  commands.reserve(keys.size());
  for (const std::string& key : keys) commands.push_back({"GET", key});
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<std::optional<std::string>> ids;
  ids.reserve(replies->size());
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return Failed(reply);
    ids.push_back(reply.is_nil() ? std::nullopt : std::optional<std::string>(reply.str()));
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> ProfileStore::Members(const std::string& term,
                                                               const std::string& after_id, size_t limit) {
  std::string key = IndexKey(term);
  std::string min = after_id.empty() ? "-" : "(" + after_id;
  std::string count = std::to_string(limit);
  absl::StatusOr<redis::Reply> reply = redis_.Command({"ZRANGEBYLEX", key, min, "+", "LIMIT", "0", count});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply);
  std::vector<std::string> ids;
  ids.reserve(reply->elements().size());
  for (const redis::Reply& element : reply->elements()) ids.push_back(element.str());
  return ids;
}

absl::StatusOr<std::vector<uint64_t>> ProfileStore::MemberCounts(const std::vector<std::string>& terms) {
  std::vector<std::string> keys;
  keys.reserve(terms.size());
  for (const std::string& term : terms) keys.push_back(IndexKey(term));
  std::vector<redis::CommandArgs> commands;
  commands.reserve(keys.size());
  for (const std::string& key : keys) commands.push_back({"ZCARD", key});
  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<uint64_t> counts;
  counts.reserve(replies->size());
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return Failed(reply);
    counts.push_back(static_cast<uint64_t>(reply.integer()));
  }
  return counts;
}

absl::Status ProfileStore::ForEachProfile(const std::function<absl::Status(const v1::Profile&)>& visit,
                                          size_t page) {
  return ForEachProfileWithTerm(domain::kAllCustomersTerm, visit, page);
}

absl::Status ProfileStore::ForEachProfileWithTerm(
    const std::string& term, const std::function<absl::Status(const v1::Profile&)>& visit, size_t page) {
  std::string after;
  while (true) {
    absl::StatusOr<std::vector<std::string>> ids = Members(term, after, page);
    if (!ids.ok()) return ids.status();
    if (ids->empty()) return absl::OkStatus();
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> profiles = BatchGet(*ids);
    if (!profiles.ok()) return profiles.status();
    for (const std::optional<v1::Profile>& profile : *profiles) {
      if (!profile) continue;  // indexed a moment before its profile was written
      if (absl::Status status = visit(*profile); !status.ok()) return status;
    }
    after = ids->back();
  }
}

absl::StatusOr<ProfileStore::Snapshot> ProfileStore::Load(const std::vector<std::string>& customer_ids,
                                                          const std::string& topic, int32_t partition) {
  std::string offset_key = OffsetKey(topic, partition);
  absl::StatusOr<Read> read = ReadProfiles({{"GET", offset_key}}, customer_ids);
  if (!read.ok()) return read.status();
  absl::StatusOr<std::optional<int64_t>> offset = ParseOffset(read->before[0]);
  if (!offset.ok()) return offset.status();
  return Snapshot{std::move(read->profiles), *offset};
}

absl::StatusOr<bool> ProfileStore::Commit(const std::string& topic, int32_t partition,
                                          std::optional<int64_t> expected, int64_t offset,
                                          const std::vector<ProfileWrite>& profiles) {
  std::vector<std::string> keys = {OffsetKey(topic, partition)};
  std::vector<std::string> args = {expected ? std::to_string(*expected) : "", std::to_string(offset),
                                   std::to_string(profiles.size())};
  for (const ProfileWrite& write : profiles) {
    keys.push_back(ProfileKey(write.profile->customer_id()));
    args.push_back(write.loaded ? std::to_string(write.loaded->version()) : "0");
    args.push_back(std::to_string(write.profile->version()));
    args.emplace_back(write.bytes);
  }
  for (const ProfileWrite& write : profiles) AppendIndexOperations(*write.profile, write.loaded, keys, args);
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::vector<std::string_view> arg_views(args.begin(), args.end());
  absl::StatusOr<redis::Reply> reply = redis_.Eval(commit_script_, key_views, arg_views);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply);
  return reply->integer() == 1;
}

}  // namespace custflow::profile

#include "services/profile/profile_store.h"

#include "absl/strings/numbers.h"
#include "custflow/domain/identity.h"

namespace custflow::profile {
namespace {

// KEYS[1]: the applied-offset key; KEYS[2 .. n+1]: profile keys; then identity index keys.
// ARGV[1]: expected stored offset ("" for none); ARGV[2]: new offset; ARGV[3]: n; then
// for each profile three values: loaded version ("0" when absent), new version, profile
// bytes; then the customer id of each identity key.
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
for i = n + 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[3 * n + 2 + i - n])
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
)lua";

std::string ProfileKey(const std::string& customer_id) { return "cf:profile:" + customer_id; }

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

}  // namespace

ProfileStore::ProfileStore(redis::RedisClient& redis) : redis_(redis), commit_script_(kCommitLua) {}

absl::StatusOr<std::optional<v1::Profile>> ProfileStore::Get(const std::string& customer_id) {
  std::string key = ProfileKey(customer_id);
  absl::StatusOr<redis::Reply> reply = redis_.Command({"HGET", key, "p"});
  if (!reply.ok()) return reply.status();
  return ParseProfile(*reply);
}

absl::StatusOr<std::optional<int64_t>> ProfileStore::AppliedOffset(const std::string& topic,
                                                                   int32_t partition) {
  std::string key = OffsetKey(topic, partition);
  absl::StatusOr<redis::Reply> reply = redis_.Command({"GET", key});
  if (!reply.ok()) return reply.status();
  return ParseOffset(*reply);
}

absl::StatusOr<ProfileStore::Snapshot> ProfileStore::Load(const std::vector<std::string>& customer_ids,
                                                          const std::string& topic, int32_t partition) {
  std::vector<std::string> keys;
  keys.reserve(customer_ids.size() + 1);
  keys.push_back(OffsetKey(topic, partition));
  for (const std::string& id : customer_ids) keys.push_back(ProfileKey(id));
  std::vector<redis::CommandArgs> commands = {{"GET", keys[0]}};
  for (size_t i = 1; i < keys.size(); ++i) commands.push_back({"HGET", keys[i], "p"});

  absl::StatusOr<std::vector<redis::Reply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  Snapshot snapshot;
  absl::StatusOr<std::optional<int64_t>> offset = ParseOffset((*replies)[0]);
  if (!offset.ok()) return offset.status();
  snapshot.applied_offset = *offset;
  for (size_t i = 1; i < replies->size(); ++i) {
    absl::StatusOr<std::optional<v1::Profile>> profile = ParseProfile((*replies)[i]);
    if (!profile.ok()) return profile.status();
    snapshot.profiles.push_back(std::move(*profile));
  }
  return snapshot;
}

absl::StatusOr<bool> ProfileStore::Commit(const std::string& topic, int32_t partition,
                                          std::optional<int64_t> expected, int64_t offset,
                                          const std::vector<ProfileWrite>& profiles) {
  std::vector<std::string> keys = {OffsetKey(topic, partition)};
  std::vector<std::string> args = {expected ? std::to_string(*expected) : "", std::to_string(offset),
                                   std::to_string(profiles.size())};
  for (const ProfileWrite& write : profiles) {
    keys.push_back(ProfileKey(write.profile->customer_id()));
    args.push_back(std::to_string(write.loaded_version));
    args.push_back(std::to_string(write.profile->version()));
    args.push_back(write.profile->SerializeAsString());
  }
  for (const ProfileWrite& write : profiles) {
    for (const domain::Identity& identity : domain::MasterDataIdentities(write.profile->customer())) {
      keys.push_back(domain::IdentityIndexKey(identity));
      args.push_back(write.profile->customer_id());
    }
  }
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::vector<std::string_view> arg_views(args.begin(), args.end());
  absl::StatusOr<redis::Reply> reply = redis_.Eval(commit_script_, key_views, arg_views);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return Failed(*reply);
  return reply->integer() == 1;
}

}  // namespace custflow::profile

#include "services/ingest/dedupe_store.h"

namespace custflow::ingest {
namespace {

// For each key: "+" when claimed now, else "=" followed by the stored value ("" while
// another request holds the claim, the customer id once confirmed).
constexpr const char* kClaimLua = R"lua(
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, '', 'NX', 'PX', ARGV[1]) then
    out[i] = '+'
  else
    out[i] = '=' .. (redis.call('GET', key) or '')
  end
end
return out
)lua";

std::string Key(const std::string& event_id) { return "cf:event:" + event_id; }

absl::Status CheckReplies(const absl::StatusOr<std::vector<redis::Reply>>& replies) {
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return reply.ToStatus();
  }
  return absl::OkStatus();
}

}  // namespace

RedisDedupeStore::RedisDedupeStore(redis::RedisClient& redis) : redis_(redis), claim_script_(kClaimLua) {}

absl::StatusOr<std::vector<DedupeStore::Claim>> RedisDedupeStore::ClaimIds(const std::vector<std::string>& event_ids,
                                                                           std::chrono::milliseconds claim_timeout) {
  std::vector<Claim> claims;
  if (event_ids.empty()) return claims;
  std::vector<std::string> keys;
  keys.reserve(event_ids.size());
  for (const std::string& id : event_ids) keys.push_back(Key(id));
  std::vector<std::string_view> key_views(keys.begin(), keys.end());
  std::string ttl = std::to_string(claim_timeout.count());
  std::vector<std::string_view> args = {ttl};
  absl::StatusOr<redis::Reply> reply = redis_.Eval(claim_script_, key_views, args);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return reply->ToStatus();
  for (const redis::Reply& element : reply->elements()) {
    const std::string& text = element.str();
    if (text == "+") {
      claims.push_back({ClaimState::kClaimed, ""});
    } else if (text.size() > 1) {
      claims.push_back({ClaimState::kDuplicate, text.substr(1)});
    } else {
      claims.push_back({ClaimState::kInProgress, ""});
    }
  }
  return claims;
}

absl::Status RedisDedupeStore::Confirm(const std::vector<std::pair<std::string, std::string>>& events,
                                       std::chrono::milliseconds window) {
  if (events.empty()) return absl::OkStatus();
  std::vector<std::string> keys;
  keys.reserve(events.size());
  for (const auto& [event_id, customer_id] : events) keys.push_back(Key(event_id));
  std::string ttl = std::to_string(window.count());
  std::vector<redis::CommandArgs> commands;
  commands.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    commands.push_back({"SET", keys[i], events[i].second, "PX", ttl});
  }
  return CheckReplies(redis_.Pipeline(commands));
}

absl::Status RedisDedupeStore::Release(const std::vector<std::string>& event_ids) {
  if (event_ids.empty()) return absl::OkStatus();
  std::vector<std::string> keys;
  for (const std::string& id : event_ids) keys.push_back(Key(id));
  redis::CommandArgs del = {"DEL"};
  for (const std::string& key : keys) del.push_back(key);
  std::vector<redis::CommandArgs> commands = {del};
  return CheckReplies(redis_.Pipeline(commands));
}

}  // namespace custflow::ingest

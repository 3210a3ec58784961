#include "custflow/dedupe/dedupe_store.h"

namespace custflow::dedupe {
namespace {

std::string Key(const std::string& event_id) { return "cf:event:" + event_id; }

absl::Status CheckReplies(const absl::StatusOr<std::vector<redis::Reply>>& replies) {
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return reply.ToStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<DedupeStore::Claim>> RedisDedupeStore::ClaimIds(
    const std::vector<std::string>& event_ids, std::chrono::milliseconds claim_timeout) {
  // One pipelined SET NX per id (plain commands cost Redis a fraction of a Lua loop),
  // then one GET per id already taken, to tell a confirmed event from one in flight.
  std::vector<Claim> claims(event_ids.size());
  if (event_ids.empty()) return claims;
  std::vector<std::string> keys;
  keys.reserve(event_ids.size());
  for (const std::string& id : event_ids) keys.push_back(Key(id));
  std::string ttl = std::to_string(claim_timeout.count());
  std::vector<redis::CommandArgs> sets;
  sets.reserve(keys.size());
  for (const std::string& key : keys) sets.push_back({"SET", key, "", "NX", "PX", ttl});
  absl::StatusOr<std::vector<redis::Reply>> set_replies = redis_.Pipeline(sets);
  if (absl::Status status = CheckReplies(set_replies); !status.ok()) return status;

  std::vector<size_t> taken;
  std::vector<redis::CommandArgs> gets;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*set_replies)[i].is_nil()) continue;
    taken.push_back(i);
    gets.push_back({"GET", keys[i]});
  }
  if (taken.empty()) return claims;
  absl::StatusOr<std::vector<redis::Reply>> get_replies = redis_.Pipeline(gets);
  if (absl::Status status = CheckReplies(get_replies); !status.ok()) return status;
  for (size_t j = 0; j < taken.size(); ++j) {
    const redis::Reply& value = (*get_replies)[j];
    // Empty: claimed by a request still in flight. Gone (expired just now): treated the
    // same, so the client's retry decides.
    claims[taken[j]] = value.is_string() && !value.str().empty() ? Claim{ClaimState::kDuplicate, value.str()}
                                                                 : Claim{ClaimState::kInProgress, ""};
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

}  // namespace custflow::dedupe

#include "services/profile/profile_applier.h"

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "custflow/core/log.h"
#include "custflow/domain/dead_letter.h"
#include "custflow/domain/profile_fold.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::profile {
namespace {

bool IsNewForward(v1::Profile& profile, const v1::ForwardedInteraction& forwarded) {
  auto& positions = *profile.mutable_forwarded_offsets();
  auto it = positions.find(forwarded.origin_partition());
  if (it != positions.end() && forwarded.origin_offset() <= it->second) return false;
  positions[forwarded.origin_partition()] = forwarded.origin_offset();
  return true;
}

v1::Command ForwardedInteraction(const v1::Interaction& event, const std::string& survivor_id,
                                 const std::string& partition, int64_t offset) {
  v1::Command command;
  command.set_command_id("forward:" + partition + "/" + std::to_string(offset));
  command.set_customer_id(survivor_id);
  command.set_actor("profile");
  *command.mutable_issued_at() = event.occurred_at();
  v1::ForwardedInteraction& forwarded = *command.mutable_forwarded();
  *forwarded.mutable_interaction() = event;
  forwarded.mutable_interaction()->mutable_customer()->set_customer_id(survivor_id);
  forwarded.set_origin_partition(partition);
  forwarded.set_origin_offset(offset);
  return command;
}

// A forward or absorb that reached an id merged away meanwhile goes on to its survivor.
v1::Command Readdressed(const v1::Command& command, const std::string& survivor_id) {
  v1::Command copy = command;
  copy.set_customer_id(survivor_id);
  if (copy.has_forwarded())
    copy.mutable_forwarded()->mutable_interaction()->mutable_customer()->set_customer_id(survivor_id);
  return copy;
}

// The merged profile as merged goes to the survivor, without the positions that only
// mean something for the merged id's own partition.
v1::Command Absorb(const v1::Profile& merged, const v1::Command& merge, const std::string& origin) {
  v1::Command command;
  command.set_command_id("absorb:" + origin);
  command.set_customer_id(merge.merge().survivor_id());
  command.set_actor(merge.actor());
  command.set_origin(merge.origin());
  *command.mutable_issued_at() = merge.issued_at();
  v1::Profile& snapshot = *command.mutable_absorb()->mutable_merged();
  snapshot = merged;
  snapshot.clear_applied_offsets();
  snapshot.clear_forwarded_offsets();
  snapshot.clear_merged_into();
  return command;
}

}  // namespace

ProfileApplier::ProfileApplier(ProfileStore& store, kafka::Producer& producer, core::MetricsRegistry& metrics,
                               ApplierTopics topics)
    : store_(store),
      producer_(producer),
      topics_(std::move(topics)),
      applied_(metrics.GetCounter("custflow_profile_applied_total", "Messages folded into profiles.")),
      dead_lettered_(metrics.GetCounter("custflow_profile_dead_lettered_total",
                                        "Messages sent to the dead-letter topic.")) {}

absl::Status ProfileApplier::Apply(std::span<const kafka::Message> batch) {
  // Partitions are prepared one after another and their snapshots published without
  // waiting, so one broker round trip covers them all; a partition touching a customer
  // that a prepared one touches too waits until those are stored, so it loads their result.
  std::vector<Prepared> prepared;
  std::set<std::string> touched;
  auto finish_all = [&]() -> absl::Status {
    for (Prepared& partition : prepared) {
      if (absl::Status status = Finish(partition); !status.ok()) return status;
    }
    prepared.clear();
    touched.clear();
    return absl::OkStatus();
  };
  // A poll returns what the fetcher queued, and a partition can come back later in the
  // same batch (p3, p5, p3): each partition's messages are applied together, since every
  // chunk of one partition is stored against the applied offset it was loaded at.
  std::vector<std::vector<const kafka::Message*>> partitions;
  std::map<std::pair<std::string_view, int32_t>, size_t> partition_index;
  for (const kafka::Message& message : batch) {
    auto [it, added] = partition_index.try_emplace({message.topic, message.partition}, partitions.size());
    if (added) partitions.emplace_back();
    partitions[it->second].push_back(&message);
  }
  for (const std::vector<const kafka::Message*>& messages : partitions) {
    Parsed parsed = Parse(messages);
    bool overlaps = std::any_of(parsed.ids.begin(), parsed.ids.end(),
                                [&](const std::string& id) { return touched.contains(id); });
    if (overlaps) {
      if (absl::Status status = finish_all(); !status.ok()) return status;
    }
    touched.insert(parsed.ids.begin(), parsed.ids.end());
    absl::StatusOr<Prepared> partition = Prepare(std::move(parsed));
    if (!partition.ok()) return partition.status();
    prepared.push_back(std::move(*partition));
  }
  return finish_all();
}

absl::Status ProfileApplier::DeadLetter(const kafka::Message& message, const std::string& reason) {
  v1::DeadLetter letter = domain::MakeDeadLetter(
      "profile", reason, {message.topic, message.partition, message.offset, message.key, message.value});
  absl::StatusOr<kafka::DeliveryReport> sent =
      producer_.SendAndWait(topics_.dead_letter, message.key, letter.SerializeAsString());
  if (!sent.ok()) return sent.status();
  dead_lettered_.Increment();
  core::LogWarn("message dead-lettered", {{"topic", std::string(message.topic)},
                                          {"partition", message.partition},
                                          {"offset", message.offset},
                                          {"reason", reason}});
  return absl::OkStatus();
}

ProfileApplier::Parsed ProfileApplier::Parse(const std::vector<const kafka::Message*>& messages) const {
  Parsed result;
  result.last_offset = messages.back()->offset;
  result.topic = std::string(messages.front()->topic);
  result.partition = messages.front()->partition;
  const bool commands = result.topic == topics_.commands;
  for (const kafka::Message* next : messages) {
    const kafka::Message& message = *next;
    Change change{message.offset, std::string(message.key), {}};
    bool parsed = false;
    if (commands) {
      v1::Command command;
      parsed = command.ParseFromArray(message.value.data(), static_cast<int>(message.value.size())) &&
               !command.customer_id().empty();
      if (parsed) change.customer_id = command.customer_id();
      change.body = std::move(command);
    } else {
      v1::Interaction event;
      parsed = event.ParseFromArray(message.value.data(), static_cast<int>(message.value.size())) &&
               !event.customer().customer_id().empty();
      if (parsed) change.customer_id = event.customer().customer_id();
      change.body = std::move(event);
    }
    if (!parsed) {
      result.unreadable.push_back(&message);
      continue;
    }
    if (result.index.emplace(change.customer_id, result.ids.size()).second)
      result.ids.push_back(change.customer_id);
    result.changes.push_back(std::move(change));
  }
  return result;
}

absl::StatusOr<ProfileApplier::Prepared> ProfileApplier::Prepare(Parsed parsed) {
  const std::string& topic = parsed.topic;
  const int32_t partition = parsed.partition;
  const bool commands = topic == topics_.commands;
  const std::vector<std::string>& ids = parsed.ids;
  std::map<std::string, size_t>& index = parsed.index;
  absl::StatusOr<ProfileStore::Snapshot> loaded = store_.Load(ids, topic, partition);
  if (!loaded.ok()) return loaded.status();
  const std::optional<int64_t> applied = loaded->applied_offset;
  auto is_new = [&](int64_t offset) { return !applied || offset > *applied; };

  for (const kafka::Message* message : parsed.unreadable) {
    if (!is_new(message->offset)) continue;
    std::string reason = commands ? "value is not a custflow.v1.Command with a customer_id"
                                  : "value is not a custflow.v1.Interaction with a resolved customer_id";
    if (absl::Status sent = DeadLetter(*message, reason); !sent.ok()) return sent;
  }

  Prepared prepared;
  prepared.topic = topic;
  prepared.partition = partition;
  prepared.expected = applied;
  prepared.loaded = std::move(loaded->profiles);
  std::vector<v1::Profile>& profiles = prepared.profiles;
  profiles.resize(ids.size());
  std::vector<bool> changed(ids.size(), false);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (prepared.loaded[i]) {
      profiles[i] = *prepared.loaded[i];
    } else {
      profiles[i].set_customer_id(ids[i]);
    }
  }
  // Messages this batch sends on: absorbs for merges, interactions that reached a
  // merged-away id. Sent before the commit, with ids derived from their origin, so a
  // batch applied again after a failed commit sends nothing the survivor counts twice.
  std::vector<v1::Command> follow_ons;
  const std::string position_key = topic + "/" + std::to_string(partition);
  size_t folded = 0;
  for (const Change& change : parsed.changes) {
    if (!is_new(change.offset)) continue;
    size_t at = index[change.customer_id];
    v1::Profile& profile = profiles[at];
    auto& positions = *profile.mutable_applied_offsets();
    if (auto it = positions.find(position_key); it != positions.end() && change.offset <= it->second)
      continue;
    if (const auto* event = std::get_if<v1::Interaction>(&change.body)) {
      if (!profile.merged_into().empty()) {
        follow_ons.push_back(
            ForwardedInteraction(*event, profile.merged_into(), position_key, change.offset));
        continue;
      }
      domain::ApplyInteraction(profile, *event);
    } else {
      const v1::Command& command = std::get<v1::Command>(change.body);
      bool carries_history = command.has_forwarded() || command.has_absorb();
      if (carries_history && !profile.merged_into().empty()) {
        follow_ons.push_back(Readdressed(command, profile.merged_into()));
        continue;
      }
      if (command.has_forwarded() && !IsNewForward(profile, command.forwarded())) continue;
      if (!domain::ApplyCommand(profile, command)) continue;
      if (command.has_merge())
        follow_ons.push_back(Absorb(profile, command, position_key + "/" + std::to_string(change.offset)));
    }
    positions[position_key] = change.offset;
    changed[at] = true;
    ++folded;
  }
  prepared.last_offset = parsed.last_offset;
  prepared.folded = folded;
  if (!is_new(prepared.last_offset)) return prepared;  // nothing to store

  prepared.bytes.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!changed[i]) continue;
    prepared.bytes[i] = profiles[i].SerializeAsString();
    prepared.published.push_back(producer_.SendAsync(topics_.profiles, ids[i], prepared.bytes[i]));
  }
  for (const v1::Command& command : follow_ons) {
    prepared.published.push_back(
        producer_.SendAsync(topics_.commands, command.customer_id(), command.SerializeAsString()));
  }
  prepared.store = true;
  return prepared;
}

absl::Status ProfileApplier::Finish(Prepared& prepared) {
  for (auto& delivery : prepared.published) {
    absl::StatusOr<kafka::DeliveryReport> report = delivery.get();
    if (!report.ok()) return report.status();
  }
  if (!prepared.store) return absl::OkStatus();
  std::vector<ProfileStore::ProfileWrite> writes;
  for (size_t i = 0; i < prepared.profiles.size(); ++i) {
    if (prepared.bytes[i].empty()) continue;  // unchanged
    const std::optional<v1::Profile>& loaded = prepared.loaded[i];
    writes.push_back({&prepared.profiles[i], loaded ? &*loaded : nullptr, prepared.bytes[i]});
  }
  absl::StatusOr<bool> committed =
      store_.Commit(prepared.topic, prepared.partition, prepared.expected, prepared.last_offset, writes);
  if (!committed.ok()) return committed.status();
  if (!*committed) {
    return absl::AbortedError("the applied offset of " + prepared.topic + "/" +
                              std::to_string(prepared.partition) +
                              " or a profile changed under us (another instance wrote it); reloading");
  }
  applied_.Increment(prepared.folded);
  return absl::OkStatus();
}

absl::Status ProfileApplier::StartAfterApplied(std::vector<kafka::TopicPartitionOffset>& partitions) {
  for (kafka::TopicPartitionOffset& partition : partitions) {
    absl::StatusOr<std::optional<int64_t>> applied =
        store_.AppliedOffset(partition.topic, partition.partition);
    if (!applied.ok()) return applied.status();
    if (*applied) partition.offset = **applied + 1;
  }
  return absl::OkStatus();
}

}  // namespace custflow::profile

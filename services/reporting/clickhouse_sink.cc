#include "services/reporting/clickhouse_sink.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/clickhouse/row_binary_writer.h"
#include "custflow/clickhouse/sql.h"
#include "custflow/core/log.h"
#include "custflow/domain/customer_type.h"
#include "custflow/domain/profile_fold.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::reporting {
namespace {

const std::vector<std::string> kInteractionColumns = {
    "event_id",     "customer_id",  "channel",          "type",         "occurred_at",
    "received_at",  "agent",        "department",       "team",         "amount_minor",
    "currency",     "satisfaction", "duration_seconds", "wait_seconds", "kafka_partition",
    "kafka_offset", "case_id",      "category",         "product"};

const std::vector<std::string> kProfileColumns = {"customer_id",
                                                  "version",
                                                  "updated_at",
                                                  "name",
                                                  "customer_type",
                                                  "owner",
                                                  "department",
                                                  "team",
                                                  "follow_up_stage",
                                                  "province",
                                                  "city",
                                                  "district",
                                                  "industry",
                                                  "source",
                                                  "first_contact_at",
                                                  "interaction_count",
                                                  "order_count",
                                                  "cumulative_amount_minor",
                                                  "currency",
                                                  "tags",
                                                  "grade",
                                                  "merged_into",
                                                  "kafka_partition",
                                                  "kafka_offset",
                                                  "profile",
                                                  "tag_changed_at",
                                                  "tags_added",
                                                  "tags_removed",
                                                  "tag_rules",
                                                  "tag_rules_version",
                                                  "change_version",
                                                  "change_at",
                                                  "change_actor",
                                                  "change_origin",
                                                  "change_command_id",
                                                  "change_fields",
                                                  "change_old",
                                                  "change_new"};

// DateTime is UInt32 seconds: clamp what does not fit rather than wrap.
uint32_t Seconds(const google::protobuf::Timestamp& at) {
  if (at.seconds() <= 0) return 0;
  return at.seconds() > 0xFFFFFFFFll ? 0xFFFFFFFFu : static_cast<uint32_t>(at.seconds());
}

// The tag change this very version made, or empty values when it made none (the
// snapshot then carries an older change, which its own version's row already holds), so
// tag_history gets each change once. tag_rules follows the added tags, then the removed.
void AppendTagChange(clickhouse::RowBinaryWriter& rows, const v1::Profile& profile) {
  static const v1::TagChange kNoChange;
  const bool made_here = profile.has_tag_change() && profile.tag_change().version() == profile.version();
  const v1::TagChange& change = made_here ? profile.tag_change() : kNoChange;
  std::vector<std::string> rules;
  rules.reserve(change.added_size() + change.removed_size());
  for (const auto* tags : {&change.added(), &change.removed()}) {
    for (const std::string& tag : *tags) {
      auto rule = change.rules().find(tag);
      rules.push_back(rule == change.rules().end() ? std::string() : rule->second);
    }
  }
  rows.WriteDateTime(Seconds(change.changed_at()));
  rows.WriteArray(change.added());
  rows.WriteArray(change.removed());
  rows.WriteArray(rules);
  rows.WriteString(change.rules_version());
}

// The last master-data change as the snapshot carries it (zeros and empty arrays when it
// has none). The audit_log view keeps it only from the row whose version made it, so the
// later snapshots that repeat it add nothing there. The three arrays stay parallel, as the
// view's ARRAY JOIN requires.
void AppendMasterChange(clickhouse::RowBinaryWriter& rows, const v1::Profile& profile) {
  const v1::MasterDataChange& change = profile.master_change();
  std::vector<std::string> fields;
  std::vector<std::string> old_values;
  std::vector<std::string> new_values;
  for (const v1::FieldChange& field : change.fields()) {
    fields.push_back(field.field());
    old_values.push_back(field.old_value());
    new_values.push_back(field.new_value());
  }
  rows.WriteUInt64(change.version());
  rows.WriteDateTime(Seconds(change.changed_at()));
  rows.WriteString(change.actor());
  rows.WriteString(change.origin());
  rows.WriteString(change.command_id());
  rows.WriteArray(fields);
  rows.WriteArray(old_values);
  rows.WriteArray(new_values);
}

// Notes in `erasures` (customer id -> highest erase version) when `profile` is the snapshot
// an erase made. Later snapshots of an erased customer keep erased_at but were not made by
// the erase, so they blank nothing again.
void NoteErasure(const v1::Profile& profile, std::map<std::string, uint64_t>& erasures) {
  const v1::MasterDataChange& change = profile.master_change();
  if (!profile.has_erased_at() || change.version() != profile.version() ||
      change.origin() != domain::kEraseOrigin)
    return;
  uint64_t& version = erasures[profile.customer_id()];
  version = std::max(version, profile.version());
}

bool ParseProfile(const kafka::Message& message, v1::Profile& profile) {
  return profile.ParseFromArray(message.value.data(), static_cast<int>(message.value.size()));
}

bool AppendProfile(clickhouse::RowBinaryWriter& rows, const kafka::Message& message,
                   std::map<std::string, uint64_t>& erasures) {
  v1::Profile profile;
  if (!ParseProfile(message, profile)) return false;
  NoteErasure(profile, erasures);
  const v1::Customer& customer = profile.customer();
  rows.WriteString(profile.customer_id());
  rows.WriteUInt64(profile.version());
  rows.WriteDateTime(Seconds(profile.updated_at()));
  rows.WriteString(customer.name());
  rows.WriteString(domain::CustomerTypeWord(customer.type()));
  rows.WriteString(customer.owner());
  rows.WriteString(customer.department());
  rows.WriteString(customer.team());
  rows.WriteString(customer.follow_up_stage());
  rows.WriteString(customer.region().province());
  rows.WriteString(customer.region().city());
  rows.WriteString(customer.region().district());
  rows.WriteString(customer.industry());
  rows.WriteString(customer.source());
  rows.WriteDateTime(Seconds(customer.first_contact_at()));
  rows.WriteUInt64(domain::InteractionCount(profile));
  rows.WriteUInt64(profile.order_count());
  rows.WriteInt64(profile.cumulative_amount().amount_minor());
  rows.WriteString(profile.cumulative_amount().currency());
  rows.WriteArray(profile.tags());
  rows.WriteString(profile.grade());
  rows.WriteString(profile.merged_into());
  rows.WriteInt32(message.partition);
  rows.WriteInt64(message.offset);
  rows.WriteString(message.value);
  AppendTagChange(rows, profile);
  AppendMasterChange(rows, profile);
  rows.EndRow();
  return true;
}

}  // namespace

const std::vector<std::string>& InteractionColumns() { return kInteractionColumns; }

bool AppendInteractionRow(clickhouse::RowBinaryWriter& rows, const kafka::Message& message) {
  v1::Interaction event;
  if (!event.ParseFromArray(message.value.data(), static_cast<int>(message.value.size()))) return false;
  rows.WriteString(event.event_id());
  rows.WriteString(event.customer().customer_id());
  rows.WriteString(v1::Channel_Name(event.channel()));
  rows.WriteString(v1::InteractionType_Name(event.type()));
  rows.WriteDateTime(Seconds(event.occurred_at()));
  rows.WriteDateTime(Seconds(event.received_at()));
  rows.WriteString(event.agent());
  rows.WriteString(event.department());
  rows.WriteString(event.team());
  rows.WriteInt64(event.amount().amount_minor());
  rows.WriteString(event.amount().currency());
  rows.WriteUInt8(static_cast<uint8_t>(event.has_satisfaction() ? event.satisfaction() : 0));
  rows.WriteUInt32(event.duration_seconds());
  rows.WriteUInt32(event.wait_seconds());
  rows.WriteInt32(message.partition);
  rows.WriteInt64(message.offset);
  // For complaint analysis (migration 4): orders and quotes name a product too.
  rows.WriteString(event.complaint().case_id());
  rows.WriteString(event.complaint().category());
  rows.WriteString(event.has_order()   ? event.order().product()
                   : event.has_quote() ? event.quote().product()
                                       : event.complaint().product());
  rows.EndRow();
  return true;
}

ClickHouseSink::ClickHouseSink(clickhouse::ClickHouseClient& client, core::MetricsRegistry& metrics,
                               SinkTopics topics)
    : client_(client),
      topics_(std::move(topics)),
      rows_(metrics.GetCounter("custflow_sink_rows_total", "Rows written to ClickHouse.")),
      skipped_(metrics.GetCounter("custflow_sink_skipped_total", "Messages skipped as already stored.")),
      unreadable_(metrics.GetCounter("custflow_sink_unreadable_total", "Messages that did not parse.")),
      erasures_(metrics.GetCounter("custflow_sink_erasures_total",
                                   "Erased customers whose older rows were blanked (again on a replay).")) {}

const char* ClickHouseSink::TableFor(const std::string& topic) const {
  return topic == topics_.profiles ? "profile_versions" : "interactions";
}

absl::Status ClickHouseSink::StartAfterRecorded(std::vector<kafka::TopicPartitionOffset>& partitions) {
  for (kafka::TopicPartitionOffset& partition : partitions) {
    PartitionState& state = partitions_[{partition.topic, partition.partition}];
    state.stale = true;
    if (absl::Status loaded = Reload({partition.topic, partition.partition}, state); !loaded.ok())
      return loaded;
    if (state.recorded) partition.offset = *state.recorded + 1;
  }
  return absl::OkStatus();
}

absl::Status ClickHouseSink::Reload(const Partition& partition, PartitionState& state) {
  auto recorded_sql = clickhouse::Bind(
      "SELECT count() AS n, max(kafka_offset) AS last FROM sink_offsets WHERE topic = ? AND kafka_partition "
      "= ?",
      partition.first, partition.second);
  if (!recorded_sql.ok()) return recorded_sql.status();
  absl::StatusOr<clickhouse::QueryResult> recorded = client_.Query(*recorded_sql);
  if (!recorded.ok()) return recorded.status();
  absl::StatusOr<uint64_t> count = recorded->GetUInt64(0, 0);
  absl::StatusOr<int64_t> last = recorded->GetInt64(0, 1);
  if (!count.ok()) return count.status();
  if (!last.ok()) return last.status();
  state.recorded = *count > 0 ? std::optional<int64_t>(*last) : std::nullopt;

  auto stored_sql = clickhouse::Bind(std::string("SELECT kafka_offset FROM ") + TableFor(partition.first) +
                                         " WHERE kafka_partition = ? AND kafka_offset > ?",
                                     partition.second, state.recorded.value_or(-1));
  if (!stored_sql.ok()) return stored_sql.status();
  absl::StatusOr<clickhouse::QueryResult> stored = client_.Query(*stored_sql);
  if (!stored.ok()) return stored.status();
  state.stored.clear();
  for (size_t row = 0; row < stored->row_count(); ++row) {
    absl::StatusOr<int64_t> offset = stored->GetInt64(row, 0);
    if (!offset.ok()) return offset.status();
    state.stored.insert(*offset);
  }
  state.stale = false;
  return absl::OkStatus();
}

absl::Status ClickHouseSink::BlankBeforeErasures(const std::map<std::string, uint64_t>& erasures) {
  // Mutations run asynchronously on 18.16 (no mutations_sync): the server accepts them
  // durably and applies them to every part that exists now.
  static constexpr const char* kBlanking[] = {
      "ALTER TABLE profile_versions UPDATE name = '', profile = '' WHERE customer_id = ? AND version < ?",
      "ALTER TABLE audit_log UPDATE old_value = '', new_value = '' WHERE customer_id = ? AND version < ?"};
  for (const auto& [customer_id, version] : erasures) {
    for (const char* statement : kBlanking) {
      absl::StatusOr<std::string> sql = clickhouse::Bind(statement, customer_id, version);
      if (!sql.ok()) return sql.status();
      if (absl::Status blanked = client_.Execute(*sql); !blanked.ok()) return blanked;
    }
    erasures_.Increment();
  }
  return absl::OkStatus();
}

absl::Status ClickHouseSink::Write(std::span<const kafka::Message> batch) {
  std::map<Partition, int64_t> last_offsets;
  for (const kafka::Message& message : batch) {
    Partition partition{std::string(message.topic), message.partition};
    int64_t& last = last_offsets[partition];
    last = std::max(last, message.offset);
  }
  for (const auto& [partition, last] : last_offsets) {
    PartitionState& state = partitions_[partition];
    if (!state.stale) continue;
    if (absl::Status loaded = Reload(partition, state); !loaded.ok()) return loaded;
  }

  clickhouse::RowBinaryWriter interactions;
  clickhouse::RowBinaryWriter profiles;
  std::map<std::string, uint64_t> erasures;
  for (const kafka::Message& message : batch) {
    const PartitionState& state = partitions_[{std::string(message.topic), message.partition}];
    bool profile = message.topic == topics_.profiles;
    if ((state.recorded && message.offset <= *state.recorded) || state.stored.contains(message.offset)) {
      skipped_.Increment();
      // An erase stored before a crash may not have blanked yet: blank again.
      v1::Profile stored;
      if (profile && ParseProfile(message, stored)) NoteErasure(stored, erasures);
      continue;
    }
    bool parsed =
        profile ? AppendProfile(profiles, message, erasures) : AppendInteractionRow(interactions, message);
    if (!parsed) {
      // Producers validate before publishing, so this is corruption: count and log it.
      unreadable_.Increment();
      core::LogError("unreadable message skipped by the sink", {{"topic", std::string(message.topic)},
                                                                {"partition", message.partition},
                                                                {"offset", message.offset}});
    }
  }

  absl::Status inserted = client_.Insert("interactions", kInteractionColumns, interactions);
  if (inserted.ok()) inserted = client_.Insert("profile_versions", kProfileColumns, profiles);
  // After the insert, so older versions in this very batch are blanked too.
  if (inserted.ok()) inserted = BlankBeforeErasures(erasures);
  clickhouse::RowBinaryWriter offsets;
  uint32_t now = static_cast<uint32_t>(std::time(nullptr));
  for (const auto& [partition, last] : last_offsets) {
    offsets.WriteString(partition.first);
    offsets.WriteInt32(partition.second);
    offsets.WriteInt64(last);
    offsets.WriteDateTime(now);
    offsets.EndRow();
  }
  if (inserted.ok()) {
    inserted =
        client_.Insert("sink_offsets", {"topic", "kafka_partition", "kafka_offset", "written_at"}, offsets);
  }
  if (!inserted.ok()) {
    // Some blocks may be stored: learn what before the retry.
    for (const auto& [partition, last] : last_offsets) partitions_[partition].stale = true;
    return inserted;
  }
  for (const auto& [partition, last] : last_offsets) {
    PartitionState& state = partitions_[partition];
    state.recorded = std::max(state.recorded.value_or(last), last);
    // Rows past this batch may be stored from before a crash, when that batch was larger.
    state.stored.erase(state.stored.begin(), state.stored.upper_bound(*state.recorded));
  }
  rows_.Increment(interactions.row_count() + profiles.row_count());
  return absl::OkStatus();
}

}  // namespace custflow::reporting

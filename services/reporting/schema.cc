#include "services/reporting/schema.h"

#include <set>
#include <string>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "custflow/core/log.h"

namespace custflow::reporting {
namespace {

struct Migration {
  uint32_t version;
  const char* description;
  std::vector<const char*> statements;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1,
       "interactions, profile versions and sink offsets",
       {R"sql(CREATE TABLE IF NOT EXISTS interactions (
            event_id String, customer_id String, channel String, type String,
            occurred_at DateTime, received_at DateTime,
            agent String, department String, team String,
            amount_minor Int64, currency String, satisfaction UInt8,
            duration_seconds UInt32, wait_seconds UInt32,
            kafka_partition Int32, kafka_offset Int64
          ) ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at)
            ORDER BY (customer_id, occurred_at, event_id))sql",
        R"sql(CREATE TABLE IF NOT EXISTS profile_versions (
            customer_id String, version UInt64, updated_at DateTime,
            name String, customer_type String, owner String, department String, team String,
            follow_up_stage String, province String, city String, district String,
            industry String, source String, first_contact_at DateTime,
            interaction_count UInt64, order_count UInt64, cumulative_amount_minor Int64,
            currency String, tags Array(String), grade String, merged_into String,
            kafka_partition Int32, kafka_offset Int64
          ) ENGINE = ReplacingMergeTree(version) ORDER BY customer_id)sql",
        R"sql(CREATE TABLE IF NOT EXISTS sink_offsets (
            topic String, kafka_partition Int32, kafka_offset Int64, written_at DateTime
          ) ENGINE = ReplacingMergeTree ORDER BY (topic, kafka_partition, kafka_offset))sql"}},
      // The whole snapshot as published (protobuf bytes), so the profile service can
      // restore a profile that Redis lost. Rows stored before have it empty.
      {2,
       "profile_versions keeps the whole profile snapshot",
       {"ALTER TABLE profile_versions ADD COLUMN profile String"}},
  };
  return migrations;
}

}  // namespace

absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client) {
  absl::Status created = client.Execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, description String, applied_at "
      "DateTime) "
      "ENGINE = TinyLog");
  if (!created.ok()) return created;
  absl::StatusOr<clickhouse::QueryResult> applied = client.Query("SELECT version FROM schema_migrations");
  if (!applied.ok()) return applied.status();
  std::set<uint64_t> done;
  for (size_t row = 0; row < applied->row_count(); ++row) {
    absl::StatusOr<uint64_t> version = applied->GetUInt64(row, 0);
    if (!version.ok()) return version.status();
    done.insert(*version);
  }
  for (const Migration& migration : Migrations()) {
    if (done.contains(migration.version)) continue;
    for (const char* statement : migration.statements) {
      if (absl::Status status = client.Execute(statement); !status.ok()) return status;
    }
    absl::StatusOr<std::string> record = clickhouse::Bind(
        "INSERT INTO schema_migrations VALUES (?, ?, now())", migration.version, migration.description);
    if (!record.ok()) return record.status();
    if (absl::Status status = client.Execute(*record); !status.ok()) return status;
    core::LogInfo("schema migration applied",
                  {{"version", migration.version}, {"description", migration.description}});
  }
  return absl::OkStatus();
}

}  // namespace custflow::reporting

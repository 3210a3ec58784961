#include "services/reporting/schema.h"

#include <set>
#include <string>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "custflow/core/log.h"

namespace custflow::reporting {
namespace {

// A column a migration adds to an existing table.
struct NewColumn {
  const char* table;
  const char* name;
  const char* type;
};

// Columns are added before the statements run. ClickHouse 18.16 has no
// ADD COLUMN IF NOT EXISTS, so a column already there (a migration that stopped halfway)
// is skipped rather than failing every later start.
struct Migration {
  uint32_t version;
  const char* description;
  std::vector<NewColumn> columns;
  std::vector<const char*> statements;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1,
       "interactions, profile versions and sink offsets",
       {},
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
       {{"profile_versions", "profile", "String"}},
       {}},
      // The tag change a profile version made (empty arrays for versions that changed no
      // tags), and tag_history: one row per tag added or removed, filled by the view on
      // every insert into profile_versions. tag_rules holds the rule of each tag of
      // arrayConcat(tags_added, tags_removed), in that order. The sink never inserts a
      // stored row again, so the view never writes a change twice; ReplacingMergeTree
      // merges do not fire views.
      {3,
       "tag changes in profile_versions and the tag_history table",
       {{"profile_versions", "tag_changed_at", "DateTime"},
        {"profile_versions", "tags_added", "Array(String)"},
        {"profile_versions", "tags_removed", "Array(String)"},
        {"profile_versions", "tag_rules", "Array(String)"},
        {"profile_versions", "tag_rules_version", "String"}},
       {R"sql(CREATE TABLE IF NOT EXISTS tag_history (
            customer_id String, tag String, action String, changed_at DateTime,
            profile_version UInt64, rule String, rules_version String
          ) ENGINE = MergeTree PARTITION BY toYYYYMM(changed_at)
            ORDER BY (customer_id, changed_at, tag))sql",
        // An index past tag_rules' end reads '' in ClickHouse, so a short tag_rules
        // leaves rules empty rather than failing the sink's insert.
        R"sql(CREATE MATERIALIZED VIEW IF NOT EXISTS tag_history_from_profile_versions TO tag_history AS
          SELECT customer_id, tag,
                 if(position <= length(tags_added), 'added', 'removed') AS action,
                 tag_changed_at AS changed_at, version AS profile_version,
                 tag_rules[position] AS rule, tag_rules_version AS rules_version
          FROM profile_versions
          ARRAY JOIN arrayConcat(tags_added, tags_removed) AS tag,
                     arrayEnumerate(arrayConcat(tags_added, tags_removed)) AS position)sql"}},
      // What complaint analysis groups and matches by: the complaint's case id and
      // category, and the product of a complaint, order or quote. Rows stored before have
      // them empty.
      {4,
       "complaint case, category and product in interactions",
       {{"interactions", "case_id", "String"},
        {"interactions", "category", "String"},
        {"interactions", "product", "String"}},
       {}},
      // The last master-data change each profile version carries (zero and empty when it
      // has none; fields, old and new values are parallel arrays), and audit_log: one row
      // per changed field, filled by the view only from the version that made the change,
      // since later versions repeat it. `position` keeps the fields of one change in their
      // order; the sort key serves the newest-first reads of AuditLog (audit_log.h).
      {5,
       "master-data changes in profile_versions and the audit_log table",
       {{"profile_versions", "change_version", "UInt64"},
        {"profile_versions", "change_at", "DateTime"},
        {"profile_versions", "change_actor", "String"},
        {"profile_versions", "change_origin", "String"},
        {"profile_versions", "change_command_id", "String"},
        {"profile_versions", "change_fields", "Array(String)"},
        {"profile_versions", "change_old", "Array(String)"},
        {"profile_versions", "change_new", "Array(String)"}},
       {R"sql(CREATE TABLE IF NOT EXISTS audit_log (
            changed_at DateTime, customer_id String, version UInt64, position UInt32,
            actor String, origin String, command_id String,
            field String, old_value String, new_value String
          ) ENGINE = MergeTree PARTITION BY toYYYYMM(changed_at)
            ORDER BY (changed_at, customer_id, version, position))sql",
        R"sql(CREATE MATERIALIZED VIEW IF NOT EXISTS audit_log_from_profile_versions TO audit_log AS
          SELECT change_at AS changed_at, customer_id, version, position,
                 change_actor AS actor, change_origin AS origin, change_command_id AS command_id,
                 field, old_value, new_value
          FROM profile_versions
          ARRAY JOIN change_fields AS field, change_old AS old_value, change_new AS new_value,
                     arrayEnumerate(change_fields) AS position
          WHERE change_version = version AND notEmpty(change_fields))sql"}},
  };
  return migrations;
}

absl::Status AddMissingColumns(clickhouse::ClickHouseClient& client, const std::vector<NewColumn>& columns) {
  for (const NewColumn& column : columns) {
    absl::StatusOr<std::string> exists = clickhouse::Bind(
        "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?",
        column.table, column.name);
    if (!exists.ok()) return exists.status();
    absl::StatusOr<clickhouse::QueryResult> found = client.Query(*exists);
    if (!found.ok()) return found.status();
    absl::StatusOr<uint64_t> count = found->GetUInt64(0, 0);
    if (!count.ok()) return count.status();
    if (*count > 0) continue;
    std::string alter =
        std::string("ALTER TABLE ") + column.table + " ADD COLUMN " + column.name + " " + column.type;
    if (absl::Status added = client.Execute(alter); !added.ok()) return added;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client) {
  return ApplyMigrations(client, LatestMigrationVersion());
}

uint32_t LatestMigrationVersion() { return Migrations().back().version; }

absl::Status ApplyMigrations(clickhouse::ClickHouseClient& client, uint32_t up_to) {
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
    if (migration.version > up_to) break;
    if (done.contains(migration.version)) continue;
    if (absl::Status added = AddMissingColumns(client, migration.columns); !added.ok()) return added;
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

// The reporting migrations against a real clickhouse-server 18.16.
#include "services/reporting/schema.h"

#include <string>
#include <vector>

#include "custflow/clickhouse/sql.h"
#include "gmock/gmock.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using SchemaTest = ReportingDatabaseTest;

TEST_F(SchemaTest, MigrationsApplyOnceAndAreIdempotent) {
  absl::Status first = ApplyMigrations(client());
  ASSERT_TRUE(first.ok()) << first;
  absl::Status second = ApplyMigrations(client());
  ASSERT_TRUE(second.ok()) << second;

  EXPECT_THAT(Rows("SELECT version FROM schema_migrations GROUP BY version HAVING count() > 1"), IsEmpty());
  EXPECT_GE(Count("SELECT count() FROM schema_migrations"), 1u);
  EXPECT_EQ(Count("SELECT count() FROM schema_migrations WHERE version = 1"), 1u);
  absl::StatusOr<std::string> tables =
      clickhouse::Bind("SELECT name FROM system.tables WHERE database = ? ORDER BY name", database());
  ASSERT_TRUE(tables.ok()) << tables.status();
  EXPECT_THAT(Rows(*tables), ElementsAre("audit_log", "audit_log_from_profile_versions", "interactions",
                                         "profile_versions", "schema_migrations", "sink_offsets",
                                         "tag_history", "tag_history_from_profile_versions"));
}

// `custflow-reporting migrate` on a new deployment: every migration recorded once, in order.
TEST_F(SchemaTest, FromEmptyRecordsEveryMigrationOnce) {
  absl::Status migrated = ApplyMigrations(client());
  ASSERT_TRUE(migrated.ok()) << migrated;

  std::vector<std::string> expected;
  for (uint32_t version = 1; version <= LatestMigrationVersion(); ++version) {
    expected.push_back(std::to_string(version));
  }
  EXPECT_EQ(Rows("SELECT version FROM schema_migrations ORDER BY version"), expected);
}

// An upgrade: a database of the previous release (migrated up to N-1) with rows in it is
// migrated to N; the rows stay, and the queries of the new release run over them.
TEST_F(SchemaTest, FromThePreviousVersionKeepsRowsAndQueriesWork) {
  const uint32_t previous = LatestMigrationVersion() - 1;
  ASSERT_TRUE(ApplyMigrations(client(), previous).ok());
  ASSERT_EQ(Count("SELECT max(version) FROM schema_migrations"), previous);
  // Only columns of migration 1, which every earlier release has.
  ASSERT_TRUE(client()
                  .Execute("INSERT INTO interactions (event_id, customer_id, channel, type, occurred_at, "
                           "amount_minor, kafka_partition, kafka_offset) VALUES "
                           "('e1', 'c1', 'phone', 'order', '2024-05-01 10:00:00', 1500, 0, 1), "
                           "('e2', 'c2', 'web', 'visit', '2024-05-02 10:00:00', 0, 1, 1)")
                  .ok());
  ASSERT_TRUE(client()
                  .Execute("INSERT INTO profile_versions (customer_id, version, province, "
                           "interaction_count, kafka_partition, kafka_offset) VALUES "
                           "('c1', 1, '广东省', 1, 0, 1), ('c1', 2, '广东省', 2, 0, 2), "
                           "('c2', 1, '浙江省', 1, 1, 1)")
                  .ok());

  absl::Status upgraded = ApplyMigrations(client());

  ASSERT_TRUE(upgraded.ok()) << upgraded;
  EXPECT_EQ(Count("SELECT max(version) FROM schema_migrations"), LatestMigrationVersion());
  EXPECT_THAT(Rows("SELECT event_id, amount_minor FROM interactions ORDER BY event_id"),
              ElementsAre("e1 | 1500", "e2 | 0"));
  EXPECT_THAT(Rows("SELECT customer_id, version, province, interaction_count FROM profile_versions FINAL "
                   "ORDER BY customer_id"),
              ElementsAre("c1 | 2 | 广东省 | 2", "c2 | 1 | 浙江省 | 1"));
  // The newest migration's columns read as empty on the old rows, and what it adds works
  // for new ones: a profile version carrying a master-data change fills audit_log.
  EXPECT_EQ(Count("SELECT count() FROM profile_versions WHERE notEmpty(change_fields)"), 0u);
  ASSERT_TRUE(client()
                  .Execute("INSERT INTO profile_versions (customer_id, version, kafka_partition, "
                           "kafka_offset, change_version, change_at, change_actor, change_fields, "
                           "change_old, change_new) VALUES ('c2', 2, 1, 2, 2, '2024-05-03 10:00:00', "
                           "'admin', ['province'], ['浙江省'], ['江苏省'])")
                  .ok());
  EXPECT_THAT(Rows("SELECT customer_id, field, old_value, new_value FROM audit_log"),
              ElementsAre("c2 | province | 浙江省 | 江苏省"));
}

// A start that died after adding some columns of a migration but before recording it.
TEST_F(SchemaTest, MigrationThatStoppedHalfwayCompletesOnTheNextStart) {
  ASSERT_TRUE(ApplyMigrations(client()).ok());
  ASSERT_TRUE(client().Execute("DROP TABLE tag_history_from_profile_versions").ok());
  ASSERT_TRUE(client().Execute("DROP TABLE schema_migrations").ok());
  ASSERT_TRUE(client()
                  .Execute("CREATE TABLE schema_migrations (version UInt32, description String, "
                           "applied_at DateTime) ENGINE = TinyLog")
                  .ok());
  ASSERT_TRUE(
      client().Execute("INSERT INTO schema_migrations VALUES (1, 'one', now()), (2, 'two', now())").ok());

  absl::Status resumed = ApplyMigrations(client());

  ASSERT_TRUE(resumed.ok()) << resumed;
  EXPECT_EQ(Count("SELECT count() FROM schema_migrations WHERE version = 3"), 1u);
  EXPECT_EQ(Count("SELECT count() FROM system.tables WHERE database = currentDatabase() "
                  "AND name = 'tag_history_from_profile_versions'"),
            1u);
}

}  // namespace
}  // namespace custflow::reporting

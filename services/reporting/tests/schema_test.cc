// The reporting migrations against a real clickhouse-server 18.16.
#include "services/reporting/schema.h"

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

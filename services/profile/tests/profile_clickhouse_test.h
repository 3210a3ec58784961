// ProfileTest with a real clickhouse-server behind it (one per test suite), its tables
// dropped and migrated to the reporting schema before each test, and the reporting sink
// at hand: for tests of what profiles become in ClickHouse (the archive, tag history).
// Header-only, so only the tests that include it link the reporting service.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "custflow/clickhouse/http_clickhouse_client.h"
#include "services/profile/tests/profile_test_support.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/schema.h"
#include "tests/support/clickhouse_server.h"

namespace custflow::profile::test {

class ProfileClickHouseTest : public ProfileTest {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<custflow::testing::LocalClickHouseServer> server =
        custflow::testing::StartClickHouseServer();
    ASSERT_TRUE(server.ok()) << server.status();
    clickhouse_ = std::make_unique<custflow::testing::LocalClickHouseServer>(*std::move(server));
  }
  static void TearDownTestSuite() { clickhouse_.reset(); }

  void SetUp() override {
    ProfileTest::SetUp();
    ASSERT_NE(clickhouse_, nullptr);
    clickhouse::HttpClickHouseOptions options;
    options.url = clickhouse_->url();
    client_.emplace(options);
    absl::StatusOr<clickhouse::QueryResult> tables =
        client_->Query("SELECT name FROM system.tables WHERE database = currentDatabase()");
    ASSERT_TRUE(tables.ok()) << tables.status();
    for (size_t row = 0; row < tables->row_count(); ++row) {
      absl::StatusOr<std::string> name = tables->GetString(row, 0);
      ASSERT_TRUE(name.ok()) << name.status();
      ASSERT_TRUE(client_->Execute("DROP TABLE IF EXISTS `" + *name + "`").ok());
    }
    absl::Status migrated = reporting::ApplyMigrations(*client_);
    ASSERT_TRUE(migrated.ok()) << migrated;
  }

  // What the reporting sink does in production: every snapshot published so far into
  // ClickHouse (it skips what it stored already).
  void SinkSnapshots() {
    std::vector<kafka::InMemoryProducer::Record> snapshots = DeliveredTo(kTopics.profiles);
    std::vector<kafka::Message> batch;
    for (const kafka::InMemoryProducer::Record& record : snapshots) batch.push_back(ToMessage(record));
    reporting::ClickHouseSink sink(*client_, metrics_, {kTopics.interactions, kTopics.profiles});
    absl::Status written = sink.Write(batch);
    ASSERT_TRUE(written.ok()) << written;
  }

  static inline std::unique_ptr<custflow::testing::LocalClickHouseServer> clickhouse_;
  std::optional<clickhouse::HttpClickHouseClient> client_;
};

}  // namespace custflow::profile::test

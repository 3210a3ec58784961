// ClickHouseSink on a real clickhouse-server 18.16 when a customer is erased: the snapshot
// made by EraseCustomer blanks the customer's older profile versions and audit rows, again
// on a replay, and a batch whose blanking failed is not recorded.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kMay2024 = 1'714'521'600;
const std::string kPhone = "13800138000";
const std::string kNewPhone = "13900139000";

struct FieldChange {
  std::string field;
  std::string old_value;
  std::string new_value;
};

// Version `version` of `customer_id` named `name` with phone `phone`, its whole snapshot
// made by a master change through `origin` changing `fields`.
v1::Profile MadeBy(const std::string& customer_id, uint64_t version, const std::string& name,
                   const std::string& phone, const std::string& origin,
                   const std::vector<FieldChange>& fields) {
  v1::Profile profile = MakeProfile(customer_id, version, "广东省", 0);
  profile.mutable_customer()->set_name(name);
  profile.mutable_customer()->set_contact_phone(phone);
  v1::MasterDataChange& change = *profile.mutable_master_change();
  change.set_version(version);
  change.mutable_changed_at()->set_seconds(kMay2024 + static_cast<int64_t>(version) * 100);
  change.set_actor("alice");
  change.set_origin(origin);
  change.set_command_id("cmd-" + customer_id + "-" + std::to_string(version));
  for (const FieldChange& field : fields) {
    v1::FieldChange& changed = *change.add_fields();
    changed.set_field(field.field);
    changed.set_old_value(field.old_value);
    changed.set_new_value(field.new_value);
  }
  return profile;
}

// c-1 is created (v1), renamed with a new phone (v2) and erased (v3); c-2 is created (v1)
// and kept. Offsets 0..2 on partition 0, then the erase at offset 3.
MessageBatch History() {
  MessageBatch history;
  history.AddProfile(0, 0,
                     MadeBy("c-1", 1, "Acme", kPhone, "UpsertCustomer",
                            {{"name", "", "Acme"}, {"contact_phone", "", kPhone}}));
  history.AddProfile(0, 1,
                     MadeBy("c-1", 2, "Acme Ltd", kNewPhone, "UpsertCustomer",
                            {{"name", "Acme", "Acme Ltd"}, {"contact_phone", kPhone, kNewPhone}}));
  history.AddProfile(0, 2, MadeBy("c-2", 1, "Beta", kPhone, "UpsertCustomer", {{"name", "", "Beta"}}));
  v1::Profile erased = MadeBy("c-1", 3, "", "", "EraseCustomer",
                              {{"name", "(erased)", ""}, {"contact_phone", "(erased)", ""}});
  erased.mutable_erased_at()->set_seconds(kMay2024 + 300);
  history.AddProfile(0, 3, erased);
  return history;
}

constexpr size_t kEraseIndex = 3;

// Fails every ALTER (the sink's mutations) as an unreachable server would.
class FailAlterClient final : public clickhouse::ClickHouseClient {
 public:
  explicit FailAlterClient(clickhouse::ClickHouseClient& real) : real_(real) {}

  absl::Status Execute(std::string_view sql) override {
    if (sql.starts_with("ALTER")) return absl::UnavailableError("test: ClickHouse unreachable for ALTER");
    return real_.Execute(sql);
  }
  absl::StatusOr<clickhouse::QueryResult> Query(std::string_view sql) override { return real_.Query(sql); }
  absl::Status Insert(std::string_view table, absl::Span<const std::string> columns,
                      const clickhouse::RowBinaryWriter& rows) override {
    return real_.Insert(table, columns, rows);
  }
  absl::Status Ping() override { return real_.Ping(); }

 private:
  clickhouse::ClickHouseClient& real_;
};

class ErasureTest : public MigratedDatabaseTest {
 protected:
  ClickHouseSink NewSink(clickhouse::ClickHouseClient& client) {
    return ClickHouseSink(client, metrics_, {domain::kInteractionsTopic, domain::kProfilesTopic});
  }
  ClickHouseSink NewSink() { return NewSink(client()); }

  uint64_t Mutations() {
    return Count("SELECT count() FROM system.mutations WHERE database = currentDatabase()");
  }

  // Mutations run in the background: waits until every one of this database is done.
  void WaitForMutations() {
    for (int attempt = 0; attempt < 300; ++attempt) {
      if (Count("SELECT count() FROM system.mutations WHERE database = currentDatabase() AND is_done = 0") ==
          0)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "mutations still running after 30 s";
  }

  // c-1's rows blanked before its erase, the erase's own rows and c-2's rows untouched.
  void ExpectErased() {
    EXPECT_THAT(Rows("SELECT version FROM profile_versions WHERE customer_id = 'c-1' "
                     "AND (notEmpty(name) OR notEmpty(profile)) ORDER BY version"),
                ElementsAre("3"));  // the erase snapshot itself, anonymized
    EXPECT_EQ(Count("SELECT count() FROM profile_versions WHERE customer_id = 'c-1' AND version = 3 "
                    "AND empty(name) AND notEmpty(profile)"),
              1u);
    EXPECT_THAT(Rows("SELECT version, field FROM audit_log WHERE customer_id = 'c-1' AND version < 3 "
                     "AND (notEmpty(old_value) OR notEmpty(new_value))"),
                IsEmpty());
    EXPECT_EQ(Count("SELECT count() FROM audit_log WHERE customer_id = 'c-1' AND version < 3"), 4u);
    EXPECT_THAT(Rows("SELECT field, old_value, new_value FROM audit_log WHERE customer_id = 'c-1' "
                     "AND version = 3 ORDER BY position"),
                ElementsAre("name | (erased) | ", "contact_phone | (erased) | "));
    EXPECT_THAT(Rows("SELECT name, notEmpty(profile) FROM profile_versions WHERE customer_id = 'c-2'"),
                ElementsAre("Beta | 1"));
    EXPECT_THAT(Rows("SELECT field, old_value, new_value FROM audit_log WHERE customer_id = 'c-2'"),
                ElementsAre("name |  | Beta"));
    EXPECT_EQ(Count("SELECT count() FROM profile_versions WHERE position(profile, '" + kPhone +
                    "') > 0 AND customer_id = 'c-1'"),
              0u);
  }

  core::MetricsRegistry metrics_;
};

TEST_F(ErasureTest, EraseBlanksTheCustomersOlderRowsOnly) {
  MessageBatch history = History();
  ClickHouseSink sink = NewSink();
  ASSERT_TRUE(sink.Write(history.slice(0, kEraseIndex)).ok());

  absl::Status written = sink.Write(history.slice(kEraseIndex, 1));

  ASSERT_TRUE(written.ok()) << written;
  WaitForMutations();
  ExpectErased();
  EXPECT_EQ(Mutations(), 2u);
  EXPECT_EQ(metrics_.GetCounter("custflow_sink_erasures_total", "").value(), 1u);
}

// The older versions are inserted by the same batch as the erase: they are blanked too.
TEST_F(ErasureTest, EraseBlanksOlderRowsOfItsOwnBatch) {
  MessageBatch history = History();
  ClickHouseSink sink = NewSink();

  absl::Status written = sink.Write(history.all());

  ASSERT_TRUE(written.ok()) << written;
  WaitForMutations();
  ExpectErased();
}

TEST_F(ErasureTest, ReplayBlanksAgainAndStoresNothingTwice) {
  MessageBatch history = History();
  ClickHouseSink first_owner = NewSink();
  ASSERT_TRUE(first_owner.Write(history.all()).ok());

  ClickHouseSink restarted = NewSink();
  std::vector<kafka::TopicPartitionOffset> partitions = {{domain::kProfilesTopic, 0, std::nullopt}};
  ASSERT_TRUE(restarted.StartAfterRecorded(partitions).ok());
  absl::Status replayed = restarted.Write(history.all());

  ASSERT_TRUE(replayed.ok()) << replayed;
  WaitForMutations();
  EXPECT_EQ(Mutations(), 4u);
  EXPECT_THAT(StoredOffsets("profile_versions"),
              ElementsAre(StoredOffset{0, 0}, StoredOffset{0, 1}, StoredOffset{0, 2}, StoredOffset{0, 3}));
  EXPECT_EQ(Count("SELECT count() FROM audit_log"), 7u);
  ExpectErased();
}

TEST_F(ErasureTest, FailedBlankingFailsTheWriteAndRecordsNoOffsets) {
  MessageBatch history = History();
  ClickHouseSink sink = NewSink();
  ASSERT_TRUE(sink.Write(history.slice(0, kEraseIndex)).ok());
  FailAlterClient failing(client());
  ClickHouseSink doomed = NewSink(failing);

  absl::Status failed = doomed.Write(history.slice(kEraseIndex, 1));

  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_THAT(Rows("SELECT max(kafka_offset) FROM sink_offsets"), ElementsAre("2"));
  EXPECT_EQ(Mutations(), 0u);

  // The retry after a restart finds the erase stored, skips it and blanks.
  ClickHouseSink restarted = NewSink();
  absl::Status retried = restarted.Write(history.slice(kEraseIndex, 1));
  ASSERT_TRUE(retried.ok()) << retried;
  WaitForMutations();
  ExpectErased();
  EXPECT_THAT(Rows("SELECT max(kafka_offset) FROM sink_offsets"), ElementsAre("3"));
  EXPECT_EQ(Count("SELECT count() FROM profile_versions WHERE customer_id = 'c-1' AND version = 3"), 1u);
}

}  // namespace
}  // namespace custflow::reporting

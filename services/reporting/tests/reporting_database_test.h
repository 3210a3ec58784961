// Shared by the reporting integration tests: one real clickhouse-server 18.16 for the whole
// binary, a fresh database per test (so tests never see each other's rows), Kafka messages
// built by hand, and queries that read back what the sink stored.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/clickhouse/http_clickhouse_client.h"
#include "custflow/kafka/message.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"
#include "gtest/gtest.h"

namespace custflow::reporting {

// Messages as a consumer would hand them to the sink. The views point at payloads this
// object owns, so it must outlive every span taken from it.
class MessageBatch {
 public:
  MessageBatch& AddInteraction(int32_t partition, int64_t offset, const v1::Interaction& event);
  MessageBatch& AddProfile(int32_t partition, int64_t offset, const v1::Profile& profile);
  // Bytes that do not parse as a protobuf.
  MessageBatch& AddGarbage(std::string_view topic, int32_t partition, int64_t offset);

  std::span<const kafka::Message> all() const { return messages_; }
  std::span<const kafka::Message> slice(size_t first, size_t count) const {
    return all().subspan(first, count);
  }

 private:
  MessageBatch& Add(std::string_view topic, int32_t partition, int64_t offset, std::string payload);

  std::deque<std::string> payloads_;  // a deque never moves what it holds
  std::vector<kafka::Message> messages_;
};

v1::Interaction MakeInteraction(const std::string& event_id, const std::string& customer_id);
v1::Profile MakeProfile(const std::string& customer_id, uint64_t version, const std::string& province,
                        uint64_t interactions);

// `profile` with a tag change made by its version `change_version`, `seconds` after
// 2024-05-01 00:00 UTC: `added` and `removed` tags, each with the rule "<tag>@1", of the
// rule set "rules-1".
v1::Profile WithTagChange(v1::Profile profile, uint64_t change_version, const std::vector<std::string>& added,
                          const std::vector<std::string>& removed, int64_t seconds);

using StoredOffset = std::pair<int32_t, int64_t>;  // kafka_partition, kafka_offset

// A fresh database named after the running test, on the binary's one server.
class ReportingDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;

  clickhouse::ClickHouseClient& client() { return *client_; }
  const std::string& database() const { return database_; }
  // A further fresh database of the running test, "<database()>_<suffix>".
  std::unique_ptr<clickhouse::HttpClickHouseClient> NewDatabase(const std::string& suffix);

  // Every row's (partition, offset) in `table`, sorted, duplicates kept.
  std::vector<StoredOffset> StoredOffsets(const std::string& table);
  // Every row of `sql`, its cells joined by " | ".
  std::vector<std::string> Rows(const std::string& sql);
  uint64_t Count(const std::string& sql);

 private:
  std::string database_;
  std::unique_ptr<clickhouse::HttpClickHouseClient> client_;
};

// As ReportingDatabaseTest, with the migrations applied.
class MigratedDatabaseTest : public ReportingDatabaseTest {
 protected:
  void SetUp() override;
};

// A migrated database and a scratch folder, `directory()`, for the TSV files a
// cross-check test writes of its own generated data.
class CrossCheckTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override;
  void TearDown() override;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
};

// The independent side of the reports' cross-checks: runs the awk `script` (a file of
// `scripts_dir`, loaded after civil_date.awk there) over `files` with `variables`
// ("name=value", passed as -v) in the C locale, and returns what it printed; an error
// naming the command when awk fails.
absl::StatusOr<std::string> RunAwk(const std::filesystem::path& scripts_dir, const std::string& script,
                                   const std::vector<std::filesystem::path>& files,
                                   const std::vector<std::string>& variables = {});

}  // namespace custflow::reporting

#include "services/reporting/tests/reporting_database_test.h"

#include <cctype>
#include <cstdio>

#include "custflow/domain/topics.h"
#include "services/reporting/schema.h"
#include "tests/support/clickhouse_server.h"

namespace custflow::reporting {
namespace {

constexpr int64_t kMay2024 = 1'714'521'600;

// Starting clickhouse-server takes seconds, so the binary starts it once for all tests.
class ClickHouseEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<testing::LocalClickHouseServer> started = testing::StartClickHouseServer();
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::make_unique<testing::LocalClickHouseServer>(*std::move(started));
  }
  void TearDown() override { server_.reset(); }

  static const testing::LocalClickHouseServer* server() { return server_.get(); }

 private:
  static std::unique_ptr<testing::LocalClickHouseServer> server_;
};

std::unique_ptr<testing::LocalClickHouseServer> ClickHouseEnvironment::server_;

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new ClickHouseEnvironment);

std::string DatabaseForCurrentTest() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("t_") + test->test_suite_name() + "_" + test->name();
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return name;
}

}  // namespace

MessageBatch& MessageBatch::Add(std::string_view topic, int32_t partition, int64_t offset,
                                std::string payload) {
  const std::string& value = payloads_.emplace_back(std::move(payload));
  kafka::Message& message = messages_.emplace_back();
  message.topic = topic;
  message.partition = partition;
  message.offset = offset;
  message.value = value;
  return *this;
}

MessageBatch& MessageBatch::AddInteraction(int32_t partition, int64_t offset, const v1::Interaction& event) {
  return Add(domain::kInteractionsTopic, partition, offset, event.SerializeAsString());
}

MessageBatch& MessageBatch::AddProfile(int32_t partition, int64_t offset, const v1::Profile& profile) {
  return Add(domain::kProfilesTopic, partition, offset, profile.SerializeAsString());
}

MessageBatch& MessageBatch::AddGarbage(std::string_view topic, int32_t partition, int64_t offset) {
  return Add(topic, partition, offset, std::string("\xff\xff\xff\xff", 4));
}

v1::Interaction MakeInteraction(const std::string& event_id, const std::string& customer_id) {
  v1::Interaction event;
  event.set_event_id(event_id);
  event.mutable_customer()->set_customer_id(customer_id);
  event.set_channel(v1::CHANNEL_PHONE);
  event.set_type(v1::INTERACTION_TYPE_CALL_INBOUND);
  event.mutable_occurred_at()->set_seconds(kMay2024);
  event.mutable_received_at()->set_seconds(kMay2024 + 1);
  event.set_agent("agent-7");
  event.set_department("售后");
  event.set_duration_seconds(120);
  return event;
}

v1::Profile MakeProfile(const std::string& customer_id, uint64_t version, const std::string& province,
                        uint64_t interactions) {
  v1::Profile profile;
  profile.set_customer_id(customer_id);
  profile.set_version(version);
  profile.mutable_updated_at()->set_seconds(kMay2024 + static_cast<int64_t>(version));
  profile.mutable_customer()->set_customer_id(customer_id);
  profile.mutable_customer()->set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  profile.mutable_customer()->mutable_region()->set_province(province);
  if (interactions > 0) {
    (*profile.mutable_interaction_counts())["INTERACTION_TYPE_CALL_INBOUND"] = interactions;
  }
  return profile;
}

v1::Profile WithTagChange(v1::Profile profile, uint64_t change_version, const std::vector<std::string>& added,
                          const std::vector<std::string>& removed, int64_t seconds) {
  v1::TagChange& change = *profile.mutable_tag_change();
  change.set_version(change_version);
  change.mutable_changed_at()->set_seconds(kMay2024 + seconds);
  change.mutable_added()->Assign(added.begin(), added.end());
  change.mutable_removed()->Assign(removed.begin(), removed.end());
  change.set_rules_version("rules-1");
  for (const auto* tags : {&added, &removed}) {
    for (const std::string& tag : *tags) (*change.mutable_rules())[tag] = tag + "@1";
  }
  return profile;
}

namespace {

// A client of `database`, made fresh on the binary's one server; null when that fails.
std::unique_ptr<clickhouse::HttpClickHouseClient> FreshDatabase(const std::string& database) {
  const testing::LocalClickHouseServer* server = ClickHouseEnvironment::server();
  EXPECT_NE(server, nullptr) << "clickhouse-server did not start";
  if (server == nullptr) return nullptr;
  clickhouse::HttpClickHouseOptions options;
  options.url = server->url();
  clickhouse::HttpClickHouseClient admin(options);
  absl::Status dropped = admin.Execute("DROP DATABASE IF EXISTS " + database);
  absl::Status created = dropped.ok() ? admin.Execute("CREATE DATABASE " + database) : dropped;
  EXPECT_TRUE(created.ok()) << created;
  if (!created.ok()) return nullptr;
  options.database = database;
  return std::make_unique<clickhouse::HttpClickHouseClient>(options);
}

}  // namespace

void ReportingDatabaseTest::SetUp() {
  database_ = DatabaseForCurrentTest();
  client_ = FreshDatabase(database_);
  ASSERT_NE(client_, nullptr);
}

std::unique_ptr<clickhouse::HttpClickHouseClient> ReportingDatabaseTest::NewDatabase(
    const std::string& suffix) {
  return FreshDatabase(database_ + "_" + suffix);
}

std::vector<StoredOffset> ReportingDatabaseTest::StoredOffsets(const std::string& table) {
  absl::StatusOr<clickhouse::QueryResult> result = client_->Query(
      "SELECT kafka_partition, kafka_offset FROM " + table + " ORDER BY kafka_partition, kafka_offset");
  EXPECT_TRUE(result.ok()) << result.status();
  std::vector<StoredOffset> offsets;
  if (!result.ok()) return offsets;
  for (size_t row = 0; row < result->row_count(); ++row) {
    offsets.emplace_back(static_cast<int32_t>(result->GetInt64(row, 0).value_or(-1)),
                         result->GetInt64(row, 1).value_or(-1));
  }
  return offsets;
}

std::vector<std::string> ReportingDatabaseTest::Rows(const std::string& sql) {
  absl::StatusOr<clickhouse::QueryResult> result = client_->Query(sql);
  EXPECT_TRUE(result.ok()) << result.status();
  std::vector<std::string> rows;
  if (!result.ok()) return rows;
  for (size_t row = 0; row < result->row_count(); ++row) {
    std::string& text = rows.emplace_back();
    for (size_t column = 0; column < result->column_count(); ++column) {
      if (column > 0) text += " | ";
      text += result->GetString(row, column).value_or("<unreadable>");
    }
  }
  return rows;
}

uint64_t ReportingDatabaseTest::Count(const std::string& sql) {
  absl::StatusOr<clickhouse::QueryResult> result = client_->Query(sql);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? result->GetUInt64(0, 0).value_or(0) : 0;
}

void MigratedDatabaseTest::SetUp() {
  ReportingDatabaseTest::SetUp();
  if (HasFatalFailure()) return;
  absl::Status migrated = ApplyMigrations(client());
  ASSERT_TRUE(migrated.ok()) << migrated;
}

void CrossCheckTest::SetUp() {
  MigratedDatabaseTest::SetUp();
  if (HasFatalFailure()) return;
  directory_ = std::filesystem::temp_directory_path() / ("custflow_crosscheck_" + database());
  std::filesystem::create_directories(directory_);
}

void CrossCheckTest::TearDown() {
  if (!directory_.empty()) std::filesystem::remove_all(directory_);
}

absl::StatusOr<std::string> RunAwk(const std::filesystem::path& scripts_dir, const std::string& script,
                                   const std::vector<std::filesystem::path>& files,
                                   const std::vector<std::string>& variables) {
  std::string command = "LC_ALL=C awk";
  for (const std::string& variable : variables) command += " -v '" + variable + "'";
  command +=
      " -f '" + (scripts_dir / "civil_date.awk").string() + "' -f '" + (scripts_dir / script).string() + "'";
  for (const std::filesystem::path& file : files) command += " '" + file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("cannot run " + command);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  if (::pclose(pipe) != 0) return absl::InternalError("failed: " + command);
  return output;
}

}  // namespace custflow::reporting

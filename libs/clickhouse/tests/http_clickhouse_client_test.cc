// HttpClickHouseClient against a real clickhouse-server 18.16 on loopback: one server for
// the whole binary, one table per test.
#include "custflow/clickhouse/http_clickhouse_client.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "custflow/clickhouse/server_error.h"
#include "custflow/clickhouse/sql.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/clickhouse_server.h"

namespace custflow::clickhouse {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

class HttpClickHouseClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = custflow::testing::StartClickHouseServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = new custflow::testing::LocalClickHouseServer(*std::move(server));
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "clickhouse-server did not start";
    client_ = std::make_unique<HttpClickHouseClient>(Options());
  }

  static HttpClickHouseOptions Options() {
    HttpClickHouseOptions options;
    options.url = server_->url();
    return options;
  }

  // A fresh MergeTree table named after the running test.
  std::string CreateTable(std::string_view columns, std::string_view order_by) {
    std::string table = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    EXPECT_TRUE(client_->Execute("DROP TABLE IF EXISTS " + table).ok());
    absl::Status created = client_->Execute("CREATE TABLE " + table + " (" + std::string(columns) +
                                            ") ENGINE = MergeTree ORDER BY " + std::string(order_by));
    EXPECT_TRUE(created.ok()) << created;
    return table;
  }

  uint64_t Count(const std::string& sql) {
    absl::StatusOr<QueryResult> result = client_->Query(sql);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return 0;
    return result->GetUInt64(0, 0).value_or(0);
  }

  static custflow::testing::LocalClickHouseServer* server_;
  std::unique_ptr<HttpClickHouseClient> client_;
};

custflow::testing::LocalClickHouseServer* HttpClickHouseClientTest::server_ = nullptr;

TEST_F(HttpClickHouseClientTest, PingSucceedsAgainstRunningServer) { EXPECT_TRUE(client_->Ping().ok()); }

TEST_F(HttpClickHouseClientTest, InsertsHundredThousandRowsAndReadsBackCountsAndSums) {
  const std::string table = CreateTable(
      "id UInt64, small UInt8, delta Int32, amount Float64, ratio Float32, name String, "
      "code FixedString(4), day Date, at DateTime, note Nullable(String), tags Array(UInt32)",
      "id");
  const std::vector<std::string> columns = {"id",   "small", "delta", "amount", "ratio", "name",
                                            "code", "day",   "at",    "note",   "tags"};
  constexpr uint64_t kRows = 100'000;
  constexpr uint32_t kStart = 1'714'521'600;  // 2024-05-01 00:00:00 UTC
  RowBinaryWriter rows;
  const auto encode_start = Clock::now();
  for (uint64_t i = 0; i < kRows; ++i) {
    rows.WriteUInt64(i);
    rows.WriteUInt8(static_cast<uint8_t>(i % 256));
    rows.WriteInt32(static_cast<int32_t>(i % 2 == 0 ? i : -static_cast<int64_t>(i)));
    rows.WriteFloat64(static_cast<double>(i) * 0.5);
    rows.WriteFloat32(0.25f);
    rows.WriteString(i % 3 == 0 ? "客户" : "customer");
    ASSERT_TRUE(rows.WriteFixedString("C" + std::to_string(i % 10), 4).ok());
    rows.WriteDate(static_cast<uint16_t>(19844 + i % 7));
    rows.WriteDateTime(static_cast<uint32_t>(kStart + i));
    if (i % 5 == 0) {
      rows.WriteNull();
    } else {
      rows.WriteNotNull();
      rows.WriteString("note");
    }
    rows.WriteArray(std::vector<uint32_t>{static_cast<uint32_t>(i), 1});
    rows.EndRow();
  }
  const auto insert_start = Clock::now();
  absl::Status inserted = client_->Insert(table, columns, rows);
  const auto insert_end = Clock::now();
  ASSERT_TRUE(inserted.ok()) << inserted;
  std::printf("encoded %llu rows (%zu bytes) in %lld ms, inserted in %lld ms\n",
              static_cast<unsigned long long>(kRows), rows.size_bytes(),
              static_cast<long long>((insert_start - encode_start) / 1ms),
              static_cast<long long>((insert_end - insert_start) / 1ms));

  absl::StatusOr<QueryResult> totals = client_->Query(
      "SELECT count() AS n, sum(id) AS ids, sum(small) AS smalls, sum(delta) AS deltas, "
      "sum(amount) AS amounts, sum(ratio) AS ratios, countIf(name = '客户') AS chinese, "
      "countIf(note IS NULL) AS nulls, sum(arraySum(tags)) AS tag_sum, min(day) AS first_day, "
      "max(at) AS last_at, uniqExact(code) AS codes FROM " +
      table);
  ASSERT_TRUE(totals.ok()) << totals.status();
  uint64_t expected_smalls = 0;
  int64_t expected_deltas = 0;
  for (uint64_t i = 0; i < kRows; ++i) {
    expected_smalls += i % 256;
    expected_deltas += i % 2 == 0 ? static_cast<int64_t>(i) : -static_cast<int64_t>(i);
  }
  EXPECT_EQ(totals->GetUInt64(0, "n").value(), kRows);
  EXPECT_EQ(totals->GetUInt64(0, "ids").value(), kRows * (kRows - 1) / 2);
  EXPECT_EQ(totals->GetUInt64(0, "smalls").value(), expected_smalls);
  EXPECT_EQ(totals->GetInt64(0, "deltas").value(), expected_deltas);
  EXPECT_DOUBLE_EQ(totals->GetDouble(0, "amounts").value(), kRows * (kRows - 1) / 4.0);
  EXPECT_DOUBLE_EQ(totals->GetDouble(0, "ratios").value(), kRows * 0.25);
  EXPECT_EQ(totals->GetUInt64(0, "chinese").value(), (kRows + 2) / 3);
  EXPECT_EQ(totals->GetUInt64(0, "nulls").value(), kRows / 5);
  EXPECT_EQ(totals->GetUInt64(0, "tag_sum").value(), kRows * (kRows - 1) / 2 + kRows);
  EXPECT_EQ(totals->GetTime(0, "first_day").value(), std::chrono::sys_seconds(std::chrono::seconds(kStart)));
  EXPECT_EQ(totals->GetTime(0, "last_at").value(),
            std::chrono::sys_seconds(std::chrono::seconds(kStart + kRows - 1)));
  EXPECT_EQ(totals->GetUInt64(0, "codes").value(), 10u);

  absl::StatusOr<std::string> one_row = Bind("SELECT * FROM " + table + " WHERE id = ?", uint64_t{12'346});
  ASSERT_TRUE(one_row.ok()) << one_row.status();
  absl::StatusOr<QueryResult> row = client_->Query(*one_row);
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_EQ(row->row_count(), 1u);
  EXPECT_EQ(row->GetInt64(0, "small").value(), 12'346 % 256);
  EXPECT_EQ(row->GetInt64(0, "delta").value(), 12'346);
  EXPECT_EQ(row->GetDouble(0, "amount").value(), 6'173.0);
  EXPECT_EQ(row->GetDouble(0, "ratio").value(), 0.25);
  EXPECT_EQ(row->GetString(0, "code").value(), std::string("C6\0\0", 4));
  EXPECT_EQ(row->GetString(0, "name").value(), "customer");
  EXPECT_EQ(row->GetTime(0, "day").value(),
            std::chrono::sys_days(std::chrono::year(2024) / 5 / 1) + std::chrono::days(12'346 % 7));
  EXPECT_EQ(row->GetTime(0, "at").value(), std::chrono::sys_seconds(std::chrono::seconds(kStart + 12'346)));
  EXPECT_EQ(row->GetString(0, "tags").value(), "[12346,1]");
  EXPECT_EQ(row->GetString(0, "note").value(), "note");
  EXPECT_FALSE(row->IsNull(0, "note").value());
}

TEST_F(HttpClickHouseClientTest, ChineseStringsRoundTripExactly) {
  const std::string table = CreateTable("id UInt32, text String", "id");
  const std::vector<std::string> texts = {"张三",
                                          "客户流失预警：高价值客户 30 天未下单",
                                          "北京市\t朝阳区\n建国路 88 号",
                                          "引号 ' 和 反斜杠 \\ 以及 \"双引号\"",
                                          "😀 emoji 与 中文",
                                          std::string("空") + '\0' + "字节"};
  RowBinaryWriter rows;
  for (uint32_t i = 0; i < texts.size(); ++i) {
    rows.WriteUInt32(i);
    rows.WriteString(texts[i]);
    rows.EndRow();
  }
  ASSERT_TRUE(client_->Insert(table, {"id", "text"}, rows).ok());

  absl::StatusOr<QueryResult> result = client_->Query("SELECT id, text FROM " + table + " ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->row_count(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(result->GetString(i, "text").value(), texts[i]) << "row " << i;
    absl::StatusOr<std::string> lookup = Bind("SELECT count() FROM " + table + " WHERE text = ?", texts[i]);
    ASSERT_TRUE(lookup.ok()) << lookup.status();
    EXPECT_EQ(Count(*lookup), 1u) << "bound lookup of row " << i;
  }
}

TEST_F(HttpClickHouseClientTest, BoundValuesWithQuotesAndBackslashesAreStoredAndMatchedExactly) {
  const std::string table = CreateTable("id UInt32, text String", "id");
  const std::vector<std::string> nasty = {"O'Brien",
                                          "C:\\temp\\",
                                          "\\'",
                                          "' OR 1=1 --",
                                          "x'; DROP TABLE " + table + "; --",
                                          "'' OR ''='",
                                          "\\\\' OR 1=1 --",
                                          "line\nbreak\r\ttab",
                                          std::string{'n', '\0', '7'},
                                          "\x01\x1f\x7f ctrl",
                                          "?",
                                          "/* ? */ -- ?",
                                          "`backquote` \"double\"",
                                          "中文 ' \\ 混合"};
  for (uint32_t i = 0; i < nasty.size(); ++i) {
    absl::StatusOr<std::string> insert =
        Bind("INSERT INTO " + table + " (id, text) VALUES (?, ?)", i, nasty[i]);
    ASSERT_TRUE(insert.ok()) << insert.status();
    absl::Status inserted = client_->Execute(*insert);
    ASSERT_TRUE(inserted.ok()) << "value " << i << ": " << inserted;
  }
  EXPECT_EQ(Count("SELECT count() FROM " + table), nasty.size());
  for (uint32_t i = 0; i < nasty.size(); ++i) {
    absl::StatusOr<std::string> select = Bind("SELECT id, text FROM " + table + " WHERE text = ?", nasty[i]);
    ASSERT_TRUE(select.ok()) << select.status();
    absl::StatusOr<QueryResult> result = client_->Query(*select);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->row_count(), 1u) << "value " << i << " matched other rows";
    EXPECT_EQ(result->GetUInt64(0, "id").value(), i);
    EXPECT_EQ(result->GetString(0, "text").value(), nasty[i]);
  }
}

TEST_F(HttpClickHouseClientTest, QueryAgainstMissingTableFailsWithServerMessage) {
  absl::StatusOr<QueryResult> result = client_->Query("SELECT * FROM no_such_table");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(result.status()), HasSubstr("HTTP 404"));
  EXPECT_THAT(Message(result.status()), HasSubstr("Code: 60, e.displayText() = DB::Exception: Table "
                                                  "default.no_such_table doesn't exist"));
  EXPECT_EQ(ServerErrorCode(result.status()), 60);
}

TEST_F(HttpClickHouseClientTest, SyntaxErrorFailsWithServerMessage) {
  absl::Status status = client_->Execute("SELEC 1");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("Code: 62"));
  EXPECT_THAT(Message(status), HasSubstr("Syntax error"));
}

TEST_F(HttpClickHouseClientTest, InsertRejectsUnknownColumnWithServerMessage) {
  const std::string table = CreateTable("id UInt32", "id");
  RowBinaryWriter rows;
  rows.WriteUInt32(1);
  rows.EndRow();
  absl::Status status = client_->Insert(table, {"nope"}, rows);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("nope"));
  EXPECT_THAT(Message(status), HasSubstr("DB::Exception"));
}

TEST_F(HttpClickHouseClientTest, InsertRejectsBodyThatDoesNotMatchTheColumns) {
  const std::string table = CreateTable("id UInt32, name String", "id");
  RowBinaryWriter rows;
  rows.WriteUInt32(1);  // the name is missing
  rows.EndRow();
  absl::Status status = client_->Insert(table, {"id", "name"}, rows);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(Message(status), HasSubstr("DB::Exception"));
  EXPECT_EQ(Count("SELECT count() FROM " + table), 0u);
}

TEST_F(HttpClickHouseClientTest, InsertRejectsBadNamesAndUnfinishedRowsBeforeSending) {
  RowBinaryWriter rows;
  rows.WriteUInt32(1);
  rows.EndRow();
  EXPECT_EQ(client_->Insert("t; DROP TABLE x", {"id"}, rows).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Insert("t", {"id`"}, rows).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Insert("t", {}, rows).code(), absl::StatusCode::kInvalidArgument);
  rows.WriteUInt32(2);
  absl::Status unfinished = client_->Insert("t", {"id"}, rows);
  EXPECT_EQ(unfinished.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(unfinished), HasSubstr("unfinished row"));
}

TEST_F(HttpClickHouseClientTest, DatabaseOptionResolvesUnqualifiedNames) {
  ASSERT_TRUE(client_->Execute("CREATE DATABASE IF NOT EXISTS reports").ok());
  ASSERT_TRUE(client_->Execute("DROP TABLE IF EXISTS reports.daily").ok());
  ASSERT_TRUE(client_->Execute("CREATE TABLE reports.daily (n UInt8) ENGINE = MergeTree ORDER BY n").ok());
  HttpClickHouseOptions options = Options();
  options.database = "reports";
  HttpClickHouseClient reports(options);
  RowBinaryWriter rows;
  rows.WriteUInt8(7);
  rows.EndRow();
  ASSERT_TRUE(reports.Insert("daily", {"n"}, rows).ok());
  absl::StatusOr<QueryResult> result = reports.Query("SELECT sum(n) AS total FROM daily");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->GetUInt64(0, "total").value(), 7u);
}

TEST_F(HttpClickHouseClientTest, UnknownUserIsUnauthenticated) {
  HttpClickHouseOptions options = Options();
  options.user = "nobody";
  absl::Status status = HttpClickHouseClient(options).Execute("SELECT 1");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Message(status), HasSubstr("nobody"));
}

TEST_F(HttpClickHouseClientTest, SlowQueryFailsWithDeadlineExceededAtTheRequestTimeout) {
  HttpClickHouseOptions options = Options();
  options.request_timeout = 300ms;
  HttpClickHouseClient impatient(options);
  const auto start = Clock::now();
  absl::StatusOr<QueryResult> result = impatient.Query("SELECT sleep(2)");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(HttpClickHouseClientTest, ConcurrentInsertsAndQueriesFromSeveralThreadsAllSucceed) {
  const std::string table = CreateTable("thread UInt8, seq UInt32", "(thread, seq)");
  constexpr int kThreads = 4;
  constexpr int kBatches = 15;
  constexpr uint32_t kRowsPerBatch = 1000;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int batch = 0; batch < kBatches; ++batch) {
        RowBinaryWriter rows;
        for (uint32_t i = 0; i < kRowsPerBatch; ++i) {
          rows.WriteUInt8(static_cast<uint8_t>(t));
          rows.WriteUInt32(batch * kRowsPerBatch + i);
          rows.EndRow();
        }
        if (!client_->Insert(table, {"thread", "seq"}, rows).ok()) ++failures;
        absl::StatusOr<std::string> sql = Bind("SELECT count() FROM " + table + " WHERE thread = ?", t);
        absl::StatusOr<QueryResult> result = client_->Query(*sql);
        if (!result.ok() || result->GetUInt64(0, 0).value_or(0) != (batch + 1) * uint64_t{kRowsPerBatch}) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT count() FROM " + table), uint64_t{kThreads} * kBatches * kRowsPerBatch);
}

// Uses a server of its own, since it kills it.
TEST(HttpClickHouseClientFaultTest, StoppedServerMakesCallsFailUnavailableQuickly) {
  auto server = custflow::testing::StartClickHouseServer();
  ASSERT_TRUE(server.ok()) << server.status();
  HttpClickHouseOptions options;
  options.url = server->url();
  HttpClickHouseClient client(options);
  ASSERT_TRUE(client.Ping().ok());  // leaves a kept-alive connection in the pool

  server->Kill();
  const auto start = Clock::now();
  absl::StatusOr<QueryResult> result = client.Query("SELECT 1");
  RowBinaryWriter rows;
  rows.WriteUInt8(1);
  rows.EndRow();
  absl::Status inserted = client.Insert("t", {"n"}, rows);
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_EQ(inserted.code(), absl::StatusCode::kUnavailable) << inserted;
  EXPECT_EQ(client.Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(result.status()), HasSubstr(server->url()));
  EXPECT_LT(elapsed, 500ms);

  ASSERT_TRUE(server->Restart().ok());
  EXPECT_TRUE(client.Ping().ok()) << "the client reconnects once the server is back";
}

}  // namespace
}  // namespace custflow::clickhouse

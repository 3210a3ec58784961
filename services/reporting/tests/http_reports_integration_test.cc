// /v1/reports against a real clickhouse-server 18.16 over real HTTP: Distribution and
// QueryMetric posted as JSON and as CSV answer exactly what the direct functions return.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <memory>
#include <string>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/csv_export.h"
#include "services/reporting/distribution.h"
#include "services/reporting/http_reports.h"
#include "services/reporting/metrics.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "tests/http_client.h"

namespace custflow::reporting {
namespace {

using core::testing::Reply;
using core::testing::Send;
using ::testing::HasSubstr;

constexpr int64_t kNov27 = 1'795'816'800;  // 2026-11-27 22:00 UTC, the download date

// A province needing CSV quotes, next to plain Chinese ones.
const char* const kQuotedProvince = "北京市, \"朝阳\"";

class HttpReportsIntegrationTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    MessageBatch batch;
    batch.AddProfile(0, 0, MakeProfile("zj-1", 1, "浙江省", 2))
        .AddProfile(0, 1, MakeProfile("zj-2", 1, "浙江省", 1))
        .AddProfile(0, 2, MakeProfile("bj-1", 1, kQuotedProvince, 1))
        .AddInteraction(1, 0, MakeInteraction("e1", "zj-1"))
        .AddInteraction(1, 1, MakeInteraction("e2", "zj-1"))
        .AddInteraction(1, 2, MakeInteraction("e3", "zj-2"))
        .AddInteraction(1, 3, MakeInteraction("e4", "bj-1"));
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    ASSERT_TRUE(sink.Write(batch.all()).ok());

    service_ = std::make_unique<Reports>(client());
    HttpReportsOptions options;
    options.clock = [] { return absl::FromUnixSeconds(kNov27); };
    reports_ = std::make_unique<HttpReports>(*service_, std::move(options));
    auto server = core::HttpServer::Start({.address = "127.0.0.1", .port = 0},
                                          runtime::RequireAuthentication(open_auth_, reports_->Handler()));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  Reply Post(const std::string& path, const std::string& body) {
    return Send("POST", "http://127.0.0.1:" + std::to_string(server_->port()) + path, body,
                {"Content-Type: application/json"});
  }

 private:
  const auth::RequestAuthenticator open_auth_ = auth::RequestAuthenticator::Open();
  std::unique_ptr<Reports> service_;
  std::unique_ptr<HttpReports> reports_;
  std::unique_ptr<core::HttpServer> server_;
};

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  auto parsed = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString() << "\n" << json;
  return message;
}

TEST_F(HttpReportsIntegrationTest, DistributionAsJsonAndCsvMatchesTheDirectQuery) {
  const std::string body = R"({"dimension":"DIMENSION_PROVINCE"})";
  absl::StatusOr<v1::DistributionResponse> direct =
      QueryDistribution(client(), FromJson<v1::DistributionRequest>(body), auth::RowScope::Everything());
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_EQ(direct->rows_size(), 2);

  Reply json = Post("/v1/reports/Distribution", body);
  Reply csv = Post("/v1/reports/Distribution.csv", body);

  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_THAT(json.Header("content-type"), HasSubstr("application/json"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      FromJson<v1::DistributionResponse>(json.body), *direct))
      << json.body;
  EXPECT_EQ(json.Json()["totalCustomers"], "3");  // uint64 in protobuf JSON is a string
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_THAT(csv.Header("content-type"), HasSubstr("text/csv"));
  EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"Distribution-2026-11-27.csv\"");
  EXPECT_EQ(csv.body, ToCsv(DistributionCsv(FromJson<v1::DistributionRequest>(body), *direct)));
  EXPECT_EQ(csv.body,
            "\xEF\xBB\xBFprovince,customers,interactions,is_other\r\n"
            "浙江省,2,3,false\r\n"
            "\"北京市, \"\"朝阳\"\"\",1,1,false\r\n");
}

TEST_F(HttpReportsIntegrationTest, QueryMetricAsJsonAndCsvMatchesTheDirectQuery) {
  // Months around the interactions of May 2024: April has no previous value.
  const std::string body =
      R"({"metricId":"active_customers","granularity":"METRIC_GRANULARITY_MONTH",)"
      R"("from":"2024-04-01T00:00:00Z","to":"2024-07-01T00:00:00Z","breakdowns":["METRIC_DIMENSION_PROVINCE"]})";
  absl::StatusOr<v1::MetricQueryResponse> direct =
      QueryMetric(client(), FromJson<v1::MetricQueryRequest>(body), auth::RowScope::Everything());
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_GT(direct->rows_size(), 0);

  Reply json = Post("/v1/reports/QueryMetric", body);
  Reply csv = Post("/v1/reports/QueryMetric.csv", body);

  ASSERT_EQ(json.status, 200) << json.body;
  // Round trip: an absent value printed as 0 would come back present and differ.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(FromJson<v1::MetricQueryResponse>(json.body),
                                                                 *direct))
      << json.body;
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"QueryMetric-2026-11-27.csv\"");
  EXPECT_EQ(csv.body, ToCsv(MetricCsv(FromJson<v1::MetricQueryRequest>(body), *direct)));
  EXPECT_THAT(csv.body, HasSubstr("2024-05-01,浙江省,2,"));
  EXPECT_THAT(csv.body, HasSubstr("2024-05-01,\"北京市, \"\"朝阳\"\"\",1,"));
}

// Each download is a file of ExportReport with its type and name; the files themselves are
// read back by real readers in the export tests.
TEST_F(HttpReportsIntegrationTest, DownloadsAreTheExportsOfTheAnswer) {
  const std::string body = R"({"dimension":"DIMENSION_PROVINCE"})";
  struct Download {
    std::string extension;
    std::string content_type;
    std::string magic;
  };
  for (const Download& download : std::vector<Download>{
           {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\x03\x04"},
           {"pdf", "application/pdf", "%PDF-"},
           {"png", "image/png", "\x89PNG\r\n\x1a\n"},
           {"svg", "image/svg+xml", "<?xml"}}) {
    SCOPED_TRACE(download.extension);
    Reply reply = Post("/v1/reports/Distribution." + download.extension, body);
    ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 200);
    EXPECT_EQ(reply.Header("content-type"), download.content_type);
    EXPECT_EQ(reply.Header("content-disposition"),
              "attachment; filename=\"Distribution-2026-11-27." + download.extension + "\"");
    EXPECT_TRUE(reply.body.starts_with(download.magic));
  }

  Reply report = Post("/v1/reports/RenderReport.pdf", R"({"templateId":"overview","language":"zh"})");
  ASSERT_EQ(report.status, 200) << report.body.substr(0, 200);
  EXPECT_TRUE(report.body.starts_with("%PDF-"));
  Reply refused = Post("/v1/reports/RenderReport.xlsx", R"({"templateId":"weekly"})");
  EXPECT_EQ(refused.status, 400);
}

TEST_F(HttpReportsIntegrationTest, RefusedQueryAnswers400WithTheServiceMessage) {
  Reply reply = Post("/v1/reports/QueryMetric.csv", R"({"metricId":"no_such_metric"})");

  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"]["code"], "INVALID_ARGUMENT");
}

}  // namespace
}  // namespace custflow::reporting

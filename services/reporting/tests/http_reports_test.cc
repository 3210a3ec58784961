// /v1/reports over loopback HTTP without a ClickHouse server: routing, the error mapping
// (refused requests never reach ClickHouse), CSV headers and CORS.
#include "services/reporting/http_reports.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "custflow/clickhouse/http_clickhouse_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/tests/unreachable_clickhouse.h"
#include "tests/http_client.h"

namespace custflow::reporting {
namespace {

using core::testing::Reply;
using core::testing::Send;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// The handler on a real HTTP port, over `clickhouse`.
class HttpReportsTest : public ::testing::Test {
 protected:
  void Serve(clickhouse::ClickHouseClient& clickhouse, HttpReportsOptions options = {}) {
    service_ = std::make_unique<Reports>(clickhouse);
    options.clock = [] { return absl::FromUnixSeconds(1'795'816'800); };  // 2026-11-27 22:00 UTC
    reports_ = std::make_unique<HttpReports>(*service_, std::move(options));
    auto next = [](core::HttpRequest, core::HttpResponder responder) {
      core::HttpResponse response;
      response.body = "next";
      std::move(responder).Respond(std::move(response));
    };
    // The routes as the administrator calls them: who may call what is reporting_auth_test's.
    auto as_administrator = [handler = reports_->Handler(next)](core::HttpRequest request,
                                                                core::HttpResponder responder) {
      handler(auth::Principal{.name = "root", .role = auth::Role::kAdmin}, std::move(request),
              std::move(responder));
    };
    auto server = core::HttpServer::Start({.address = "127.0.0.1", .port = 0}, as_administrator);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  UnreachableClickHouse unreachable_;

 private:
  std::unique_ptr<Reports> service_;
  std::unique_ptr<HttpReports> reports_;
  std::unique_ptr<core::HttpServer> server_;
};

TEST(HttpReportsRoutesTest, EveryRpcOfTheServiceHasAJsonRoute) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("custflow.v1.ReportingService");
  ASSERT_NE(service, nullptr);
  std::vector<std::string> rpcs;
  for (int i = 0; i < service->method_count(); ++i) rpcs.push_back(service->method(i)->name());

  EXPECT_THAT(HttpReports::JsonMethods(), UnorderedElementsAreArray(rpcs));
  const std::vector<std::string> every = {"csv", "xlsx", "pdf", "png", "svg"};
  const std::vector<std::string> csv = {"csv"};
  EXPECT_THAT(HttpReports::Downloads(),
              UnorderedElementsAreArray(
                  std::map<std::string, std::vector<std::string>>{{"Distribution", every},
                                                                  {"QueryMetric", every},
                                                                  {"Findings", csv},
                                                                  {"SatisfactionExtremes", csv},
                                                                  {"ComplaintAnalysis", csv},
                                                                  {"RenderReport", {"xlsx", "pdf"}}}));
}

struct StatusCase {
  absl::StatusCode code;
  int http_status;
};

TEST(HttpReportsRoutesTest, StatusCodesMapToHttp) {
  const StatusCase cases[] = {
      {absl::StatusCode::kOk, 200},
      {absl::StatusCode::kInvalidArgument, 400},
      {absl::StatusCode::kFailedPrecondition, 400},
      {absl::StatusCode::kOutOfRange, 400},
      {absl::StatusCode::kPermissionDenied, 403},
      {absl::StatusCode::kNotFound, 404},
      {absl::StatusCode::kResourceExhausted, 429},
      {absl::StatusCode::kInternal, 500},
      {absl::StatusCode::kUnimplemented, 501},
      {absl::StatusCode::kUnavailable, 503},
      {absl::StatusCode::kDeadlineExceeded, 504},
  };
  for (const StatusCase& status_case : cases) {
    EXPECT_EQ(HttpStatusOf(status_case.code), status_case.http_status)
        << absl::StatusCodeToString(status_case.code);
  }
}

TEST_F(HttpReportsTest, RefusedRequestAnswers400WithTheServiceMessageBeforeAnySql) {
  Serve(unreachable_);

  Reply reply = Send("POST", Url("/v1/reports/Distribution"), R"({"dimension":"DIMENSION_UNSPECIFIED"})",
                     {"Content-Type: application/json"});

  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(reply.Json()["error"]["message"].get<std::string>(), HasSubstr("dimension"));
  EXPECT_FALSE(unreachable_.reached);
}

TEST_F(HttpReportsTest, BodyThatIsNotTheRequestMessageAnswers400) {
  Serve(unreachable_);

  for (const char* body : {"{not json", R"({"dimension":"DIMENSION_PROVINCE","sqlInjection":"1; DROP"})",
                           R"({"dimension":"DIMENSION_NO_SUCH"})", "[1,2]"}) {
    Reply reply = Send("POST", Url("/v1/reports/Distribution"), body);

    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.Json()["error"]["code"], "INVALID_ARGUMENT") << body;
    EXPECT_THAT(reply.Json()["error"]["message"].get<std::string>(),
                HasSubstr("custflow.v1.DistributionRequest"));
  }
  EXPECT_FALSE(unreachable_.reached);
}

TEST_F(HttpReportsTest, ClickHouseFailurePassesOnAsItsCode) {
  Serve(unreachable_);

  Reply reply = Send("POST", Url("/v1/reports/Distribution"), R"({"dimension":"DIMENSION_PROVINCE"})");

  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.Json()["error"]["code"], "INTERNAL");
  EXPECT_TRUE(unreachable_.reached);
}

TEST_F(HttpReportsTest, UnavailableClickHouseAnswers503WithRetryAfter) {
  // Nothing listens on port 1: the connection is refused at once.
  clickhouse::HttpClickHouseOptions options;
  options.url = "http://127.0.0.1:1";
  clickhouse::HttpClickHouseClient refused(options);
  Serve(refused);

  Reply reply = Send("POST", Url("/v1/reports/Distribution.csv"), R"({"dimension":"DIMENSION_PROVINCE"})");

  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.Header("retry-after"), "1");
  EXPECT_EQ(reply.Json()["error"]["code"], "UNAVAILABLE");
}

TEST_F(HttpReportsTest, ListMetricsAnswersCamelCaseJsonWithDefaults) {
  Serve(unreachable_);

  Reply reply = Send("POST", Url("/v1/reports/ListMetrics"), "");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("application/json"));
  nlohmann::json metrics = reply.Json()["metrics"];
  ASSERT_TRUE(metrics.is_array());
  ASSERT_FALSE(metrics.empty());
  // needsGoal is false for most metrics: printed all the same.
  EXPECT_TRUE(metrics[0].contains("needsGoal")) << metrics[0];
  EXPECT_FALSE(metrics[0].contains("needs_goal"));
  EXPECT_FALSE(unreachable_.reached);
}

TEST_F(HttpReportsTest, UnknownMethodAndMissingDownloadAnswer404) {
  Serve(unreachable_);

  Reply unknown = Send("POST", Url("/v1/reports/DropTables"), "{}");
  Reply no_csv = Send("POST", Url("/v1/reports/Describe.csv"), "{}");
  Reply no_png = Send("POST", Url("/v1/reports/Findings.png"), "{}");

  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(no_csv.status, 404);
  EXPECT_THAT(no_csv.Json()["error"]["message"].get<std::string>(),
              HasSubstr("Describe has no .csv download; it answers JSON only"));
  EXPECT_EQ(no_png.status, 404);
  EXPECT_THAT(no_png.Json()["error"]["message"].get<std::string>(),
              HasSubstr("Findings has no .png download; it offers .csv and JSON"));
  EXPECT_FALSE(unreachable_.reached);
}

TEST_F(HttpReportsTest, OtherVerbsAnswer405WithAllow) {
  Serve(unreachable_);

  Reply reply = Send("GET", Url("/v1/reports/ListMetrics"));

  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.Header("allow"), "POST, OPTIONS");
  EXPECT_TRUE(reply.Json()["error"].contains("message"));
}

TEST_F(HttpReportsTest, BodyOverTheLimitAnswers413) {
  HttpReportsOptions options;
  options.max_request_bytes = 16;
  Serve(unreachable_, options);

  Reply reply = Send("POST", Url("/v1/reports/Distribution"), R"({"dimension":"DIMENSION_PROVINCE"})");

  EXPECT_EQ(reply.status, 413);
  EXPECT_FALSE(unreachable_.reached);
}

TEST_F(HttpReportsTest, OtherPathsGoToTheNextHandler) {
  Serve(unreachable_);

  Reply reply = Send("GET", Url("/healthz"));

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "next");
}

TEST_F(HttpReportsTest, AllowedOriginMayReadTheAnswerAndItsFileName) {
  HttpReportsOptions options;
  options.allowed_origins = {"https://dashboard.example.com"};
  Serve(unreachable_, options);

  Reply allowed = Send("POST", Url("/v1/reports/ListMetrics"), "", {"Origin: https://dashboard.example.com"});
  Reply other = Send("POST", Url("/v1/reports/ListMetrics"), "", {"Origin: https://evil.example.com"});

  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), "https://dashboard.example.com");
  EXPECT_THAT(allowed.Header("access-control-expose-headers"), HasSubstr("Content-Disposition"));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Header("access-control-allow-origin"), "");
}

TEST_F(HttpReportsTest, PreflightAnswers204ForAllowedOriginAnd403ForOthers) {
  HttpReportsOptions options;
  options.allowed_origins = {"https://dashboard.example.com"};
  Serve(unreachable_, options);

  Reply allowed = Send("OPTIONS", Url("/v1/reports/QueryMetric.csv"), "",
                       {"Origin: https://dashboard.example.com", "Access-Control-Request-Method: POST"});
  Reply refused = Send("OPTIONS", Url("/v1/reports/QueryMetric.csv"), "",
                       {"Origin: https://evil.example.com", "Access-Control-Request-Method: POST"});

  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), "https://dashboard.example.com");
  EXPECT_EQ(allowed.Header("access-control-allow-methods"), "POST, OPTIONS");
  EXPECT_EQ(allowed.Header("access-control-allow-headers"), "Authorization, Content-Type");
  EXPECT_EQ(refused.status, 403);
}

}  // namespace
}  // namespace custflow::reporting

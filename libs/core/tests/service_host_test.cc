#include "custflow/core/service_host.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "tests/http_client.h"

namespace custflow::core {
namespace {

using testing::Fetch;

Config LoopbackConfig() {
  return Config("test", [](const char* name) -> const char* {
    std::string_view n(name);
    if (n == "CUSTFLOW_TEST_GRPC_ADDRESS" || n == "CUSTFLOW_TEST_HTTP_ADDRESS") return "127.0.0.1:0";
    return nullptr;
  });
}

TEST(ServiceHost, ServesAdminPortAndGrpcThenDrains) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  ASSERT_TRUE(config.status().ok());
  v1::TaggingService::Service unimplemented;  // any service: gRPC needs one to serve health checks
  host.AddGrpcService(&unimplemented);
  host.health().AddReadinessCheck("always", [] { return absl::OkStatus(); });
  absl::Status started = host.Start();
  ASSERT_TRUE(started.ok()) << started;
  std::string base = absl::StrCat("http://127.0.0.1:", host.http_port());
  EXPECT_EQ(Fetch(base + "/readyz").status, 200);

  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.grpc_port()), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5)));

  host.Drain();
  EXPECT_TRUE(host.health().draining());
  EXPECT_EQ(Fetch(base + "/healthz").status, 0) << "the admin port is closed after draining";
}

TEST(ServiceHost, DeclaresTheSharedSettings) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  std::string help = config.HelpText();
  for (const char* name : {"LOG_LEVEL", "GRPC_ADDRESS", "HTTP_ADDRESS", "DRAIN_TIMEOUT"}) {
    EXPECT_NE(help.find(absl::StrCat("CUSTFLOW_TEST_", name)), std::string::npos) << name;
  }
}

// The request metrics ServiceHost installs: every gRPC call counted by method and status
// code with its latency, every HTTP request by bounded route and status.
// Answers ListRules, rejects ValidateRules; the rest stay unimplemented.
class RulesService final : public v1::TaggingService::Service {
  grpc::Status ListRules(grpc::ServerContext*, const v1::ListRulesRequest*, v1::ListRulesResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status ValidateRules(grpc::ServerContext*, const v1::ValidateRulesRequest*,
                             v1::ValidateRulesResponse*) override {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no rules");
  }
};

uint64_t GrpcCalls(MetricsRegistry& metrics, const std::string& method, const std::string& code) {
  return metrics
      .GetCounter("custflow_grpc_requests_total", "gRPC calls answered, by full method name and status code.",
                  {{"method", method}, {"code", code}})
      .value();
}

TEST(RequestMetricsService, CountsEveryGrpcCallByMethodAndCode) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  RulesService service;
  host.AddGrpcService(&service);
  ASSERT_TRUE(host.Start().ok());
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", host.grpc_port()), grpc::InsecureChannelCredentials());
  auto stub = v1::TaggingService::NewStub(channel);

  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::ListRulesResponse response;
    ASSERT_TRUE(stub->ListRules(&context, v1::ListRulesRequest(), &response).ok());
  }
  grpc::ClientContext context;
  v1::ValidateRulesResponse response;
  EXPECT_EQ(stub->ValidateRules(&context, v1::ValidateRulesRequest(), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  MetricsRegistry& metrics = host.metrics();
  EXPECT_EQ(GrpcCalls(metrics, "/custflow.v1.TaggingService/ListRules", "OK"), 2u);
  EXPECT_EQ(GrpcCalls(metrics, "/custflow.v1.TaggingService/ValidateRules", "INVALID_ARGUMENT"), 1u);
  Histogram& latency =
      metrics.GetHistogram("custflow_grpc_request_seconds", "Time from a gRPC call's start to its status.",
                           LatencyBuckets(), {{"method", "/custflow.v1.TaggingService/ListRules"}});
  EXPECT_EQ(latency.count(), 2u);
  EXPECT_GT(latency.sum(), 0.0);
  std::string text = Fetch(absl::StrCat("http://127.0.0.1:", host.http_port(), "/metrics")).body;
  EXPECT_NE(text.find("custflow_grpc_requests_total{code=\"OK\",method=\"/custflow.v1.TaggingService/"
                      "ListRules\"} 2"),
            std::string::npos)
      << text;
  host.Drain();
}

TEST(RequestMetricsService, CountsEveryHttpRequestByRouteAndStatus) {
  Config config = LoopbackConfig();
  ServiceHost host("test", config);
  RulesService service;  // gRPC needs a service to start
  host.AddGrpcService(&service);
  host.SetHttpHandler([](const HttpRequest&) {
    HttpResponse response;
    response.status = 202;
    return response;
  });
  ASSERT_TRUE(host.Start().ok());
  std::string base = absl::StrCat("http://127.0.0.1:", host.http_port());
  EXPECT_EQ(Fetch(base + "/healthz").status, 200);
  EXPECT_EQ(Fetch(base + "/v1/reports/r-1").status, 202);
  EXPECT_EQ(Fetch(base + "/v1/reports/r-2").status, 202);
  EXPECT_EQ(Fetch(base + "/no/such/Thing").status, 202);

  std::string text = Fetch(base + "/metrics").body;
  EXPECT_NE(text.find("custflow_http_requests_total{code=\"200\",route=\"/healthz\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("custflow_http_requests_total{code=\"202\",route=\"/v1/reports\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("custflow_http_requests_total{code=\"202\",route=\"other\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("custflow_http_request_seconds_count{route=\"/v1/reports\"} 2"), std::string::npos)
      << text;
  host.Drain();
}

}  // namespace
}  // namespace custflow::core

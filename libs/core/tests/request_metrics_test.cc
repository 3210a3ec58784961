// The request metrics' pure parts: bounded HTTP route labels, gRPC code names, and the
// cap on distinct endpoints.
#include "custflow/core/request_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "custflow/core/grpc_metrics.h"

namespace custflow::core {
namespace {

struct RouteCase {
  std::string path;
  std::string route;
};

class HttpRouteLabelTest : public ::testing::TestWithParam<RouteCase> {};

TEST_P(HttpRouteLabelTest, BoundsThePathToAKnownShape) {
  EXPECT_EQ(HttpRouteLabel(GetParam().path), GetParam().route) << GetParam().path;
}

INSTANTIATE_TEST_SUITE_P(
    Paths, HttpRouteLabelTest,
    ::testing::Values(
        RouteCase{.path = "/healthz", .route = "/healthz"}, RouteCase{.path = "/readyz", .route = "/readyz"},
        RouteCase{.path = "/metrics", .route = "/metrics"},
        RouteCase{.path = "/v1/events", .route = "/v1/events"},
        RouteCase{.path = "/v1/reports/r-17/rows", .route = "/v1/reports"},
        RouteCase{.path = "/v2/reports/", .route = "/v2/reports"},
        RouteCase{.path = "/v1/", .route = "other"}, RouteCase{.path = "/v1", .route = "other"},
        RouteCase{.path = "/", .route = "other"}, RouteCase{.path = "", .route = "other"},
        RouteCase{.path = "/healthz/extra", .route = "other"},
        RouteCase{.path = "/metricsx", .route = "other"}, RouteCase{.path = "/contact", .route = "other"},
        RouteCase{.path = "/api/v1/events", .route = "other"},
        RouteCase{.path = "/vx/events", .route = "other"}, RouteCase{.path = "/v1/Events", .route = "other"},
        RouteCase{.path = "/v1/ev%20ents", .route = "other"},
        RouteCase{.path = "/v1/" + std::string(33, 'a'), .route = "other"},
        RouteCase{.path = "//v1/events", .route = "other"}),
    [](const ::testing::TestParamInfo<RouteCase>& param) { return "Case" + std::to_string(param.index); });

TEST(GrpcStatusCodeName, NamesEveryCanonicalCode) {
  EXPECT_EQ(GrpcStatusCodeName(0), "OK");
  EXPECT_EQ(GrpcStatusCodeName(3), "INVALID_ARGUMENT");
  EXPECT_EQ(GrpcStatusCodeName(14), "UNAVAILABLE");
  EXPECT_EQ(GrpcStatusCodeName(16), "UNAUTHENTICATED");
  EXPECT_EQ(GrpcStatusCodeName(99), "UNKNOWN");
}

RequestMetrics::Names TestNames() {
  return {.requests_total = "test_requests_total",
          .requests_help = "Requests.",
          .request_seconds = "test_request_seconds",
          .request_seconds_help = "Latency.",
          .key_label = "method"};
}

TEST(RequestMetrics, CountsByKeyAndCodeAndObservesLatency) {
  MetricsRegistry registry;
  RequestMetrics metrics(
      registry, TestNames(), [](size_t code) { return std::to_string(code); }, 2, 10);
  metrics.For("/a").Record(0, 0.002);
  metrics.For("/a").Record(0, 0.002);
  metrics.For("/a").Record(5, 0.2);
  EXPECT_EQ(&metrics.For("/a"), &metrics.For("/a"));
  EXPECT_EQ(
      registry.GetCounter("test_requests_total", "Requests.", {{"method", "/a"}, {"code", "0"}}).value(), 2u);
  EXPECT_EQ(
      registry.GetCounter("test_requests_total", "Requests.", {{"method", "/a"}, {"code", "5"}}).value(), 1u);
  EXPECT_EQ(
      registry.GetHistogram("test_request_seconds", "Latency.", LatencyBuckets(), {{"method", "/a"}}).count(),
      3u);
}

TEST(RequestMetrics, KeysPastTheCapShareOther) {
  MetricsRegistry registry;
  RequestMetrics metrics(
      registry, TestNames(), [](size_t code) { return std::to_string(code); }, 2, 2);
  metrics.For("/a").Record(0, 0.001);
  metrics.For("/b").Record(0, 0.001);
  metrics.For("/c").Record(0, 0.001);
  metrics.For("/d").Record(0, 0.001);
  EXPECT_EQ(&metrics.For("/c"), &metrics.For("/d"));
  EXPECT_EQ(
      registry.GetCounter("test_requests_total", "Requests.", {{"method", "other"}, {"code", "0"}}).value(),
      2u);
  EXPECT_EQ(registry.RenderPrometheus().find("method=\"/c\""), std::string::npos);
}

}  // namespace
}  // namespace custflow::core

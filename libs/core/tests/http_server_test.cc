#include "custflow/core/http_server.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/http_client.h"

namespace custflow::core {
namespace {

using testing::Fetch;

std::unique_ptr<HttpServer> StartEcho(size_t max_body = 1 << 20) {
  HttpServer::Options options;
  options.address = "127.0.0.1";
  options.threads = 2;
  options.max_body_bytes = max_body;
  auto server = HttpServer::Start(options, [](const HttpRequest& request) {
    HttpResponse response;
    response.body = absl::StrCat(request.method, " ", request.path, " ", request.query, " ", request.body);
    return response;
  });
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(*server);
}

TEST(HttpServer, PassesMethodPathQueryAndBodyToTheHandler) {
  auto server = StartEcho();
  std::string url = absl::StrCat("http://127.0.0.1:", server->port(), "/v1/events?x=1");
  std::string body = "{\"客户\":\"张三\"}";
  auto fetched = Fetch(url, &body);
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body, "POST /v1/events x=1 {\"客户\":\"张三\"}");
}

TEST(HttpServer, RejectsBodiesOverTheLimitWith413) {
  auto server = StartEcho(100);
  std::string body(1000, 'x');
  auto fetched = Fetch(absl::StrCat("http://127.0.0.1:", server->port(), "/"), &body);
  EXPECT_EQ(fetched.status, 413);
  EXPECT_NE(fetched.body.find("larger than 100 bytes"), std::string::npos);
}

TEST(HttpServer, HandlerExceptionBecomes500) {
  HttpServer::Options options;
  options.address = "127.0.0.1";
  auto server = HttpServer::Start(
      options, [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(Fetch(absl::StrCat("http://127.0.0.1:", (*server)->port(), "/")).status, 500);
}

TEST(HttpServer, StartFailsClearlyWhenThePortIsTaken) {
  auto first = StartEcho();
  HttpServer::Options options;
  options.address = "127.0.0.1";
  options.port = first->port();
  auto second = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(absl::StrCat("cannot listen on 127.0.0.1:", first->port())),
            std::string::npos)
      << second.status();
}

TEST(AdminHandler, ServesHealthReadinessAndMetrics) {
  Health health;
  MetricsRegistry metrics;
  metrics.GetCounter("custflow_test_total", "A test counter.").Increment(2);
  bool redis_up = true;
  health.AddReadinessCheck("redis",
                           [&] { return redis_up ? absl::OkStatus() : absl::UnavailableError("refused"); });
  HttpServer::Options options;
  options.address = "127.0.0.1";
  auto server = HttpServer::Start(options, AdminHandler(health, metrics));
  ASSERT_TRUE(server.ok());
  std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());

  EXPECT_EQ(Fetch(base + "/healthz").status, 200);
  EXPECT_EQ(Fetch(base + "/readyz").status, 200);
  auto scraped = Fetch(base + "/metrics");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("custflow_test_total 2"), std::string::npos);
  EXPECT_NE(scraped.content_type.find("version=0.0.4"), std::string::npos);

  redis_up = false;
  auto not_ready = Fetch(base + "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("redis: UNAVAILABLE: refused"), std::string::npos) << not_ready.body;
  EXPECT_EQ(Fetch(base + "/nope").status, 404);
}

}  // namespace
}  // namespace custflow::core

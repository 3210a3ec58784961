// The per-principal rate limit on real loopback servers (gRPC and HTTP) with the test
// token file: a principal over its rate is refused whole, with the wait (RetryInfo,
// Retry-After), before anything reaches the pipeline; other principals are unaffected;
// after the wait it is served again; gRPC and HTTP share one budget; 0 never refuses.
// The limiter's clock is driven by hand, so waits take no time and nothing is racy.
#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "custflow/core/http_server.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/ingest/http_ingest.h"
#include "services/ingest/ingest_service.h"
#include "services/ingest/tests/counting_submitter.h"
#include "tests/http_client.h"
#include "tests/support/test_callers.h"

namespace custflow::ingest {
namespace {

using namespace std::chrono_literals;
using core::testing::Reply;
using core::testing::Send;
using testing::CallerOf;
using testing::TestCaller;

v1::Interaction Event(const std::string& id) {
  v1::Interaction event;
  event.set_event_id(id);
  return event;
}

std::string JsonEvents(size_t count) {
  std::string text = "[";
  for (size_t i = 0; i < count; ++i)
    absl::StrAppend(&text, i == 0 ? "" : ",", R"({"event_id":"h-)", i, R"("})");
  return text + "]";
}

// The google.rpc.RetryInfo of a refusal, when it has one.
std::optional<google::rpc::RetryInfo> RetryInfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::nullopt;
  for (const google::protobuf::Any& detail : details.details()) {
    google::rpc::RetryInfo retry_info;
    if (detail.UnpackTo(&retry_info)) return retry_info;
  }
  return std::nullopt;
}

class RateLimitTest : public ::testing::Test {
 protected:
  // The ingest principal "pos" publishes under the limit; the administrator "root" is
  // another principal that may publish too.
  const TestCaller& pos_ = CallerOf(auth::Role::kIngest);
  const TestCaller& root_ = CallerOf(auth::Role::kAdmin);

  // `rate` events a second, `burst` at once, on a clock moved by Advance.
  void Start(double rate, double burst) {
    rate_limit_ = std::make_unique<IngestRateLimit>(
        rate, burst, metrics_, [this] { return std::chrono::steady_clock::time_point(now_.load()); });
    service_ = std::make_unique<IngestService>(submitter_, auth_,
                                               IngestServiceOptions{.rate_limit = rate_limit_.get()});
    served_ = testing::ServeOnLoopback({service_.get()});
    stub_ =
        v1::IngestService::NewStub(grpc::CreateChannel(served_.target, grpc::InsecureChannelCredentials()));
    http_ =
        std::make_unique<HttpIngest>(submitter_, auth_, HttpIngestOptions{.rate_limit = rate_limit_.get()});
    core::HttpServer::Options server_options;
    server_options.address = "127.0.0.1";
    server_options.threads = 2;
    auto http_server = core::HttpServer::Start(server_options, http_->Handler());
    ASSERT_TRUE(http_server.ok()) << http_server.status();
    http_server_ = std::move(*http_server);
  }

  void TearDown() override {
    if (served_.server) served_.server->Shutdown();
  }

  void Advance(std::chrono::nanoseconds by) { now_.store(now_.load() + by); }

  grpc::Status Publish(const TestCaller& caller, const std::string& id) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", testing::Bearer(caller));
    v1::PublishRequest request;
    *request.mutable_event() = Event(id);
    v1::PublishResponse response;
    return stub_->Publish(&context, request, &response);
  }

  grpc::Status PublishBatch(const TestCaller& caller, size_t count) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", testing::Bearer(caller));
    v1::PublishBatchRequest request;
    for (size_t i = 0; i < count; ++i) *request.add_events() = Event("b-" + std::to_string(i));
    v1::PublishBatchResponse response;
    return stub_->PublishBatch(&context, request, &response);
  }

  Reply Post(const TestCaller& caller, size_t count) {
    return Send("POST", absl::StrCat("http://127.0.0.1:", http_server_->port(), "/v1/events"),
                JsonEvents(count),
                {"Content-Type: application/json", "Authorization: " + testing::Bearer(caller)});
  }

  std::string Metrics() const { return metrics_.RenderPrometheus(); }

  CountingSubmitter submitter_;
  const auth::RequestAuthenticator auth_ = testing::TestAuthenticator();
  core::MetricsRegistry metrics_;
  std::atomic<std::chrono::nanoseconds> now_{1h};
  std::unique_ptr<IngestRateLimit> rate_limit_;
  std::unique_ptr<IngestService> service_;
  testing::LoopbackServer served_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
  std::unique_ptr<HttpIngest> http_;
  std::unique_ptr<core::HttpServer> http_server_;
};

TEST_F(RateLimitTest, PublishOverTheRateIsRefusedWithTheWaitAndServedAfterIt) {
  Start(/*rate=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Publish(pos_, "p-" + std::to_string(i)).ok()) << i;

  grpc::Status refused = Publish(pos_, "p-3");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("principal " + pos_.principal.name), std::string::npos)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find("rate limit of 2 events per second (burst 3)"), std::string::npos)
      << refused.error_message();
  std::optional<google::rpc::RetryInfo> retry_info = RetryInfoOf(refused);
  ASSERT_TRUE(retry_info.has_value());
  EXPECT_EQ(retry_info->retry_delay().seconds(), 0);
  EXPECT_EQ(retry_info->retry_delay().nanos(), 500'000'000) << "one token at 2 a second";
  EXPECT_EQ(submitter_.submitted(), 3u);

  EXPECT_TRUE(Publish(root_, "r-0").ok()) << "another principal has its own budget";
  Advance(500ms);
  EXPECT_TRUE(Publish(pos_, "p-3").ok()) << "served again after the announced wait";
  EXPECT_EQ(submitter_.submitted(), 5u);
}

TEST_F(RateLimitTest, ABatchOverTheRateIsRefusedWholeAndNothingOfItIsSubmitted) {
  Start(/*rate=*/1, /*burst=*/5);
  ASSERT_TRUE(PublishBatch(pos_, 4).ok());
  grpc::Status refused = PublishBatch(pos_, 2);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(RetryInfoOf(refused).has_value());
  EXPECT_EQ(RetryInfoOf(refused)->retry_delay().seconds(), 1);
  EXPECT_EQ(submitter_.submitted(), 4u) << "not even the event that still had a token";
  EXPECT_TRUE(PublishBatch(pos_, 1).ok()) << "the refusal took no token";
  EXPECT_TRUE(PublishBatch(root_, 5).ok());
  EXPECT_EQ(submitter_.submitted(), 10u);
  EXPECT_NE(Metrics().find("custflow_ingest_rate_limited_total 2"), std::string::npos) << Metrics();
}

TEST_F(RateLimitTest, ABatchLargerThanTheBurstIsRefusedWithoutARetryDelay) {
  Start(/*rate=*/10, /*burst=*/5);
  grpc::Status refused = PublishBatch(pos_, 6);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("send smaller requests"), std::string::npos)
      << refused.error_message();
  EXPECT_FALSE(RetryInfoOf(refused).has_value()) << "waiting never helps";
  Reply too_large = Post(pos_, 6);
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.Header("retry-after"), "");
  EXPECT_EQ(submitter_.submitted(), 0u);
}

TEST_F(RateLimitTest, HttpOverTheRateAnswers429WithRetryAfterInWholeSeconds) {
  Start(/*rate=*/0.5, /*burst=*/3);
  ASSERT_EQ(Post(pos_, 2).status, 200);

  Reply refused = Post(pos_, 2);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("retry-after"), "2") << "one token at 0.5 a second";
  nlohmann::json body = refused.Json();
  EXPECT_FALSE(body.contains("results"));
  ASSERT_EQ(body["errors"].size(), 1u) << refused.body;
  EXPECT_EQ(body["errors"][0]["field"], "authorization");
  EXPECT_NE(body["errors"][0]["description"].get<std::string>().find(pos_.principal.name), std::string::npos);
  EXPECT_EQ(submitter_.submitted(), 2u);

  EXPECT_EQ(Post(root_, 3).status, 200) << "another principal has its own budget";
  Advance(2s);
  EXPECT_EQ(Post(pos_, 2).status, 200);
  EXPECT_EQ(submitter_.submitted(), 7u);
}

TEST_F(RateLimitTest, GrpcAndHttpShareOnePrincipalsBudget) {
  Start(/*rate=*/1, /*burst=*/3);
  ASSERT_TRUE(PublishBatch(pos_, 2).ok());
  EXPECT_EQ(Post(pos_, 2).status, 429);
  EXPECT_EQ(Post(pos_, 1).status, 200);
  EXPECT_EQ(Publish(pos_, "p-0").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(submitter_.submitted(), 3u);
}

TEST_F(RateLimitTest, AStreamAnswersOverLimitEventsWithErrorsAndGoesOn) {
  Start(/*rate=*/1, /*burst=*/3);
  grpc::ClientContext context;
  context.AddMetadata("authorization", testing::Bearer(pos_));
  auto stream = stub_->StreamEvents(&context);
  auto send = [&](std::vector<std::string> ids) {
    v1::StreamEventsRequest request;
    for (const std::string& id : ids) *request.add_events() = Event(id);
    ASSERT_TRUE(stream->Write(request));
  };
  auto receive = [&] {
    v1::StreamEventsResponse response;
    EXPECT_TRUE(stream->Read(&response));
    return response;
  };

  send({"s-0", "s-1"});
  EXPECT_EQ(receive().results(0).code(), 0);
  send({"s-2", "s-3"});
  v1::StreamEventsResponse refused = receive();
  ASSERT_EQ(refused.results_size(), 2);
  for (const v1::EventResult& result : refused.results()) {
    EXPECT_EQ(result.code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_NE(result.message().find("rate limit"), std::string::npos) << result.message();
  }
  EXPECT_EQ(refused.results(0).event_id(), "s-2");
  EXPECT_EQ(submitter_.submitted(), 2u);

  Advance(1s);
  send({"s-2", "s-3"});
  v1::StreamEventsResponse stored = receive();
  ASSERT_EQ(stored.results_size(), 2);
  EXPECT_EQ(stored.results(1).code(), 0);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(submitter_.submitted(), 4u);
}

TEST_F(RateLimitTest, RateZeroNeverRefuses) {
  Start(/*rate=*/0, /*burst=*/0);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(PublishBatch(pos_, 1000).ok()) << i;
  EXPECT_EQ(Post(pos_, 1000).status, 200);
  EXPECT_EQ(submitter_.submitted(), 51'000u);
  EXPECT_NE(Metrics().find("custflow_ingest_rate_limited_total 0"), std::string::npos) << Metrics();
}

}  // namespace
}  // namespace custflow::ingest

// The ingest path on the real local broker and Redis: acknowledgements only after
// delivery, retries counted once, a broker outage answered UNAVAILABLE with nothing lost
// once it is back, and identities resolved through the index.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>

#include "custflow/dedupe/dedupe_store.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/redis/hiredis_client.h"
#include "services/ingest/identity_resolver.h"
#include "services/ingest/ingest_pipeline.h"
#include "services/ingest/ingest_service.h"
#include "tests/support/kafka_broker.h"
#include "tests/support/redis_server.h"

namespace custflow::ingest {
namespace {

constexpr const char* kTopic = "custflow.interactions.v1";

v1::Interaction Event(const std::string& id) {
  v1::Interaction event;
  event.set_event_id(id);
  event.mutable_customer()->set_customer_id("cust-" + std::to_string(std::hash<std::string>{}(id) % 50));
  event.set_type(v1::INTERACTION_TYPE_WEB_PAGE_VIEW);
  event.mutable_occurred_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  return event;
}

class IngestIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis_server = testing::StartRedisServer();
    ASSERT_TRUE(redis_server.ok()) << redis_server.status();
    redis_server_.emplace(std::move(*redis_server));
    auto broker = testing::StartKafkaBroker();
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_.emplace(std::move(*broker));

    redis::HiredisOptions redis_options;
    redis_options.port = redis_server_->port();
    redis_options.command_timeout = std::chrono::milliseconds(500);
    auto redis = redis::HiredisClient::Create(redis_options);
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    kafka::ProducerOptions producer_options;
    producer_options.bootstrap_servers = broker_->bootstrap_servers();
    producer_options.delivery_timeout = std::chrono::seconds(3);
    auto producer = kafka::KafkaProducer::Create(producer_options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);

    dedupe_.emplace(*redis_);
    identities_.emplace(*redis_);
    pipeline_.emplace(*producer_, *dedupe_, *identities_, metrics_, PipelineOptions{.topic = kTopic});
    service_.emplace(*pipeline_, open_auth_,
                     IngestServiceOptions{.max_batch = 1000, .max_stream_in_flight = 500});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&*service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = v1::IngestService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  std::vector<v1::EventResult> PublishBatch(const std::vector<v1::Interaction>& events) {
    v1::PublishBatchRequest request;
    for (const auto& event : events) *request.add_events() = event;
    v1::PublishBatchResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    grpc::Status status = stub_->PublishBatch(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.results().begin(), response.results().end()};
  }

  // Every event id on the interactions topic, with repeats, read until `expected` came
  // or the time is up.
  std::multiset<std::string> StoredEventIds(size_t expected) {
    kafka::ConsumerOptions options;
    options.bootstrap_servers = broker_->bootstrap_servers();
    options.group_id = "reader";
    options.topics = {kTopic};
    options.session_timeout = std::chrono::seconds(6);
    auto consumer = kafka::KafkaConsumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::multiset<std::string> ids;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    // Reads on a little past `expected` so that a duplicate would show.
    auto settle = std::chrono::steady_clock::time_point::max();
    while (std::chrono::steady_clock::now() < std::min(deadline, settle)) {
      auto batch = (*consumer)->Poll(1000, std::chrono::milliseconds(200));
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok()) break;
      for (const kafka::Message& message : *batch) {
        v1::Interaction event;
        EXPECT_TRUE(event.ParseFromArray(message.value.data(), static_cast<int>(message.value.size())));
        ids.insert(event.event_id());
      }
      if (ids.size() >= expected && settle == std::chrono::steady_clock::time_point::max()) {
        settle = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      }
    }
    return ids;
  }

  std::optional<testing::LocalRedisServer> redis_server_;
  std::optional<testing::LocalKafkaBroker> broker_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  core::MetricsRegistry metrics_;
  std::optional<dedupe::RedisDedupeStore> dedupe_;
  std::optional<RedisIdentityResolver> identities_;
  std::optional<IngestPipeline> pipeline_;
  auth::RequestAuthenticator open_auth_ = auth::RequestAuthenticator::Open();
  std::optional<IngestService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(IngestIntegrationTest, StreamAnswersEveryEventOnceItIsDurable) {
  grpc::ClientContext context;
  auto stream = stub_->StreamEvents(&context);
  constexpr int kMessages = 30, kPerMessage = 100;
  std::thread writer([&] {
    for (int m = 0; m < kMessages; ++m) {
      v1::StreamEventsRequest request;
      for (int i = 0; i < kPerMessage; ++i)
        *request.add_events() = Event("s-" + std::to_string(m * kPerMessage + i));
      ASSERT_TRUE(stream->Write(request));
    }
    stream->WritesDone();
  });
  std::set<std::string> acknowledged;
  v1::StreamEventsResponse response;
  while (stream->Read(&response)) {
    for (const auto& result : response.results()) {
      EXPECT_EQ(result.code(), 0) << result.message();
      acknowledged.insert(result.event_id());
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kMessages * kPerMessage));

  std::multiset<std::string> stored = StoredEventIds(kMessages * kPerMessage);
  EXPECT_EQ(stored.size(), static_cast<size_t>(kMessages * kPerMessage));
  for (const std::string& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;
}

TEST_F(IngestIntegrationTest, RetriedBatchIsStoredOnce) {
  std::vector<v1::Interaction> events;
  for (int i = 0; i < 100; ++i) events.push_back(Event("r-" + std::to_string(i)));
  for (const auto& result : PublishBatch(events)) EXPECT_EQ(result.code(), 0);
  for (const auto& result : PublishBatch(events)) {
    EXPECT_EQ(result.code(), 0);
    EXPECT_TRUE(result.duplicate()) << result.event_id();
  }
  EXPECT_EQ(StoredEventIds(100).size(), 100u);
}

TEST_F(IngestIntegrationTest, BrokerOutageIsAnsweredUnavailableAndNothingIsLostOnceBack) {
  std::vector<v1::Interaction> before, during;
  for (int i = 0; i < 50; ++i) before.push_back(Event("b-" + std::to_string(i)));
  for (int i = 0; i < 50; ++i) during.push_back(Event("d-" + std::to_string(i)));
  for (const auto& result : PublishBatch(before)) EXPECT_EQ(result.code(), 0);

  broker_->SetDown(true);
  auto started = std::chrono::steady_clock::now();
  for (const auto& result : PublishBatch(during)) {
    EXPECT_EQ(result.code(), grpc::StatusCode::UNAVAILABLE) << result.event_id();
    EXPECT_NE(result.message().find("retry"), std::string::npos) << result.message();
  }
  // The answer comes once librdkafka gives up on the 3 s delivery timeout; with
  // idempotence it first drains what is in flight, which took up to ~12 s here.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));

  broker_->SetDown(false);
  // A client retries the same events until they are stored; the producer needs a moment
  // to reconnect.
  std::vector<v1::Interaction> pending = during;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
    std::vector<v1::EventResult> results = PublishBatch(pending);
    std::vector<v1::Interaction> still;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].code() != 0) still.push_back(pending[i]);
    }
    pending = std::move(still);
  }
  EXPECT_TRUE(pending.empty()) << pending.size() << " events still not stored";
  std::multiset<std::string> stored = StoredEventIds(100);
  for (const auto& event : before) EXPECT_EQ(stored.count(event.event_id()), 1u) << event.event_id();
  for (const auto& event : during) EXPECT_GE(stored.count(event.event_id()), 1u) << event.event_id();
}

TEST_F(IngestIntegrationTest, KnownPhoneResolvesThroughTheIdentityIndex) {
  ASSERT_TRUE(redis_->Command({"SET", "cf:identity:phone:+8613800138000", "cust-known"}).ok());
  v1::Interaction event = Event("p-1");
  event.mutable_customer()->Clear();
  event.mutable_customer()->set_phone("138 0013 8000");
  v1::Interaction unknown = Event("p-2");
  unknown.mutable_customer()->Clear();
  unknown.mutable_customer()->set_phone("+86 139 0000 0001");
  auto results = PublishBatch({event, unknown});
  EXPECT_EQ(results[0].customer_id(), "cust-known");
  EXPECT_EQ(results[1].customer_id().rfind("cu_", 0), 0u) << results[1].customer_id();
}

TEST_F(IngestIntegrationTest, RedisOutageIsAnsweredUnavailable) {
  redis_server_->Stop();
  auto results = PublishBatch({Event("x-1")});
  EXPECT_EQ(results[0].code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace custflow::ingest

#include "services/ingest/ingest_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "custflow/domain/identity.h"
#include "custflow/kafka/in_memory_producer.h"

namespace custflow::ingest {
namespace {

v1::Interaction Event(std::string id, std::string phone) {
  v1::Interaction event;
  event.set_event_id(std::move(id));
  event.mutable_customer()->set_phone(std::move(phone));
  event.set_type(v1::INTERACTION_TYPE_WEB_PAGE_VIEW);
  event.mutable_occurred_at()->set_seconds(1'790'000'000);
  return event;
}

// Confirms (or fails) whatever the service queued, as a broker would, while a call waits.
class Broker {
 public:
  Broker(kafka::InMemoryProducer& producer, absl::Status outcome) : thread_([&producer, outcome, this] {
    while (!stop_) {
      producer.DeliverPending(outcome);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }) {}
  ~Broker() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class IngestServiceTest : public ::testing::Test {
 protected:
  kafka::InMemoryProducer producer_;
  core::MetricsRegistry metrics_;
  IngestService service_{producer_, metrics_, {.topic = "interactions", .ack_timeout = std::chrono::seconds(5)}};
};

TEST_F(IngestServiceTest, PublishAcknowledgesAfterDeliveryWithTheResolvedCustomer) {
  Broker broker(producer_, absl::OkStatus());
  v1::PublishRequest request;
  *request.mutable_event() = Event("e1", "+86 138 0013 8000");
  v1::PublishResponse response;
  grpc::ServerContext context;
  ASSERT_TRUE(service_.Publish(&context, &request, &response).ok());
  std::string expected_id = domain::DeriveCustomerId({domain::IdentityKind::kPhone, "+8613800138000"});
  EXPECT_EQ(response.result().customer_id(), expected_id);

  auto delivered = producer_.delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].topic, "interactions");
  EXPECT_EQ(delivered[0].key, expected_id);
  v1::Interaction stored;
  ASSERT_TRUE(stored.ParseFromString(delivered[0].value));
  EXPECT_EQ(stored.customer().customer_id(), expected_id);
  EXPECT_TRUE(stored.has_received_at());
}

TEST_F(IngestServiceTest, BatchStoresValidEventsAndReportsEachBadOne) {
  Broker broker(producer_, absl::OkStatus());
  v1::PublishBatchRequest request;
  *request.add_events() = Event("good-1", "13800138000");
  *request.add_events() = Event("", "13800138001");
  *request.add_events() = Event("good-2", "13800138002");
  v1::PublishBatchResponse response;
  grpc::ServerContext context;
  ASSERT_TRUE(service_.PublishBatch(&context, &request, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).code(), 0);
  EXPECT_EQ(response.results(1).code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(response.results(1).violations(0).field(), "events[1].event_id");
  EXPECT_EQ(response.results(2).code(), 0);
  EXPECT_EQ(producer_.delivered().size(), 2u);
}

TEST_F(IngestServiceTest, FailedDeliveryIsNeverAcknowledged) {
  Broker broker(producer_, absl::UnavailableError("broker down"));
  v1::PublishRequest request;
  *request.mutable_event() = Event("e1", "13800138000");
  v1::PublishResponse response;
  grpc::ServerContext context;
  grpc::Status status = service_.Publish(&context, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("broker down"), std::string::npos) << status.error_message();
  EXPECT_TRUE(producer_.delivered().empty());
}

TEST_F(IngestServiceTest, InvalidSingleEventAnswersInvalidArgumentNamingTheField) {
  v1::PublishRequest request;
  *request.mutable_event() = Event("e1", "");
  v1::PublishResponse response;
  grpc::ServerContext context;
  grpc::Status status = service_.Publish(&context, &request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.customer"), std::string::npos) << status.error_message();
}

TEST_F(IngestServiceTest, OversizedBatchIsRejectedWhole) {
  v1::PublishBatchRequest request;
  for (int i = 0; i < 1001; ++i) *request.add_events() = Event("e" + std::to_string(i), "13800138000");
  v1::PublishBatchResponse response;
  grpc::ServerContext context;
  EXPECT_EQ(service_.PublishBatch(&context, &request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(producer_.pending_count(), 0u);
}

}  // namespace
}  // namespace custflow::ingest

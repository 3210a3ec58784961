#include "services/ingest/ingest_pipeline.h"

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "custflow/domain/identity.h"
#include "custflow/kafka/in_memory_producer.h"

namespace custflow::ingest {
namespace {

// Dedupe in memory, with the same claim / confirm / release rules as the Redis store.
class InMemoryDedupeStore final : public dedupe::DedupeStore {
 public:
  absl::StatusOr<std::vector<Claim>> ClaimIds(const std::vector<std::string>& ids,
                                              std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    if (!error_.ok()) return error_;
    std::vector<Claim> claims;
    for (const std::string& id : ids) {
      auto [it, inserted] = ids_.emplace(id, "");
      if (inserted) {
        claims.push_back({ClaimState::kClaimed, ""});
      } else if (it->second.empty()) {
        claims.push_back({ClaimState::kInProgress, ""});
      } else {
        claims.push_back({ClaimState::kDuplicate, it->second});
      }
    }
    return claims;
  }
  absl::Status Confirm(const std::vector<std::pair<std::string, std::string>>& events,
                       std::chrono::milliseconds) override {
    std::lock_guard lock(mutex_);
    for (const auto& [id, customer] : events) ids_[id] = customer;
    return absl::OkStatus();
  }
  absl::Status Release(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    for (const std::string& id : ids) ids_.erase(id);
    return absl::OkStatus();
  }
  void FailWith(absl::Status error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> ids_;
  absl::Status error_;
};

// Given ids as they are; identities through a fixed index, else derived.
class FakeIdentityResolver final : public IdentityResolver {
 public:
  absl::StatusOr<std::vector<std::string>> Resolve(const std::vector<const v1::CustomerRef*>& refs) override {
    std::vector<std::string> ids;
    for (const v1::CustomerRef* ref : refs) {
      if (!ref->customer_id().empty()) {
        ids.push_back(ref->customer_id());
        continue;
      }
      domain::Identity identity = *domain::PrimaryIdentity(*ref);
      auto known = index.find(identity.Key());
      ids.push_back(known != index.end() ? known->second : domain::DeriveCustomerId(identity));
    }
    return ids;
  }
  std::map<std::string, std::string> index;
};

v1::Interaction Event(std::string id, std::string customer_id = "cust-1") {
  v1::Interaction event;
  event.set_event_id(std::move(id));
  event.mutable_customer()->set_customer_id(std::move(customer_id));
  event.set_type(v1::INTERACTION_TYPE_WEB_PAGE_VIEW);
  event.mutable_occurred_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  return event;
}

class IngestPipelineTest : public ::testing::Test {
 protected:
  // Submits and, while waiting, settles deliveries with `outcome` as the broker would.
  std::vector<v1::EventResult> Submit(std::vector<v1::Interaction> events,
                                      absl::Status outcome = absl::OkStatus()) {
    std::promise<std::vector<v1::EventResult>> promise;
    auto results = promise.get_future();
    pipeline_.Submit(std::move(events), true,
                     [&](std::vector<v1::EventResult> done) { promise.set_value(done); });
    while (results.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
      producer_.DeliverPending(outcome);
    }
    return results.get();
  }

  kafka::InMemoryProducer producer_;
  InMemoryDedupeStore dedupe_;
  FakeIdentityResolver identities_;
  core::MetricsRegistry metrics_;
  PipelineOptions options_{.topic = "interactions", .max_in_flight = 10};
  IngestPipeline pipeline_{producer_, dedupe_, identities_, metrics_, options_};
};

TEST_F(IngestPipelineTest, AcknowledgesAfterDeliveryKeyedByTheResolvedCustomer) {
  v1::Interaction by_phone = Event("e2", "");
  by_phone.mutable_customer()->set_phone("+8613800138000");
  identities_.index["phone:+8613800138000"] = "known-customer";
  auto results = Submit({Event("e1"), by_phone});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].code(), 0);
  EXPECT_EQ(results[0].customer_id(), "cust-1");
  EXPECT_EQ(results[1].customer_id(), "known-customer");
  auto delivered = producer_.delivered();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[1].key, "known-customer");
  v1::Interaction stored;
  ASSERT_TRUE(stored.ParseFromString(delivered[1].value));
  EXPECT_EQ(stored.customer().customer_id(), "known-customer");
  EXPECT_TRUE(stored.has_received_at());
}

TEST_F(IngestPipelineTest, BatchStoresValidEventsAndReportsEachBadOne) {
  auto results = Submit({Event("good-1"), Event(""), Event("good-2")});
  EXPECT_EQ(results[0].code(), 0);
  EXPECT_EQ(results[1].code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_GT(results[1].violations_size(), 0);
  EXPECT_EQ(results[1].violations(0).field(), "events[1].event_id");
  EXPECT_EQ(results[2].code(), 0);
  EXPECT_EQ(producer_.delivered().size(), 2u);
}

TEST_F(IngestPipelineTest, RetriedEventIdIsCountedOnce) {
  ASSERT_EQ(Submit({Event("e1")})[0].code(), 0);
  auto retried = Submit({Event("e1")});
  EXPECT_EQ(retried[0].code(), 0);
  EXPECT_TRUE(retried[0].duplicate());
  EXPECT_EQ(retried[0].customer_id(), "cust-1");
  EXPECT_EQ(producer_.delivered().size(), 1u);
}

TEST_F(IngestPipelineTest, FailedDeliveryIsNeverAcknowledgedAndCanBeRetried) {
  auto failed = Submit({Event("e1")}, absl::UnavailableError("broker down"));
  EXPECT_EQ(failed[0].code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(failed[0].message().find("broker down"), std::string::npos) << failed[0].message();
  EXPECT_TRUE(producer_.delivered().empty());

  auto retried = Submit({Event("e1")});
  EXPECT_EQ(retried[0].code(), 0);
  EXPECT_FALSE(retried[0].duplicate());
  EXPECT_EQ(producer_.delivered().size(), 1u);
}

TEST_F(IngestPipelineTest, DedupeStoreDownAnswersUnavailableAndPublishesNothing) {
  dedupe_.FailWith(absl::UnavailableError("redis refused"));
  auto results = Submit({Event("e1"), Event("")});
  EXPECT_EQ(results[0].code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(results[0].message().find("redis refused"), std::string::npos);
  EXPECT_EQ(results[1].code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(producer_.pending_count() + producer_.delivered().size(), 0u);
}

TEST_F(IngestPipelineTest, BeyondTheInFlightBoundEventsAreRefusedAtOnce) {
  std::promise<std::vector<v1::EventResult>> held;
  std::vector<v1::Interaction> eight;
  for (int i = 0; i < 8; ++i) eight.push_back(Event("held-" + std::to_string(i)));
  pipeline_.Submit(std::move(eight), true, [&](std::vector<v1::EventResult> r) { held.set_value(r); });
  EXPECT_EQ(pipeline_.in_flight(), 8u);

  std::promise<std::vector<v1::EventResult>> refused;
  pipeline_.Submit({Event("x1"), Event("x2"), Event("x3")}, true,
                   [&](std::vector<v1::EventResult> r) { refused.set_value(r); });
  auto results = refused.get_future().get();
  for (const auto& result : results) EXPECT_EQ(result.code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  auto held_results = held.get_future();
  while (held_results.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready)
    producer_.DeliverPending();
  for (const auto& result : held_results.get()) EXPECT_EQ(result.code(), 0);
  EXPECT_EQ(pipeline_.in_flight(), 0u);
  EXPECT_EQ(Submit({Event("x1")})[0].code(), 0) << "a refused event can be retried";
}

TEST_F(IngestPipelineTest, SameEventIdTwiceInFlightIsAbortedNotDoubled) {
  std::promise<std::vector<v1::EventResult>> first;
  pipeline_.Submit({Event("e1")}, true, [&](std::vector<v1::EventResult> r) { first.set_value(r); });
  while (producer_.pending_count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Nothing is delivered meanwhile, so the first is still in flight.
  std::promise<std::vector<v1::EventResult>> second;
  pipeline_.Submit({Event("e1")}, true, [&](std::vector<v1::EventResult> r) { second.set_value(r); });
  EXPECT_EQ(second.get_future().get()[0].code(), grpc::StatusCode::ABORTED);
  auto first_results = first.get_future();
  while (first_results.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready)
    producer_.DeliverPending();
  EXPECT_EQ(first_results.get()[0].code(), 0);
  EXPECT_EQ(producer_.delivered().size(), 1u);
}

}  // namespace
}  // namespace custflow::ingest

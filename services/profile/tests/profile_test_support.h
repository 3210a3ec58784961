// Shared pieces of the profile service tests: a fixture with a real Redis behind the
// store and applier, hand-built Kafka batches, and a thread that plays the broker for the
// InMemoryProducer.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "custflow/auth/request_authenticator.h"
#include "custflow/core/metrics.h"
#include "custflow/kafka/in_memory_producer.h"
#include "custflow/kafka/message.h"
#include "custflow/redis/redis_client.h"
#include "custflow/v1/command.pb.h"
#include "custflow/v1/interaction.pb.h"
#include "services/profile/profile_applier.h"
#include "services/profile/profile_service.h"
#include "services/profile/profile_store.h"
#include "tests/support/redis_server.h"

namespace custflow::profile::test {

inline const ApplierTopics kTopics = {.interactions = "interactions",
                                      .commands = "commands",
                                      .profiles = "profiles",
                                      .dead_letter = "deadletter"};

// Seconds since the epoch of the first event in the tests (late 2026).
inline constexpr int64_t kT0 = 1'790'000'000;

v1::Interaction Event(std::string customer_id, v1::InteractionType type, int64_t at_seconds);
v1::Interaction Order(std::string customer_id, int64_t at_seconds, int64_t amount_minor,
                      v1::InteractionType type = v1::INTERACTION_TYPE_ORDER_PLACED);
v1::Command Upsert(std::string customer_id, v1::Customer customer, int64_t at_seconds);

// A polled batch built by hand. The Messages point into bytes the batch owns (a deque, so
// adding a message never moves earlier ones), as a consumer's fetch buffer would hold them.
class Batch {
 public:
  Batch& Add(std::string topic, int32_t partition, int64_t offset, std::string key, std::string value);
  // Keyed by the customer id, as ingest and the profile service publish them.
  Batch& Add(std::string topic, int32_t partition, int64_t offset, const v1::Interaction& event);
  Batch& Add(std::string topic, int32_t partition, int64_t offset, const v1::Command& command);

  std::span<const kafka::Message> messages() const { return messages_; }

 private:
  struct Bytes {
    std::string topic;
    std::string key;
    std::string value;
  };
  std::deque<Bytes> bytes_;
  std::vector<kafka::Message> messages_;
};

// A Message viewing `record`, which must outlive it.
kafka::Message ToMessage(const kafka::InMemoryProducer::Record& record);

// Confirms whatever the producer queued, every millisecond, so that SendAndWait and
// SendAsync callers get their delivery reports. `before_first_delivery` runs once, on the
// broker thread, when the first message is pending: it lets a test act between the
// applier's Load and its Commit.
class Broker {
 public:
  explicit Broker(kafka::InMemoryProducer& producer, std::function<void()> before_first_delivery = {});
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Plays the profile service's consumer: applies what the producer delivered to `topics`
// (each topic's partitions in offset order), retrying a batch until it applies. Follow-on
// commands the applier itself publishes are applied too when `topics` has the commands
// topic.
class DeliveredApplier {
 public:
  DeliveredApplier(const kafka::InMemoryProducer& producer, ProfileApplier& applier,
                   std::vector<std::string> topics);
  ~DeliveredApplier();
  DeliveredApplier(const DeliveredApplier&) = delete;
  DeliveredApplier& operator=(const DeliveredApplier&) = delete;

 private:
  void Run(const kafka::InMemoryProducer& producer, ProfileApplier& applier);

  std::vector<std::string> topics_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The service behind a real in-process gRPC server, called through a stub as clients do
// (GetProfile and BatchGetProfiles use the callback API, which only a server can drive).
class Served {
 public:
  explicit Served(ProfileService& service) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    server_ = builder.BuildAndStart();
    stub_ = v1::ProfileService::NewStub(server_->InProcessChannel({}));
  }
  ~Served() { server_->Shutdown(); }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  v1::ProfileService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ProfileService::Stub> stub_;
};

// A fresh redis-server per test, with the store and applier of the profile service on it.
class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Every key and value in Redis: "changes nothing" is checked against all of it.
  std::map<std::string, std::string> RedisContents();
  // The stored profile; a test failure (and an empty profile) when there is none.
  v1::Profile Stored(const std::string& customer_id);
  std::optional<int64_t> Applied(const std::string& topic, int32_t partition);
  std::vector<kafka::InMemoryProducer::Record> DeliveredTo(std::string_view topic) const;
  // The profile snapshots published so far, by key; the last one wins.
  std::map<std::string, v1::Profile> Snapshots() const;
  uint64_t CounterValue(std::string_view name);

  std::optional<custflow::testing::LocalRedisServer> server_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::optional<ProfileStore> store_;
  kafka::InMemoryProducer producer_;
  core::MetricsRegistry metrics_;
  std::optional<ProfileApplier> applier_;
  // Authentication off: these tests are about what the handlers do, profile_auth_test
  // about who may call them.
  const auth::RequestAuthenticator open_auth_ = auth::RequestAuthenticator::Open();
};

}  // namespace custflow::profile::test

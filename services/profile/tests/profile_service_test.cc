// The ProfileService handlers, called directly, against a real Redis; for wait_applied an
// applier thread consumes what the in-memory producer delivered to the commands topic.
#include "services/profile/profile_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

using Record = kafka::InMemoryProducer::Record;

// Plays the profile service's consumer: applies what was delivered to the commands topic,
// each partition in offset order, retrying a batch until it applies.
class CommandConsumer {
 public:
  CommandConsumer(const kafka::InMemoryProducer& producer, ProfileApplier& applier)
      : thread_([this, &producer, &applier] { Run(producer, applier); }) {}
  ~CommandConsumer() {
    stop_ = true;
    thread_.join();
  }
  CommandConsumer(const CommandConsumer&) = delete;
  CommandConsumer& operator=(const CommandConsumer&) = delete;

 private:
  void Run(const kafka::InMemoryProducer& producer, ProfileApplier& applier) {
    size_t consumed = 0;
    while (!stop_) {
      std::vector<Record> commands;
      for (Record& record : producer.delivered()) {
        if (record.topic == kTopics.commands) commands.push_back(std::move(record));
      }
      std::vector<Record> fresh(commands.begin() + static_cast<std::ptrdiff_t>(consumed), commands.end());
      std::stable_sort(fresh.begin(), fresh.end(),
                       [](const Record& a, const Record& b) { return a.partition < b.partition; });
      std::vector<kafka::Message> batch;
      for (const Record& record : fresh) batch.push_back(ToMessage(record));
      if (!batch.empty() && applier.Apply(batch).ok()) consumed = commands.size();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class ProfileServiceTest : public ProfileTest {
 protected:
  ProfileServiceOptions Options(std::chrono::milliseconds apply_timeout = std::chrono::seconds(5)) {
    return {.commands_topic = kTopics.commands, .apply_timeout = apply_timeout};
  }

  grpc::Status Get(ProfileService& service, const std::string& customer_id,
                   v1::GetProfileResponse& response) {
    v1::GetProfileRequest request;
    request.set_customer_id(customer_id);
    grpc::ServerContext context;
    return service.GetProfile(&context, &request, &response);
  }

  grpc::Status Upsert(ProfileService& service, const v1::UpsertCustomerRequest& request,
                      v1::UpsertCustomerResponse& response) {
    grpc::ServerContext context;
    return service.UpsertCustomer(&context, &request, &response);
  }
};

v1::UpsertCustomerRequest UpsertRequest(std::string customer_id, std::string name, bool wait_applied) {
  v1::UpsertCustomerRequest request;
  request.mutable_customer()->set_customer_id(std::move(customer_id));
  request.mutable_customer()->set_name(std::move(name));
  request.set_wait_applied(wait_applied);
  return request;
}

TEST_F(ProfileServiceTest, GetProfileAnswersInvalidArgumentForAnEmptyId) {
  ProfileService service(*store_, producer_, Options());
  v1::GetProfileResponse response;
  grpc::Status status = Get(service, "", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("customer_id"), std::string::npos) << status.error_message();
}

TEST_F(ProfileServiceTest, GetProfileAnswersNotFoundForAnUnknownId) {
  ProfileService service(*store_, producer_, Options());
  v1::GetProfileResponse response;
  grpc::Status status = Get(service, "nobody", response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("nobody"), std::string::npos) << status.error_message();
}

TEST_F(ProfileServiceTest, GetProfileReturnsTheAppliedProfile) {
  Broker broker(producer_);
  Batch batch;
  batch.Add(kTopics.interactions, 0, 0, Order("alice", kT0, 1000))
      .Add(kTopics.interactions, 0, 1, Order("alice", kT0 + 1, 2000));
  absl::Status applied = applier_->Apply(batch.messages());
  ASSERT_TRUE(applied.ok()) << applied;

  ProfileService service(*store_, producer_, Options());
  v1::GetProfileResponse response;
  grpc::Status status = Get(service, "alice", response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.profile().customer_id(), "alice");
  EXPECT_EQ(response.profile().version(), 2u);
  EXPECT_EQ(response.profile().cumulative_amount().amount_minor(), 3000);
  EXPECT_EQ(response.profile().DebugString(), Stored("alice").DebugString());
}

TEST_F(ProfileServiceTest, UpsertCustomerWithWaitAppliedReturnsTheAppliedProfile) {
  Broker broker(producer_);
  CommandConsumer consumer(producer_, *applier_);
  ProfileService service(*store_, producer_, Options());

  v1::UpsertCustomerRequest create = UpsertRequest("alice", "Alice Trading Co.", true);
  create.mutable_customer()->mutable_region()->set_city("深圳市");
  v1::UpsertCustomerResponse created;
  grpc::Status status = Upsert(service, create, created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.command_id().rfind("cmd_", 0), 0u) << created.command_id();
  EXPECT_EQ(created.profile().version(), 1u);
  EXPECT_EQ(created.profile().customer().name(), "Alice Trading Co.");
  EXPECT_EQ(created.profile().customer().region().city(), "深圳市");

  // Read-your-writes: a second change through the mask is in the answer and in GetProfile.
  v1::UpsertCustomerRequest rename = UpsertRequest("alice", "Alice Holdings", true);
  rename.mutable_customer()->set_owner("not in the mask");
  rename.mutable_update_mask()->add_paths("name");
  v1::UpsertCustomerResponse renamed;
  status = Upsert(service, rename, renamed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(renamed.command_id(), created.command_id());
  EXPECT_EQ(renamed.profile().version(), 2u);
  EXPECT_EQ(renamed.profile().customer().name(), "Alice Holdings");
  EXPECT_EQ(renamed.profile().customer().owner(), "");
  EXPECT_EQ(renamed.profile().customer().region().city(), "深圳市");

  v1::GetProfileResponse read;
  status = Get(service, "alice", read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.profile().DebugString(), renamed.profile().DebugString());
}

TEST_F(ProfileServiceTest, UpsertCustomerWithoutWaitReturnsOnceTheCommandIsStored) {
  Broker broker(producer_);
  ProfileService service(*store_, producer_, Options());
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("alice", "Alice Trading Co.", false), response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.has_profile());

  std::vector<Record> commands = DeliveredTo(kTopics.commands);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].key, "alice");
  v1::Command command;
  ASSERT_TRUE(command.ParseFromString(commands[0].value));
  EXPECT_EQ(command.command_id(), response.command_id());
  EXPECT_EQ(command.customer_id(), "alice");
  EXPECT_EQ(command.actor(), "api");
  EXPECT_EQ(command.upsert().customer().name(), "Alice Trading Co.");
}

TEST_F(ProfileServiceTest, UpsertCustomerWithWaitAppliedAnswersDeadlineExceededWhenNothingApplies) {
  Broker broker(producer_);
  ProfileService service(*store_, producer_, Options(std::chrono::milliseconds(200)));
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("alice", "Alice Trading Co.", true), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_FALSE(response.command_id().empty());
}

TEST_F(ProfileServiceTest, UpsertCustomerRequiresACustomerId) {
  ProfileService service(*store_, producer_, Options());
  v1::UpsertCustomerResponse response;
  grpc::Status status = Upsert(service, UpsertRequest("", "Nameless", false), response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(producer_.pending_count() + producer_.delivered().size(), 0u);
}

}  // namespace
}  // namespace custflow::profile::test

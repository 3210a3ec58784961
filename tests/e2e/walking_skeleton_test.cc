// One event through the whole suite: ingest acknowledges it after Kafka delivery, the
// profile service folds it into the customer's profile in Redis, the tagging service
// tags the customer, and the reporting sink makes it count in the distribution.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "custflow/domain/identity.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "tests/support/clickhouse_server.h"
#include "tests/support/kafka_broker.h"
#include "tests/support/local_process.h"
#include "tests/support/redis_server.h"

namespace custflow {
namespace {

using testing::LocalProcess;

struct Service {
  LocalProcess process;
  int grpc_port = 0;
  std::shared_ptr<grpc::Channel> channel;
};

class WalkingSkeleton : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("custflow-e2e");
    auto redis = testing::StartRedisServer();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = new testing::LocalRedisServer(std::move(*redis));
    auto clickhouse = testing::StartClickHouseServer();
    ASSERT_TRUE(clickhouse.ok()) << clickhouse.status();
    clickhouse_ = new testing::LocalClickHouseServer(std::move(*clickhouse));
    auto kafka = testing::StartKafkaBroker();
    ASSERT_TRUE(kafka.ok()) << kafka.status();
    kafka_ = new testing::LocalKafkaBroker(std::move(*kafka));
    for (auto [name, binary] : {std::pair{"ingest", CUSTFLOW_INGEST_BIN},
                                {"profile", CUSTFLOW_PROFILE_BIN},
                                {"tagging", CUSTFLOW_TAGGING_BIN},
                                {"reporting", CUSTFLOW_REPORTING_BIN}}) {
      StartService(name, binary);
    }
  }

  static void TearDownTestSuite() {
    for (auto& [name, service] : services()) service.process.Stop();
    services().clear();
    delete kafka_;
    delete clickhouse_;
    delete redis_;
    delete dir_;
  }

  static std::map<std::string, Service>& services() {
    static std::map<std::string, Service> running;
    return running;
  }

  static void StartService(const std::string& name, const std::string& binary) {
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    Service service;
    service.grpc_port = testing::FreeLoopbackPort();
    int http_port = testing::FreeLoopbackPort();
    auto process = LocalProcess::Start(
        {"env", "CUSTFLOW_KAFKA_BROKERS=" + kafka_->bootstrap_servers(),
         "CUSTFLOW_REDIS_ADDRESS=127.0.0.1:" + std::to_string(redis_->port()),
         "CUSTFLOW_CLICKHOUSE_URL=" + clickhouse_->url(),
         "CUSTFLOW_" + upper + "_GRPC_ADDRESS=127.0.0.1:" + std::to_string(service.grpc_port),
         "CUSTFLOW_" + upper + "_HTTP_ADDRESS=127.0.0.1:" + std::to_string(http_port), binary},
        dir_->path() / (name + ".log"));
    ASSERT_TRUE(process.ok()) << process.status();
    service.process = std::move(*process);
    absl::Status listening = service.process.WaitForPort(service.grpc_port, std::chrono::seconds(60));
    ASSERT_TRUE(listening.ok()) << name << ": " << listening;
    service.channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(service.grpc_port),
                                          grpc::InsecureChannelCredentials());
    services()[name] = std::move(service);
  }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& name) { return services()[name].channel; }

  // Polls `check` until it holds or `timeout` passes.
  static bool Eventually(const std::function<bool()>& check, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (check()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return check();
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
    return context;
  }

  static v1::Profile GetProfile(const std::string& customer_id, grpc::Status* status = nullptr) {
    v1::GetProfileRequest request;
    request.set_customer_id(customer_id);
    v1::GetProfileResponse response;
    grpc::Status got =
        v1::ProfileService::NewStub(Channel("profile"))->GetProfile(Context().get(), request, &response);
    if (status != nullptr) *status = got;
    return response.profile();
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::LocalRedisServer* redis_ = nullptr;
  static inline testing::LocalClickHouseServer* clickhouse_ = nullptr;
  static inline testing::LocalKafkaBroker* kafka_ = nullptr;
};

v1::Interaction FollowUp(const std::string& event_id) {
  v1::Interaction event;
  event.set_event_id(event_id);
  event.set_type(v1::INTERACTION_TYPE_FOLLOW_UP);
  event.set_channel(v1::CHANNEL_PHONE);
  event.mutable_occurred_at()->set_seconds(1'790'000'000);
  event.mutable_follow_up()->set_content("回访");
  event.mutable_follow_up()->set_stage("需求确认");
  return event;
}

TEST_F(WalkingSkeleton, AnEventIsAcknowledgedAppliedTaggedAndCounted) {
  v1::UpsertCustomerRequest upsert;
  upsert.mutable_customer()->set_customer_id("e2e-1");
  upsert.mutable_customer()->set_name("华南贸易有限公司");
  upsert.mutable_customer()->mutable_region()->set_province("广东省");
  upsert.set_wait_applied(true);
  v1::UpsertCustomerResponse upserted;
  grpc::Status status =
      v1::ProfileService::NewStub(Channel("profile"))->UpsertCustomer(Context().get(), upsert, &upserted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(upserted.profile().customer().region().province(), "广东省");

  v1::PublishRequest publish;
  *publish.mutable_event() = FollowUp("e2e-event-1");
  publish.mutable_event()->mutable_customer()->set_customer_id("e2e-1");
  v1::PublishResponse published;
  status = v1::IngestService::NewStub(Channel("ingest"))->Publish(Context().get(), publish, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(published.result().customer_id(), "e2e-1");

  EXPECT_TRUE(
      Eventually([] { return GetProfile("e2e-1").follow_up_count() == 1; }, std::chrono::seconds(30)));
  v1::Profile profile = GetProfile("e2e-1");
  EXPECT_EQ(profile.customer().follow_up_stage(), "需求确认");
  EXPECT_EQ(profile.customer().name(), "华南贸易有限公司");

  EXPECT_TRUE(Eventually(
      [] {
        auto tags = GetProfile("e2e-1").tags();
        return std::find(tags.begin(), tags.end(), "follow-up:low") != tags.end();
      },
      std::chrono::seconds(30)))
      << "the tagging service tags the customer through a set-tags command";

  v1::DistributionResponse distribution;
  EXPECT_TRUE(Eventually(
      [&] {
        v1::DistributionRequest request;
        request.set_dimension(v1::DIMENSION_PROVINCE);
        distribution.Clear();
        auto stub = v1::ReportingService::NewStub(Channel("reporting"));
        if (!stub->Distribution(Context().get(), request, &distribution).ok()) return false;
        for (const auto& row : distribution.rows()) {
          if (row.value() == "广东省") return row.customers() == 1 && row.interactions() == 1;
        }
        return false;
      },
      std::chrono::seconds(60)))
      << distribution.DebugString();
}

TEST_F(WalkingSkeleton, AnEventNamingOnlyAPhoneCreatesAPotentialCustomer) {
  v1::PublishRequest publish;
  *publish.mutable_event() = FollowUp("e2e-event-2");
  publish.mutable_event()->mutable_customer()->set_phone("+86 139 1234 5678");
  v1::PublishResponse published;
  grpc::Status status =
      v1::IngestService::NewStub(Channel("ingest"))->Publish(Context().get(), publish, &published);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::string expected = domain::DeriveCustomerId({domain::IdentityKind::kPhone, "+8613912345678"});
  EXPECT_EQ(published.result().customer_id(), expected);

  grpc::Status got;
  EXPECT_TRUE(Eventually([&] { return GetProfile(expected, &got).version() > 0; }, std::chrono::seconds(30)))
      << got.error_message();
  EXPECT_EQ(GetProfile(expected).customer().type(), v1::CUSTOMER_TYPE_POTENTIAL);
}

TEST_F(WalkingSkeleton, InvalidEventIsRejectedNamingTheField) {
  v1::PublishRequest publish;
  *publish.mutable_event() = FollowUp("");
  publish.mutable_event()->mutable_customer()->set_customer_id("e2e-1");
  v1::PublishResponse published;
  grpc::Status status =
      v1::IngestService::NewStub(Channel("ingest"))->Publish(Context().get(), publish, &published);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.event_id: is required"), std::string::npos)
      << status.error_message();
}

TEST_F(WalkingSkeleton, TaggingServiceListsItsRules) {
  v1::ListRulesResponse rules;
  grpc::Status status =
      v1::TaggingService::NewStub(Channel("tagging"))->ListRules(Context().get(), {}, &rules);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(rules.rules_size(), 6);
}

}  // namespace
}  // namespace custflow

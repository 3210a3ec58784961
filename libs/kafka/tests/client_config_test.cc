// How ProducerOptions and ConsumerOptions become librdkafka properties, and which
// settings custflow refuses to weaken.
#include "client_config.h"

#include <algorithm>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::kafka {
namespace {

using ::testing::HasSubstr;

// The value of `name`; fails the test if it is set more than once.
std::optional<std::string> Find(const Properties& properties, const std::string& name) {
  auto matches = std::count_if(properties.begin(), properties.end(),
                               [&](const auto& property) { return property.first == name; });
  EXPECT_LE(matches, 1) << name << " is set more than once";
  for (const auto& [key, value] : properties) {
    if (key == name) return value;
  }
  return std::nullopt;
}

ProducerOptions ValidProducerOptions() {
  ProducerOptions options;
  options.bootstrap_servers = "127.0.0.1:9092";
  return options;
}

ConsumerOptions ValidConsumerOptions() {
  ConsumerOptions options;
  options.bootstrap_servers = "127.0.0.1:9092";
  options.group_id = "profile";
  options.topics = {"custflow.interactions.v1"};
  return options;
}

TEST(ProducerPropertiesTest, DefaultsWaitForAllReplicasWithIdempotence) {
  absl::StatusOr<Properties> properties = ProducerProperties(ValidProducerOptions());
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_EQ(Find(*properties, "bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(Find(*properties, "client.id"), "custflow");
  EXPECT_EQ(Find(*properties, "acks"), "all");
  EXPECT_EQ(Find(*properties, "enable.idempotence"), "true");
  EXPECT_EQ(Find(*properties, "linger.ms"), "5");
  EXPECT_EQ(Find(*properties, "delivery.timeout.ms"), "30000");
  EXPECT_EQ(Find(*properties, "queue.buffering.max.messages"), "100000");
  EXPECT_EQ(Find(*properties, "queue.buffering.max.kbytes"), "131072");
  EXPECT_EQ(Find(*properties, "partitioner"), "murmur2_random");
}

TEST(ProducerPropertiesTest, ExtraPropertiesOverrideNamedOptions) {
  ProducerOptions options = ValidProducerOptions();
  options.linger = std::chrono::milliseconds(20);
  options.properties = {{"linger.ms", "50"}, {"compression.codec", "lz4"}};
  absl::StatusOr<Properties> properties = ProducerProperties(options);
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_EQ(Find(*properties, "linger.ms"), "50");
  EXPECT_EQ(Find(*properties, "compression.codec"), "lz4");
}

TEST(ProducerPropertiesTest, FixedPropertiesMayBeRepeatedWithTheirOwnValue) {
  ProducerOptions options = ValidProducerOptions();
  options.properties = {{"acks", "-1"}, {"enable.idempotence", "true"}};
  absl::StatusOr<Properties> properties = ProducerProperties(options);
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_EQ(Find(*properties, "acks"), "all");
}

struct RejectedProperty {
  std::string name;
  std::string value;
};

class ProducerRejectsWeakerDeliveryTest : public ::testing::TestWithParam<RejectedProperty> {};

TEST_P(ProducerRejectsWeakerDeliveryTest, NamingThePropertyAndTheReason) {
  ProducerOptions options = ValidProducerOptions();
  options.properties = {{GetParam().name, GetParam().value}};
  absl::StatusOr<Properties> properties = ProducerProperties(options);
  ASSERT_EQ(properties.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(properties.status().message(),
              HasSubstr(GetParam().name + "=" + GetParam().value + " is not allowed"));
  EXPECT_THAT(properties.status().message(), HasSubstr("no acknowledged event is lost"));
}

INSTANTIATE_TEST_SUITE_P(WeakSettings, ProducerRejectsWeakerDeliveryTest,
                         ::testing::Values(RejectedProperty{"acks", "1"}, RejectedProperty{"acks", "0"},
                                           RejectedProperty{"request.required.acks", "1"},
                                           RejectedProperty{"enable.idempotence", "false"}));

struct InvalidOptionsCase {
  std::string name;
  std::function<void(ProducerOptions&)> break_options;
  std::string message;
};

class ProducerOptionsValidationTest : public ::testing::TestWithParam<InvalidOptionsCase> {};

TEST_P(ProducerOptionsValidationTest, RejectsInvalidOptionsNamingTheField) {
  ProducerOptions options = ValidProducerOptions();
  GetParam().break_options(options);
  absl::StatusOr<Properties> properties = ProducerProperties(options);
  ASSERT_EQ(properties.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(properties.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProducerOptionsValidationTest,
    ::testing::Values(InvalidOptionsCase{"NoBootstrap",
                                         [](ProducerOptions& o) { o.bootstrap_servers.clear(); },
                                         "ProducerOptions.bootstrap_servers is empty"},
                      InvalidOptionsCase{"ZeroDeliveryTimeout",
                                         [](ProducerOptions& o) { o.delivery_timeout = {}; },
                                         "ProducerOptions.delivery_timeout must be positive"},
                      InvalidOptionsCase{"NegativeLinger",
                                         [](ProducerOptions& o) { o.linger = std::chrono::milliseconds(-1); },
                                         "ProducerOptions.linger must not be negative"},
                      InvalidOptionsCase{"EmptyQueue", [](ProducerOptions& o) { o.max_queued_messages = 0; },
                                         "max_queued_messages and max_queued_kbytes must be positive"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(ConsumerPropertiesTest, DefaultsCommitOnlyWhenTheCallerSays) {
  absl::StatusOr<Properties> properties = ConsumerProperties(ValidConsumerOptions());
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_EQ(Find(*properties, "group.id"), "profile");
  EXPECT_EQ(Find(*properties, "enable.auto.commit"), "false");
  EXPECT_EQ(Find(*properties, "enable.auto.offset.store"), "false");
  EXPECT_EQ(Find(*properties, "auto.offset.reset"), "earliest");
  EXPECT_EQ(Find(*properties, "session.timeout.ms"), "10000");
  EXPECT_EQ(Find(*properties, "heartbeat.interval.ms"), "3000");
  EXPECT_EQ(Find(*properties, "max.poll.interval.ms"), "300000");
}

TEST(ConsumerPropertiesTest, HeartbeatIsAThirdOfAShortSession) {
  ConsumerOptions options = ValidConsumerOptions();
  options.session_timeout = std::chrono::milliseconds(1500);
  absl::StatusOr<Properties> properties = ConsumerProperties(options);
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_EQ(Find(*properties, "heartbeat.interval.ms"), "500");
}

TEST(ConsumerPropertiesTest, OffsetResetMapsToLibrdkafkaNames) {
  for (auto [reset, name] :
       {std::pair{OffsetReset::kEarliest, "earliest"}, std::pair{OffsetReset::kLatest, "latest"},
        std::pair{OffsetReset::kError, "error"}}) {
    ConsumerOptions options = ValidConsumerOptions();
    options.auto_offset_reset = reset;
    absl::StatusOr<Properties> properties = ConsumerProperties(options);
    ASSERT_TRUE(properties.ok()) << properties.status();
    EXPECT_EQ(Find(*properties, "auto.offset.reset"), name);
  }
}

TEST(ConsumerPropertiesTest, RejectsAutomaticCommits) {
  for (const char* name : {"enable.auto.commit", "enable.auto.offset.store"}) {
    ConsumerOptions options = ValidConsumerOptions();
    options.properties = {{name, "true"}};
    absl::StatusOr<Properties> properties = ConsumerProperties(options);
    ASSERT_EQ(properties.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(properties.status().message(), HasSubstr(std::string(name) + "=true"));
    EXPECT_THAT(properties.status().message(), HasSubstr("only after their effects are stored"));
  }
}

struct InvalidConsumerCase {
  std::string name;
  std::function<void(ConsumerOptions&)> break_options;
  std::string message;
};

class ConsumerOptionsValidationTest : public ::testing::TestWithParam<InvalidConsumerCase> {};

TEST_P(ConsumerOptionsValidationTest, RejectsInvalidOptionsNamingTheField) {
  ConsumerOptions options = ValidConsumerOptions();
  GetParam().break_options(options);
  absl::StatusOr<Properties> properties = ConsumerProperties(options);
  ASSERT_EQ(properties.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(properties.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConsumerOptionsValidationTest,
    ::testing::Values(
        InvalidConsumerCase{"NoBootstrap", [](ConsumerOptions& o) { o.bootstrap_servers.clear(); },
                            "ConsumerOptions.bootstrap_servers is empty"},
        InvalidConsumerCase{"NoGroup", [](ConsumerOptions& o) { o.group_id.clear(); },
                            "ConsumerOptions.group_id is empty"},
        InvalidConsumerCase{"NoTopics", [](ConsumerOptions& o) { o.topics.clear(); },
                            "ConsumerOptions.topics must name at least one topic"},
        InvalidConsumerCase{"EmptyTopicName", [](ConsumerOptions& o) { o.topics.push_back(""); },
                            "no empty one"},
        InvalidConsumerCase{"ZeroSession", [](ConsumerOptions& o) { o.session_timeout = {}; },
                            "ConsumerOptions.session_timeout must be positive"},
        InvalidConsumerCase{"PollIntervalShorterThanSession",
                            [](ConsumerOptions& o) { o.max_poll_interval = std::chrono::milliseconds(5000); },
                            "max_poll_interval (5000 ms) must not be shorter than "
                            "session_timeout (10000 ms)"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(NewKafkaConfTest, AcceptsTheMappedProperties) {
  absl::StatusOr<Properties> producer = ProducerProperties(ValidProducerOptions());
  absl::StatusOr<Properties> consumer = ConsumerProperties(ValidConsumerOptions());
  ASSERT_TRUE(producer.ok() && consumer.ok());
  EXPECT_TRUE(NewKafkaConf(*producer).ok()) << NewKafkaConf(*producer).status();
  EXPECT_TRUE(NewKafkaConf(*consumer).ok()) << NewKafkaConf(*consumer).status();
}

TEST(NewKafkaConfTest, RejectsUnknownPropertyWithLibrdkafkasReason) {
  absl::StatusOr<KafkaConfPtr> conf = NewKafkaConf({{"no.such.property", "1"}});
  ASSERT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("Kafka property no.such.property=1 rejected"));
  EXPECT_THAT(conf.status().message(), HasSubstr("No such configuration property"));
}

TEST(NewKafkaConfTest, RejectsBadValueWithLibrdkafkasReason) {
  absl::StatusOr<KafkaConfPtr> conf = NewKafkaConf({{"linger.ms", "soon"}});
  ASSERT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("linger.ms=soon rejected: "));
}

}  // namespace
}  // namespace custflow::kafka

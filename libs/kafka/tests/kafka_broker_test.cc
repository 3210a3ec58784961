// The local broker program (tools/kafka-broker) through its test helper: it serves the
// custflow topics over the Kafka protocol.
#include "tests/support/kafka_broker.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

// Topic name -> partition count, as the broker's metadata says.
std::map<std::string, int> TopicPartitions(const std::string& bootstrap_servers) {
  std::map<std::string, int> topics;
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_servers.c_str(), error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == nullptr) {
    ADD_FAILURE() << error;
    return topics;
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &metadata, 5000);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      topics[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
    }
    rd_kafka_metadata_destroy(metadata);
  } else {
    ADD_FAILURE() << rd_kafka_err2str(err);
  }
  rd_kafka_destroy(rk);
  return topics;
}

TEST(LocalKafkaBrokerTest, ServesTheFourCustflowTopicsWithTheRequestedPartitions) {
  absl::StatusOr<LocalKafkaBroker> started = StartKafkaBroker(3);
  ASSERT_TRUE(started.ok()) << started.status();
  LocalKafkaBroker broker = *std::move(started);  // The handle is movable.
  EXPECT_THAT(broker.bootstrap_servers(), StartsWith("127.0.0.1:"));
  EXPECT_THAT(TopicPartitions(broker.bootstrap_servers()),
              ElementsAre(std::pair<const std::string, int>{"custflow.commands.v1", 3},
                          std::pair<const std::string, int>{"custflow.deadletter.v1", 3},
                          std::pair<const std::string, int>{"custflow.interactions.v1", 3},
                          std::pair<const std::string, int>{"custflow.profiles.v1", 3}));
}

}  // namespace
}  // namespace custflow::testing

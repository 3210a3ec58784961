// Throughput of KafkaProducer and KafkaConsumer against raw librdkafka with the same
// settings, in the same run and against the same local broker (DESIGN.md: a benchmark
// reports the ratio).
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "gtest/gtest.h"
#include "tests/support/kafka_broker.h"

namespace custflow::kafka {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMessages = 200'000;
constexpr char kTopic[] = "custflow.interactions.v1";

// Keys like customer ids and a value the size of a JSON interaction event (~220 B).
std::string Key(int i) { return "customer-" + std::to_string(i % 10'000); }
const std::string kValue(220, 'x');

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void CountDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    static_cast<std::atomic<int>*>(opaque)->fetch_add(1, std::memory_order_relaxed);
  }
}

// Idiomatic librdkafka: produce from one thread, serve delivery reports when the queue
// is full, flush at the end.
double RawLibrdkafkaMessagesPerSecond(const std::string& bootstrap) {
  std::atomic<int> delivered{0};
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [name, value] :
       {std::pair{"bootstrap.servers", bootstrap.c_str()}, std::pair{"acks", "all"},
        std::pair{"enable.idempotence", "true"}, std::pair{"linger.ms", "5"},
        std::pair{"partitioner", "murmur2_random"}, std::pair{"queue.buffering.max.kbytes", "131072"}}) {
    EXPECT_EQ(rd_kafka_conf_set(conf, name, value, error, sizeof error), RD_KAFKA_CONF_OK) << error;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &CountDelivery);
  rd_kafka_conf_set_opaque(conf, &delivered);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, kTopic, nullptr);
  Clock::time_point start = Clock::now();
  for (int i = 0; i < kMessages; ++i) {
    std::string key = Key(i);
    while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                            const_cast<char*>(kValue.data()), kValue.size(), key.data(), key.size(),
                            nullptr) != 0) {
      rd_kafka_poll(rk, 1);
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60'000);
  double seconds = Seconds(start);
  EXPECT_EQ(delivered.load(), kMessages);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
  return kMessages / seconds;
}

double KafkaProducerMessagesPerSecond(const std::string& bootstrap) {
  auto producer = KafkaProducer::Create({.bootstrap_servers = bootstrap});
  EXPECT_TRUE(producer.ok()) << producer.status();
  std::atomic<int> delivered{0};
  Clock::time_point start = Clock::now();
  for (int i = 0; i < kMessages; ++i) {
    std::string key = Key(i);
    auto on_delivery = [&delivered](absl::StatusOr<DeliveryReport> report) {
      if (report.ok()) delivered.fetch_add(1, std::memory_order_relaxed);
    };
    while ((*producer)->Send(kTopic, key, kValue, on_delivery).code() ==
           absl::StatusCode::kResourceExhausted) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_TRUE((*producer)->Flush(std::chrono::seconds(60)).ok());
  double seconds = Seconds(start);
  EXPECT_EQ(delivered.load(), kMessages);
  return kMessages / seconds;
}

TEST(KafkaProducerBench, ThroughputIsCloseToRawLibrdkafka) {
  absl::StatusOr<custflow::testing::LocalKafkaBroker> broker = custflow::testing::StartKafkaBroker();
  ASSERT_TRUE(broker.ok()) << broker.status();
  double raw = RawLibrdkafkaMessagesPerSecond(broker->bootstrap_servers());
  double ours = KafkaProducerMessagesPerSecond(broker->bootstrap_servers());
  std::printf("raw librdkafka: %.0f msg/s, KafkaProducer: %.0f msg/s, ratio %.2f\n", raw, ours, ours / raw);
  EXPECT_GE(ours, 100'000);
  EXPECT_GE(ours / raw, 0.7);
}

// Reads until `expected` messages arrived; the clock starts at the first message, so the
// group join does not count.
double RawConsumerMessagesPerSecond(const std::string& bootstrap, int expected) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [name, value] :
       {std::pair{"bootstrap.servers", bootstrap.c_str()}, std::pair{"group.id", "raw-bench"},
        std::pair{"auto.offset.reset", "earliest"}, std::pair{"enable.auto.commit", "false"}}) {
    EXPECT_EQ(rd_kafka_conf_set(conf, name, value, error, sizeof error), RD_KAFKA_CONF_OK) << error;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kTopic, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  int received = 0;
  size_t bytes = 0;
  Clock::time_point start;
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (received < expected && Clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (received++ == 0) start = Clock::now();
      bytes += message->len + message->key_len;
    }
    rd_kafka_message_destroy(message);
  }
  double seconds = Seconds(start);
  EXPECT_EQ(received, expected);
  EXPECT_GT(bytes, 0u);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return received / seconds;
}

double KafkaConsumerMessagesPerSecond(const std::string& bootstrap, int expected) {
  auto consumer = KafkaConsumer::Create(
      {.bootstrap_servers = bootstrap, .group_id = "custflow-bench", .topics = {kTopic}});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  int received = 0;
  size_t bytes = 0;
  Clock::time_point start;
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (received < expected && Clock::now() < deadline) {
    absl::StatusOr<std::vector<Message>> batch = (*consumer)->Poll(5000, std::chrono::milliseconds(100));
    if (!batch.ok()) {
      ADD_FAILURE() << batch.status();
      break;
    }
    if (batch->empty()) continue;
    if (received == 0) start = Clock::now();
    received += static_cast<int>(batch->size());
    for (const Message& message : *batch) bytes += message.value.size() + message.key.size();
    EXPECT_TRUE((*consumer)->Commit(NextOffsets(*batch)).ok());
  }
  double seconds = Seconds(start);
  EXPECT_EQ(received, expected);
  EXPECT_GT(bytes, 0u);
  return received / seconds;
}

// The mock broker keeps only the last few MB per partition, so this reads what the
// broker still holds: a count that both consumers see alike.
int RetainedMessages(const std::string& bootstrap) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  int64_t total = 0;
  for (int32_t partition = 0; partition < 6; ++partition) {
    int64_t low = 0, high = 0;
    EXPECT_EQ(rd_kafka_query_watermark_offsets(rk, kTopic, partition, &low, &high, 5000),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    total += high - low;
  }
  rd_kafka_destroy(rk);
  return static_cast<int>(total);
}

TEST(KafkaConsumerBench, ThroughputIsCloseToRawLibrdkafka) {
  absl::StatusOr<custflow::testing::LocalKafkaBroker> broker = custflow::testing::StartKafkaBroker();
  ASSERT_TRUE(broker.ok()) << broker.status();
  KafkaProducerMessagesPerSecond(broker->bootstrap_servers());
  int retained = RetainedMessages(broker->bootstrap_servers());
  double raw = RawConsumerMessagesPerSecond(broker->bootstrap_servers(), retained);
  double ours = KafkaConsumerMessagesPerSecond(broker->bootstrap_servers(), retained);
  std::printf(
      "%d messages: raw librdkafka: %.0f msg/s, KafkaConsumer (with commits): %.0f "
      "msg/s, ratio %.2f\n",
      retained, raw, ours, ours / raw);
  EXPECT_GE(ours / raw, 0.7);
}

}  // namespace
}  // namespace custflow::kafka

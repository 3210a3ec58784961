// custflow-tagging: evaluates the tag rules on every profile snapshot and publishes
// set-tags commands; serves the rules over gRPC.
#include <thread>

#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/consume_loop.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "services/tagging/tagger.h"

int main(int argc, char** argv) {
  using namespace custflow;
  core::Config config("tagging");
  core::ServiceHost host("tagging", config);
  std::string brokers = config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  std::string group = config.String("GROUP", "custflow-tagging", "Kafka consumer group of the taggers.");
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;

  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = brokers;
  producer_options.client_id = "custflow-tagging";
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    core::LogError("cannot create Kafka producer", {{"error", producer.status().ToString()}});
    return 1;
  }
  tagging::Tagger tagger(**producer, host.metrics(), domain::kCommandsTopic);
  tagging::TaggingService service;
  host.AddGrpcService(&service);

  kafka::ConsumerOptions consumer_options;
  consumer_options.bootstrap_servers = brokers;
  consumer_options.group_id = group;
  consumer_options.client_id = "custflow-tagging";
  consumer_options.topics = {domain::kProfilesTopic};
  auto consumer = kafka::KafkaConsumer::Create(consumer_options);
  if (!consumer.ok()) {
    core::LogError("cannot create Kafka consumer", {{"error", consumer.status().ToString()}});
    return 1;
  }
  if (absl::Status started = host.Start(); !started.ok()) {
    core::LogError("cannot start", {{"error", started.ToString()}});
    return 1;
  }
  std::thread tag_thread([&] {
    absl::Status ended = kafka::RunConsumeLoop(
        **consumer, {}, [&](std::span<const kafka::Message> batch) { return tagger.Handle(batch); },
        [&](std::chrono::milliseconds wait) { return host.shutdown().WaitFor(wait); },
        [](const absl::Status& error) { core::LogWarn("tagging retry", {{"error", error.ToString()}}); });
    if (!ended.ok()) {
      core::LogError("consumer failed", {{"error", ended.ToString()}});
      host.shutdown().Trigger();
    }
    (void)(*consumer)->Close();
  });
  host.shutdown().Wait();
  tag_thread.join();
  host.Drain();
  return 0;
}

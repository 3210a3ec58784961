// custflow-tagging: evaluates the tag rules on every profile snapshot and publishes
// set-tags commands; serves the rules over gRPC.
#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_consumer.h"
#include "custflow/kafka/kafka_producer.h"
#include "custflow/runtime/runtime.h"
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
  return runtime::ServeWithConsumer(
      host, **consumer, {}, [&](std::span<const kafka::Message> batch) { return tagger.Handle(batch); });
}

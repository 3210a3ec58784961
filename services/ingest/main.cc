// custflow-ingest: interaction events in over gRPC, out to Kafka.
#include "custflow/core/config.h"
#include "custflow/core/log.h"
#include "custflow/core/service_host.h"
#include "custflow/domain/topics.h"
#include "custflow/kafka/kafka_producer.h"
#include "services/ingest/ingest_service.h"

int main(int argc, char** argv) {
  using namespace custflow;
  core::Config config("ingest");
  core::ServiceHost host("ingest", config);
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = config.String("KAFKA_BROKERS", "127.0.0.1:9092", "Kafka bootstrap servers.");
  producer_options.client_id = "custflow-ingest";
  ingest::IngestOptions options;
  options.topic = config.String("TOPIC", domain::kInteractionsTopic, "Topic interactions are published to.");
  options.ack_timeout = config.Duration("ACK_TIMEOUT", std::chrono::seconds(10),
                                        "How long a call waits for Kafka before answering UNAVAILABLE.");
  if (auto exit_code = host.Preflight(argc, argv, config)) return *exit_code;
  auto producer = kafka::KafkaProducer::Create(producer_options);
  if (!producer.ok()) {
    core::LogError("cannot create Kafka producer", {{"error", producer.status().ToString()}});
    return 1;
  }
  ingest::IngestService service(**producer, host.metrics(), options);
  host.AddGrpcService(&service);
  if (absl::Status started = host.Start(); !started.ok()) {
    core::LogError("cannot start", {{"error", started.ToString()}});
    return 1;
  }
  host.shutdown().Wait();
  host.Drain();
  if (absl::Status flushed = (*producer)->Flush(std::chrono::seconds(10)); !flushed.ok()) {
    core::LogWarn("producer flush incomplete", {{"error", flushed.ToString()}});
  }
  return 0;
}

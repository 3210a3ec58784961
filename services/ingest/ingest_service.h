// The IngestService gRPC handlers: validate, resolve the customer, publish to Kafka, and
// acknowledge only once the broker confirmed delivery.
#pragma once

#include <chrono>
#include <string>

#include "custflow/core/metrics.h"
#include "custflow/kafka/producer.h"
#include "custflow/v1/ingest.grpc.pb.h"

namespace custflow::ingest {

struct IngestOptions {
  std::string topic;
  // How long a call waits for the broker before answering UNAVAILABLE.
  std::chrono::milliseconds ack_timeout{10'000};
  size_t max_batch = 1000;
};

class IngestService final : public v1::IngestService::Service {
 public:
  IngestService(kafka::Producer& producer, core::MetricsRegistry& metrics, IngestOptions options);

  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                       v1::PublishResponse* response) override;
  grpc::Status PublishBatch(grpc::ServerContext* context, const v1::PublishBatchRequest* request,
                            v1::PublishBatchResponse* response) override;

 private:
  // Validates, resolves and publishes `events`, filling one result per event.
  void PublishAll(const google::protobuf::RepeatedPtrField<v1::Interaction>& events, bool batch,
                  google::protobuf::RepeatedPtrField<v1::EventResult>& results);

  kafka::Producer& producer_;
  IngestOptions options_;
  core::Counter& accepted_;
  core::Counter& rejected_;
  core::Counter& failed_;
  core::Histogram& ack_latency_;
};

}  // namespace custflow::ingest

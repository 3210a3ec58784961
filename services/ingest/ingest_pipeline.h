// The ingest path shared by the gRPC and HTTP APIs: validate and normalize each event,
// resolve its customer, drop retries of events already accepted, publish to Kafka, and
// report each event's outcome once it is durable (or why it is not). Nothing is
// acknowledged before the broker confirmed it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "custflow/core/metrics.h"
#include "custflow/dedupe/dedupe_store.h"
#include "custflow/kafka/producer.h"
#include "custflow/v1/ingest.pb.h"
#include "services/ingest/event_submitter.h"
#include "services/ingest/event_validation.h"
#include "services/ingest/identity_resolver.h"

namespace custflow::ingest {

struct PipelineOptions {
  std::string topic;
  ValidationOptions validation{};
  // Events accepted but not yet confirmed by the broker, at most; beyond, new events are
  // answered RESOURCE_EXHAUSTED at once.
  size_t max_in_flight = 100'000;
  // How long a retried event id is recognized as a duplicate.
  std::chrono::milliseconds dedupe_window = std::chrono::hours(24);
  // How long an event id stays claimed while its first delivery is under way.
  std::chrono::milliseconds claim_timeout = std::chrono::seconds(30);
};

class IngestPipeline final : public EventSubmitter {
 public:
  IngestPipeline(kafka::Producer& producer, dedupe::DedupeStore& dedupe, IdentityResolver& identities,
                 core::MetricsRegistry& metrics, PipelineOptions options);
  // Publishes what was submitted, writes the dedupe confirmations still queued, then
  // stops. Deliveries still pending must have been flushed before.
  ~IngestPipeline() override;

  void Submit(std::vector<v1::Interaction> events, bool indexed_paths, Done done) override;

  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Batch;
  // Takes the batches submitted meanwhile and publishes them together, so that many
  // small requests (web beacons, one-event stream messages) share one identity lookup
  // and one dedupe round trip.
  void RunPublisher();
  // Resolves, claims and sends the valid events of `batches`.
  void Publish(const std::vector<std::shared_ptr<Batch>>& batches);
  void OnDelivered(const std::shared_ptr<Batch>& batch, size_t index,
                   absl::StatusOr<kafka::DeliveryReport> report);
  // Records the batch's dedupe outcome (on the dedupe writer) and then answers it, so
  // that a retry after the answer is always recognized.
  void Finish(const std::shared_ptr<Batch>& batch);
  void Answer(Batch& batch);
  // Confirms and releases dedupe claims off the delivery thread, many batches per round
  // trip, so a slow Redis never holds up delivery reports.
  void RunDedupeWriter();

  kafka::Producer& producer_;
  dedupe::DedupeStore& dedupe_;
  IdentityResolver& identities_;
  PipelineOptions options_;
  std::atomic<size_t> in_flight_{0};
  std::mutex publish_mutex_;
  std::condition_variable publish_changed_;
  std::vector<std::shared_ptr<Batch>> to_publish_;
  bool publisher_stopping_ = false;
  std::mutex dedupe_mutex_;
  std::condition_variable dedupe_changed_;
  std::vector<std::shared_ptr<Batch>> finished_;
  bool stopping_ = false;
  core::Counter& accepted_;
  core::Counter& duplicates_;
  core::Counter& invalid_;
  core::Counter& overloaded_;
  core::Counter& unavailable_;
  core::Gauge& in_flight_gauge_;
  core::Histogram& ack_latency_;
  // Last: they start after everything they use. The publisher feeds the dedupe writer.
  std::thread dedupe_writer_;
  std::thread publisher_;
};

}  // namespace custflow::ingest

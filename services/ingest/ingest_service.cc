#include "services/ingest/ingest_service.h"

#include <future>
#include <optional>

#include <google/protobuf/util/time_util.h>

#include "custflow/domain/identity.h"
#include "services/ingest/event_validation.h"

namespace custflow::ingest {
namespace {

using Clock = std::chrono::steady_clock;

std::string ResolveCustomerId(const v1::CustomerRef& ref) {
  if (!ref.customer_id().empty()) return ref.customer_id();
  return domain::DeriveCustomerId(*domain::PrimaryIdentity(ref));
}

std::string DescribeViolations(const v1::EventResult& result) {
  std::string text = result.message();
  for (const v1::FieldViolation& v : result.violations()) text += "; " + v.field() + ": " + v.description();
  return text;
}

}  // namespace

IngestService::IngestService(kafka::Producer& producer, core::MetricsRegistry& metrics, IngestOptions options)
    : producer_(producer),
      options_(std::move(options)),
      accepted_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.", {{"result", "accepted"}})),
      rejected_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.", {{"result", "rejected"}})),
      failed_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.", {{"result", "failed"}})),
      ack_latency_(metrics.GetHistogram("custflow_ingest_ack_seconds", "Time from receipt to broker-confirmed ack.",
                                        core::LatencyBuckets())) {}

void IngestService::PublishAll(const google::protobuf::RepeatedPtrField<v1::Interaction>& events, bool batch,
                               google::protobuf::RepeatedPtrField<v1::EventResult>& results) {
  auto start = Clock::now();
  std::vector<std::optional<std::future<absl::StatusOr<kafka::DeliveryReport>>>> pending(events.size());
  for (int i = 0; i < events.size(); ++i) {
    const v1::Interaction& event = events[i];
    v1::EventResult& result = *results.Add();
    result.set_event_id(event.event_id());
    v1::Interaction resolved = event;
    std::vector<v1::FieldViolation> violations =
        ValidateAndNormalize(resolved, {}, batch ? "events[" + std::to_string(i) + "]" : "event");
    if (!violations.empty()) {
      result.set_code(grpc::StatusCode::INVALID_ARGUMENT);
      result.set_message("invalid event");
      for (auto& v : violations) *result.add_violations() = std::move(v);
      rejected_.Increment();
      continue;
    }
    resolved.mutable_customer()->set_customer_id(ResolveCustomerId(resolved.customer()));
    *resolved.mutable_received_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    result.set_customer_id(resolved.customer().customer_id());
    pending[i] = producer_.SendAsync(options_.topic, result.customer_id(), resolved.SerializeAsString());
  }

  auto deadline = start + options_.ack_timeout;
  for (int i = 0; i < events.size(); ++i) {
    if (!pending[i]) continue;
    v1::EventResult& result = results[i];
    if (pending[i]->wait_until(deadline) != std::future_status::ready) {
      result.set_code(grpc::StatusCode::UNAVAILABLE);
      result.set_message("Kafka did not confirm delivery within the ack timeout; retry with the same event id");
      failed_.Increment();
      continue;
    }
    absl::StatusOr<kafka::DeliveryReport> delivered = pending[i]->get();
    if (!delivered.ok()) {
      result.set_code(grpc::StatusCode::UNAVAILABLE);
      result.set_message("not stored: " + std::string(delivered.status().message()));
      failed_.Increment();
      continue;
    }
    accepted_.Increment();
    ack_latency_.Observe(std::chrono::duration<double>(Clock::now() - start).count());
  }
}

grpc::Status IngestService::Publish(grpc::ServerContext*, const v1::PublishRequest* request,
                                    v1::PublishResponse* response) {
  google::protobuf::RepeatedPtrField<v1::Interaction> events;
  *events.Add() = request->event();
  google::protobuf::RepeatedPtrField<v1::EventResult> results;
  PublishAll(events, false, results);
  v1::EventResult& result = results[0];
  if (result.code() != grpc::StatusCode::OK) {
    return grpc::Status(static_cast<grpc::StatusCode>(result.code()), DescribeViolations(result));
  }
  *response->mutable_result() = std::move(result);
  return grpc::Status::OK;
}

grpc::Status IngestService::PublishBatch(grpc::ServerContext*, const v1::PublishBatchRequest* request,
                                         v1::PublishBatchResponse* response) {
  if (static_cast<size_t>(request->events_size()) > options_.max_batch) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "a batch holds at most " + std::to_string(options_.max_batch) + " events, got " +
                            std::to_string(request->events_size()));
  }
  PublishAll(request->events(), true, *response->mutable_results());
  return grpc::Status::OK;
}

}  // namespace custflow::ingest

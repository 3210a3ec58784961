#include "services/ingest/ingest_pipeline.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/support/status.h>

#include <algorithm>

#include "custflow/core/log.h"

namespace custflow::ingest {
namespace {

using Clock = std::chrono::steady_clock;

void Fail(v1::EventResult& result, grpc::StatusCode code, std::string message) {
  result.set_code(code);
  result.set_message(std::move(message));
}

}  // namespace

struct IngestPipeline::Batch {
  std::vector<v1::Interaction> events;
  std::vector<v1::EventResult> results;
  std::vector<bool> sent;  // published to Kafka: confirm or release its claim at the end
  std::atomic<size_t> remaining{0};
  size_t in_flight = 0;  // events counted against max_in_flight
  Clock::time_point started;
  Done done;
};

IngestPipeline::IngestPipeline(kafka::Producer& producer, dedupe::DedupeStore& dedupe,
                               IdentityResolver& identities, core::MetricsRegistry& metrics,
                               PipelineOptions options)
    : producer_(producer),
      dedupe_(dedupe),
      identities_(identities),
      options_(std::move(options)),
      accepted_(
          metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.", {{"result", "accepted"}})),
      duplicates_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.",
                                     {{"result", "duplicate"}})),
      invalid_(
          metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.", {{"result", "invalid"}})),
      overloaded_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.",
                                     {{"result", "overloaded"}})),
      unavailable_(metrics.GetCounter("custflow_ingest_events_total", "Events by outcome.",
                                      {{"result", "unavailable"}})),
      in_flight_gauge_(metrics.GetGauge("custflow_ingest_in_flight", "Events accepted but not yet durable.")),
      ack_latency_(metrics.GetHistogram("custflow_ingest_ack_seconds",
                                        "Time from receipt to the broker-confirmed answer, per event.",
                                        core::LatencyBuckets())),
      dedupe_writer_([this] { RunDedupeWriter(); }),
      publisher_([this] { RunPublisher(); }) {}

IngestPipeline::~IngestPipeline() {
  {
    std::lock_guard lock(publish_mutex_);
    publisher_stopping_ = true;
  }
  publish_changed_.notify_all();
  publisher_.join();
  {
    std::lock_guard lock(dedupe_mutex_);
    stopping_ = true;
  }
  dedupe_changed_.notify_all();
  dedupe_writer_.join();
}

void IngestPipeline::RunPublisher() {
  std::unique_lock lock(publish_mutex_);
  while (true) {
    publish_changed_.wait(lock, [this] { return publisher_stopping_ || !to_publish_.empty(); });
    if (to_publish_.empty()) return;
    std::vector<std::shared_ptr<Batch>> batches = std::move(to_publish_);
    to_publish_.clear();
    lock.unlock();
    Publish(batches);
    lock.lock();
  }
}

void IngestPipeline::RunDedupeWriter() {
  std::unique_lock lock(dedupe_mutex_);
  while (true) {
    dedupe_changed_.wait(lock, [this] { return stopping_ || !finished_.empty(); });
    if (finished_.empty()) return;
    std::vector<std::shared_ptr<Batch>> batches = std::move(finished_);
    finished_.clear();
    lock.unlock();
    std::vector<std::pair<std::string, std::string>> confirm;
    std::vector<std::string> release;
    for (const auto& batch : batches) {
      for (size_t i = 0; i < batch->results.size(); ++i) {
        if (!batch->sent[i]) continue;
        if (batch->results[i].code() == grpc::StatusCode::OK) {
          confirm.emplace_back(batch->results[i].event_id(), batch->results[i].customer_id());
        } else {
          release.push_back(batch->results[i].event_id());
        }
      }
    }
    // The events are durable either way; a lost confirmation only shortens dedupe to the
    // claim timeout.
    if (absl::Status status = dedupe_.Confirm(confirm, options_.dedupe_window); !status.ok()) {
      core::LogWarn("dedupe confirmation failed", {{"error", status.ToString()}, {"events", confirm.size()}});
    }
    if (absl::Status status = dedupe_.Release(release); !status.ok()) {
      core::LogWarn("dedupe release failed", {{"error", status.ToString()}, {"events", release.size()}});
    }
    for (const auto& batch : batches) Answer(*batch);
    lock.lock();
  }
}

void IngestPipeline::Submit(std::vector<v1::Interaction> events, bool indexed_paths, Done done) {
  auto batch = std::make_shared<Batch>();
  batch->started = Clock::now();
  batch->done = std::move(done);
  batch->events = std::move(events);
  const size_t n = batch->events.size();
  batch->results.resize(n);
  batch->sent.assign(n, false);

  size_t valid = 0;
  for (size_t i = 0; i < n; ++i) {
    v1::Interaction& event = batch->events[i];
    v1::EventResult& result = batch->results[i];
    result.set_event_id(event.event_id());
    std::vector<v1::FieldViolation> violations = ValidateAndNormalize(
        event, options_.validation, indexed_paths ? "events[" + std::to_string(i) + "]" : "event");
    if (violations.empty()) {
      ++valid;
      continue;
    }
    Fail(result, grpc::StatusCode::INVALID_ARGUMENT, "invalid event");
    for (v1::FieldViolation& violation : violations) *result.add_violations() = std::move(violation);
    invalid_.Increment();
  }

  size_t before = in_flight_.fetch_add(valid, std::memory_order_relaxed);
  batch->in_flight = valid;
  in_flight_gauge_.Add(static_cast<int64_t>(valid));
  if (valid > 0 && before + valid > options_.max_in_flight) {
    for (v1::EventResult& result : batch->results) {
      if (result.code() != grpc::StatusCode::OK) continue;
      Fail(result, grpc::StatusCode::RESOURCE_EXHAUSTED,
           "ingest has " + std::to_string(before) + " events in flight (limit " +
               std::to_string(options_.max_in_flight) + "); retry later with the same event ids");
      overloaded_.Increment();
    }
    Finish(batch);
    return;
  }
  if (valid == 0) {
    Finish(batch);
    return;
  }
  {
    std::lock_guard lock(publish_mutex_);
    to_publish_.push_back(std::move(batch));
  }
  publish_changed_.notify_one();
}

void IngestPipeline::Publish(const std::vector<std::shared_ptr<Batch>>& batches) {
  struct Position {
    std::shared_ptr<Batch> batch;
    size_t index;
  };
  std::vector<Position> valid;
  std::vector<const v1::CustomerRef*> refs;
  std::vector<std::string> event_ids;
  for (const auto& batch : batches) {
    for (size_t i = 0; i < batch->events.size(); ++i) {
      if (batch->results[i].code() != grpc::StatusCode::OK) continue;
      valid.push_back({batch, i});
      refs.push_back(&batch->events[i].customer());
      event_ids.push_back(batch->events[i].event_id());
    }
  }
  auto unavailable = [&](const absl::Status& status, const char* what) {
    core::LogWarn(what, {{"error", status.ToString()}});
    for (const Position& at : valid) {
      Fail(at.batch->results[at.index], grpc::StatusCode::UNAVAILABLE,
           std::string(what) + ": " + std::string(status.message()) + "; retry with the same event ids");
      unavailable_.Increment();
    }
    for (const auto& batch : batches) Finish(batch);
  };
  absl::StatusOr<std::vector<std::string>> customer_ids = identities_.Resolve(refs);
  if (!customer_ids.ok()) return unavailable(customer_ids.status(), "identity index unavailable");
  absl::StatusOr<std::vector<dedupe::DedupeStore::Claim>> claims =
      dedupe_.ClaimIds(event_ids, options_.claim_timeout);
  if (!claims.ok()) return unavailable(claims.status(), "dedupe store unavailable");

  auto received_at = google::protobuf::util::TimeUtil::GetCurrentTime();
  for (const auto& batch : batches) batch->remaining = 1;  // held until every Send was issued
  for (size_t j = 0; j < valid.size(); ++j) {
    Batch& batch = *valid[j].batch;
    size_t i = valid[j].index;
    v1::Interaction& event = batch.events[i];
    v1::EventResult& result = batch.results[i];
    const dedupe::DedupeStore::Claim& claim = (*claims)[j];
    if (claim.state != dedupe::DedupeStore::ClaimState::kClaimed) {
      if (claim.state == dedupe::DedupeStore::ClaimState::kDuplicate) {
        result.set_customer_id(claim.customer_id);
        result.set_duplicate(true);
        duplicates_.Increment();
      } else {
        Fail(result, grpc::StatusCode::ABORTED, "this event id is being published by another request; retry");
      }
      continue;
    }
    event.mutable_customer()->set_customer_id((*customer_ids)[j]);
    *event.mutable_received_at() = received_at;
    result.set_customer_id((*customer_ids)[j]);
    batch.sent[i] = true;
    ++batch.remaining;
    // The producer copies the bytes, so one buffer per thread serves every event.
    thread_local std::string serialized;
    event.SerializeToString(&serialized);
    absl::Status queued =
        producer_.Send(options_.topic, result.customer_id(), serialized,
                       [this, owner = valid[j].batch, i](absl::StatusOr<kafka::DeliveryReport> report) {
                         OnDelivered(owner, i, std::move(report));
                       });
    if (!queued.ok()) {
      Fail(result,
           queued.code() == absl::StatusCode::kResourceExhausted ? grpc::StatusCode::RESOURCE_EXHAUSTED
                                                                 : grpc::StatusCode::UNAVAILABLE,
           "not queued for Kafka: " + std::string(queued.message()));
      overloaded_.Increment();
      --batch.remaining;
    }
  }
  for (const auto& batch : batches) {
    if (--batch->remaining == 0) Finish(batch);
  }
}

void IngestPipeline::OnDelivered(const std::shared_ptr<Batch>& batch, size_t index,
                                 absl::StatusOr<kafka::DeliveryReport> report) {
  v1::EventResult& result = batch->results[index];
  if (report.ok()) {
    accepted_.Increment();
    ack_latency_.Observe(std::chrono::duration<double>(Clock::now() - batch->started).count());
  } else {
    Fail(result, grpc::StatusCode::UNAVAILABLE,
         "Kafka did not confirm the event: " + std::string(report.status().message()) +
             "; retry with the same event id");
    unavailable_.Increment();
  }
  if (--batch->remaining == 0) Finish(batch);
}

void IngestPipeline::Finish(const std::shared_ptr<Batch>& batch) {
  if (std::find(batch->sent.begin(), batch->sent.end(), true) == batch->sent.end()) {
    Answer(*batch);
    return;
  }
  {
    std::lock_guard lock(dedupe_mutex_);
    finished_.push_back(batch);
  }
  dedupe_changed_.notify_one();
}

void IngestPipeline::Answer(Batch& batch) {
  in_flight_.fetch_sub(batch.in_flight, std::memory_order_relaxed);
  in_flight_gauge_.Add(-static_cast<int64_t>(batch.in_flight));
  std::move(batch.done)(std::move(batch.results));
}

}  // namespace custflow::ingest

// The IngestService handlers: authorization, then events to the submitter and results back.
#include "services/ingest/ingest_service.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "custflow/core/grpc_status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace custflow::ingest {
namespace {

// RESOURCE_EXHAUSTED; with a google.rpc.RetryInfo detail when a resend can pass.
grpc::Status RateLimitedStatus(const IngestRateLimit::Refusal& refusal) {
  constexpr auto kCode = grpc::StatusCode::RESOURCE_EXHAUSTED;
  if (!refusal.retry_after) return grpc::Status(kCode, refusal.message);
  google::rpc::RetryInfo retry_info;
  auto seconds = std::chrono::floor<std::chrono::seconds>(*refusal.retry_after);
  retry_info.mutable_retry_delay()->set_seconds(seconds.count());
  retry_info.mutable_retry_delay()->set_nanos(static_cast<int32_t>((*refusal.retry_after - seconds).count()));
  google::rpc::Status details;
  details.set_code(kCode);
  details.set_message(refusal.message);
  details.add_details()->PackFrom(retry_info);
  return grpc::Status(kCode, refusal.message, details.SerializeAsString());
}

grpc::Status TooManyEvents(size_t got, size_t limit) {
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      "events: at most " + std::to_string(limit) + " events per request, got " + std::to_string(got));
}

// What one stream shares between its reader (the handler), the pipeline's callbacks and
// its writer thread.
struct StreamState {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<v1::EventResult>> ready;
  size_t outstanding = 0;  // events submitted, not yet written back
  bool reading_done = false;
  bool broken = false;  // a write failed: the client is gone
};

}  // namespace

grpc::Status StatusForResult(const v1::EventResult& result) {
  std::string message = result.message();
  for (const v1::FieldViolation& v : result.violations())
    message += "; " + v.field() + ": " + v.description();
  if (result.violations().empty()) return grpc::Status(static_cast<grpc::StatusCode>(result.code()), message);
  google::rpc::BadRequest bad_request;
  for (const v1::FieldViolation& v : result.violations()) {
    google::rpc::BadRequest::FieldViolation& out = *bad_request.add_field_violations();
    out.set_field(v.field());
    out.set_description(v.description());
  }
  google::rpc::Status details;
  details.set_code(result.code());
  details.set_message(message);
  details.add_details()->PackFrom(bad_request);
  return grpc::Status(static_cast<grpc::StatusCode>(result.code()), message, details.SerializeAsString());
}

IngestService::IngestService(EventSubmitter& submitter, const auth::RequestAuthenticator& auth,
                             IngestServiceOptions options)
    : submitter_(submitter), auth_(auth), options_(options) {}

std::optional<grpc::Status> IngestService::RateLimited(const auth::Principal& caller, size_t events) {
  if (options_.rate_limit == nullptr) return std::nullopt;
  std::optional<IngestRateLimit::Refusal> refusal = options_.rate_limit->Take(caller, events);
  if (!refusal) return std::nullopt;
  return RateLimitedStatus(*refusal);
}

std::vector<v1::EventResult> IngestService::SubmitAndWait(std::vector<v1::Interaction> events,
                                                          bool indexed_paths) {
  std::promise<std::vector<v1::EventResult>> promise;
  std::future<std::vector<v1::EventResult>> results = promise.get_future();
  submitter_.Submit(std::move(events), indexed_paths,
                    [&promise](std::vector<v1::EventResult> done) { promise.set_value(std::move(done)); });
  return results.get();
}

grpc::Status IngestService::Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                                    v1::PublishResponse* response) {
  absl::StatusOr<auth::Principal> caller = auth_.Authorize(context, "/custflow.v1.IngestService/Publish");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  if (std::optional<grpc::Status> refused = RateLimited(*caller, 1)) return *refused;
  std::vector<v1::Interaction> events = {request->event()};
  v1::EventResult result = std::move(SubmitAndWait(std::move(events), false)[0]);
  if (result.code() != grpc::StatusCode::OK) {
    return StatusForResult(result);
  }
  *response->mutable_result() = std::move(result);
  return grpc::Status::OK;
}

grpc::Status IngestService::PublishBatch(grpc::ServerContext* context, const v1::PublishBatchRequest* request,
                                         v1::PublishBatchResponse* response) {
  absl::StatusOr<auth::Principal> caller =
      auth_.Authorize(context, "/custflow.v1.IngestService/PublishBatch");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  if (static_cast<size_t>(request->events_size()) > options_.max_batch) {
    return TooManyEvents(request->events_size(), options_.max_batch);
  }
  if (std::optional<grpc::Status> refused = RateLimited(*caller, request->events_size())) return *refused;
  std::vector<v1::Interaction> events(request->events().begin(), request->events().end());
  for (v1::EventResult& result : SubmitAndWait(std::move(events), true)) {
    *response->add_results() = std::move(result);
  }
  return grpc::Status::OK;
}

grpc::Status IngestService::StreamEvents(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>* stream) {
  absl::StatusOr<auth::Principal> caller =
      auth_.Authorize(context, "/custflow.v1.IngestService/StreamEvents");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  StreamState state;
  std::thread writer([&] {
    std::unique_lock lock(state.mutex);
    while (true) {
      state.changed.wait(
          lock, [&] { return !state.ready.empty() || (state.reading_done && state.outstanding == 0); });
      if (state.ready.empty()) return;
      std::vector<v1::EventResult> results = std::move(state.ready.front());
      state.ready.pop_front();
      lock.unlock();
      v1::StreamEventsResponse response;
      for (v1::EventResult& result : results) *response.add_results() = std::move(result);
      bool written = stream->Write(response);
      lock.lock();
      state.broken |= !written;
      state.outstanding -= results.size();
      state.changed.notify_all();
    }
  });

  v1::StreamEventsRequest request;
  grpc::Status status = grpc::Status::OK;
  while (stream->Read(&request)) {
    size_t n = request.events_size();
    if (n == 0) continue;
    if (n > options_.max_batch) {
      status = TooManyEvents(n, options_.max_batch);
      break;
    }
    {
      std::unique_lock lock(state.mutex);
      state.changed.wait(lock, [&] {
        return state.broken || context->IsCancelled() ||
               state.outstanding + n <= options_.max_stream_in_flight;
      });
      if (state.broken || context->IsCancelled()) break;
      state.outstanding += n;
    }
    if (std::optional<grpc::Status> refused = RateLimited(*caller, n)) {
      // Each event is acknowledged as failed, like any other failure; the stream goes on.
      std::vector<v1::EventResult> results(n);
      for (size_t i = 0; i < n; ++i) {
        results[i].set_event_id(request.events(static_cast<int>(i)).event_id());
        results[i].set_code(refused->error_code());
        results[i].set_message(refused->error_message());
      }
      std::lock_guard lock(state.mutex);
      state.ready.push_back(std::move(results));
      state.changed.notify_all();
      continue;
    }
    std::vector<v1::Interaction> events(std::make_move_iterator(request.mutable_events()->begin()),
                                        std::make_move_iterator(request.mutable_events()->end()));
    submitter_.Submit(std::move(events), true, [&state](std::vector<v1::EventResult> results) {
      std::lock_guard lock(state.mutex);
      state.ready.push_back(std::move(results));
      state.changed.notify_all();
    });
  }
  {
    std::lock_guard lock(state.mutex);
    state.reading_done = true;
    state.changed.notify_all();
  }
  writer.join();
  if (state.broken) return grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading results");
  return status;
}

}  // namespace custflow::ingest

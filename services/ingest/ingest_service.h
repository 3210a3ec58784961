// The IngestService gRPC handlers over the ingest pipeline: one event, a batch, or a
// long-lived bidirectional stream that answers each event as soon as it is durable. Every
// rpc authorizes its caller before it reads a single event.
#pragma once

#include <cstddef>
#include <optional>

#include "custflow/auth/request_authenticator.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "services/ingest/event_submitter.h"
#include "services/ingest/ingest_rate_limit.h"

namespace custflow::ingest {

struct IngestServiceOptions {
  // Events in one PublishBatch request or one stream message, at most.
  size_t max_batch = 1000;
  // Events of one stream submitted but not yet answered, at most; beyond it the server
  // stops reading the stream, so gRPC flow control slows the sender down.
  size_t max_stream_in_flight = 10'000;
  // Each principal's events per second, shared with HttpIngest; null for no limit. A
  // Publish or PublishBatch over it answers RESOURCE_EXHAUSTED with a google.rpc.RetryInfo
  // detail and publishes nothing; a stream answers each event of an over-limit message
  // RESOURCE_EXHAUSTED and reads on. Must outlive the service.
  IngestRateLimit* rate_limit = nullptr;
};

// The gRPC status for a failed event: its code and message, and for invalid events a
// google.rpc.BadRequest detail with one field violation per problem.
grpc::Status StatusForResult(const v1::EventResult& result);

class IngestService final : public v1::IngestService::Service {
 public:
  // `auth` must outlive the service.
  IngestService(EventSubmitter& submitter, const auth::RequestAuthenticator& auth,
                IngestServiceOptions options);

  grpc::Status Publish(grpc::ServerContext* context, const v1::PublishRequest* request,
                       v1::PublishResponse* response) override;
  grpc::Status PublishBatch(grpc::ServerContext* context, const v1::PublishBatchRequest* request,
                            v1::PublishBatchResponse* response) override;
  grpc::Status StreamEvents(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::StreamEventsResponse, v1::StreamEventsRequest>* stream) override;

 private:
  // The status refusing a request of `events` events from `caller`, or nullopt when the
  // rate limit lets it through (its tokens are then taken).
  std::optional<grpc::Status> RateLimited(const auth::Principal& caller, size_t events);
  // Submits and waits for the results.
  std::vector<v1::EventResult> SubmitAndWait(std::vector<v1::Interaction> events, bool indexed_paths);

  EventSubmitter& submitter_;
  const auth::RequestAuthenticator& auth_;
  IngestServiceOptions options_;
};

}  // namespace custflow::ingest

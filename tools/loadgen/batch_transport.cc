// Batch mode: each worker calls IngestService.PublishBatch once per batch and waits for its
// answer, so a worker has one batch in flight; --concurrency runs more of them.
#include "absl/strings/str_cat.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

class BatchTransport final : public Transport {
 public:
  explicit BatchTransport(const LoadContext& context) : context_(context) {}

  absl::Status RunWorker(int worker, RunStats& stats) override {
    auto stub = v1::IngestService::NewStub(WorkerChannel(context_.options.target, worker));
    while (std::optional<PreparedBatch> batch = NextBatch(context_)) {
      if (absl::Status status = Publish(*stub, std::move(*batch), stats); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Publish(v1::IngestService::Stub& stub, PreparedBatch batch, RunStats& stats) {
    v1::PublishBatchRequest request;
    std::unordered_set<std::string> awaiting;
    for (v1::Interaction& event : batch.events) {
      awaiting.insert(event.event_id());
      *request.add_events() = std::move(event);
    }
    grpc::ClientContext rpc;
    rpc.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::milliseconds>(context_.options.timeout));
    tools::AddCredentials(rpc);
    Clock::time_point sent_at = Clock::now();
    stats.RecordSend(sent_at, awaiting.size());
    context_.live.sent.fetch_add(awaiting.size(), std::memory_order_relaxed);
    v1::PublishBatchResponse response;
    grpc::Status status = stub.PublishBatch(&rpc, request, &response);
    Clock::time_point now = Clock::now();
    if (!status.ok()) {
      RejectAll(awaiting, sent_at, now, status.error_code(), status.error_message(), stats, context_.live);
      if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) return absl::OkStatus();
      context_.schedule.Stop();
      return absl::UnimplementedError(absl::StrCat("the ingest server at ", context_.options.target,
                                                   " does not implement IngestService.PublishBatch (",
                                                   status.error_message(), ")"));
    }
    RecordResults(response.results(), sent_at, now, awaiting, stats, context_.live);
    stats.unanswered += awaiting.size();
    return absl::OkStatus();
  }

  const LoadContext& context_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> MakeBatchTransport(const LoadContext& context) {
  return std::make_unique<BatchTransport>(context);
}

}  // namespace custflow::loadgen

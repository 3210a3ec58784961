// A way of delivering the generated events (gRPC stream, gRPC batches, HTTP, a file) and
// what every worker of a run shares: options, generator, schedule and live counters.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/sample/sample_generator.h"
#include "custflow/v1/ingest.pb.h"
#include "custflow/v1/interaction.pb.h"
#include "tools/loadgen/batch_schedule.h"
#include "tools/loadgen/event_id_log.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/run_stats.h"

namespace custflow::loadgen {

// Totals while the run goes on, for progress lines; the report uses the workers' RunStats.
struct LiveCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> rejected{0};
  EventIdLog* id_log = nullptr;  // where each result's event id goes, when asked for
};

struct LoadContext {
  const LoadgenOptions& options;
  const sample::SampleGenerator& generator;
  BatchSchedule& schedule;
  LiveCounters& live;
};

struct PreparedBatch {
  ScheduledBatch slot;
  std::vector<v1::Interaction> events;
};

// Claims the next batch, makes its events and waits until it is due; nothing when the run
// is over.
std::optional<PreparedBatch> NextBatch(const LoadContext& context);

// A rejected event's message and its field violations, for the report.
std::string DescribeRejection(const v1::EventResult& result);

// Records each result in `results` for the events of a batch sent at `sent_at`, matching
// them by event id: `awaiting` holds the ids still without a result and loses each
// matched one. Results naming no awaited id count as unmatched.
void RecordResults(const google::protobuf::RepeatedPtrField<v1::EventResult>& results,
                   Clock::time_point sent_at, Clock::time_point at, std::unordered_set<std::string>& awaiting,
                   RunStats& stats, LiveCounters& live);

// Writes one event's result to the live id log, when there is one.
void LogResult(LiveCounters& live, const std::string& event_id, int code);

// Every event still in `awaiting` failed with `code` (a whole request failed); empties it.
void RejectAll(std::unordered_set<std::string>& awaiting, Clock::time_point sent_at, Clock::time_point at,
               int code, const std::string& message, RunStats& stats, LiveCounters& live);

// A gRPC channel of its own for worker `worker`, so that workers do not share one
// connection (and one HTTP/2 flow-control window).
std::shared_ptr<grpc::Channel> WorkerChannel(const std::string& target, int worker);

class Transport {
 public:
  virtual ~Transport() = default;

  // One worker: sends batches from NextBatch until there are none, recording every event's
  // outcome in `stats`. An error means the run cannot go on (the other workers are stopped),
  // e.g. the server does not implement the method; per-event failures are only counted.
  virtual absl::Status RunWorker(int worker, RunStats& stats) = 0;

  // Whether acknowledgement latencies mean anything (not for files).
  virtual bool measures_latency() const { return true; }
};

absl::StatusOr<std::unique_ptr<Transport>> MakeStreamTransport(const LoadContext& context);
absl::StatusOr<std::unique_ptr<Transport>> MakeBatchTransport(const LoadContext& context);
absl::StatusOr<std::unique_ptr<Transport>> MakeHttpTransport(const LoadContext& context);
absl::StatusOr<std::unique_ptr<Transport>> MakeFileTransport(const LoadContext& context);

}  // namespace custflow::loadgen

// Stream mode: each worker keeps one IngestService.StreamEvents stream open, writes one
// request per batch and reads results on a second thread. The server answers each event
// once it is durable, in any order and in any grouping, so results are matched by event
// id. A third thread cancels the stream when results stop coming (or the run overstays
// its plan), which keeps every wait bounded even when a write blocks on flow control.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "custflow/v1/ingest.grpc.pb.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {
namespace {

using Stream = grpc::ClientReaderWriter<v1::StreamEventsRequest, v1::StreamEventsResponse>;

constexpr auto kWatchdogTick = std::chrono::milliseconds(50);

std::chrono::nanoseconds Nanos(std::chrono::duration<double> value) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(value);
}

absl::Status Unimplemented(const std::string& target, const grpc::Status& status) {
  return absl::UnimplementedError(absl::StrCat("the ingest server at ", target,
                                               " does not implement IngestService.StreamEvents (",
                                               status.error_message(), "); use --mode batch or --mode http"));
}

// How a stream session ended.
struct SessionEnd {
  bool run_over = false;    // no more batches to send
  bool progressed = false;  // at least one result arrived
  grpc::Status status;      // the stream's final status
};

// One stream from open to finish.
class StreamSession {
 public:
  StreamSession(const LoadContext& context, v1::IngestService::Stub& stub, RunStats& stats)
      : context_(context), stub_(stub), stats_(stats) {}

  // Sends until the run is over or the stream breaks.
  SessionEnd Run();

 private:
  void ReadResults();
  void Watch();
  // Waits for room for one more batch; false when the stream ended meanwhile.
  bool WaitForRoom();
  bool Send(PreparedBatch batch);
  void Drain();
  // Counts what never got a result once the stream finished with `status`.
  void SettleRemaining(const grpc::Status& status);

  const LoadContext& context_;
  v1::IngestService::Stub& stub_;
  RunStats& stats_;
  grpc::ClientContext rpc_;
  std::unique_ptr<Stream> stream_;

  std::mutex mutex_;
  std::condition_variable changed_;                              // results arrived or the reader ended
  std::condition_variable watchdog_wake_;                        // the session finished
  std::unordered_map<std::string, Clock::time_point> awaiting_;  // event id -> sent at
  Clock::time_point last_progress_ = Clock::now();
  bool reader_done_ = false;
  bool progressed_ = false;
  bool finished_ = false;
  bool cancelled_for_stall_ = false;
};

SessionEnd StreamSession::Run() {
  tools::AddCredentials(rpc_);
  stream_ = stub_.StreamEvents(&rpc_);
  std::thread reader([this] { ReadResults(); });
  std::thread watchdog([this] { Watch(); });
  SessionEnd end;
  bool write_failed = false;
  while (!write_failed && WaitForRoom()) {
    std::optional<PreparedBatch> batch = NextBatch(context_);
    end.run_over = !batch.has_value();
    if (end.run_over) break;
    write_failed = !Send(std::move(*batch));
  }
  if (!write_failed) stream_->WritesDone();
  Drain();
  reader.join();
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    end.progressed = progressed_;
  }
  watchdog_wake_.notify_all();
  watchdog.join();
  end.status = stream_->Finish();
  SettleRemaining(end.status);
  return end;
}

void StreamSession::ReadResults() {
  v1::StreamEventsResponse response;
  while (stream_->Read(&response)) {
    Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    for (const v1::EventResult& result : response.results()) {
      auto it = awaiting_.find(result.event_id());
      if (it == awaiting_.end()) {
        ++stats_.unmatched;
        continue;
      }
      stats_.RecordResult(it->second, now, result.code(), result.duplicate(),
                          result.code() == 0 ? std::string() : DescribeRejection(result));
      (result.code() == 0 ? context_.live.acked : context_.live.rejected)
          .fetch_add(1, std::memory_order_relaxed);
      LogResult(context_.live, result.event_id(), result.code());
      awaiting_.erase(it);
    }
    last_progress_ = now;
    progressed_ = true;
    changed_.notify_all();
  }
  std::lock_guard lock(mutex_);
  reader_done_ = true;
  changed_.notify_all();
}

void StreamSession::Watch() {
  const LoadgenOptions& options = context_.options;
  std::optional<Clock::time_point> planned_end = context_.schedule.planned_end();
  std::optional<Clock::time_point> hard_deadline;
  if (planned_end) hard_deadline = *planned_end + Nanos(options.drain_timeout + options.timeout);
  std::unique_lock lock(mutex_);
  while (!finished_) {
    watchdog_wake_.wait_for(lock, kWatchdogTick);
    Clock::time_point now = Clock::now();
    bool stalled = !awaiting_.empty() && now - last_progress_ > Nanos(options.timeout);
    bool overdue = hard_deadline && now > *hard_deadline;
    if (!finished_ && !reader_done_ && (stalled || overdue)) {
      cancelled_for_stall_ = true;
      rpc_.TryCancel();
      return;
    }
  }
}

bool StreamSession::WaitForRoom() {
  auto room = static_cast<size_t>(context_.options.max_in_flight - context_.options.batch);
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return reader_done_ || awaiting_.size() <= room; });
  return !reader_done_;
}

bool StreamSession::Send(PreparedBatch batch) {
  v1::StreamEventsRequest request;
  for (v1::Interaction& event : batch.events) *request.add_events() = std::move(event);
  Clock::time_point now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (awaiting_.empty()) last_progress_ = now;
    for (const v1::Interaction& event : request.events()) awaiting_.emplace(event.event_id(), now);
    stats_.RecordSend(now, static_cast<uint64_t>(request.events_size()));
  }
  context_.live.sent.fetch_add(static_cast<uint64_t>(request.events_size()), std::memory_order_relaxed);
  return stream_->Write(request);
}

void StreamSession::Drain() {
  Clock::time_point deadline = Clock::now() + Nanos(context_.options.drain_timeout);
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] { return reader_done_ || awaiting_.empty(); });
  // A server that answered everything closes the stream after our WritesDone; give it the
  // rest of the drain time to do so, then stop waiting.
  changed_.wait_until(lock, deadline, [&] { return reader_done_; });
  if (!reader_done_) rpc_.TryCancel();
}

void StreamSession::SettleRemaining(const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  if (awaiting_.empty()) return;
  bool server_error =
      !status.ok() && !cancelled_for_stall_ && status.error_code() != grpc::StatusCode::CANCELLED;
  if (!server_error) {
    stats_.unanswered += awaiting_.size();
    awaiting_.clear();
    return;
  }
  Clock::time_point now = Clock::now();
  std::string message = absl::StrCat("stream ended: ", status.error_message());
  for (const auto& [id, sent_at] : awaiting_) {
    stats_.RecordResult(sent_at, now, status.error_code(), false, message);
    LogResult(context_.live, id, status.error_code());
  }
  context_.live.rejected.fetch_add(awaiting_.size(), std::memory_order_relaxed);
  awaiting_.clear();
}

// Consecutive streams that broke without a single result before a worker gives up.
constexpr int kMaxFruitlessStreams = 5;

class StreamTransport final : public Transport {
 public:
  explicit StreamTransport(const LoadContext& context) : context_(context) {}

  absl::Status RunWorker(int worker, RunStats& stats) override {
    auto stub = v1::IngestService::NewStub(WorkerChannel(context_.options.target, worker));
    auto backoff = std::chrono::milliseconds(100);
    int fruitless = 0;
    while (true) {
      StreamSession session(context_, *stub, stats);
      SessionEnd end = session.Run();
      if (end.status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        context_.schedule.Stop();
        return Unimplemented(context_.options.target, end.status);
      }
      if (end.run_over) return absl::OkStatus();
      fruitless = end.progressed ? 0 : fruitless + 1;
      if (end.progressed) backoff = std::chrono::milliseconds(100);
      if (fruitless == kMaxFruitlessStreams) {
        context_.schedule.Stop();
        return absl::UnavailableError(absl::StrCat(
            "no result on ", fruitless, " streams in a row to ", context_.options.target,
            "; the last ended with ", CodeName(end.status.error_code()), ": ", end.status.error_message()));
      }
      // The stream broke (server restart, network): open a new one after a pause.
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }

 private:
  const LoadContext& context_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> MakeStreamTransport(const LoadContext& context) {
  return std::make_unique<StreamTransport>(context);
}

}  // namespace custflow::loadgen

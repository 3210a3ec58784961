#include "tools/loadgen/transport.h"

#include <thread>

namespace custflow::loadgen {

std::optional<PreparedBatch> NextBatch(const LoadContext& context) {
  std::optional<ScheduledBatch> slot = context.schedule.Claim(Clock::now());
  if (!slot) return std::nullopt;
  PreparedBatch batch{*slot, {}};
  batch.events.reserve(slot->count);
  for (uint64_t i = 0; i < slot->count; ++i)
    batch.events.push_back(context.generator.Event(slot->first_event + i));
  std::this_thread::sleep_until(slot->send_at);
  return batch;
}

std::string DescribeRejection(const v1::EventResult& result) {
  std::string text = result.message();
  for (const v1::FieldViolation& violation : result.violations()) {
    text += (text.empty() ? "" : "; ") + violation.field() + ": " + violation.description();
  }
  return text;
}

void RecordResults(const google::protobuf::RepeatedPtrField<v1::EventResult>& results,
                   Clock::time_point sent_at, Clock::time_point at, std::unordered_set<std::string>& awaiting,
                   RunStats& stats, LiveCounters& live) {
  for (const v1::EventResult& result : results) {
    if (awaiting.erase(result.event_id()) == 0) {
      ++stats.unmatched;
      continue;
    }
    stats.RecordResult(sent_at, at, result.code(), result.duplicate(),
                       result.code() == 0 ? std::string() : DescribeRejection(result));
    (result.code() == 0 ? live.acked : live.rejected).fetch_add(1, std::memory_order_relaxed);
    LogResult(live, result.event_id(), result.code());
  }
}

void LogResult(LiveCounters& live, const std::string& event_id, int code) {
  if (live.id_log == nullptr) return;
  if (code == 0) {
    live.id_log->Acked(event_id);
  } else {
    live.id_log->Refused(event_id, code);
  }
}

void RejectAll(std::unordered_set<std::string>& awaiting, Clock::time_point sent_at, Clock::time_point at,
               int code, const std::string& message, RunStats& stats, LiveCounters& live) {
  for (const std::string& event_id : awaiting) {
    stats.RecordResult(sent_at, at, code, false, message);
    LogResult(live, event_id, code);
  }
  live.rejected.fetch_add(awaiting.size(), std::memory_order_relaxed);
  awaiting.clear();
}

std::shared_ptr<grpc::Channel> WorkerChannel(const std::string& target, int worker) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetMaxSendMessageSize(64 << 20);
  arguments.SetString("custflow.loadgen.worker", std::to_string(worker));
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
}

}  // namespace custflow::loadgen

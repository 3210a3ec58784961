// What a run achieved: counts of sent, acknowledged, rejected (by gRPC status code, with
// the server's first message for each), duplicate and unanswered events, the timing of
// sends and results, and the acknowledgement latencies; rendered as a readable report
// and as the one machine-readable `loadgen:` line that scripts and benchmarks parse.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "tools/loadgen/batch_schedule.h"
#include "tools/loadgen/latency_histogram.h"

namespace custflow::loadgen {

struct RunStats {
  uint64_t sent = 0;
  uint64_t acked = 0;       // code 0, duplicates included
  uint64_t duplicates = 0;  // acknowledged as already accepted
  uint64_t unanswered = 0;  // sent, but no result before the run ended
  uint64_t unmatched = 0;   // results naming no event this worker is waiting for
  std::map<int, uint64_t> rejected_by_code;
  std::map<int, std::string> first_message_by_code;
  LatencyHistogram latency;
  std::optional<Clock::time_point> first_send;
  std::optional<Clock::time_point> last_send;
  std::optional<Clock::time_point> last_result;

  uint64_t rejected() const;

  void RecordSend(Clock::time_point at, uint64_t events);
  // One event's result `code` (0 = acknowledged) arriving at `at` for a send at `sent_at`.
  void RecordResult(Clock::time_point sent_at, Clock::time_point at, int code, bool duplicate,
                    const std::string& message);
  void Merge(const RunStats& other);
};

struct RunSummary {
  double rate = 0;       // acknowledged (file mode: written) events per second
  double send_rate = 0;  // sent events per second
  double seconds = 0;    // first send to last result
};

// `interval` is the schedule's time between batches: a paced run's last batch owns one
// interval too, so that N events at R/s measure as R/s rather than a little more.
RunSummary Summarize(const RunStats& stats, std::chrono::duration<double> interval);

// The report for people: counts, rejections with their messages, rates, latencies.
std::string HumanReport(const RunStats& stats, const RunSummary& summary, bool latencies_measured);

// "loadgen: sent=N acked=N rejected=N rate=R p50_ms=.. p99_ms=.. ..." (no newline).
std::string SummaryLine(const RunStats& stats, const RunSummary& summary);

// "INVALID_ARGUMENT" for 3, ...
std::string CodeName(int code);

}  // namespace custflow::loadgen
